/* Entering a `with` or `async with` block, and leaving a `with` block by an
 * exception.  Leaving it normally is a plain call of __exit__ (LOAD_CONST None
 * three times, then CALL: stencils of their own). */
#include "stencil.h"

/* Python.h maps the old name onto the _Py_Identifier form for extensions; the
 * stencil wants the one ceval.c calls, which takes the name as an object. */
#undef _PyObject_LookupSpecial
#include "internal/pycore_object.h"

/* [mgr] -> [mgr.<EXIT>, mgr.<ENTER>()], as ceval.c's TARGETs: both special
 * methods are looked up on the type before ENTER is called, and an error leaves
 * the stack as the interpreter leaves it at that point.  PROTOCOL names the
 * protocol in the TypeError, as ceval.c's messages do. */
#define ENTER_CONTEXT(ENTER, EXIT, PROTOCOL) do {                                        \
    PyObject *mgr = sp[-1];                                                               \
    SYNC_INSTR();                                                                         \
    PyObject *enter = _PyObject_LookupSpecial(mgr, &_Py_ID(ENTER));                       \
    if (enter == NULL) {                                                                  \
        if (!PyErr_Occurred()) {                                                          \
            PyErr_Format(PyExc_TypeError, "'%.200s' object does not support the "        \
                         PROTOCOL " protocol", Py_TYPE(mgr)->tp_name);                    \
        }                                                                                 \
        ERROR();                                                                          \
    }                                                                                     \
    PyObject *exit = _PyObject_LookupSpecial(mgr, &_Py_ID(EXIT));                         \
    if (exit == NULL) {                                                                   \
        if (!PyErr_Occurred()) {                                                          \
            PyErr_Format(PyExc_TypeError, "'%.200s' object does not support the "        \
                         PROTOCOL " protocol (missed " #EXIT " method)",                  \
                         Py_TYPE(mgr)->tp_name);                                          \
        }                                                                                 \
        Py_DECREF(enter);                                                                 \
        ERROR();                                                                          \
    }                                                                                     \
    sp[-1] = exit;                                                                        \
    Py_DECREF(mgr);                                                                       \
    PyObject *res = PyObject_CallNoArgs(enter);                                           \
    Py_DECREF(enter);                                                                     \
    if (res == NULL) {                                                                    \
        ERROR();                                                                          \
    }                                                                                     \
    *sp++ = res;                                                                          \
    /* ENTER may switch tracing or profiling on (cProfile.Profile does). */              \
    if (TRACING_ON()) {                                                                   \
        EXIT_AFTER(ACCEL_EXIT_TRACING);                                                   \
    }                                                                                     \
    CONTINUE();                                                                           \
} while (0)

STENCIL(BEFORE_WITH)
{
    ENTER_CONTEXT(__enter__, __exit__, "context manager");
}

/* `async with`: GET_AWAITABLE 1 then awaits what __aenter__ returned. */
STENCIL(BEFORE_ASYNC_WITH)
{
    ENTER_CONTEXT(__aenter__, __aexit__, "asynchronous context manager");
}

/* [exit, lasti, previous exc, exc] -> [..., exit(type(exc), exc, traceback)]:
 * a `with` block left by an exception, as ceval.c's TARGET; the handler then
 * re-raises (RERAISE 2) unless the result is true. */
STENCIL(WITH_EXCEPT_START)
{
    PyObject *value = sp[-1];
    PyObject *exit = sp[-4];
    /* Borrowed, as the interpreter does: the exception keeps it.  It always has
     * one here (UNWIND sets it, None at least). */
    PyObject *tb = PyException_GetTraceback(value);
    Py_XDECREF(tb);
    PyObject *args[4] = {NULL, PyExceptionInstance_Class(value), value, tb != NULL ? tb : Py_None};
    SYNC_INSTR();
    PyObject *res = PyObject_Vectorcall(exit, args + 1, 3 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    if (res == NULL) {
        ERROR();
    }
    *sp++ = res;
    /* __exit__ may switch tracing or profiling on. */
    if (TRACING_ON()) {
        EXIT_AFTER(ACCEL_EXIT_TRACING);
    }
    CONTINUE();
}
