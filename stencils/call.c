/* Subscripts and calls: the generic forms (globals and attributes: cached.c). */
#include "stencil.h"

STENCIL(BINARY_SUBSCR)
{
    PyObject *sub = sp[-1], *container = sp[-2];
    SYNC_INSTR();
    PyObject *res = PyObject_GetItem(container, sub);
    BINARY_RESULT(container, sub, res);
}

/* sequence[int] with an index in range; anything else takes the generic path,
 * which also raises the IndexError.  Negative indexes go generic, as under CPython. */
#define BINARY_SUBSCR_SEQUENCE_INT(NAME, CHECK_EXACT, SIZE, ITEM)                  \
    STENCIL(NAME)                                                                \
    {                                                                            \
        PyObject *sub = sp[-1], *container = sp[-2];                             \
        PyObject *res;                                                           \
        if (CHECK_EXACT(container) && IS_COMPACT_INT(sub)                        \
            && (size_t)COMPACT_VALUE(sub) < (size_t)SIZE(container)) {           \
            res = ITEM(container, COMPACT_VALUE(sub));                           \
            Py_INCREF(res);                                                      \
        }                                                                        \
        else {                                                                   \
            SYNC_INSTR();                                                        \
            res = PyObject_GetItem(container, sub);                              \
        }                                                                        \
        BINARY_RESULT(container, sub, res);                                      \
    }

BINARY_SUBSCR_SEQUENCE_INT(BINARY_SUBSCR_LIST_INT, PyList_CheckExact, PyList_GET_SIZE, PyList_GET_ITEM)
/* (a record's field, a key function's `item[1]`) */
BINARY_SUBSCR_SEQUENCE_INT(BINARY_SUBSCR_TUPLE_INT, PyTuple_CheckExact, PyTuple_GET_SIZE, PyTuple_GET_ITEM)

/* list[int] = value with an index in range; anything else takes the generic
 * path, which also raises the IndexError. */
STENCIL(STORE_SUBSCR_LIST_INT)
{
    PyObject *sub = sp[-1], *container = sp[-2], *value = sp[-3];
    sp -= 3;
    SYNC_INSTR();
    if (PyList_CheckExact(container) && IS_COMPACT_INT(sub)
        && (size_t)COMPACT_VALUE(sub) < (size_t)PyList_GET_SIZE(container)) {
        PyObject **item = &((PyListObject *)container)->ob_item[COMPACT_VALUE(sub)];
        PyObject *old = *item;
        *item = value;  /* the stack's reference moves into the list */
        Py_DECREF(old);
        Py_DECREF(container);
        Py_DECREF(sub);
        CONTINUE();
    }
    int err = PyObject_SetItem(container, sub, value);
    Py_DECREF(value);
    Py_DECREF(container);
    Py_DECREF(sub);
    if (err) {
        ERROR();
    }
    CONTINUE();
}

/* LOAD_FAST, LOAD_FAST and the subscript, fused (accel/specializer/borrow.py):
 * the container (local OPARG) and the index (local OPARG2) are borrowed from
 * their slots; an unbound one exits before the three, for the interpreter to
 * raise.  The generic path holds them, as the value stack would, while
 * __getitem__ or __setitem__ runs. */
#define BORROW_CONTAINER_AND_INDEX(CONTAINER, SUB) do {         \
    (CONTAINER) = LOCAL(OPARG);                                 \
    (SUB) = LOCAL(OPARG2);                                      \
    if (UNLIKELY((CONTAINER) == NULL || (SUB) == NULL)) {       \
        EXIT(ACCEL_EXIT_RAISE);                                 \
    }                                                           \
} while (0)

#define LIST_INDEX_IN_RANGE(CONTAINER, SUB)                     \
    (PyList_CheckExact(CONTAINER) && IS_COMPACT_INT(SUB)        \
     && (size_t)COMPACT_VALUE(SUB) < (size_t)PyList_GET_SIZE(CONTAINER))

STENCIL(LOAD_FAST__LOAD_FAST__BINARY_SUBSCR_LIST_INT)
{
    PyObject *container, *sub;
    BORROW_CONTAINER_AND_INDEX(container, sub);
    PyObject *res;
    if (LIKELY(LIST_INDEX_IN_RANGE(container, sub))) {
        res = PyList_GET_ITEM(container, COMPACT_VALUE(sub));
        Py_INCREF(res);
        *sp++ = res;
        CONTINUE();
    }
    SYNC_INSTR();
    Py_INCREF(container);
    Py_INCREF(sub);
    res = PyObject_GetItem(container, sub);
    Py_DECREF(container);
    Py_DECREF(sub);
    if (res == NULL) {
        ERROR();
    }
    *sp++ = res;
    CONTINUE();
}

/* LOAD_FAST, LOAD_CONST and BINARY_SUBSCR_<LIST|TUPLE>_INT, fused (borrow.py):
 * `perm[0]`, `item[1]`, with the container borrowed from local OPARG and the
 * constant index (OPERAND) from the code's constants.  An index out of range,
 * another container or index: the generic path, which holds the container, as
 * the value stack would, while __getitem__ runs. */
#define LOAD_FAST_CONST_SUBSCRIPT(NAME, CHECK_EXACT, GET_SIZE, GET_ITEM)        \
    STENCIL(NAME)                                                               \
    {                                                                           \
        PyObject *container = LOCAL(OPARG), *sub = (PyObject *)OPERAND;         \
        if (UNLIKELY(container == NULL)) {                                      \
            EXIT(ACCEL_EXIT_RAISE);                                             \
        }                                                                       \
        PyObject *res;                                                          \
        if (LIKELY(CHECK_EXACT(container) && IS_COMPACT_INT(sub)                \
                   && (size_t)COMPACT_VALUE(sub) < (size_t)GET_SIZE(container))) { \
            res = GET_ITEM(container, COMPACT_VALUE(sub));                      \
            Py_INCREF(res);                                                     \
            *sp++ = res;                                                        \
            CONTINUE();                                                         \
        }                                                                       \
        SYNC_INSTR();                                                           \
        Py_INCREF(container);                                                   \
        res = PyObject_GetItem(container, sub);                                 \
        Py_DECREF(container);                                                   \
        if (res == NULL) {                                                      \
            ERROR();                                                            \
        }                                                                       \
        *sp++ = res;                                                            \
        CONTINUE();                                                             \
    }

LOAD_FAST_CONST_SUBSCRIPT(LOAD_FAST__LOAD_CONST__BINARY_SUBSCR_LIST_INT, PyList_CheckExact, PyList_GET_SIZE,
                          PyList_GET_ITEM)
LOAD_FAST_CONST_SUBSCRIPT(LOAD_FAST__LOAD_CONST__BINARY_SUBSCR_TUPLE_INT, PyTuple_CheckExact, PyTuple_GET_SIZE,
                          PyTuple_GET_ITEM)

/* [value] -> []: container[index] = value. */
STENCIL(LOAD_FAST__LOAD_FAST__STORE_SUBSCR_LIST_INT)
{
    PyObject *container, *sub;
    BORROW_CONTAINER_AND_INDEX(container, sub);
    PyObject *value = *--sp;
    if (LIKELY(LIST_INDEX_IN_RANGE(container, sub))) {
        PyObject **item = &((PyListObject *)container)->ob_item[COMPACT_VALUE(sub)];
        PyObject *old = *item;
        *item = value;  /* the stack's reference moves into the list */
        DECREF_AT_INSTR(old);
        CONTINUE();
    }
    SYNC_INSTR();
    Py_INCREF(container);
    Py_INCREF(sub);
    int err = PyObject_SetItem(container, sub, value);
    Py_DECREF(value);
    Py_DECREF(container);
    Py_DECREF(sub);
    if (err) {
        ERROR();
    }
    CONTINUE();
}

STENCIL(STORE_SUBSCR)
{
    PyObject *sub = sp[-1], *container = sp[-2], *value = sp[-3];
    sp -= 3;
    SYNC_INSTR();
    int err = PyObject_SetItem(container, sub, value);
    Py_DECREF(value);
    Py_DECREF(container);
    Py_DECREF(sub);
    if (err) {
        ERROR();
    }
    CONTINUE();
}

/* The CALL's last cache entry, where 3.11 leaves the caller during a call it
 * inlines: the instruction's hole with the offset as its addend (one movabs). */
#define CALL_LAST_CACHE_ENTRY ({                                                     \
    uintptr_t entry_;                                                                \
    __asm__ volatile("movabsq $_JIT_INSTR+%c1, %0"                                   \
                     : "=r"(entry_) : "i"(INLINE_CACHE_ENTRIES_CALL * sizeof(_Py_CODEUNIT))); \
    (_Py_CODEUNIT *)entry_;                                                          \
})

/* The operand is the tuple of keyword names (KW_NAMES, folded in), or NULL.
 * A compiled Python function called with arguments that bind as its site's
 * cache knows (positionally, or by keywords naming the parameters after the
 * positional ones in order), and a C function as 3.11's specialized PRECALLs
 * call it, are called by the shared routine of stencils/shared.c, which every
 * CALL site calls rather than carries; the rest of the work is
 * native/calls.c's (which also fills the cache). */
STENCIL(CALL)
{
    /* (Zero-extended: one lea.  The paths after the call read the oparg
     * afresh rather than keep it across the call.) */
    PyObject **base = sp - ((uint64_t)HOLE32(_JIT_OPARG) + 2);
    PyObject *result = SHARED_CALL(frame, base, tstate, OPARG, (accel_cache *)FRESH_HOLE(_JIT_CACHE),
                                   CALL_LAST_CACHE_ENTRY, (PyObject *)FRESH_HOLE(_JIT_OPERAND));
    if (LIKELY(((uintptr_t)result & (ACCEL_C_RESULT | 1)) == 0)) {
        sp = base;
        if (UNLIKELY(result == NULL)) {
            ERROR_AT(frame->prev_instr);  /* where the routine left the caller */
        }
        *sp++ = result;
        if (UNLIKELY(TRACING_ON())) {
            EXIT_AFTER(ACCEL_EXIT_TRACING);
        }
        CONTINUE();
    }
    if (result != ACCEL_NOT_CALLED) {
        result = (PyObject *)((uintptr_t)result & ~ACCEL_C_RESULT);
        sp = base;
        if (UNLIKELY(result == NULL)) {
            ERROR();
        }
        *sp++ = result;
        CHECK_EVAL_BREAKER_AFTER_CALL();
        if (UNLIKELY(TRACING_ON())) {
            EXIT_AFTER(ACCEL_EXIT_TRACING);
        }
        CONTINUE_COLD();
    }
    /* A bound method is split by now (SHARED_CALL did). */
    SYNC_INSTR();
    int status = accel_call_instruction(tstate, frame, base, (int)FRESH_HOLE32(_JIT_OPARG), (PyObject *)OPERAND,
                                        RAW_LOCALS_LIVE,
                                        (accel_cache *)HOLE(_JIT_CACHE));
    sp = base + 1;
    if (status == ACCEL_CALL_DONE) {
        CONTINUE_COLD();
    }
    if (status == ACCEL_CALL_RAISED) {
        sp = base;
    }
    if (status < 0) {
        ERROR_AT(frame->prev_instr);
    }
    EXIT_AFTER(status);
}

/* The prologue of every program (accel/backend/lower.py with_unbinding_prologue):
 * local OPARG, one past the parameters, unbound.  A frame entering at the
 * program's start has them unbound already, but for a direct call's
 * (stencils/shared.c push_direct), which leaves them to this: one store each,
 * with no loop to set up in the caller. */
STENCIL(UNBIND_LOCAL)
{
    LOCAL(OPARG) = NULL;
    CONTINUE();
}
