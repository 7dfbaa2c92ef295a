/* BINARY_OP: the generic form and the forms specialized for ints and floats. */
#include "stencil.h"

/* The operand is the PyNumber_* function for the oparg (native/jit.c picks it). */
STENCIL(BINARY_OP)
{
    PyObject *right = sp[-1], *left = sp[-2];
    SYNC_INSTR();
    PyObject *res = ((binaryfunc)OPERAND)(left, right);
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
            res = PyLong_FromSsize_t(COMPACT_VALUE(left) OP COMPACT_VALUE(right)); \
        }                                                                     \
        else {                                                                \
            res = GENERIC(left, right);                                       \
        }                                                                     \
        BINARY_RESULT(left, right, res);                                      \
    }

BINARY_OP_INT(BINARY_OP_ADD_INT, +, PyNumber_Add)
BINARY_OP_INT(BINARY_OP_SUBTRACT_INT, -, PyNumber_Subtract)
BINARY_OP_INT(BINARY_OP_MULTIPLY_INT, *, PyNumber_Multiply)

/* Both operands exact floats, or exit. */
#define BINARY_OP_FLOAT(NAME, OP)                                             \
    STENCIL(NAME)                                                             \
    {                                                                         \
        PyObject *right = sp[-1], *left = sp[-2];                             \
        if (!PyFloat_CheckExact(left) || !PyFloat_CheckExact(right)) {        \
            EXIT(ACCEL_EXIT_GUARD_TYPE);                                      \
        }                                                                     \
        PyObject *res = PyFloat_FromDouble(FLOAT_VALUE(left) OP FLOAT_VALUE(right)); \
        BINARY_RESULT(left, right, res);                                      \
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
    PyObject *res;
    if (FLOAT_VALUE(right) != 0.0) {
        res = PyFloat_FromDouble(FLOAT_VALUE(left) / FLOAT_VALUE(right));
    }
    else {
        SYNC_INSTR();
        res = PyNumber_TrueDivide(left, right);
    }
    BINARY_RESULT(left, right, res);
}

/* Operands of unknown types (a list's items, an attribute's value): the int and
 * float cases inline, anything else through the generic function in the operand
 * (the in-place one for augmented assignment).  No guard, so no exit. */
#define BINARY_OP_NUMBER(NAME, OP)                                            \
    STENCIL(NAME)                                                             \
    {                                                                         \
        PyObject *right = sp[-1], *left = sp[-2];                             \
        PyObject *res;                                                        \
        if (PyFloat_CheckExact(left) && PyFloat_CheckExact(right)) {          \
            res = PyFloat_FromDouble(FLOAT_VALUE(left) OP FLOAT_VALUE(right)); \
        }                                                                     \
        else if (IS_COMPACT_INT(left) && IS_COMPACT_INT(right)) {             \
            res = PyLong_FromSsize_t(COMPACT_VALUE(left) OP COMPACT_VALUE(right)); \
        }                                                                     \
        else {                                                                \
            SYNC_INSTR();                                                     \
            res = ((binaryfunc)OPERAND)(left, right);                         \
        }                                                                     \
        BINARY_RESULT(left, right, res);                                      \
    }

BINARY_OP_NUMBER(BINARY_OP_ADD_INT_OR_FLOAT, +)
BINARY_OP_NUMBER(BINARY_OP_SUBTRACT_INT_OR_FLOAT, -)
BINARY_OP_NUMBER(BINARY_OP_MULTIPLY_INT_OR_FLOAT, *)

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
    PyObject *res;
    if (fast && r != 0.0) {
        res = PyFloat_FromDouble(l / r);
    }
    else {
        SYNC_INSTR();
        res = ((binaryfunc)OPERAND)(left, right);
    }
    BINARY_RESULT(left, right, res);
}
