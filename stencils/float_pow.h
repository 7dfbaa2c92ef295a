/* float ** float where float_pow (Objects/floatobject.c) comes down to the
 * platform's pow with nothing to report: a positive finite base other than 1,
 * a finite nonzero exponent, and a normal result (no overflow or underflow, so
 * no errno to turn into an exception).  The same libm function computes it, so
 * the bits are the interpreter's (for x ** 0.5, bits proven to be the same).
 * Everything else takes float_pow's own path. */
#ifndef ACCEL_FLOAT_POW_H
#define ACCEL_FLOAT_POW_H

#include "Python.h"

/* x ** 0.5 without calling pow, where the answer is bound to be pow's: the
 * double nearest the square root (what the sqrt instruction gives) when the
 * exact root lies within 0.47 ULP of it.  The pow of glibc (2.28 on) and musl
 * (ARM's optimized-routines pow.c) errs by at most ulperr_exp + |y log x| *
 * relerr_log * 2**53 ULP (0.509 ULP + |y log x| * 1.3 * 2**-15): for y = 0.5
 * and x within 2**±900, 0.522 ULP (the 0.54 ULP it states is the bound at
 * |y log x| = 1024 log 2), and every other double is then more than 0.53 ULP
 * away (measured on glibc 2.36: pow's result parts from the square root only
 * where the exact root is more than 0.49 ULP from it).  An older glibc's pow
 * rounds correctly.  The exact residual x - root * root (Dekker's product)
 * measures that distance.  Outside a range where the product is exact, or for a
 * root that is a power of two (where the ULP below is half), pow decides. */
static inline __attribute__((always_inline)) int
sqrt_is_pow(double base, double *out)
{
    if (!(base >= 0x1p-900) || !(base <= 0x1p+900)) {
        return 0;
    }
    double root = __builtin_sqrt(base);
    uint64_t bits;
    __builtin_memcpy(&bits, &root, sizeof bits);
    if ((bits & 0xfffffffffffffULL) == 0) {
        return 0;
    }
    double high = root * 134217729.0;  /* 2**27 + 1: root's upper 26 bits, and the rest */
    high = high - (high - root);
    double low = root - high;
    double square = root * root;
    double square_error = ((high * high - square) + 2.0 * high * low) + low * low;
    double residual = (base - square) - square_error;  /* (exact root - root) * 2 * root */
    bits++;
    double next;
    __builtin_memcpy(&next, &bits, sizeof next);
    if (!(__builtin_fabs(residual) <= 0.94 * root * (next - root))) {
        return 0;
    }
    *out = root;
    return 1;
}

/* float_pow's plain case by the platform's pow itself. */
static inline __attribute__((always_inline)) int
float_pow_by_libm(double base, double exponent, double *out)
{
    if (!(base > 0.0) || base == 1.0 || __builtin_isinf(base)
        || exponent == 0.0 || !__builtin_isfinite(exponent)) {
        return 0;
    }
    double result = pow(base, exponent);
    *out = result;
    return __builtin_isnormal(result);
}

static inline __attribute__((always_inline)) int
float_pow_plain(double base, double exponent, double *out)
{
    if (exponent == 0.5 && sqrt_is_pow(base, out)) {
        return 1;  /* (sqrt_is_pow takes only bases of the plain case) */
    }
    return float_pow_by_libm(base, exponent, out);
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
