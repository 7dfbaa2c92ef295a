/* Exception handlers run natively: what ceval.c does between an error and the
 * handler (the traceback entry, unwinding the value stack), the instructions of
 * `except` and `except*` clauses, and re-raising at the end of a `finally`, an
 * unmatched `except` or a `with` block left by an exception. */
#include "stencil.h"
#include "exception_groups.h"

/* Release the value stack down to the handler's level. */
static inline __attribute__((always_inline)) PyObject **
pop_to(PyObject **sp, PyObject **level)
{
    while (sp > level) {
        PyObject *value = *--sp;
        Py_XDECREF(value);
    }
    return sp;
}

/* Push the exception being raised, normalized, its traceback attached, as the
 * interpreter hands it to a handler; no exception is set any more. */
static inline __attribute__((always_inline)) PyObject **
push_raised(PyObject **sp)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyException_SetTraceback(value, tb != NULL ? tb : Py_None);
    Py_XDECREF(tb);
    Py_XDECREF(type);
    *sp++ = value;
    return sp;
}

/* Raw (unboxed) values in the stack slots of `raw` (a mask from the stack's
 * base) that unwinding pops are not objects: they are forgotten, before
 * anything that may run the GC sees the stack (ERROR_AT set stacktop). */
static inline __attribute__((always_inline)) void
forget_raw(PyObject **base, PyObject **sp, uintptr_t raw)
{
    for (; raw != 0; raw &= raw - 1) {
        PyObject **slot = base + __builtin_ctzll(raw);
        if (slot < sp) {
            *slot = NULL;
        }
    }
}

/* An instruction in a try block raised (ERROR_AT jumped here): add this
 * frame's traceback entry, pop the value stack down to the handler's level
 * (OPARG), push the faulting instruction's offset if the handler wants it
 * (OPARG2), then the exception, and go to the handler.  With tracing or
 * profiling switched on meanwhile (by the call that raised), the interpreter
 * does it all, and runs the rest of the frame, reporting its events.  OPERAND:
 * the raw slots above the handler's level (accel/specializer/handlers.py). */
STENCIL(UNWIND)
{
    if (TRACING_ON()) {
        return EXIT_VALUE(ACCEL_EXIT_ERROR);
    }
    PyObject *lasti = NULL;
    if (OPARG2) {
        /* Allocated first: if it fails, the interpreter handles the MemoryError.
         * (An int is no GC object: allocating it does not run the GC.) */
        lasti = PyLong_FromLong((long)(frame->prev_instr - _PyCode_CODE(frame->f_code)));
        if (lasti == NULL) {
            return EXIT_VALUE(ACCEL_EXIT_ERROR);
        }
    }
    forget_raw(_PyFrame_Stackbase(frame), sp, (uintptr_t)OPERAND);
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
    sp = pop_to(sp, _PyFrame_Stackbase(frame) + OPARG);
    if (lasti != NULL) {
        *sp++ = lasti;
    }
    sp = push_raised(sp);
    JUMP();
}

/* RERAISE or a bare `raise` in a try block (RERAISE_UNWIND jumped here): as
 * UNWIND, without the traceback entry.  The offset a handler gets is
 * prev_instr's, which RERAISE may have restored.  No tracing check: those
 * instructions made theirs and ran no code since. */
STENCIL(UNWIND_RERAISED)
{
    frame->stacktop = -1;  /* unset again while native code runs (deopt.c) */
    sp = pop_to(sp, _PyFrame_Stackbase(frame) + OPARG);
    if (OPARG2) {
        PyObject *lasti;
        /* Out of memory, the interpreter unwinds again with the MemoryError
         * (the stack is down to the level already) and tries anew. */
        while ((lasti = PyLong_FromLong((long)(frame->prev_instr - _PyCode_CODE(frame->f_code)))) == NULL) {
        }
        *sp++ = lasti;
    }
    sp = push_raised(sp);
    JUMP();
}

/* [lasti?, ..., exc] -> raised again: the end of a `finally` block, of an
 * unmatched `except`, of a `with` block whose __exit__ did not suppress.  As
 * ceval.c: no traceback entry for this frame; with oparg set, prev_instr goes
 * back to the offset the handler saved (oparg deep below exc), so that a later
 * traceback entry of this frame, and f_lineno, name the original raise. */
STENCIL(RERAISE)
{
    if (TRACING_ON()) {
        EXIT(ACCEL_EXIT_TRACING);
    }
    int oparg = OPARG;
    if (oparg) {
        PyObject *lasti = sp[-(oparg + 1)];
        if (!PyLong_Check(lasti)) {
            EXIT(ACCEL_EXIT_RAISE);  /* a SystemError the interpreter raises */
        }
        frame->prev_instr = _PyCode_CODE(frame->f_code) + PyLong_AsLong(lasti);
    }
    else {
        frame->prev_instr = INSTR;
    }
    PyObject *exc = *--sp;
    PyErr_Restore(Py_NewRef(PyExceptionInstance_Class(exc)), exc, PyException_GetTraceback(exc));
    RERAISE_UNWIND();
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

/* [exc, cls] -> [rest, match] where cls matches part of exc (or all of it),
 * match becoming the exception being handled; else [exc, None]. */
STENCIL(CHECK_EG_MATCH)
{
    PyObject *match_type = *--sp;
    SYNC_INSTR();
    if (accel_check_except_star_type(match_type) < 0) {
        Py_DECREF(match_type);
        ERROR();
    }
    PyObject *exc_value = sp[-1];
    PyObject *match, *rest;
    int status = accel_exception_group_match(exc_value, match_type, &match, &rest);
    Py_DECREF(match_type);
    if (status < 0) {
        ERROR();
    }
    if (Py_IsNone(match)) {
        *sp++ = match;
        Py_DECREF(rest);
    }
    else {
        sp[-1] = rest;
        *sp++ = match;
        PyErr_SetExcInfo(NULL, Py_NewRef(match), NULL);
        Py_DECREF(exc_value);
    }
    /* split() may be a method of the program's, that switched tracing on. */
    if (TRACING_ON()) {
        EXIT_AFTER(ACCEL_EXIT_TRACING);
    }
    CONTINUE();
}

/* [orig, raised] -> what the try-except* statement raises at its end (None:
 * nothing); `raised` lists what its clauses raised or re-raised. */
STENCIL(PREP_RERAISE_STAR)
{
    PyObject *excs = *--sp;
    PyObject *orig = *--sp;
    SYNC_INSTR();
    PyObject *value = accel_prep_reraise_star(orig, excs);
    Py_DECREF(excs);
    Py_DECREF(orig);
    if (value == NULL) {
        ERROR();
    }
    *sp++ = value;
    /* derive() may be a method of the program's, that switched tracing on. */
    if (TRACING_ON()) {
        EXIT_AFTER(ACCEL_EXIT_TRACING);
    }
    CONTINUE();
}
