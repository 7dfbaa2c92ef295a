/* Container operations that stencils call rather than inline (native/containers.c). */
#ifndef ACCEL_CONTAINERS_H
#define ACCEL_CONTAINERS_H

#include "Python.h"

/* container[start:stop:step] (step NULL: none) of an exact list, tuple or str whose
 * bounds are None or ints of one digit and whose step is not 0 (a str's: 1, with a
 * non-empty result); NULL with an exception set on failure, NULL with none set for
 * anything else (the caller makes the slice object and takes the generic path). */
PyObject *accel_slice_inline(PyObject *container, PyObject *start, PyObject *stop, PyObject *step);

/* container[start:stop] = value, on the same terms, for an exact list and step 1:
 * 1 done, -1 failed (an exception set), 0 not such a case (the generic path).  A
 * value that is an exact list of as many items, held by the caller's reference
 * only, gives its items up (it is left empty). */
int accel_slice_assign_inline(PyObject *container, PyObject *start, PyObject *stop, PyObject *step,
                              PyObject *value);

/* SLICE_COPY, `target[a:b] = source[c:d:step]` for the two locals and the four bounds
 * packed 16 bits each (accel/specializer/slice_copy.py): 1 done; 0 not two exact lists
 * and bounds that are None or ints of one digit (nothing done: the interpreter runs
 * the statement); -1 failed (an exception set); -2 no memory for the list in between
 * (a MemoryError set, where the read would raise it). */
int accel_slice_copy(PyObject **locals, int source_local, int target_local, uint64_t bounds, Py_ssize_t step);

/* a, *b, c = seq (`before` names before the star, `after` after it) for an exact list
 * or tuple of enough items: its items onto the stack below `top` as UNPACK_EX puts
 * them (the first on top, the starred ones in a new list); 1 done, 0 not such a case
 * (the generic path, which also raises the ValueError), -1 failed (no memory). */
int accel_unpack_ex_inline(PyObject *seq, int before, int after, PyObject **top);

#endif
