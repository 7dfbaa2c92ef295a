/* Subscripts and calls: the generic forms (globals and attributes: cached.c). */
#include "stencil.h"

STENCIL(BINARY_SUBSCR)
{
    PyObject *sub = sp[-1], *container = sp[-2];
    SYNC_INSTR();
    PyObject *res = PyObject_GetItem(container, sub);
    BINARY_RESULT(container, sub, res);
}

/* list[int] with an index in range; anything else takes the generic path,
 * which also raises the IndexError. */
STENCIL(BINARY_SUBSCR_LIST_INT)
{
    PyObject *sub = sp[-1], *container = sp[-2];
    PyObject *res;
    if (PyList_CheckExact(container) && IS_COMPACT_INT(sub)
        && (size_t)COMPACT_VALUE(sub) < (size_t)PyList_GET_SIZE(container)) {
        res = PyList_GET_ITEM(container, COMPACT_VALUE(sub));
        Py_INCREF(res);
    }
    else {
        SYNC_INSTR();
        res = PyObject_GetItem(container, sub);
    }
    BINARY_RESULT(container, sub, res);
}

/* list[int] = value with an index in range; anything else takes the generic
 * path, which also raises the IndexError. */
STENCIL(STORE_SUBSCR_LIST_INT)
{
    PyObject *sub = sp[-1], *container = sp[-2], *value = sp[-3];
    sp -= 3;
    SYNC_INSTR();
    if (PyList_CheckExact(container) && IS_COMPACT_INT(sub)
        && (size_t)COMPACT_VALUE(sub) < (size_t)PyList_GET_SIZE(container)) {
        PyObject **item = &((PyListObject *)container)->ob_item[COMPACT_VALUE(sub)];
        PyObject *old = *item;
        *item = value;  /* the stack's reference moves into the list */
        Py_DECREF(old);
        Py_DECREF(container);
        Py_DECREF(sub);
        CONTINUE();
    }
    int err = PyObject_SetItem(container, sub, value);
    Py_DECREF(value);
    Py_DECREF(container);
    Py_DECREF(sub);
    if (err) {
        ERROR();
    }
    CONTINUE();
}

STENCIL(STORE_SUBSCR)
{
    PyObject *sub = sp[-1], *container = sp[-2], *value = sp[-3];
    sp -= 3;
    SYNC_INSTR();
    int err = PyObject_SetItem(container, sub, value);
    Py_DECREF(value);
    Py_DECREF(container);
    Py_DECREF(sub);
    if (err) {
        ERROR();
    }
    CONTINUE();
}

/* [callable, self, args...] -> [function, self, args...] for a bound method. */
STENCIL(PRECALL)
{
    int oparg = OPARG;
    if (sp[-oparg - 2] == NULL && Py_TYPE(sp[-oparg - 1]) == &PyMethod_Type) {
        PyObject *callable = sp[-oparg - 1];
        PyObject *self = ((PyMethodObject *)callable)->im_self;
        PyObject *func = ((PyMethodObject *)callable)->im_func;
        Py_INCREF(self);
        Py_INCREF(func);
        sp[-oparg - 1] = self;
        sp[-oparg - 2] = func;
        Py_DECREF(callable);
    }
    CONTINUE();
}

/* The operand is the tuple of keyword names (KW_NAMES, folded in), or NULL. */
STENCIL(CALL)
{
    int oparg = OPARG;
    PyObject *kwnames = (PyObject *)OPERAND;
    int is_meth = sp[-oparg - 2] != NULL;
    int total = oparg + is_meth;
    PyObject *function = sp[-total - 1];
    Py_ssize_t positional = total - (kwnames ? PyTuple_GET_SIZE(kwnames) : 0);
    /* Where the caller's frame stands during the call: 3.11 leaves a call it inlines
     * (to a Python function) on the CALL's last cache entry, any other on the CALL. */
    _Py_CODEUNIT *at = INSTR + (PyFunction_Check(function) ? INLINE_CACHE_ENTRIES_CALL : 0);
    frame->prev_instr = at;
    size_t nargsf = positional | PY_VECTORCALL_ARGUMENTS_OFFSET;
    PyObject *res = accel_call(tstate, function, sp - total, nargsf, kwnames);
    Py_DECREF(function);
    for (int i = 1; i <= total; i++) {
        Py_DECREF(sp[-i]);
    }
    sp -= total + 2 - is_meth;
    if (res == NULL) {
        frame->prev_instr = at;
        _PyFrame_SetStackPointer(frame, sp);
        return EXIT_VALUE(ACCEL_EXIT_ERROR);
    }
    *sp++ = res;
    if (TRACING_ON()) {
        EXIT_AFTER(ACCEL_EXIT_TRACING);
    }
    CONTINUE();
}
