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

/* The operand is the tuple of keyword names (KW_NAMES, folded in), or NULL.
 * The work, PRECALL's included, is native/calls.c's: the stencil stays small,
 * at every call site. */
STENCIL(CALL)
{
    PyObject **base = sp - OPARG - 2;
    frame->prev_instr = INSTR;
    int status = accel_call_instruction(tstate, frame, base, OPARG, (PyObject *)OPERAND, RAW_LOCALS_LIVE,
                                        (accel_cache *)HOLE(_JIT_CACHE));
    sp = base + 1;
    if (status == ACCEL_CALL_DONE) {
        CONTINUE();
    }
    if (status == ACCEL_CALL_RAISED) {
        sp = base;
    }
    if (status < 0) {
        ERROR_AT(frame->prev_instr);
    }
    EXIT_AFTER(status);
}
