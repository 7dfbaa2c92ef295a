/* Locals, constants and the value stack, with the superinstructions of 3.11. */
#include "stencil.h"

/* An unbound local: the interpreter raises UnboundLocalError with its message. */
#define PUSH_LOCAL(I) do {                                      \
    PyObject *value_ = LOCAL(I);                                \
    if (UNLIKELY(value_ == NULL)) {                             \
        EXIT(ACCEL_EXIT_RAISE);                                 \
    }                                                           \
    Py_INCREF(value_);                                          \
    *sp++ = value_;                                             \
} while (0)

#define PUSH_CONST(C) do {                                      \
    PyObject *value_ = (PyObject *)(C);                         \
    Py_INCREF(value_);                                          \
    *sp++ = value_;                                             \
} while (0)

/* A finalizer run by the decref sees this instruction's line. */
#define POP_LOCAL(I) do {                                       \
    PyObject *old_ = LOCAL(I);                                  \
    LOCAL(I) = *--sp;                                           \
    if (old_ != NULL) {                                         \
        DECREF_AT_INSTR(old_);                                  \
    }                                                           \
} while (0)

STENCIL(LOAD_FAST)
{
    PUSH_LOCAL(OPARG);
    CONTINUE();
}

STENCIL(LOAD_CONST)
{
    PUSH_CONST(OPERAND);
    CONTINUE();
}

STENCIL(STORE_FAST)
{
    POP_LOCAL(OPARG);
    CONTINUE();
}

STENCIL(LOAD_FAST__LOAD_FAST)
{
    /* Both checked first: an exit happens before anything is pushed. */
    if (UNLIKELY(LOCAL(OPARG) == NULL || LOCAL(OPARG2) == NULL)) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    PUSH_LOCAL(OPARG);
    PUSH_LOCAL(OPARG2);
    CONTINUE();
}

STENCIL(LOAD_FAST__LOAD_CONST)
{
    PUSH_LOCAL(OPARG);
    PUSH_CONST(OPERAND);
    CONTINUE();
}

STENCIL(LOAD_CONST__LOAD_FAST)
{
    if (UNLIKELY(LOCAL(OPARG2) == NULL)) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    PUSH_CONST(OPERAND);
    PUSH_LOCAL(OPARG2);
    CONTINUE();
}

STENCIL(STORE_FAST__LOAD_FAST)
{
    if (UNLIKELY(OPARG != OPARG2 && LOCAL(OPARG2) == NULL)) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    POP_LOCAL(OPARG);
    PUSH_LOCAL(OPARG2);
    CONTINUE();
}

STENCIL(STORE_FAST__STORE_FAST)
{
    POP_LOCAL(OPARG);
    POP_LOCAL(OPARG2);
    CONTINUE();
}

STENCIL(POP_TOP)
{
    PyObject *value = *--sp;
    DECREF_AT_INSTR(value);
    CONTINUE();
}

STENCIL(PUSH_NULL)
{
    *sp++ = NULL;
    CONTINUE();
}

STENCIL(COPY)
{
    PyObject *value = sp[-OPARG];
    Py_INCREF(value);
    *sp++ = value;
    CONTINUE();
}

STENCIL(SWAP)
{
    PyObject *top = sp[-1];
    sp[-1] = sp[-OPARG];
    sp[-OPARG] = top;
    CONTINUE();
}

/* Where locals are raw (accel/specializer/unbox.py): no Python code may run,
 * so an old value whose last reference the store would release exits before
 * the store, for the interpreter to do it with the locals boxed: its
 * deallocation could run a finalizer, which could look at the frame.  An
 * exact float or int runs none. */
STENCIL(STORE_FAST_PURE)
{
    PyObject *old = LOCAL(OPARG);
    if (UNLIKELY(old != NULL && Py_REFCNT(old) == 1 && !PyFloat_CheckExact(old) && !PyLong_CheckExact(old))) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    LOCAL(OPARG) = *--sp;
    Py_XDECREF(old);
    CONTINUE();
}
