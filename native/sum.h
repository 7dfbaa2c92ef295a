/* sum() of a generator run as one native loop (native/sum.c). */
#ifndef ACCEL_SUM_H
#define ACCEL_SUM_H

#include "Python.h"
#include "inline_cache.h"

/* `sum(iterable)` for CALL_BUILTIN_SUM (stencils/builtin_calls.c), `sum` being
 * builtins.sum: a generator (exact type) whose native code can resume it is
 * summed by a driver (native/fold.h), each exact float added at its yield; any
 * other iterable, or a generator that runs elsewhere, is summed by sum()'s own
 * C function, called as CALL calls a builtin (accel_call_c_function,
 * native/calls.h).  The result, or NULL with an exception set; `site` caches
 * where a suspended generator resumes. */
PyObject *accel_sum(PyThreadState *tstate, PyObject *sum, PyObject *iterable, accel_resume_site *site);

#endif
