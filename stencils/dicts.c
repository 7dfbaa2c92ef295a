/* Subscripts of dicts (accel/specializer/specialize.py chooses these where the
 * container is most likely an exact dict): the lookup or store that dict's own
 * mp_subscript / mp_ass_subscript makes, called directly; any other container
 * takes the generic path, so there is no guard.  A dict subclass always takes
 * the generic path: its __missing__, __getitem__ or __setitem__ run as stock. */
#include "stencil.h"

/* [d, key] -> [d[key]]: a missing key raises KeyError(key), as dict's
 * subscript does, from this instruction. */
STENCIL(BINARY_SUBSCR_DICT)
{
    PyObject *sub = sp[-1], *container = sp[-2];
    PyObject *res;
    SYNC_INSTR();  /* the key's __hash__ and __eq__ may be Python code */
    if (LIKELY(PyDict_CheckExact(container))) {
        res = PyDict_GetItemWithError(container, sub);
        if (LIKELY(res != NULL)) {
            Py_INCREF(res);
        }
        else if (!PyErr_Occurred()) {
            _PyErr_SetKeyError(sub);
        }
    }
    else {
        res = PyObject_GetItem(container, sub);
    }
    BINARY_RESULT(container, sub, res);
}

/* [value, d, key] -> []: d[key] = value. */
STENCIL(STORE_SUBSCR_DICT)
{
    PyObject *sub = sp[-1], *container = sp[-2], *value = sp[-3];
    sp -= 3;
    SYNC_INSTR();  /* the key's __hash__ and __eq__, a replaced value's finalizer */
    int err = LIKELY(PyDict_CheckExact(container)) ? PyDict_SetItem(container, sub, value)
                                                   : PyObject_SetItem(container, sub, value);
    Py_DECREF(value);
    Py_DECREF(container);
    Py_DECREF(sub);
    if (UNLIKELY(err)) {
        ERROR();
    }
    CONTINUE();
}
