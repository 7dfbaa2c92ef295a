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

/* ceval.c raises through a static helper (do_raise), which also decides whether
 * a traceback entry is added: the interpreter runs it. */
STENCIL(RAISE_VARARGS)
{
    EXIT(ACCEL_EXIT_RAISE);
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
