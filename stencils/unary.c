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

/* -x: ints of one digit and exact floats here (a sort key's `-count`), as
 * long_neg and float_neg compute them; anything else asks its type. */
STENCIL(UNARY_NEGATIVE)
{
    PyObject *value = sp[-1];
    PyObject *res;
    if (IS_COMPACT_INT(value)) {
        res = PyLong_FromLongLong(-(long long)COMPACT_VALUE(value));
    }
    else if (PyFloat_CheckExact(value)) {
        res = PyFloat_FromDouble(-FLOAT_VALUE(value));
    }
    else {
        SYNC_INSTR();
        res = PyNumber_Negative(value);
    }
    if (res == NULL) {
        SYNC_INSTR();  /* MemoryError: raised at this instruction */
        sp--;
        Py_DECREF(value);
        ERROR();
    }
    Py_DECREF(value);
    sp[-1] = res;
    CONTINUE();
}
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
