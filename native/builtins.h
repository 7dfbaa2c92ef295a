/* Builtin functions whose work native code does itself (native/builtins.c). */
#ifndef ACCEL_BUILTINS_H
#define ACCEL_BUILTINS_H

#include "Python.h"

/* max() or min() of the `nargs` positional arguments at `args` (no keywords),
 * when the values compared are all exact ints of one digit or all exact
 * floats: one argument that is an exact tuple or list of them, or two or more
 * of them.  Then the result is what builtins.max and min return (the first of
 * equal values), computed without the argument tuple, the keyword parsing, the
 * iterator and the rich comparisons; *handled is 1.  Anything else (another
 * callable, other values, an empty sequence, the recursion limit near) sets
 * *handled to 0 and returns NULL, nothing done: the ordinary call follows. */
PyObject *accel_call_builtin(PyThreadState *tstate, PyObject *callable, PyObject *const *args, int nargs,
                             int *handled);

/* Finds builtins' own max and min; 0 or -1. */
int accel_builtins_init(void);

#endif
