/* Cells and free variables, and deleting locals.
 *
 * MAKE_CELL and COPY_FREE_VARS open every function that has cell or free
 * variables: without them such functions could not start natively.  Unbound
 * names exit before anything is done: the interpreter raises the
 * UnboundLocalError or NameError with the message its static helper composes. */
#include "stencil.h"

STENCIL(MAKE_CELL)
{
    /* NULL, unless the local is an argument. */
    PyObject *initial = LOCAL(OPARG);
    PyObject *cell = PyCell_New(initial);
    if (cell == NULL) {
        ERROR();
    }
    LOCAL(OPARG) = cell;
    Py_XDECREF(initial);
    CONTINUE();
}

/* The closure's cells, into the slots after the locals and the cell variables. */
STENCIL(COPY_FREE_VARS)
{
    int n = OPARG;
    PyCodeObject *co = frame->f_code;
    PyObject *closure = frame->f_func->func_closure;
    PyObject **free = frame->localsplus + co->co_nlocals + co->co_nplaincellvars;
    for (int i = 0; i < n; i++) {
        PyObject *cell = PyTuple_GET_ITEM(closure, i);
        Py_INCREF(cell);
        free[i] = cell;
    }
    CONTINUE();
}

STENCIL(LOAD_CLOSURE)
{
    PyObject *value = LOCAL(OPARG);
    if (value == NULL) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    Py_INCREF(value);
    *sp++ = value;
    CONTINUE();
}

STENCIL(LOAD_DEREF)
{
    PyObject *value = PyCell_GET(LOCAL(OPARG));
    if (value == NULL) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    Py_INCREF(value);
    *sp++ = value;
    CONTINUE();
}

STENCIL(STORE_DEREF)
{
    PyObject *value = *--sp;
    PyObject *cell = LOCAL(OPARG);
    PyObject *old = PyCell_GET(cell);
    PyCell_SET(cell, value);
    if (old != NULL) {
        SYNC_INSTR();
        Py_DECREF(old);
    }
    CONTINUE();
}

STENCIL(DELETE_FAST)
{
    PyObject *value = LOCAL(OPARG);
    if (value == NULL) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    LOCAL(OPARG) = NULL;
    SYNC_INSTR();
    Py_DECREF(value);
    CONTINUE();
}

STENCIL(DELETE_DEREF)
{
    PyObject *cell = LOCAL(OPARG);
    PyObject *old = PyCell_GET(cell);
    if (old == NULL) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    PyCell_SET(cell, NULL);
    SYNC_INSTR();
    Py_DECREF(old);
    CONTINUE();
}

/* A free variable read in a class body: the class namespace first, then the
 * cell.  Namespaces other than exact dicts (from a metaclass's __prepare__)
 * exit before anything is looked up. */
STENCIL(LOAD_CLASSDEREF)
{
    PyObject *locals = frame->f_locals;
    if (locals == NULL || !PyDict_CheckExact(locals)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    PyObject *name = PyTuple_GET_ITEM(frame->f_code->co_localsplusnames, OPARG);
    SYNC_INSTR();
    PyObject *value = PyDict_GetItemWithError(locals, name);
    if (value == NULL) {
        if (PyErr_Occurred()) {
            ERROR();
        }
        value = PyCell_GET(LOCAL(OPARG));
        if (value == NULL) {
            /* The lookup of a str in a dict has no effect to repeat. */
            EXIT(ACCEL_EXIT_RAISE);
        }
    }
    Py_INCREF(value);
    *sp++ = value;
    CONTINUE();
}
