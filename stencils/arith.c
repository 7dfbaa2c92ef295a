/* BINARY_OP: the generic form and the forms specialized for ints and floats. */
#include "stencil.h"
#include "float_pow.h"

/* The end of a float operation on two exact floats: the result goes into an
 * operand whose only reference is the one on the stack (a temporary nothing
 * else can see change), as its value; otherwise into a new float.  This saves
 * an allocation and a deallocation per operation in float expressions. */
#define FLOAT_RESULT(LEFT, RIGHT, VALUE) do {                \
    double value_ = (VALUE);                                 \
    PyObject *res_;                                          \
    if (Py_REFCNT(LEFT) == 1) {                              \
        res_ = (LEFT);                                       \
        Py_DECREF(RIGHT);                                    \
    }                                                        \
    else if (Py_REFCNT(RIGHT) == 1) {                        \
        res_ = (RIGHT);                                      \
        Py_DECREF(LEFT);                                     \
    }                                                        \
    else {                                                   \
        res_ = PyFloat_FromDouble(value_);                   \
        BINARY_RESULT(LEFT, RIGHT, res_);                    \
    }                                                        \
    FLOAT_VALUE(res_) = value_;                              \
    sp[-2] = res_;                                           \
    sp--;                                                    \
    CONTINUE();                                              \
} while (0)

/* The generic path of every BINARY_OP form: the operand is the PyNumber_*
 * function for the oparg (native/jit.c picks it; native/operators.c's, which
 * call a Python class's operator dunder natively and teach the site's cache
 * which it is), and once the cache knows the dunder of the left operand's
 * class, the site calls it as CALL calls a function (SHARED_BINARY_OP_PYTHON). */
static inline __attribute__((always_inline)) PyObject *
generic_binary_op(PyThreadState *tstate, PyObject *left, PyObject *right, accel_cache *cache, int nb_op,
                  binaryfunc generic)
{
    PyObject *res = SHARED_BINARY_OP_PYTHON(tstate, left, right, cache, nb_op);
    if (res == ACCEL_NOT_CALLED) {
        res = accel_binary_op_miss(left, right, nb_op, cache, generic);
    }
    return res;
}

#define GENERIC_BINARY_OP(LEFT, RIGHT) \
    generic_binary_op(tstate, (LEFT), (RIGHT), (accel_cache *)HOLE(_JIT_CACHE), OPARG, (binaryfunc)OPERAND)

STENCIL(BINARY_OP)
{
    PyObject *right = sp[-1], *left = sp[-2];
    SYNC_INSTR();
    PyObject *res = GENERIC_BINARY_OP(left, right);
    BINARY_RESULT(left, right, res);
}

/* Both operands exact ints, or exit.  Values of one digit take the fast path;
 * larger ones, and results that overflow it, go through the int's own code. */
#define BINARY_OP_INT(NAME, OP, GENERIC)                                      \
    STENCIL(NAME)                                                             \
    {                                                                         \
        PyObject *right = sp[-1], *left = sp[-2];                             \
        if (!PyLong_CheckExact(left) || !PyLong_CheckExact(right)) {          \
            EXIT(ACCEL_EXIT_GUARD_TYPE);                                      \
        }                                                                     \
        PyObject *res;                                                        \
        if (IS_COMPACT_INT(left) && IS_COMPACT_INT(right)) {                  \
            res = box_int(COMPACT_VALUE(left) OP COMPACT_VALUE(right));       \
        }                                                                     \
        else {                                                                \
            res = GENERIC(left, right);                                       \
        }                                                                     \
        BINARY_RESULT(left, right, res);                                      \
    }

BINARY_OP_INT(BINARY_OP_ADD_INT, +, PyNumber_Add)
BINARY_OP_INT(BINARY_OP_SUBTRACT_INT, -, PyNumber_Subtract)
BINARY_OP_INT(BINARY_OP_MULTIPLY_INT, *, PyNumber_Multiply)
BINARY_OP_INT(BINARY_OP_AND_INT, &, PyNumber_And)
BINARY_OP_INT(BINARY_OP_OR_INT, |, PyNumber_Or)
BINARY_OP_INT(BINARY_OP_XOR_INT, ^, PyNumber_Xor)

/* Both operands exact ints, or exit; one digit each and a right operand FAST
 * accepts take the fast path, the rest int's own code (which raises what it
 * raises: ZeroDivisionError, ValueError for a negative shift count). */
#define BINARY_OP_INT_CALL(NAME, FUNCTION, GENERIC, FAST)                     \
    STENCIL(NAME)                                                             \
    {                                                                         \
        PyObject *right = sp[-1], *left = sp[-2];                             \
        if (!PyLong_CheckExact(left) || !PyLong_CheckExact(right)) {          \
            EXIT(ACCEL_EXIT_GUARD_TYPE);                                      \
        }                                                                     \
        PyObject *res;                                                        \
        if (IS_COMPACT_INT(left) && IS_COMPACT_INT(right) && FAST(COMPACT_VALUE(right))) { \
            res = box_int(FUNCTION(COMPACT_VALUE(left), COMPACT_VALUE(right))); \
        }                                                                     \
        else {                                                                \
            SYNC_INSTR();                                                     \
            res = GENERIC(left, right);                                       \
        }                                                                     \
        BINARY_RESULT(left, right, res);                                      \
    }

/* A count of 0 to 32: a one-digit int shifted fits 62 bits. */
#define SHORT_SHIFT(RIGHT) ((uint64_t)(RIGHT) <= 32)

BINARY_OP_INT_CALL(BINARY_OP_FLOOR_DIVIDE_INT, floor_divide, PyNumber_FloorDivide, NONZERO_DIVISOR)
BINARY_OP_INT_CALL(BINARY_OP_REMAINDER_INT, floor_remainder, PyNumber_Remainder, NONZERO_DIVISOR)
BINARY_OP_INT_CALL(BINARY_OP_LSHIFT_INT, shift_left, PyNumber_Lshift, SHORT_SHIFT)
BINARY_OP_INT_CALL(BINARY_OP_RSHIFT_INT, shift_right, PyNumber_Rshift, SHORT_SHIFT)

/* Both operands exact floats, or exit. */
#define BINARY_OP_FLOAT(NAME, OP)                                             \
    STENCIL(NAME)                                                             \
    {                                                                         \
        PyObject *right = sp[-1], *left = sp[-2];                             \
        if (!PyFloat_CheckExact(left) || !PyFloat_CheckExact(right)) {        \
            EXIT(ACCEL_EXIT_GUARD_TYPE);                                      \
        }                                                                     \
        FLOAT_RESULT(left, right, FLOAT_VALUE(left) OP FLOAT_VALUE(right));   \
    }

BINARY_OP_FLOAT(BINARY_OP_ADD_FLOAT, +)
BINARY_OP_FLOAT(BINARY_OP_SUBTRACT_FLOAT, -)
BINARY_OP_FLOAT(BINARY_OP_MULTIPLY_FLOAT, *)

/* Division by zero goes through float's own code, which raises the error. */
STENCIL(BINARY_OP_TRUE_DIVIDE_FLOAT)
{
    PyObject *right = sp[-1], *left = sp[-2];
    if (!PyFloat_CheckExact(left) || !PyFloat_CheckExact(right)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    if (FLOAT_VALUE(right) != 0.0) {
        FLOAT_RESULT(left, right, FLOAT_VALUE(left) / FLOAT_VALUE(right));
    }
    SYNC_INSTR();
    PyObject *res = PyNumber_TrueDivide(left, right);
    BINARY_RESULT(left, right, res);
}

/* A result that float_pow would make complex exits: the specializer counts on
 * a float (accel/specializer/types.py). */
STENCIL(BINARY_OP_POWER_FLOAT)
{
    PyObject *right = sp[-1], *left = sp[-2];
    if (!PyFloat_CheckExact(left) || !PyFloat_CheckExact(right)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    double result;
    if (float_pow_plain(FLOAT_VALUE(left), FLOAT_VALUE(right), &result)) {
        FLOAT_RESULT(left, right, result);
    }
    if (float_pow_is_complex(FLOAT_VALUE(left), FLOAT_VALUE(right))) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    SYNC_INSTR();
    PyObject *res = PyNumber_Power(left, right, Py_None);
    BINARY_RESULT(left, right, res);
}

/* Operands of unknown types (a list's items, an attribute's value): the int and
 * float cases inline, anything else through the generic function in the operand
 * (the in-place one for augmented assignment).  Ints of two digits whose result
 * fits 64 bits inline too (OVERFLOW is the checked C operation); they profile as
 * other operands, since no raw int form takes them.  No guard, so no exit. */
#define BINARY_OP_NUMBER(NAME, OP, OVERFLOW)                                  \
    STENCIL(NAME)                                                             \
    {                                                                         \
        PyObject *right = sp[-1], *left = sp[-2];                             \
        PyObject *res;                                                        \
        int64_t wide_;                                                        \
        if (PyFloat_CheckExact(left) && PyFloat_CheckExact(right)) {          \
            PROFILE_OPERANDS(ACCEL_OPERANDS_FLOAT);                           \
            FLOAT_RESULT(left, right, FLOAT_VALUE(left) OP FLOAT_VALUE(right)); \
        }                                                                     \
        if (IS_COMPACT_INT(left) && IS_COMPACT_INT(right)) {                  \
            PROFILE_OPERANDS(ACCEL_OPERANDS_INT);                             \
            res = box_int(COMPACT_VALUE(left) OP COMPACT_VALUE(right));       \
        }                                                                     \
        else if (IS_TWO_DIGIT_INT(left) && IS_TWO_DIGIT_INT(right)            \
                 && !OVERFLOW(two_digit_value(left), two_digit_value(right), &wide_)) { \
            PROFILE_OPERANDS(ACCEL_OPERANDS_OTHER);                           \
            res = box_int(wide_);                                             \
        }                                                                     \
        else {                                                                \
            PROFILE_OPERANDS(ACCEL_OPERANDS_OTHER);                           \
            SYNC_INSTR();                                                     \
            res = GENERIC_BINARY_OP(left, right);                         \
        }                                                                     \
        BINARY_RESULT(left, right, res);                                      \
    }

BINARY_OP_NUMBER(BINARY_OP_ADD_INT_OR_FLOAT, +, __builtin_add_overflow)
BINARY_OP_NUMBER(BINARY_OP_SUBTRACT_INT_OR_FLOAT, -, __builtin_sub_overflow)
BINARY_OP_NUMBER(BINARY_OP_MULTIPLY_INT_OR_FLOAT, *, __builtin_mul_overflow)

/* &, | and ^ on operands of unknown types: ints of up to two digits inline (a
 * 64-bit two's complement value means what Python's bitwise operations mean on
 * an int), anything else through the generic function in the operand (the
 * in-place one for augmented assignment).  Bools are not exact ints: theirs
 * keeps its type.  No guard, so no exit.  The int-only forms below profile
 * two-digit ints as ints: their raw forms take them, and no result of theirs
 * on such ints overflows a raw int (<<'s inline path keeps every bit). */
#define BINARY_OP_BITWISE(NAME, OP)                                           \
    STENCIL(NAME)                                                             \
    {                                                                         \
        PyObject *right = sp[-1], *left = sp[-2];                             \
        PyObject *res;                                                        \
        if (IS_TWO_DIGIT_INT(left) && IS_TWO_DIGIT_INT(right)) {              \
            PROFILE_OPERANDS(ACCEL_OPERANDS_INT);                             \
            res = box_int(two_digit_value(left) OP two_digit_value(right));   \
        }                                                                     \
        else {                                                                \
            PROFILE_OPERANDS(ACCEL_OPERANDS_OTHER);                           \
            SYNC_INSTR();                                                     \
            res = GENERIC_BINARY_OP(left, right);                         \
        }                                                                     \
        BINARY_RESULT(left, right, res);                                      \
    }

BINARY_OP_BITWISE(BINARY_OP_AND_INT_OR_OTHER, &)
BINARY_OP_BITWISE(BINARY_OP_OR_INT_OR_OTHER, |)
BINARY_OP_BITWISE(BINARY_OP_XOR_INT_OR_OTHER, ^)

/* // and % on operands of unknown types: ints of up to two digits and a nonzero
 * divisor inline (no quotient of such ints overflows 64 bits), anything else,
 * str formatting included, through the generic function in the operand, which
 * raises ZeroDivisionError.  No guard, so no exit. */
#define BINARY_OP_INT_DIVISION(NAME, FUNCTION)                                \
    STENCIL(NAME)                                                             \
    {                                                                         \
        PyObject *right = sp[-1], *left = sp[-2];                             \
        PyObject *res;                                                        \
        if (IS_TWO_DIGIT_INT(left) && IS_TWO_DIGIT_INT(right) && Py_SIZE(right) != 0) { \
            PROFILE_OPERANDS(ACCEL_OPERANDS_INT);                             \
            res = box_int(FUNCTION(two_digit_value(left), two_digit_value(right))); \
        }                                                                     \
        else {                                                                \
            PROFILE_OPERANDS(ACCEL_OPERANDS_OTHER);                           \
            SYNC_INSTR();                                                     \
            res = GENERIC_BINARY_OP(left, right);                         \
        }                                                                     \
        BINARY_RESULT(left, right, res);                                      \
    }

BINARY_OP_INT_DIVISION(BINARY_OP_FLOOR_DIVIDE_INT_OR_OTHER, floor_divide)
BINARY_OP_INT_DIVISION(BINARY_OP_REMAINDER_INT_OR_OTHER, floor_remainder)

/* >> and << on operands of unknown types: ints of up to two digits and a count
 * from 0 up inline (>> of such an int always fits 64 bits; << where the shift
 * keeps every bit, else int's own code makes the big int), anything else through
 * the generic function in the operand, which raises ValueError for a negative
 * count.  No guard, so no exit. */
STENCIL(BINARY_OP_RSHIFT_INT_OR_OTHER)
{
    PyObject *right = sp[-1], *left = sp[-2];
    PyObject *res;
    if (IS_TWO_DIGIT_INT(left) && IS_TWO_DIGIT_INT(right) && Py_SIZE(right) >= 0) {
        PROFILE_OPERANDS(ACCEL_OPERANDS_INT);
        res = PyLong_FromLongLong(shift_right(two_digit_value(left), two_digit_value(right)));
    }
    else {
        PROFILE_OPERANDS(ACCEL_OPERANDS_OTHER);
        SYNC_INSTR();
        res = GENERIC_BINARY_OP(left, right);
    }
    BINARY_RESULT(left, right, res);
}

STENCIL(BINARY_OP_LSHIFT_INT_OR_OTHER)
{
    PyObject *right = sp[-1], *left = sp[-2];
    PyObject *res;
    int64_t count = IS_TWO_DIGIT_INT(right) ? two_digit_value(right) : -1;
    int64_t value = IS_TWO_DIGIT_INT(left) ? two_digit_value(left) : 0;
    int64_t shifted = (uint64_t)count < 64 ? shift_left(value, count) : 0;
    if (IS_TWO_DIGIT_INT(left) && (uint64_t)count < 64 && shift_right(shifted, count) == value) {
        PROFILE_OPERANDS(ACCEL_OPERANDS_INT);
        res = PyLong_FromLongLong(shifted);
    }
    else {
        PROFILE_OPERANDS(ACCEL_OPERANDS_OTHER);
        SYNC_INSTR();
        res = GENERIC_BINARY_OP(left, right);
    }
    BINARY_RESULT(left, right, res);
}

/* Floats, or ints (one digit each, so exactly representable: the quotient is
 * correctly rounded, as int's own true division); zero divisors go through the
 * generic function, which raises. */
STENCIL(BINARY_OP_TRUE_DIVIDE_INT_OR_FLOAT)
{
    PyObject *right = sp[-1], *left = sp[-2];
    double l, r;
    int fast = 1;
    if (PyFloat_CheckExact(left)) {
        l = FLOAT_VALUE(left);
    }
    else if (IS_COMPACT_INT(left)) {
        l = (double)COMPACT_VALUE(left);
    }
    else {
        fast = 0;
    }
    if (PyFloat_CheckExact(right)) {
        r = FLOAT_VALUE(right);
    }
    else if (IS_COMPACT_INT(right)) {
        r = (double)COMPACT_VALUE(right);
    }
    else {
        fast = 0;
    }
    int floats = PyFloat_CheckExact(left) && PyFloat_CheckExact(right);
    PROFILE_OPERANDS(floats ? ACCEL_OPERANDS_FLOAT
                     : IS_COMPACT_INT(left) && IS_COMPACT_INT(right) ? ACCEL_OPERANDS_INT : ACCEL_OPERANDS_OTHER);
    PyObject *res;
    if (fast && r != 0.0) {
        if (floats) {
            FLOAT_RESULT(left, right, l / r);
        }
        res = PyFloat_FromDouble(l / r);
    }
    else {
        SYNC_INSTR();
        res = GENERIC_BINARY_OP(left, right);
    }
    BINARY_RESULT(left, right, res);
}

/* BINARY_OP + or += and the STORE_FAST after it (OPARG2: its local), as 3.11's
 * BINARY_OP_INPLACE_ADD_UNICODE: for two exact strs, the left one also in that
 * local, the local's reference is dropped first, so that PyUnicode_Append can
 * grow the string in place when the stack's reference is the only one left
 * (`s += piece` in a loop stays linear).  Anything else: the generic function
 * in the operand, then the store. */
STENCIL(BINARY_OP_INPLACE_ADD_UNICODE)
{
    PyObject *right = sp[-1], *left = sp[-2];
    PyObject **target = &LOCAL(OPARG2);
    sp -= 2;
    SYNC_INSTR();
    if (PyUnicode_CheckExact(left) && PyUnicode_CheckExact(right) && *target == left) {
        *target = NULL;
        Py_DECREF(left);  /* the local's: the stack's remains */
        PyUnicode_Append(&left, right);  /* takes the stack's reference; NULL on failure */
        Py_DECREF(right);
        *target = left;
        if (UNLIKELY(left == NULL)) {
            ERROR();
        }
        CONTINUE();
    }
    PyObject *res = GENERIC_BINARY_OP(left, right);
    Py_DECREF(left);
    Py_DECREF(right);
    if (UNLIKELY(res == NULL)) {
        ERROR();
    }
    PyObject *old = *target;
    *target = res;
    Py_XDECREF(old);
    CONTINUE();
}
