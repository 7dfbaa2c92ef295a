/* `yield from`: the iterator a generator delegates to.  The delegation itself
 * (SEND) is the interpreter's. */
#include "stencil.h"

/* [iterable] -> [iterator], as ceval.c's TARGET: a generator, or a coroutine
 * where the code may await one (a coroutine, or a generator marked by
 * types.coroutine), is delegated to as it is; a coroutine anywhere else is a
 * TypeError; anything else is iterated.  On an error the slot holds NULL, as
 * the interpreter leaves it. */
STENCIL(GET_YIELD_FROM_ITER)
{
    PyObject *iterable = sp[-1];
    if (PyCoro_CheckExact(iterable)) {
        if (!(frame->f_code->co_flags & (CO_COROUTINE | CO_ITERABLE_COROUTINE))) {
            SYNC_INSTR();
            sp[-1] = NULL;
            Py_DECREF(iterable);
            PyErr_SetString(PyExc_TypeError, "cannot 'yield from' a coroutine object in a non-coroutine generator");
            ERROR();
        }
        CONTINUE();
    }
    if (PyGen_CheckExact(iterable)) {
        CONTINUE();
    }
    SYNC_INSTR();
    PyObject *iter = PyObject_GetIter(iterable);
    Py_DECREF(iterable);
    sp[-1] = iter;
    if (iter == NULL) {
        ERROR();
    }
    CONTINUE();
}
