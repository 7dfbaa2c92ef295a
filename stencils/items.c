/* List items: `perm[0]`, LOAD_FAST, LOAD_CONST and
 * BINARY_SUBSCR_LIST_INT fused (accel/specializer/borrow.py), with the list
 * borrowed from local OPARG and the index from the code's constants (OPERAND).
 * An index out of range, another container or index: the generic path, which
 * holds the container, as the value stack would, while __getitem__ runs. */
#include "stencil.h"

STENCIL(LOAD_FAST__LOAD_CONST__BINARY_SUBSCR_LIST_INT)
{
    PyObject *container = LOCAL(OPARG), *sub = (PyObject *)OPERAND;
    if (UNLIKELY(container == NULL)) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    PyObject *res;
    if (LIKELY(PyList_CheckExact(container) && IS_COMPACT_INT(sub)
               && (size_t)COMPACT_VALUE(sub) < (size_t)PyList_GET_SIZE(container))) {
        res = PyList_GET_ITEM(container, COMPACT_VALUE(sub));
        Py_INCREF(res);
        *sp++ = res;
        CONTINUE();
    }
    SYNC_INSTR();
    Py_INCREF(container);
    res = PyObject_GetItem(container, sub);
    Py_DECREF(container);
    if (res == NULL) {
        ERROR();
    }
    *sp++ = res;
    CONTINUE();
}

/* items[i] += k (k negated for -=) as one instruction (accel/specializer/item_updates.py):
 * the list from local OPARG's low 16 bits, the index from the local in its high 16
 * bits, k in OPARG2.  An exact list, an index in range, an exact int item and a
 * result that fits a raw int; anything else exits before the statement, nothing
 * changed.  Nothing can run Python code between the read and the store (a new int
 * is not tracked by the garbage collector), and the int replaced is released last. */
STENCIL(LIST_ITEM_ADD_INT_CONST)
{
    PyObject *list = LOCAL(OPARG & 0xFFFF), *index = LOCAL((unsigned)OPARG >> 16);
    if (UNLIKELY(list == NULL || index == NULL || !PyList_CheckExact(list) || !IS_COMPACT_INT(index))) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    Py_ssize_t at = COMPACT_VALUE(index);
    if (UNLIKELY((size_t)at >= (size_t)PyList_GET_SIZE(list))) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    PyObject **slot = &((PyListObject *)list)->ob_item[at];
    PyObject *old = *slot;
    int64_t raw, result;
    if (UNLIKELY(!unbox_int(old, &raw))) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    if (UNLIKELY(__builtin_add_overflow(raw, (int64_t)OPARG2, &result) || !FITS_RAW_INT(result))) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    PyObject *value = box_int(result);
    if (UNLIKELY(value == NULL)) {
        ERROR();
    }
    *slot = value;
    Py_DECREF(old);
    CONTINUE();
}
