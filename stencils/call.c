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
    /* Where the caller's frame stands during the call: 3.11 leaves a call it inlines
     * (to a Python function) on the CALL's last cache entry, any other on the CALL. */
    int inlined = PyFunction_Check(function);
    _Py_CODEUNIT *at = INSTR + (inlined ? INLINE_CACHE_ENTRIES_CALL : 0);
    frame->prev_instr = at;
    PyObject *res;
    if (inlined && kwnames == NULL) {
        /* The function and the arguments move into the callee's frame. */
        res = accel_call_function_moving(tstate, function, sp - total, total);
    }
    else {
        Py_ssize_t positional = total - (kwnames ? PyTuple_GET_SIZE(kwnames) : 0);
        size_t nargsf = positional | PY_VECTORCALL_ARGUMENTS_OFFSET;
        res = accel_call(tstate, function, sp - total, nargsf, kwnames);
        Py_DECREF(function);
        for (int i = 1; i <= total; i++) {
            Py_DECREF(sp[-i]);
        }
    }
    sp -= oparg + 2;
    if (res == NULL) {
        ERROR_AT(at);
    }
    *sp++ = res;
    /* An inlined call returns to the caller's next instruction unchecked. */
    if (!inlined) {
        CHECK_EVAL_BREAKER_AFTER_CALL();
    }
    if (TRACING_ON()) {
        EXIT_AFTER(ACCEL_EXIT_TRACING);
    }
    CONTINUE();
}
