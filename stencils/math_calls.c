/* Calls of the math module's functions that are exactly one libm call on a
 * double (accel/specializer/types.py, MATH_CALLS): the function itself, on
 * the raw float, with nothing boxed.
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

MATH_CALL(CALL_MATH_SQRT_RAW, sqrt)
MATH_CALL(CALL_MATH_SIN_RAW, sin)
MATH_CALL(CALL_MATH_COS_RAW, cos)
MATH_CALL(CALL_MATH_TAN_RAW, tan)
MATH_CALL(CALL_MATH_ASIN_RAW, asin)
MATH_CALL(CALL_MATH_ACOS_RAW, acos)
MATH_CALL(CALL_MATH_ATAN_RAW, atan)
