/* sum() of a generator run as one native loop (native/sum.c). */
#ifndef ACCEL_SUM_H
#define ACCEL_SUM_H

#include "Python.h"
#include "inline_cache.h"

/* A generator being summed: while its driver (accel_sum) resumes it, each
 * exact float the generator yields is added to `total` right at its
 * YIELD_VALUE (stencils/control.c), which goes on as if None had been sent,
 * without suspending.  The drivers running form a list, innermost first (a
 * generator's body may sum another generator); a yield looks at the first
 * only, and another thread's driver may be first: that yield then suspends as
 * usual, and its driver adds the item itself.  Each driver takes its entry out
 * of the list, wherever it is, before it returns (the entries are static,
 * native/sum.c). */
typedef struct accel_sum_state {
    struct accel_sum_state *outer;
    struct _PyInterpreterFrame *frame;  /* the generator's frame */
    double total;                       /* the floats added so far (from 0.0) */
    Py_ssize_t items;                   /* how many */
} accel_sum_state;

extern accel_sum_state *accel_summing;  /* the innermost driver's, or NULL */

/* `sum(iterable)` for CALL_BUILTIN_SUM (stencils/builtin_calls.c), `sum` being
 * builtins.sum: a generator (exact type) whose native code can resume it is
 * summed as above; any other iterable, or a generator that runs elsewhere, is
 * summed by sum()'s own C function, called as CALL calls a builtin
 * (accel_call_c_function, native/calls.h).  The result, or NULL with an
 * exception set; `site` caches where a suspended generator resumes. */
PyObject *accel_sum(PyThreadState *tstate, PyObject *sum, PyObject *iterable, accel_resume_site *site);

#endif
