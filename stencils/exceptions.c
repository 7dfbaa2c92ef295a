/* Exception handlers run natively: what ceval.c does between an error and the
 * handler (the traceback entry, unwinding the value stack), and the
 * instructions of `except` clauses.  RERAISE and the handlers of `with`,
 * `except*` and `finally` still exit to the interpreter. */
#include "stencil.h"

/* An instruction in a try block raised (ERROR_AT jumped here): add this
 * frame's traceback entry, pop the value stack down to the handler's level
 * (OPARG), push the faulting instruction's offset if the handler wants it
 * (OPARG2), then the exception, and go to the handler.  With tracing or
 * profiling switched on meanwhile (by the call that raised), the interpreter
 * does it all, and runs the rest of the frame, reporting its events. */
STENCIL(UNWIND)
{
    if (TRACING_ON()) {
        return EXIT_VALUE(ACCEL_EXIT_ERROR);
    }
    PyObject *lasti = NULL;
    if (OPARG2) {
        /* Allocated first: if it fails, the interpreter handles the MemoryError. */
        lasti = PyLong_FromLong((long)(frame->prev_instr - _PyCode_CODE(frame->f_code)));
        if (lasti == NULL) {
            return EXIT_VALUE(ACCEL_EXIT_ERROR);
        }
    }
    PyFrameObject *f = PyEval_GetFrame();  /* this frame's, as it is the current one */
    if (f != NULL) {
        PyTraceBack_Here(f);
    }
    else {
        /* Making the frame object failed.  The interpreter goes on with the
         * MemoryError that replaced the exception; PyEval_GetFrame cleared it. */
        PyErr_NoMemory();
    }
    frame->stacktop = -1;  /* unset again while native code runs (deopt.c) */
    PyObject **level = _PyFrame_Stackbase(frame) + OPARG;
    while (sp > level) {
        PyObject *value = *--sp;
        Py_XDECREF(value);
    }
    if (lasti != NULL) {
        *sp++ = lasti;
    }
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyException_SetTraceback(value, tb != NULL ? tb : Py_None);
    Py_XDECREF(tb);
    Py_XDECREF(type);
    *sp++ = value;
    JUMP();
}

/* [exc] -> [previous exc_info value (or None), exc]; exc becomes the one being handled. */
STENCIL(PUSH_EXC_INFO)
{
    PyObject *value = sp[-1];
    _PyErr_StackItem *exc_info = tstate->exc_info;
    sp[-1] = exc_info->exc_value != NULL ? exc_info->exc_value : Py_NewRef(Py_None);
    *sp++ = Py_NewRef(value);
    exc_info->exc_value = value;
    CONTINUE();
}

STENCIL(POP_EXCEPT)
{
    _PyErr_StackItem *exc_info = tstate->exc_info;
    PyObject *value = exc_info->exc_value;
    exc_info->exc_value = *--sp;
    SYNC_INSTR();
    Py_XDECREF(value);
    CONTINUE();
}

/* [exc, cls] -> [exc, whether exc matches cls (a class or a tuple of them)]. */
STENCIL(CHECK_EXC_MATCH)
{
    PyObject *right = *--sp;
    PyObject *left = sp[-1];
    int valid = 1;
    if (PyTuple_Check(right)) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(right); i++) {
            valid &= PyExceptionClass_Check(PyTuple_GET_ITEM(right, i));
        }
    }
    else {
        valid = PyExceptionClass_Check(right);
    }
    SYNC_INSTR();
    if (!valid) {
        PyErr_SetString(PyExc_TypeError,
                        "catching classes that do not inherit from BaseException is not allowed");
        Py_DECREF(right);
        ERROR();
    }
    int match = PyErr_GivenExceptionMatches(left, right);
    Py_DECREF(right);
    *sp++ = Py_NewRef(match ? Py_True : Py_False);
    CONTINUE();
}
