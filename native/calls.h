/* Calls from native code to Python functions (native/calls.c). */
#ifndef ACCEL_CALLS_H
#define ACCEL_CALLS_H

#include "Python.h"
#include "inline_cache.h"

/* What CALL does (stencils/call.c), its callable and arguments at `base`:
 * [NULL, callable, args...] or [function, self, args...] (a bound method is
 * split into the latter first, as PRECALL does); `kwnames` names the last
 * arguments, or is NULL.  The call's result replaces base[0], and the
 * references to the callable and the arguments are consumed: a Python
 * function called with positional arguments only gets them moved into its
 * frame, as 3.11's CALL_PY_EXACT_ARGS and CALL_PY_WITH_DEFAULTS do.  Then, as
 * the interpreter does, the eval breaker is handled after a call it does not
 * inline (unless raw_locals_live: native code must leave first).
 * frame->prev_instr is the CALL on entry, and stays where the call left it.
 * Returns ACCEL_CALL_DONE: go on; ACCEL_CALL_RAISED: the call raised, no result
 * (base[0] is NULL); ACCEL_CALL_RAISED_AFTER: a signal handler raised after
 * the call, its result pushed; or an exit reason (exits.h), to leave with the
 * result pushed.  `cache` is the site's: the callee it last moved arguments
 * into. */
int accel_call_instruction(PyThreadState *tstate, _PyInterpreterFrame *frame, PyObject **base, int oparg,
                           PyObject *kwnames, int raw_locals_live, accel_cache *cache);
enum {
    ACCEL_CALL_DONE = 0,
    ACCEL_CALL_RAISED = -1,
    ACCEL_CALL_RAISED_AFTER = -2,
};

/* A Python function called from C code that native code runs (an operator's
 * dunder: native/operators.c): its native code runs on a frame pushed here when
 * it is compiled, as for CALL, else PyObject_Vectorcall.  A new reference, or
 * NULL with an exception set. */
PyObject *accel_call_python(PyThreadState *tstate, PyObject *function, PyObject *const *args, Py_ssize_t nargs);

/* What calls.c needs from the running interpreter; 0 or -1. */
int accel_calls_init(void);

#endif
