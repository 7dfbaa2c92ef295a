/* Calls of the math module's functions that are exactly one libm call on a
 * double (accel/specializer/types.py, MATH_CALLS): the function itself, on
 * the raw float, with nothing boxed; float(i) on a raw int and int(x) on a raw
 * float (RAW_CALLS).
 *
 * Stack [NULL, callee, x raw] -> [result raw].  The callee must be the function
 * object the site was specialized for (OPERAND), called as a plain function;
 * anything else exits before anything changes (the raw x boxed by deopt.c).
 * 3.11's math_1 raises "math domain error" where the result is a NaN from a
 * number, or an infinity from a finite number; those exit too, and the
 * interpreter makes the call again and raises.  (errno tells math_1 nothing
 * more for these functions: glibc sets it only with such a result.) */
#include "stencil.h"
#include <math.h>

/* The sqrt instruction: IEEE 754's correctly rounded square root, which is what
 * the libm function returns too (it differs only in setting errno). */
static inline __attribute__((always_inline)) double
ieee_sqrt(double x)
{
    double root;
    __asm__("sqrtsd %1, %0" : "=x"(root) : "x"(x));
    return root;
}

#define MATH_CALL(NAME, FUNCTION)                                          \
    STENCIL(NAME)                                                           \
    {                                                                       \
        if (UNLIKELY(sp[-3] != NULL || sp[-2] != (PyObject *)OPERAND)) {   \
            EXIT(ACCEL_EXIT_GUARD_VALUE);                                   \
        }                                                                   \
        double x = raw_float(sp[-1]);                                       \
        double result = FUNCTION(x);                                        \
        if (UNLIKELY((isnan(result) && !isnan(x)) || (isinf(result) && isfinite(x)))) { \
            EXIT(ACCEL_EXIT_GUARD_VALUE);                                   \
        }                                                                   \
        PyObject *callee = sp[-2];                                          \
        sp -= 2;                                                            \
        sp[-1] = as_slot(result);                                           \
        Py_DECREF(callee);  /* never the last reference: the code keeps its OPERAND */ \
        CONTINUE();                                                         \
    }

MATH_CALL(CALL_MATH_SQRT_RAW, ieee_sqrt)
MATH_CALL(CALL_MATH_SIN_RAW, sin)
MATH_CALL(CALL_MATH_COS_RAW, cos)
MATH_CALL(CALL_MATH_TAN_RAW, tan)
MATH_CALL(CALL_MATH_ASIN_RAW, asin)
MATH_CALL(CALL_MATH_ACOS_RAW, acos)
MATH_CALL(CALL_MATH_ATAN_RAW, atan)

/* float(i) on a raw int: [NULL, float, i raw] -> [the float raw].  The double
 * nearest i, as PyLong_AsDouble makes it (a raw int is never too large). */
STENCIL(CALL_FLOAT_OF_INT_RAW)
{
    if (UNLIKELY(sp[-3] != NULL || sp[-2] != (PyObject *)&PyFloat_Type)) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    double result = (double)(int64_t)sp[-1];
    sp -= 2;
    sp[-1] = as_slot(result);
    Py_DECREF(&PyFloat_Type);  /* a static type: never its last reference */
    CONTINUE();
}

/* int(x) on a raw float: [NULL, int, x raw] -> [the int raw], x truncated
 * towards zero as float.__trunc__ does.  Only where the result is a raw int
 * (strictly inside +-2**63, so never the UNBOUND pattern); a NaN, an infinity
 * or a larger value exits before anything changes, and the interpreter makes
 * the call (and raises, or makes the big int). */
STENCIL(CALL_INT_OF_FLOAT_RAW)
{
    double x = raw_float(sp[-1]);
    if (UNLIKELY(sp[-3] != NULL || sp[-2] != (PyObject *)&PyLong_Type
                 || !(x > -0x1p63 && x < 0x1p63))) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    sp -= 2;
    sp[-1] = (PyObject *)(int64_t)x;
    Py_DECREF(&PyLong_Type);  /* a static type: never its last reference */
    CONTINUE();
}
