/* The unary operators, as in CPython 3.11's ceval.c. */
#include "stencil.h"

#define UNARY(NAME, FUNCTION)                                   \
    STENCIL(NAME)                                               \
    {                                                           \
        PyObject *value = sp[-1];                               \
        SYNC_INSTR();                                           \
        PyObject *res = FUNCTION(value);                        \
        Py_DECREF(value);                                       \
        if (res == NULL) {                                      \
            sp--;                                               \
            ERROR();                                            \
        }                                                       \
        sp[-1] = res;                                           \
        CONTINUE();                                             \
    }

UNARY(UNARY_POSITIVE, PyNumber_Positive)
UNARY(UNARY_NEGATIVE, PyNumber_Negative)
UNARY(UNARY_INVERT, PyNumber_Invert)

/* Booleans are answered here; anything else asks for its truth. */
STENCIL(UNARY_NOT)
{
    PyObject *value = sp[-1];
    int truth;
    if (Py_IsTrue(value) || Py_IsFalse(value)) {
        truth = Py_IsTrue(value);
    }
    else {
        SYNC_INSTR();
        truth = PyObject_IsTrue(value);
    }
    Py_DECREF(value);
    if (truth < 0) {
        sp--;
        ERROR();
    }
    PyObject *res = truth ? Py_False : Py_True;
    Py_INCREF(res);
    sp[-1] = res;
    CONTINUE();
}
