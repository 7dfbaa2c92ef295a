/* GET_ITER and FOR_ITER, with fast paths for range, list and tuple iterators. */
#include "stencil.h"

STENCIL(GET_ITER)
{
    PyObject *iterable = sp[-1];
    SYNC_INSTR();
    PyObject *iter = PyObject_GetIter(iterable);
    Py_DECREF(iterable);
    if (iter == NULL) {
        sp--;
        ERROR();
    }
    sp[-1] = iter;
    CONTINUE();
}

/* The iterator is exhausted or failed: StopIteration ends the loop quietly. */
#define FOR_ITER_END(ITER) do {                                 \
    if (PyErr_Occurred()) {                                     \
        if (!PyErr_ExceptionMatches(PyExc_StopIteration)) {     \
            ERROR();                                            \
        }                                                       \
        PyErr_Clear();                                          \
    }                                                           \
    sp--;                                                       \
    Py_DECREF(ITER);                                            \
    JUMP();                                                     \
} while (0)

/* A generator with native code is resumed straight in it (stencils/resume.c,
 * native/generators.c); its return value, which next() would put in a
 * StopIteration, ends the loop. */
#define FOR_ITER_GENERIC(ITER) do {                             \
    SYNC_INSTR();                                               \
    PyObject *next_;                                            \
    if (Py_TYPE(ITER) == &PyGen_Type) {                         \
        next_ = SHARED_GEN_NEXT(frame, sp, tstate, ITER,        \
                                &((accel_cache *)FRESH_HOLE(_JIT_CACHE))->resume); \
        if (LIKELY(next_ != ACCEL_GEN_NOT_RESUMED)) {           \
            if (UNLIKELY(next_ == NULL)) {                      \
                FOR_ITER_END(ITER);                             \
            }                                                   \
            *sp++ = next_;                                      \
            CONTINUE();                                         \
        }                                                       \
    }                                                           \
    next_ = Py_TYPE(ITER)->tp_iternext(ITER);                   \
    if (UNLIKELY(next_ == NULL)) {                              \
        FOR_ITER_END(ITER);                                     \
    }                                                           \
    *sp++ = next_;                                              \
    CONTINUE();                                                 \
} while (0)

STENCIL(FOR_ITER)
{
    PyObject *iter = sp[-1];
    FOR_ITER_GENERIC(iter);
}

STENCIL(FOR_ITER_RANGE)
{
    PyObject *iter = sp[-1];
    if (UNLIKELY(Py_TYPE(iter) != &PyRangeIter_Type)) {
        FOR_ITER_GENERIC(iter);
    }
    accel_rangeiter *r = (accel_rangeiter *)iter;
    if (UNLIKELY(r->index >= r->len)) {
        sp--;
        Py_DECREF(iter);
        JUMP();
    }
    PyObject *next = box_int((long)(r->start + (unsigned long)(r->index++) * r->step));
    if (next == NULL) {
        ERROR();
    }
    *sp++ = next;
    CONTINUE();
}

/* Lists' iterators inline, then tuples' (the iterable of an unknown type is
 * most often one of them), then the generic path. */
STENCIL(FOR_ITER_LIST)
{
    PyObject *iter = sp[-1];
    if (UNLIKELY(Py_TYPE(iter) != &PyListIter_Type)) {
        if (Py_TYPE(iter) == &PyTupleIter_Type) {
            TUPLE_ITER_NEXT(iter, 0);
        }
        FOR_ITER_GENERIC(iter);
    }
    LIST_ITER_NEXT(iter, 0);
}
