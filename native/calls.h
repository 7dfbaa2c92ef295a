/* Calls from native code to Python functions (native/calls.c). */
#ifndef ACCEL_CALLS_H
#define ACCEL_CALLS_H

#include "Python.h"

/* PyObject_Vectorcall for a PyFunction `callable`: a compiled callee runs
 * natively on a frame pushed here, the way 3.11's interpreter inlines a call. */
PyObject *accel_call_function(PyThreadState *tstate, PyObject *callable, PyObject *const *args,
                              size_t nargsf, PyObject *kwnames);

#endif
