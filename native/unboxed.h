/* Raw values in frame slots (see stencils/unboxed.c): what an unbound raw local holds.
 * No float operation yields this signalling NaN (guards refuse to unbox it), and raw
 * int operations exit rather than yield INT64_MIN. */
#ifndef ACCEL_UNBOXED_H
#define ACCEL_UNBOXED_H

#include "Python.h"
#include <stdint.h>

#define RAW_FLOAT_UNBOUND 0x7ff4acce1dbadbadULL
#define RAW_INT_UNBOUND INT64_MIN

/* A float a raw slot can hold: an exact float (a subclass's instances carry more
 * than the value) whose bits are not the unbound mark. */
static inline __attribute__((always_inline)) int
accel_is_unboxable_float(PyObject *o)
{
    if (!PyFloat_CheckExact(o)) {
        return 0;
    }
    uint64_t bits;
    __builtin_memcpy(&bits, &((PyFloatObject *)o)->ob_fval, sizeof bits);
    return bits != RAW_FLOAT_UNBOUND;
}
#define IS_UNBOXABLE_FLOAT(O) accel_is_unboxable_float(O)

/* *where = a raw float where that runs no code (for code whose locals are raw): into
 * the exact float only *where holds, in place (nothing else can see it change); else,
 * where *where is empty or an exact float, a new float, a shared one released (not its
 * last reference: no deallocation runs).  1; or 0 with nothing done (*where holds
 * something else, or no float could be allocated: the interpreter raises the
 * MemoryError itself). */
static inline __attribute__((always_inline)) int
accel_store_float_pure(PyObject **where, double value)
{
    PyObject *old = *where;
    if (old != NULL && !PyFloat_CheckExact(old)) {
        return 0;
    }
    if (old != NULL && Py_REFCNT(old) == 1) {
        ((PyFloatObject *)old)->ob_fval = value;
        return 1;
    }
    PyObject *boxed = PyFloat_FromDouble(value);
    if (boxed == NULL) {
        PyErr_Clear();
        return 0;
    }
    *where = boxed;
    if (old != NULL) {
        old->ob_refcnt--;
    }
    return 1;
}

/* Ints whose value fits one digit, and that value: the fast paths of 3.11's own
 * specializer, taken by stencils and by native code alike. */
#define IS_COMPACT_INT(O) \
    (Py_TYPE(O) == &PyLong_Type && (size_t)(Py_SIZE(O) + 1) < 3)
#define COMPACT_VALUE(O) \
    ((Py_ssize_t)Py_SIZE(O) * (Py_ssize_t)((PyLongObject *)(O))->ob_digit[0])

#endif
