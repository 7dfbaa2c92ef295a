/* List items updated in place. */
#include "stencil.h"

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
