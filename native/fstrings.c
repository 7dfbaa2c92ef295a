/* BUILD_STRING's join for the pieces nearly every f-string has: exact strs of one
 * byte per character.  _PyUnicode_JoinArray, with an empty separator, makes the
 * same str through a general loop (any kind, any str subclass, a separator to put
 * between pieces): for the few short pieces of an f-string that loop costs more
 * than the copying.  A function, not inline code in the stencil: a loop in every
 * copy of BUILD_STRING would make each one long. */
#include "runtime.h"
#include "fstrings.h"

int
accel_join_pieces(PyObject *const *pieces, Py_ssize_t count, PyObject **joined)
{
    if (count < 2) {
        return 0;  /* one exact str is joined into itself: the generic join does that */
    }
    Py_ssize_t length = 0;
    Py_UCS4 max_char = 0x7f;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *piece = pieces[i];
        if (!PyUnicode_CheckExact(piece) || PyUnicode_KIND(piece) != PyUnicode_1BYTE_KIND) {
            return 0;
        }
        Py_ssize_t piece_length = PyUnicode_GET_LENGTH(piece);
        if (piece_length > PY_SSIZE_T_MAX - length) {
            return 0;  /* the generic join raises OverflowError */
        }
        length += piece_length;
        if (!PyUnicode_IS_ASCII(piece)) {
            max_char = 0xff;  /* as PyUnicode_MAX_CHAR_VALUE says of a Latin-1 str */
        }
    }
    /* (A length of 0 gives the empty str singleton, as the generic join gets.) */
    PyObject *result = PyUnicode_New(length, max_char);
    if (result != NULL) {
        Py_UCS1 *to = PyUnicode_1BYTE_DATA(result);
        for (Py_ssize_t i = 0; i < count; i++) {
            Py_ssize_t piece_length = PyUnicode_GET_LENGTH(pieces[i]);
            memcpy(to, PyUnicode_1BYTE_DATA(pieces[i]), piece_length);
            to += piece_length;
        }
    }
    *joined = result;
    return 1;
}
