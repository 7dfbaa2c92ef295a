/* Globals, functions, calls with * and **, raising, imports, classes. */
#include "stencil.h"

/* The operand is the name. */
STENCIL(STORE_GLOBAL)
{
    PyObject *value = *--sp;
    SYNC_INSTR();
    int err = PyDict_SetItem(frame->f_globals, (PyObject *)OPERAND, value);
    Py_DECREF(value);
    if (err != 0) {
        ERROR();
    }
    CONTINUE();
}

/* An undefined name exits before anything is done: the interpreter raises the
 * NameError its static helper composes. */
STENCIL(DELETE_GLOBAL)
{
    PyObject *name = (PyObject *)OPERAND;
    SYNC_INSTR();
    int present = PyDict_Contains(frame->f_globals, name);
    if (present < 0) {
        ERROR();
    }
    if (present == 0) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    if (PyDict_DelItem(frame->f_globals, name) != 0) {
        ERROR();
    }
    CONTINUE();
}

STENCIL(LOAD_ASSERTION_ERROR)
{
    PyObject *value = PyExc_AssertionError;
    Py_INCREF(value);
    *sp++ = value;
    CONTINUE();
}

/* [defaults?, kwdefaults?, annotations?, closure?, code] -> function;
 * the oparg's bits say which of them are there. */
STENCIL(MAKE_FUNCTION)
{
    int oparg = OPARG;
    PyObject *codeobj = *--sp;
    SYNC_INSTR();
    PyFunctionObject *func = (PyFunctionObject *)PyFunction_New(codeobj, frame->f_globals);
    Py_DECREF(codeobj);
    if (func == NULL) {
        ERROR();
    }
    if (oparg & 0x08) {
        func->func_closure = *--sp;
    }
    if (oparg & 0x04) {
        func->func_annotations = *--sp;
    }
    if (oparg & 0x02) {
        func->func_kwdefaults = *--sp;
    }
    if (oparg & 0x01) {
        func->func_defaults = *--sp;
    }
    *sp++ = (PyObject *)func;
    CONTINUE();
}

/* [NULL, callable, args, kwargs?] -> result.  ceval.c words the errors for
 * arguments that are not iterable or not a mapping in static helpers: those
 * cases exit before anything is done.  (The compiler always gives a dict for
 * kwargs; anything else exits as a failed type guard.) */
STENCIL(CALL_FUNCTION_EX)
{
    int has_kwargs = OPARG & 1;
    PyObject *kwargs = has_kwargs ? sp[-1] : NULL;
    PyObject *callargs = sp[-1 - has_kwargs];
    PyObject *func = sp[-2 - has_kwargs];
    if (kwargs != NULL && !PyDict_CheckExact(kwargs)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    if (!PyTuple_CheckExact(callargs) && Py_TYPE(callargs)->tp_iter == NULL && !PySequence_Check(callargs)) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    SYNC_INSTR();
    PyObject **base = sp - 3 - has_kwargs;
    if (!PyTuple_CheckExact(callargs)) {
        PyObject *tuple = PySequence_Tuple(callargs);
        Py_DECREF(callargs);
        if (tuple == NULL) {
            Py_XDECREF(kwargs);
            sp = base + 2;
            ERROR();
        }
        callargs = tuple;
    }
    PyObject *result = PyObject_Call(func, callargs, kwargs);
    Py_DECREF(func);
    Py_DECREF(callargs);
    Py_XDECREF(kwargs);
    sp = base;
    if (result == NULL) {
        ERROR();
    }
    *sp++ = result;
    CHECK_EVAL_BREAKER_AFTER_CALL();
    if (TRACING_ON()) {
        EXIT_AFTER(ACCEL_EXIT_TRACING);
    }
    CONTINUE();
}

/* ceval.c's do_raise for `raise exc [from cause]`: an exception class is called
 * for its instance (and so is a cause that is a class), the cause is set (None
 * suppresses the context), and PyErr_SetObject chains the exception being
 * handled as the context.  Always leaves an exception set; consumes both. */
static inline __attribute__((always_inline)) void
raise_exception(PyObject *exc, PyObject *cause)
{
    PyObject *type = NULL, *value = NULL;
    if (PyExceptionClass_Check(exc)) {
        type = exc;
        value = PyObject_CallNoArgs(exc);
        if (value == NULL) {
            goto fail;
        }
        if (!PyExceptionInstance_Check(value)) {
            PyErr_Format(PyExc_TypeError, "calling %R should have returned an instance of BaseException, not %R",
                         type, Py_TYPE(value));
            goto fail;
        }
    }
    else if (PyExceptionInstance_Check(exc)) {
        value = exc;
        type = PyExceptionInstance_Class(exc);
        Py_INCREF(type);
    }
    else {
        Py_DECREF(exc);
        PyErr_SetString(PyExc_TypeError, "exceptions must derive from BaseException");
        goto fail;
    }
    if (cause != NULL) {
        PyObject *fixed_cause;
        if (PyExceptionClass_Check(cause)) {
            /* Whatever the call returns becomes the cause: 3.11 does not check it. */
            fixed_cause = PyObject_CallNoArgs(cause);
            if (fixed_cause == NULL) {
                goto fail;
            }
            Py_DECREF(cause);
        }
        else if (PyExceptionInstance_Check(cause)) {
            fixed_cause = cause;
        }
        else if (Py_IsNone(cause)) {
            Py_DECREF(cause);
            fixed_cause = NULL;
        }
        else {
            PyErr_SetString(PyExc_TypeError, "exception causes must derive from BaseException");
            goto fail;
        }
        PyException_SetCause(value, fixed_cause);
    }
    PyErr_SetObject(type, value);
    Py_DECREF(value);
    Py_DECREF(type);
    return;
fail:
    Py_XDECREF(value);
    Py_XDECREF(type);
    Py_XDECREF(cause);
}

/* [exc, cause?] -> raised.  The interpreter adds this frame's traceback entry
 * to an exception native code hands it, as it does after its own raise (and
 * UNWIND adds it where the handler runs natively).  A bare `raise` (oparg 0)
 * re-raises the exception being handled as RERAISE does, without a new entry;
 * with none, the interpreter raises the RuntimeError. */
STENCIL(RAISE_VARARGS)
{
    int oparg = OPARG;
    if (oparg == 0) {
        if (TRACING_ON()) {
            EXIT(ACCEL_EXIT_TRACING);
        }
        PyObject *exc = PyErr_GetHandledException();
        if (exc == NULL) {
            EXIT(ACCEL_EXIT_RAISE);
        }
        frame->prev_instr = INSTR;
        PyErr_Restore(Py_NewRef(PyExceptionInstance_Class(exc)), exc, PyException_GetTraceback(exc));
        RERAISE_UNWIND();
    }
    if (oparg != 1 && oparg != 2) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    PyObject *cause = oparg == 2 ? *--sp : NULL;
    PyObject *exc = *--sp;
    SYNC_INSTR();
    raise_exception(exc, cause);
    ERROR();
}

/* [level, fromlist] -> module; the operand is the name.  As ceval.c's
 * import_name: builtins.__import__, called directly when it is the original. */
STENCIL(IMPORT_NAME)
{
    PyObject *name = (PyObject *)OPERAND;
    PyObject *fromlist = sp[-1], *level = sp[-2];
    PyObject *import_func = PyDict_GetItemWithError(frame->f_builtins, &_Py_ID(__import__));
    if (import_func == NULL && !PyErr_Occurred()) {
        /* ImportError("__import__ not found"), raised by the interpreter. */
        EXIT(ACCEL_EXIT_RAISE);
    }
    SYNC_INSTR();
    PyObject *res = NULL;
    if (import_func != NULL) {
        PyObject *locals = frame->f_locals;
        if (import_func == tstate->interp->import_func) {
            int ilevel = _PyLong_AsInt(level);
            if (!(ilevel == -1 && PyErr_Occurred())) {
                res = PyImport_ImportModuleLevelObject(name, frame->f_globals, locals == NULL ? Py_None : locals,
                                                       fromlist, ilevel);
            }
        }
        else {
            PyObject *args[5] = {name, frame->f_globals, locals == NULL ? Py_None : locals, fromlist, level};
            Py_INCREF(import_func);
            res = PyObject_Vectorcall(import_func, args, 5, NULL);
            Py_DECREF(import_func);
        }
    }
    Py_DECREF(level);
    Py_DECREF(fromlist);
    sp--;
    if (res == NULL) {
        sp--;
        ERROR();
    }
    sp[-1] = res;
    CONTINUE();
}

/* [module] -> [module, attribute]; the operand is the name.  Done here for a
 * module whose dict has the name and whose type does not define it: there the
 * attribute lookup reads the dict and nothing else.  Anything else exits before
 * it starts: ceval.c's import_from falls back on sys.modules and words its
 * ImportError in a static helper. */
STENCIL(IMPORT_FROM)
{
    PyObject *from = sp[-1];
    PyObject *name = (PyObject *)OPERAND;
    if (!Py_IS_TYPE(from, &PyModule_Type)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    PyObject *dict = PyModule_GetDict(from);
    if (dict == NULL || !PyDict_CheckExact(dict) || !PyUnicode_CheckExact(name)
        || _PyType_Lookup(&PyModule_Type, name) != NULL) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    PyObject *value = PyDict_GetItemWithError(dict, name);
    if (value == NULL) {
        if (PyErr_Occurred()) {
            SYNC_INSTR();
            *sp++ = NULL;
            ERROR();
        }
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    Py_INCREF(value);
    *sp++ = value;
    CONTINUE();
}

/* The name error is worded inline in ceval.c; for a builtins dict, looking the
 * name up has no effect, so that case exits. */
STENCIL(LOAD_BUILD_CLASS)
{
    PyObject *builtins = frame->f_builtins;
    PyObject *bc;
    if (PyDict_CheckExact(builtins)) {
        bc = PyDict_GetItemWithError(builtins, &_Py_ID(__build_class__));
        if (bc == NULL) {
            if (PyErr_Occurred()) {
                SYNC_INSTR();
                ERROR();
            }
            EXIT(ACCEL_EXIT_RAISE);
        }
        Py_INCREF(bc);
    }
    else {
        SYNC_INSTR();
        bc = PyObject_GetItem(builtins, &_Py_ID(__build_class__));
        if (bc == NULL) {
            if (PyErr_ExceptionMatches(PyExc_KeyError)) {
                PyErr_SetString(PyExc_NameError, "__build_class__ not found");
            }
            ERROR();
        }
    }
    *sp++ = bc;
    CONTINUE();
}
