/* COMPARE_OP: generic, and fused with the conditional jump that follows it.
 *
 * The fused forms get, in OPARG, the outcomes on which the jump is taken, as a
 * mask of 1 (less), 2 (equal), 4 (greater), 8 (unordered: a NaN); the
 * specializer folds the comparison and the jump's sense into it.  OPARG2 is 1
 * when the jump goes backward (a loop), which checks the eval breaker. */
#include "stencil.h"

STENCIL(COMPARE_OP)
{
    PyObject *right = sp[-1], *left = sp[-2];
    SYNC_INSTR();
    PyObject *res = PyObject_RichCompare(left, right, OPARG);
    BINARY_RESULT(left, right, res);
}

#define COMPARE_JUMP(GUARD, OUTCOME)                            \
    PyObject *right = sp[-1], *left = sp[-2];                   \
    if (UNLIKELY(!(GUARD))) {                                   \
        EXIT(ACCEL_EXIT_GUARD_TYPE);                            \
    }                                                           \
    if (OPARG2) {                                               \
        CHECK_EVAL_BREAKER();                                   \
    }                                                           \
    int outcome = (OUTCOME);                                    \
    Py_DECREF(left);                                            \
    Py_DECREF(right);                                           \
    sp -= 2;                                                    \
    if (OPARG & outcome) {                                      \
        JUMP();                                                 \
    }                                                           \
    CONTINUE();

static inline __attribute__((always_inline)) int
order_ints(Py_ssize_t a, Py_ssize_t b)
{
    return 1 << ((a >= b) + (a > b));
}

static inline __attribute__((always_inline)) int
order_floats(double a, double b)
{
    int outcome = (a < b) | (a == b) << 1 | (a > b) << 2;
    return outcome ? outcome : 8;
}

/* Operands of unknown types, whose result is wanted as an object (no jump
 * after it): ints of one digit and floats compared inline, without a guard, to
 * the bool their own richcompare returns; anything else through
 * PyObject_RichCompare.  OPARG is the comparison (Py_LT ... Py_GE), OPARG2 the
 * outcomes for which it is true. */
STENCIL(COMPARE_OP_INT_OR_FLOAT)
{
    PyObject *right = sp[-1], *left = sp[-2];
    int outcome;
    if (LIKELY(IS_COMPACT_INT(left) && IS_COMPACT_INT(right))) {
        outcome = order_ints(COMPACT_VALUE(left), COMPACT_VALUE(right));
    }
    else if (LIKELY(PyFloat_CheckExact(left) && PyFloat_CheckExact(right))) {
        outcome = order_floats(FLOAT_VALUE(left), FLOAT_VALUE(right));
    }
    else {
        SYNC_INSTR();
        PyObject *res = PyObject_RichCompare(left, right, OPARG);
        BINARY_RESULT(left, right, res);
    }
    PyObject *res = OPARG2 & outcome ? Py_True : Py_False;
    Py_INCREF(res);
    Py_DECREF(left);  /* ints or floats: freeing them runs no code */
    Py_DECREF(right);
    sp[-2] = res;
    sp--;
    CONTINUE();
}

STENCIL(COMPARE_OP_INT_JUMP)
{
    COMPARE_JUMP(IS_COMPACT_INT(left) && IS_COMPACT_INT(right),
                 order_ints(COMPACT_VALUE(left), COMPACT_VALUE(right)))
}

STENCIL(COMPARE_OP_FLOAT_JUMP)
{
    COMPARE_JUMP(PyFloat_CheckExact(left) && PyFloat_CheckExact(right),
                 order_floats(FLOAT_VALUE(left), FLOAT_VALUE(right)))
}

/* Operands of unknown types (attributes, items): ints of one digit and floats
 * compared inline, without a guard; anything else through PyObject_RichCompare
 * and the truth of its result.  OPARG2 also carries, in bit 1, whether the
 * jump is taken when the comparison is true, and from bit 2 the comparison
 * (Py_LT ... Py_GE). */
STENCIL(COMPARE_OP_JUMP)
{
    PyObject *right = sp[-1], *left = sp[-2];
    if (OPARG2 & 1) {
        CHECK_EVAL_BREAKER();
    }
    int outcome;
    if (LIKELY(IS_COMPACT_INT(left) && IS_COMPACT_INT(right))) {
        PROFILE_OPERANDS(ACCEL_OPERANDS_INT);
        outcome = order_ints(COMPACT_VALUE(left), COMPACT_VALUE(right));
    }
    else if (LIKELY(PyFloat_CheckExact(left) && PyFloat_CheckExact(right))) {
        PROFILE_OPERANDS(ACCEL_OPERANDS_FLOAT);
        outcome = order_floats(FLOAT_VALUE(left), FLOAT_VALUE(right));
    }
    else {
        PROFILE_OPERANDS(ACCEL_OPERANDS_OTHER);
        SYNC_INSTR();
        PyObject *res = PyObject_RichCompare(left, right, OPARG2 >> 2);
        Py_DECREF(left);
        Py_DECREF(right);
        sp -= 2;
        if (res == NULL) {
            ERROR();
        }
        int truth = truth_of(frame, res);
        Py_DECREF(res);
        if (truth < 0) {
            /* Raised by the jump's truth test: the jump is the faulting
             * instruction (it has no cache entries: the unit before the next). */
            ERROR_AT((_Py_CODEUNIT *)HOLE(_JIT_RESUME_NEXT));
        }
        if (truth == ((OPARG2 >> 1) & 1)) {
            JUMP();
        }
        CONTINUE();
    }
    Py_DECREF(left);
    Py_DECREF(right);
    sp -= 2;
    if (OPARG & outcome) {
        JUMP();
    }
    CONTINUE();
}
