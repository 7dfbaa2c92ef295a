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

/* `way` filled to describe calls of the compiled code `co` with `nargs`
 * arguments that move into its frame (its parameters plain positional ones,
 * `nargs` of them or fewer, the rest from the defaults): 1; 0, `way` left as
 * it was, when such calls cannot be made so (no record, other parameters). */
int accel_fill_call_shape(accel_call_shape *way, PyCodeObject *co, int nargs);

/* A builtin function (or method descriptor, or builtin class) called with
 * positional arguments as CALL's stencils call it (native/calls.c
 * call_c_function, as 3.11's specialized PRECALL forms do), else through
 * PyObject_Vectorcall.  A new reference, or NULL with an exception set. */
PyObject *accel_call_c_function(PyThreadState *tstate, PyObject *callable, PyObject *const *args, int nargs);

/* The references that stock CPython's way of instantiating a plain class holds
 * on the arguments while __init__ runs, besides the caller's stack's and the
 * frame's: _PyObject_MakeTpCall's argument tuple or keyword dict holds each
 * argument, and with keywords slot_tp_init's vectorcall holds another copy of
 * each, self's too (_PyStack_UnpackDict).  accel holds them as well, so that
 * sys.getrefcount in an __init__ counts what it counts without accel.  `args`:
 * self, then the `nargs` arguments; `keywords`: some of them are named. */
static inline __attribute__((always_inline)) void
accel_hold_as_type_call(PyObject *const *args, int nargs, int keywords)
{
    for (int i = 1; i <= nargs; i++) {
        Py_INCREF(args[i]);
    }
    for (int i = 0; keywords && i <= nargs; i++) {
        Py_INCREF(args[i]);
    }
}

/* The references accel_hold_as_type_call took released, once __init__ returned. */
static inline __attribute__((always_inline)) void
accel_release_as_type_call(PyObject *const *args, int nargs, int keywords)
{
    for (int i = 1; i <= nargs; i++) {
        Py_DECREF(args[i]);
    }
    for (int i = 0; keywords && i <= nargs; i++) {
        Py_DECREF(args[i]);
    }
}

/* What calls.c needs from the running interpreter; 0 or -1. */
int accel_calls_init(void);

#endif
