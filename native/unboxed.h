/* Raw values in frame slots (see stencils/unboxed.c): what an unbound raw local holds.
 * No float operation yields this signalling NaN (guards refuse to unbox it), and raw
 * int operations exit rather than yield INT64_MIN. */
#ifndef ACCEL_UNBOXED_H
#define ACCEL_UNBOXED_H

#include <stdint.h>

#define RAW_FLOAT_UNBOUND 0x7ff4acce1dbadbadULL
#define RAW_INT_UNBOUND INT64_MIN

#endif
