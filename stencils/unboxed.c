/* Unboxed floats: conversions at the edges of unboxed code, and the float
 * operations on raw values between them.  The specializer (accel/specializer/
 * unbox.py) decides where values stay raw; these stencils only move bits. */
#include "stencil.h"

/* Push a local's float as raw bits; another type exits before anything changes. */
STENCIL(LOAD_FAST_UNBOX_FLOAT)
{
    PyObject *value = LOCAL(OPARG);
    if (value == NULL || !PyFloat_CheckExact(value)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    *sp++ = as_slot(FLOAT_VALUE(value));
    CONTINUE();
}

/* The operand holds the constant's bits. */
STENCIL(LOAD_CONST_RAW)
{
    *sp++ = (PyObject *)OPERAND;
    CONTINUE();
}

/* Unbox the stack slot OPARG deep (1 is the top): the operand of what follows. */
STENCIL(UNBOX_FLOAT)
{
    PyObject *value = sp[-OPARG];
    if (!PyFloat_CheckExact(value)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    sp[-OPARG] = as_slot(FLOAT_VALUE(value));
    Py_DECREF(value);
    CONTINUE();
}

STENCIL(BOX_FLOAT)
{
    PyObject *value = PyFloat_FromDouble(raw_float(sp[-1]));
    sp[-1] = value;
    if (value == NULL) {
        ERROR();
    }
    CONTINUE();
}

#define BINARY_OP_FLOAT_RAW(NAME, OP)                           \
    STENCIL(NAME)                                               \
    {                                                           \
        double right = raw_float(sp[-1]);                       \
        double left = raw_float(sp[-2]);                        \
        sp[-2] = as_slot(left OP right);                        \
        sp--;                                                   \
        CONTINUE();                                             \
    }

BINARY_OP_FLOAT_RAW(BINARY_OP_ADD_FLOAT_RAW, +)
BINARY_OP_FLOAT_RAW(BINARY_OP_SUBTRACT_FLOAT_RAW, -)
BINARY_OP_FLOAT_RAW(BINARY_OP_MULTIPLY_FLOAT_RAW, *)

STENCIL(BINARY_OP_TRUE_DIVIDE_FLOAT_RAW)
{
    double right = raw_float(sp[-1]);
    double left = raw_float(sp[-2]);
    if (right == 0.0) {
        sp -= 2;
        PyErr_SetString(PyExc_ZeroDivisionError, "float division by zero");
        ERROR();
    }
    sp[-2] = as_slot(left / right);
    sp--;
    CONTINUE();
}

/* As COMPARE_OP_FLOAT_JUMP (stencils/compare.c), on raw operands. */
STENCIL(COMPARE_OP_FLOAT_JUMP_RAW)
{
    double right = raw_float(sp[-1]);
    double left = raw_float(sp[-2]);
    if (OPARG2 && EVAL_BREAKER_SET()) {
        EXIT(ACCEL_EXIT_EVAL_BREAKER);
    }
    sp -= 2;
    int outcome = (left < right) | (left == right) << 1 | (left > right) << 2;
    if (OPARG & (outcome ? outcome : 8)) {
        JUMP();
    }
    CONTINUE();
}
