/* f-strings' pieces joined without the generic join (native/fstrings.c). */
#ifndef ACCEL_FSTRINGS_H
#define ACCEL_FSTRINGS_H

#include "Python.h"

/* BUILD_STRING's join of `count` pieces, where they are two or more exact strs of one
 * byte per character (ASCII or Latin-1): 1 with *joined the new str (NULL with an
 * exception set if it could not be made), 0 for anything else (the caller calls
 * _PyUnicode_JoinArray, which makes the same str or raises). */
int accel_join_pieces(PyObject *const *pieces, Py_ssize_t count, PyObject **joined);

#endif
