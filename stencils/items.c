/* A list's item at a constant index, `perm[0]`: LOAD_FAST, LOAD_CONST and
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
