/* Calls of small pure functions, inlined at the call site
 * (accel/specializer/inline.py chooses them and compiles their bodies).
 *
 * CALL_INLINED stands for PRECALL and CALL (CALL_INLINED_DEFAULTS: a call
 * that leaves the last parameters to their defaults).  It checks that the callable is a
 * function whose code is the one inlined (OPERAND, kept alive with the
 * program), that no tracer or profiler would see the call, and that the call
 * would not raise RecursionError; then it runs the callee's body, emitted
 * after the caller's program (JUMP_TARGET), as a plain C call: the body runs
 * in a scratch frame on this stencil's C stack, which holds the callee's
 * locals (the arguments borrowed from the caller's stack, the others unbound)
 * and its value stack.  The body takes no references and makes no object but
 * its result (boxed, or raw where the caller's user of it takes it raw), so it can stop anywhere: any
 * exit or exception in it (a type guard, an int overflow, a ZeroDivisionError)
 * comes back here as an exit value, and the caller exits to the interpreter at
 * its PRECALL with its stack as it was, the callable and the arguments still
 * there.  The interpreter then makes the real call, so that results,
 * exceptions and tracebacks are stock's own. */
#include "stencil.h"
#include "inline.h"

/* The scratch frame: the body's stencils read and write only its localsplus
 * (and, on their exits, prev_instr and stacktop, which nothing reads). */
typedef struct {
    _PyInterpreterFrame frame;
    PyObject *more[ACCEL_INLINE_SLOTS];
} inline_scratch;

extern CC PyObject *_JIT_JUMP_TARGET(_PyInterpreterFrame *, PyObject **, PyThreadState *);

/* The first N (at most ACCEL_INLINE_MAX_ARGS) of FROM's pointers copied to TO, or
 * released, unrolled: a few compares instead of a loop. */
#define FOR_EACH_ARGUMENT(N, STEP) do {                      \
    switch (N) {                                             \
    case 4: STEP(3); /* fall through */                      \
    case 3: STEP(2); /* fall through */                      \
    case 2: STEP(1); /* fall through */                      \
    case 1: STEP(0); /* fall through */                      \
    default: break;                                          \
    }                                                        \
} while (0)
_Static_assert(ACCEL_INLINE_MAX_ARGS == 4, "FOR_EACH_ARGUMENT unrolls four");

/* The work of CALL_INLINED and CALL_INLINED_DEFAULTS: CALLEE_IS (given the
 * function) says whether the callable is the function inlined; FILL_DEFAULTS
 * (given the scratch frame's locals) borrows the parameters that the defaults
 * bind; RELEASE_ARGUMENT (given an index) releases an argument as the callee's
 * frame would, or does nothing for a raw one.  OPARG: the number of arguments;
 * OPARG2: the callee's number of locals (its value stack follows).  The body's other locals are left as they are:
 * each is raw there and made unbound before anything reads it
 * (INLINE_UNBIND_LOCAL_*). */
#define INLINED_CALL(CALLEE_IS, FILL_DEFAULTS, RELEASE_ARGUMENT) do {              \
    PyObject **args = sp - OPARG;                                                   \
    PyObject *callable = args[-1];                                                  \
    if (UNLIKELY(args[-2] != NULL || !PyFunction_Check(callable)                    \
                 || !CALLEE_IS((PyFunctionObject *)callable))) {                    \
        EXIT(ACCEL_EXIT_GUARD_VALUE);                                               \
    }                                                                               \
    if (UNLIKELY(TRACING_ON())) {                                                   \
        EXIT(ACCEL_EXIT_TRACING);  /* the interpreter reports the callee's events */ \
    }                                                                               \
    if (UNLIKELY(tstate->recursion_remaining <= 0)) {                               \
        EXIT(ACCEL_EXIT_RAISE);  /* the interpreter raises the RecursionError */     \
    }                                                                               \
    inline_scratch scratch;                                                         \
    PyObject **locals = scratch.frame.localsplus;                                   \
    FOR_EACH_ARGUMENT(OPARG, BORROW);                                               \
    FILL_DEFAULTS(locals);                                                          \
    PyObject *result = _JIT_JUMP_TARGET(&scratch.frame, locals + OPARG2, tstate);   \
    if (UNLIKELY((uintptr_t)result & 1)) {                                          \
        int reason = ((uintptr_t)result >> 1) & 0x7f;                               \
        if (reason == ACCEL_EXIT_ERROR) {                                           \
            PyErr_Clear();  /* the interpreter's real call raises it again */       \
            reason = ACCEL_EXIT_GUARD_VALUE;                                        \
        }                                                                           \
        EXIT(reason);                                                               \
    }                                                                               \
    if (result == NULL) {                                                           \
        /* INLINE_RETURN_RAW's raw result, at the base of the body's stack */       \
        result = locals[OPARG2];                                                    \
    }                                                                               \
    accel_totals.inlined_calls++;                                                   \
    /* As the callee's frame would be cleared: its locals (the arguments; the    \
     * defaults are the function's) first, then the function. */                 \
    FOR_EACH_ARGUMENT(OPARG, RELEASE_ARGUMENT);                                     \
    DECREF_AT_INSTR(callable);                                                      \
    sp = args - 2;                                                                  \
    *sp++ = result;                                                                 \
    CONTINUE();                                                                     \
} while (0)
#define BORROW(I) (locals[I] = args[I])
#define RELEASE(I) DECREF_AT_INSTR(args[OPARG - 1 - (I)])

/* OPERAND: the callee's code. */
#define HAS_CODE(FUNC) ((FUNC)->func_code == (PyObject *)OPERAND)
#define NO_DEFAULTS(LOCALS) ((void)(LOCALS))

STENCIL(CALL_INLINED)
{
    INLINED_CALL(HAS_CODE, NO_DEFAULTS, RELEASE);
}

/* The same call, its arguments raw ints and floats (the caller's unboxing
 * guarded their kinds; the body reads them raw, LOAD_FAST_RAW): copied into the
 * scratch frame as they are, nothing to release.  An exit leaves them raw on
 * the caller's stack, where the exit boxes them as it does any raw value. */
#define RAW_ARGUMENT(I) ((void)(I))

STENCIL(CALL_INLINED_RAW_ARGUMENTS)
{
    INLINED_CALL(HAS_CODE, NO_DEFAULTS, RAW_ARGUMENT);
}

/* OPERAND: a tuple of the callee's code and its defaults (__defaults__), the
 * last of which bind the parameters after the arguments. */
#define HAS_CODE_AND_DEFAULTS(FUNC)                                                 \
    ((FUNC)->func_code == PyTuple_GET_ITEM((PyObject *)OPERAND, 0)                  \
     && (FUNC)->func_defaults == PyTuple_GET_ITEM((PyObject *)OPERAND, 1))
#define BORROW_DEFAULTS(LOCALS) do {                                                \
    PyObject *defaults_ = PyTuple_GET_ITEM((PyObject *)OPERAND, 1);                 \
    int parameters_ = ((PyCodeObject *)PyTuple_GET_ITEM((PyObject *)OPERAND, 0))->co_argcount; \
    PyObject **bound_ = &PyTuple_GET_ITEM(defaults_, PyTuple_GET_SIZE(defaults_) - parameters_); \
    for (int i_ = OPARG; i_ < parameters_; i_++) {                                  \
        (LOCALS)[i_] = bound_[i_];                                                  \
    }                                                                               \
} while (0)

STENCIL(CALL_INLINED_DEFAULTS)
{
    INLINED_CALL(HAS_CODE_AND_DEFAULTS, BORROW_DEFAULTS, RELEASE);
}

/* The end of an inlined body: its boxed result, a new reference, goes back to
 * CALL_INLINED. */
STENCIL(INLINE_RETURN)
{
    return sp[-1];
}

/* The same for a raw result, which the caller keeps raw: it stays where it is,
 * the only value on the body's stack; NULL (which no exit is) says so. */
STENCIL(INLINE_RETURN_RAW)
{
    return NULL;
}

/* A local of the inlined body, not an argument, kept raw for the whole body:
 * unbound until the body stores it. */
STENCIL(INLINE_UNBIND_LOCAL_INT)
{
    LOCAL(OPARG) = (PyObject *)RAW_INT_UNBOUND;
    CONTINUE();
}

STENCIL(INLINE_UNBIND_LOCAL_FLOAT)
{
    LOCAL(OPARG) = (PyObject *)RAW_FLOAT_UNBOUND;
    CONTINUE();
}
