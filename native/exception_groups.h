/* except* (exception groups) for native code: what ceval.c's CHECK_EG_MATCH and
 * PREP_RERAISE_STAR rely on and libpython 3.11 does not export
 * (_PyExc_CreateExceptionGroup, _PyExc_PrepReraiseStar), with the same
 * semantics, through public API (native/exception_groups.c). */
#ifndef ACCEL_EXCEPTION_GROUPS_H
#define ACCEL_EXCEPTION_GROUPS_H

#include "Python.h"

/* 0 if `match_type` may follow except* (an exception class, or a tuple of
 * them, none an exception group); -1 with the interpreter's TypeError set. */
int accel_check_except_star_type(PyObject *match_type);

/* The part of `exc_value` that `match_type` matches, and the rest (new
 * references, None for nothing); -1 with an exception set. */
int accel_exception_group_match(PyObject *exc_value, PyObject *match_type, PyObject **match, PyObject **rest);

/* What a try-except* statement raises at its end: `orig`, the exception it
 * caught, and `excs`, the list of what its except* clauses raised or
 * re-raised.  A new reference (None: nothing to raise), or NULL with an
 * exception set. */
PyObject *accel_prep_reraise_star(PyObject *orig, PyObject *excs);

#endif
