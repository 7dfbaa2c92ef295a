/* Why native code hands a frame back to the stock interpreter.
 *
 * The single list of exit reasons: stencils return one (tagged with the
 * instruction's position, see stencils/stencil.h) in place of a result object,
 * native/ counts them per code object and per site, and accel/ reads the names
 * through cffi.  Keep it a plain enum: the build feeds this file to cffi's cdef
 * parser as it is. */
#ifndef ACCEL_EXITS_H
#define ACCEL_EXITS_H
enum accel_exit {
    ACCEL_EXIT_ERROR = 0,           /* an exception: the interpreter unwinds it */
    ACCEL_EXIT_UNSUPPORTED = 1,     /* an instruction the backend does not compile */
    ACCEL_EXIT_GUARD_TYPE = 2,      /* an operand's type is not the one specialized for */
    ACCEL_EXIT_GUARD_VALUE = 3,     /* an int too large for the fast path, a bad index */
    ACCEL_EXIT_EVAL_BREAKER = 4,    /* signals, GIL drop request, async exception (after a call) */
    ACCEL_EXIT_RAISE = 5,           /* an error whose message the interpreter composes */
    ACCEL_EXIT_TRACING = 6,         /* a call switched tracing or profiling on */
    ACCEL_EXIT_LOOP_HOT = 7,        /* a loop of code still profiling got hot: compiled again
                                       and entered at its head (on-stack replacement, deopt.c) */
    ACCEL_EXIT_EVAL_BREAKER_LOOP = 8, /* signals, GIL drop request at a loop's back edge, where
                                       locals are raw: handled by deopt.c, and the loop goes on
                                       natively there if it can (an entry point) */
    ACCEL_EXIT_COUNT = 9
};

#endif
