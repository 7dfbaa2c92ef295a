/* Binary operators on instances of Python classes (native/operators.c). */
#ifndef ACCEL_OPERATORS_H
#define ACCEL_OPERATORS_H

#include "Python.h"
#include "inline_cache.h"

/* PyNumber_<op>, except that two operands of one Python class that defines the
 * operator in Python get its dunder called natively. */
PyObject *accel_number_add(PyObject *left, PyObject *right);
PyObject *accel_number_and(PyObject *left, PyObject *right);
PyObject *accel_number_floor_divide(PyObject *left, PyObject *right);
PyObject *accel_number_lshift(PyObject *left, PyObject *right);
PyObject *accel_number_matrix_multiply(PyObject *left, PyObject *right);
PyObject *accel_number_multiply(PyObject *left, PyObject *right);
PyObject *accel_number_remainder(PyObject *left, PyObject *right);
PyObject *accel_number_or(PyObject *left, PyObject *right);
PyObject *accel_number_rshift(PyObject *left, PyObject *right);
PyObject *accel_number_subtract(PyObject *left, PyObject *right);
PyObject *accel_number_true_divide(PyObject *left, PyObject *right);
PyObject *accel_number_xor(PyObject *left, PyObject *right);
PyObject *accel_number_inplace_add(PyObject *left, PyObject *right);
PyObject *accel_number_inplace_and(PyObject *left, PyObject *right);
PyObject *accel_number_inplace_floor_divide(PyObject *left, PyObject *right);
PyObject *accel_number_inplace_lshift(PyObject *left, PyObject *right);
PyObject *accel_number_inplace_matrix_multiply(PyObject *left, PyObject *right);
PyObject *accel_number_inplace_multiply(PyObject *left, PyObject *right);
PyObject *accel_number_inplace_remainder(PyObject *left, PyObject *right);
PyObject *accel_number_inplace_or(PyObject *left, PyObject *right);
PyObject *accel_number_inplace_rshift(PyObject *left, PyObject *right);
PyObject *accel_number_inplace_subtract(PyObject *left, PyObject *right);
PyObject *accel_number_inplace_true_divide(PyObject *left, PyObject *right);
PyObject *accel_number_inplace_xor(PyObject *left, PyObject *right);

/* The generic path of BINARY_OP's stencils (`nb_op`: its oparg): as
 * `generic` (the accel_number_* above, or PyNumber_Power), and where the
 * Python dunder of left's class is what that calls, the site's `cache` learns
 * it for SHARED_BINARY_OP_PYTHON (stencils/shared.c).  A new reference, or
 * NULL with an exception set. */
PyObject *accel_binary_op_miss(PyObject *left, PyObject *right, int nb_op, accel_cache *cache, binaryfunc generic);

/* What follows a Python dunder's NotImplemented (`res`, whose reference is
 * consumed) for these operands: the right operand's own slot (an int's or a
 * float's), else binop_type_error's TypeError.  A new reference, or NULL with
 * an exception set. */
PyObject *accel_operator_not_implemented(PyObject *left, PyObject *right, int nb_op, PyObject *res);

/* The probe of the slot CPython gives Python-defined operators; 0 or -1. */
int accel_operators_init(void);

#endif
