/* What only coroutines and async generators run: `await`, `async for`,
 * and an async generator's yield (`async with` enters in stencils/context.c).
 * Each does what 3.11's ceval.c does for the opcode, messages included.  The
 * awaiting itself is SEND and YIELD_VALUE (stencils/control.c), as for `yield from`; libpython
 * exports neither _PyCoro_GetAwaitableIter nor _PyGen_yf nor
 * _PyAsyncGenValueWrapperNew, so their semantics are written out here. */
#include "stencil.h"

/* The opcodes a suspended frame's next instruction is checked against; the
 * header's names of the opcodes these stencils implement would shadow them. */
#include "opcode.h"
enum { OPCODE_RESUME = RESUME, OPCODE_RESUME_QUICK = RESUME_QUICK };
#undef GET_AWAITABLE
#undef GET_AITER
#undef GET_ANEXT
#undef END_ASYNC_FOR
#undef ASYNC_GEN_WRAP

/* A generator made from a function marked by types.coroutine: awaitable as it is. */
static inline __attribute__((always_inline)) int
is_iterable_coroutine(PyObject *o)
{
    return PyGen_CheckExact(o) && (((PyCodeObject *)((PyGenObject *)o)->gi_code)->co_flags & CO_ITERABLE_COROUTINE);
}

/* What `await o` iterates: o itself if it is a coroutine, else what
 * o.__await__() returns, which must be an iterator and not a coroutine.  A new
 * reference, or NULL with TypeError set. */
static inline __attribute__((always_inline)) PyObject *
awaitable_iter(PyObject *o)
{
    if (PyCoro_CheckExact(o) || is_iterable_coroutine(o)) {
        return Py_NewRef(o);
    }
    PyTypeObject *type = Py_TYPE(o);
    unaryfunc getter = type->tp_as_async != NULL ? type->tp_as_async->am_await : NULL;
    if (getter == NULL) {
        PyErr_Format(PyExc_TypeError, "object %.100s can't be used in 'await' expression", type->tp_name);
        return NULL;
    }
    PyObject *res = getter(o);
    if (res == NULL) {
        return NULL;
    }
    if (PyCoro_CheckExact(res) || is_iterable_coroutine(res)) {
        PyErr_SetString(PyExc_TypeError, "__await__() returned a coroutine");
        Py_DECREF(res);
        return NULL;
    }
    if (!PyIter_Check(res)) {
        PyErr_Format(PyExc_TypeError, "__await__() returned non-iterator of type '%.100s'", Py_TYPE(res)->tp_name);
        Py_DECREF(res);
        return NULL;
    }
    return res;
}

/* Whether a coroutine is suspended inside an `await` (so awaiting it again is
 * an error): started, not finished, and stopped at a YIELD_VALUE whose RESUME
 * says it belongs to a `yield from` or an `await` (oparg 2 or 3). */
static inline __attribute__((always_inline)) int
is_awaiting(PyObject *coro)
{
    PyGenObject *gen = (PyGenObject *)coro;
    if (gen->gi_frame_state >= FRAME_CLEARED || gen->gi_frame_state == FRAME_CREATED) {
        return 0;
    }
    _Py_CODEUNIT next = ((_PyInterpreterFrame *)gen->gi_iframe)->prev_instr[1];
    int op = _Py_OPCODE(next);
    return (op == OPCODE_RESUME || op == OPCODE_RESUME_QUICK) && _Py_OPARG(next) >= 2;
}

/* [awaitable] -> [iterator it delegates to].  OPARG says where the awaitable
 * came from: 0 an `await`, 1 __aenter__, 2 __aexit__.  On an error the slot
 * holds NULL, as the interpreter leaves it. */
STENCIL(GET_AWAITABLE)
{
    PyObject *iterable = sp[-1];
    SYNC_INSTR();
    PyObject *iter = awaitable_iter(iterable);
    if (iter == NULL) {
        PyTypeObject *type = Py_TYPE(iterable);
        if ((type->tp_as_async == NULL || type->tp_as_async->am_await == NULL) && OPARG != 0) {
            PyErr_Format(PyExc_TypeError,
                         OPARG == 1 ? "'async with' received an object from __aenter__ that does not implement "
                                      "__await__: %.100s"
                                    : "'async with' received an object from __aexit__ that does not implement "
                                      "__await__: %.100s",
                         type->tp_name);
        }
    }
    Py_DECREF(iterable);
    if (iter != NULL && PyCoro_CheckExact(iter) && is_awaiting(iter)) {
        Py_CLEAR(iter);
        PyErr_SetString(PyExc_RuntimeError, "coroutine is being awaited already");
    }
    sp[-1] = iter;
    if (iter == NULL) {
        ERROR();
    }
    CONTINUE();
}

/* [iterable] -> [iterable.__aiter__()], which must have __anext__; the slot
 * holds NULL on an error. */
STENCIL(GET_AITER)
{
    PyObject *obj = sp[-1];
    PyTypeObject *type = Py_TYPE(obj);
    unaryfunc getter = type->tp_as_async != NULL ? type->tp_as_async->am_aiter : NULL;
    SYNC_INSTR();
    sp[-1] = NULL;
    if (getter == NULL) {
        PyErr_Format(PyExc_TypeError, "'async for' requires an object with __aiter__ method, got %.100s",
                     type->tp_name);
        Py_DECREF(obj);
        ERROR();
    }
    PyObject *iter = getter(obj);
    Py_DECREF(obj);
    if (iter == NULL) {
        ERROR();
    }
    PyAsyncMethods *async = Py_TYPE(iter)->tp_as_async;
    if (async == NULL || async->am_anext == NULL) {
        PyErr_Format(PyExc_TypeError,
                     "'async for' received an object from __aiter__ that does not implement __anext__: %.100s",
                     Py_TYPE(iter)->tp_name);
        Py_DECREF(iter);
        ERROR();
    }
    sp[-1] = iter;
    CONTINUE();
}

/* [aiter] -> [aiter, awaitable of its next item]; an async generator's own
 * __anext__ result is awaited as it is. */
STENCIL(GET_ANEXT)
{
    PyObject *aiter = sp[-1];
    PyTypeObject *type = Py_TYPE(aiter);
    SYNC_INSTR();
    if (PyAsyncGen_CheckExact(aiter)) {
        PyObject *awaitable = type->tp_as_async->am_anext(aiter);
        if (awaitable == NULL) {
            ERROR();
        }
        *sp++ = awaitable;
        CONTINUE();
    }
    unaryfunc getter = type->tp_as_async != NULL ? type->tp_as_async->am_anext : NULL;
    if (getter == NULL) {
        PyErr_Format(PyExc_TypeError, "'async for' requires an iterator with __anext__ method, got %.100s",
                     type->tp_name);
        ERROR();
    }
    PyObject *next_iter = getter(aiter);
    if (next_iter == NULL) {
        ERROR();
    }
    PyObject *awaitable = awaitable_iter(next_iter);
    if (awaitable == NULL) {
        _PyErr_FormatFromCause(PyExc_TypeError, "'async for' received an invalid object from __anext__: %.100s",
                               Py_TYPE(next_iter)->tp_name);
    }
    Py_DECREF(next_iter);
    if (awaitable == NULL) {
        ERROR();
    }
    *sp++ = awaitable;
    CONTINUE();
}

/* The handler of an `async for` loop: [aiter, exc] -> [] when exc is the
 * StopAsyncIteration that ends the loop.  Any other exception is re-raised
 * without a traceback entry, which only the interpreter can do: it runs the
 * instruction then. */
STENCIL(END_ASYNC_FOR)
{
    PyObject *exc = sp[-1];
    if (!PyErr_GivenExceptionMatches(exc, PyExc_StopAsyncIteration)) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    Py_DECREF(exc);
    PyObject *aiter = sp[-2];
    sp -= 2;
    Py_DECREF(aiter);
    CONTINUE();
}

/* [value] -> [value wrapped]: what an async generator yields is wrapped, so
 * that its asend() tells a yield from an `await` that suspended it.  Made as
 * the unexported _PyAsyncGenValueWrapperNew makes it (its dealloc keeps a free
 * list of such objects, which any of them may join). */
STENCIL(ASYNC_GEN_WRAP)
{
    PyObject *value = sp[-1];
    SYNC_INSTR();
    accel_async_gen_wrapped *wrapped = PyObject_GC_New(accel_async_gen_wrapped, &_PyAsyncGenWrappedValue_Type);
    if (wrapped == NULL) {
        ERROR();
    }
    wrapped->agw_val = value;  /* the stack's reference moves into it */
    PyObject_GC_Track(wrapped);
    sp[-1] = (PyObject *)wrapped;
    CONTINUE();
}
