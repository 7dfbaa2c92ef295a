/* all() and any() of a generator run as one native loop (native/all_any.c). */
#ifndef ACCEL_ALL_ANY_H
#define ACCEL_ALL_ANY_H

#include "Python.h"
#include "inline_cache.h"

/* `all(iterable)` (kind ACCEL_FOLD_ALL) or `any(iterable)` (ACCEL_FOLD_ANY)
 * for CALL_BUILTIN_ALL and CALL_BUILTIN_ANY (stencils/builtin_calls.c),
 * `builtin` being builtins.all or builtins.any: a generator (exact type) whose
 * native code can resume it is consumed by a driver (native/fold.h), each item
 * that leaves the result undecided taken at its yield; any other iterable, or
 * a generator that runs elsewhere, goes to the builtin's own C function, called
 * as CALL calls a builtin (accel_call_c_function, native/calls.h).  True or
 * False, or NULL with an exception set; `site` caches where a suspended
 * generator resumes. */
PyObject *accel_all_any(PyThreadState *tstate, PyObject *builtin, PyObject *iterable, accel_resume_site *site,
                        int kind);

#endif
