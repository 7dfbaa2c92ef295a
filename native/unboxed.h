/* Raw values in frame slots (see stencils/unboxed.c): what an unbound raw local holds.
 * No float operation yields this signalling NaN (guards refuse to unbox it), and raw
 * int operations exit rather than yield INT64_MIN. */
#ifndef ACCEL_UNBOXED_H
#define ACCEL_UNBOXED_H

#include <stdint.h>

#define RAW_FLOAT_UNBOUND 0x7ff4acce1dbadbadULL
#define RAW_INT_UNBOUND INT64_MIN

/* Ints whose value fits one digit, and that value: the fast paths of 3.11's own
 * specializer, taken by stencils and by native code alike. */
#define IS_COMPACT_INT(O) \
    (Py_TYPE(O) == &PyLong_Type && (size_t)(Py_SIZE(O) + 1) < 3)
#define COMPACT_VALUE(O) \
    ((Py_ssize_t)Py_SIZE(O) * (Py_ssize_t)((PyLongObject *)(O))->ob_digit[0])

#endif
