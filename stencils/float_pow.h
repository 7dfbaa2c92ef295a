/* float ** float where float_pow (Objects/floatobject.c) comes down to the
 * platform's pow with nothing to report: a positive finite base other than 1,
 * a finite nonzero exponent, and a normal result (no overflow or underflow, so
 * no errno to turn into an exception).  The same libm function computes it, so
 * the bits are the interpreter's.  Everything else takes float_pow's own path. */
#ifndef ACCEL_FLOAT_POW_H
#define ACCEL_FLOAT_POW_H

#include "Python.h"

static inline __attribute__((always_inline)) int
float_pow_plain(double base, double exponent, double *out)
{
    if (!(base > 0.0) || base == 1.0 || __builtin_isinf(base)
        || exponent == 0.0 || !__builtin_isfinite(exponent)) {
        return 0;
    }
    double result = pow(base, exponent);
    *out = result;
    return __builtin_isnormal(result);
}

/* Whether float_pow would hand the operation to complex: a negative finite base
 * and a finite exponent that is not an integer. */
static inline __attribute__((always_inline)) int
float_pow_is_complex(double base, double exponent)
{
    return base < 0.0 && !__builtin_isinf(base) && __builtin_isfinite(exponent)
           && exponent != __builtin_floor(exponent);
}

#endif
