/* Calls from native code to Python functions (native/calls.c). */
#ifndef ACCEL_CALLS_H
#define ACCEL_CALLS_H

#include "Python.h"

/* PyObject_Vectorcall, for calls made by native code: a compiled Python
 * callee (a function, or the __init__ of a plain class being instantiated)
 * runs natively on a frame pushed here, the way 3.11's interpreter inlines a
 * call.  args[-1] may be overwritten meanwhile (PY_VECTORCALL_ARGUMENTS_OFFSET). */
PyObject *accel_call(PyThreadState *tstate, PyObject *callable, PyObject *const *args,
                     size_t nargsf, PyObject *kwnames);

/* A call of Python function `callable` with positional arguments only, as 3.11's
 * CALL_PY_EXACT_ARGS and CALL_PY_WITH_DEFAULTS make it: the references to the
 * function and to its arguments move into the callee's frame, when native code
 * can run it directly, or are released after the call otherwise.
 * args[-1] may be overwritten meanwhile, as for accel_call. */
PyObject *accel_call_function_moving(PyThreadState *tstate, PyObject *callable, PyObject **args, int nargs);

/* What accel_call needs from the running interpreter; 0 or -1. */
int accel_calls_init(void);

#endif
