/* Slices without a slice object: BUILD_SLICE fused with the subscript that uses
 * it (accel/specializer/specialize.py).  OPARG is BUILD_SLICE's: 2 (start, stop)
 * or 3 (start, stop, step).
 *
 * Inline: bounds that are None or ints of one digit, a step that is None or such
 * an int other than 0, on an exact list (any step), tuple (any step) or str
 * (step 1, a non-empty result); `list[a:b] = value` with step 1.  Anything else
 * builds the slice object and takes the generic path, as the two instructions
 * would (which also raises what they raise). */
#include "stencil.h"

/* BUILD_SLICE's own unit, where the interpreter reports a failure to make the
 * slice object (the oparg is 2 or 3: no EXTENDED_ARG before it). */
#define BUILD_SLICE_INSTR (RESUME_AT + 1)

/* [container, start, stop(, step)] -> [container[start:stop(:step)]] */
STENCIL(BUILD_SLICE__BINARY_SUBSCR)
{
    int three = OPARG == 3;
    PyObject *step = three ? sp[-1] : NULL;
    PyObject *stop = sp[-1 - three], *start = sp[-2 - three], *container = sp[-3 - three];
    PyObject *res = accel_slice_inline(container, start, stop, step);
    if (UNLIKELY(res == NULL)) {
        if (PyErr_Occurred()) {  /* out of memory */
            SYNC_INSTR();
            goto release;
        }
        PyObject *slice = PySlice_New(start, stop, step);
        if (slice == NULL) {
            Py_DECREF(start);
            Py_DECREF(stop);
            Py_XDECREF(step);
            sp -= 2 + three;
            ERROR_AT(BUILD_SLICE_INSTR);
        }
        SYNC_INSTR();
        res = PyObject_GetItem(container, slice);
        Py_DECREF(slice);
    }
release:
    Py_DECREF(start);
    Py_DECREF(stop);
    Py_XDECREF(step);
    Py_DECREF(container);
    sp -= 3 + three;
    if (UNLIKELY(res == NULL)) {
        ERROR();
    }
    *sp++ = res;
    CONTINUE();
}

/* [value, container, start, stop(, step)] -> []: container[start:stop(:step)] = value */
STENCIL(BUILD_SLICE__STORE_SUBSCR)
{
    int three = OPARG == 3;
    PyObject *step = three ? sp[-1] : NULL;
    PyObject *stop = sp[-1 - three], *start = sp[-2 - three], *container = sp[-3 - three];
    PyObject *value = sp[-4 - three];
    SYNC_INSTR();  /* list_ass_slice iterates the value and releases the items it replaces */
    int err = accel_slice_assign_inline(container, start, stop, step, value);
    if (LIKELY(err > 0)) {
        err = 0;
    }
    else if (err == 0) {
        PyObject *slice = PySlice_New(start, stop, step);
        if (slice == NULL) {
            Py_DECREF(start);
            Py_DECREF(stop);
            Py_XDECREF(step);
            sp -= 2 + three;
            ERROR_AT(BUILD_SLICE_INSTR);
        }
        err = PyObject_SetItem(container, slice, value);
        Py_DECREF(slice);
    }
    Py_DECREF(start);
    Py_DECREF(stop);
    Py_XDECREF(step);
    Py_DECREF(container);
    Py_DECREF(value);
    sp -= 4 + three;
    if (UNLIKELY(err)) {
        ERROR();
    }
    CONTINUE();
}

/* [] -> []: target[a:b] = source[c:d(:step)] as one instruction, for two locals
 * (OPARG: the source's in its low 16 bits, the target's above), bounds that are
 * None, constants or locals (OPERAND, accel/specializer/slice_copy.py) and a
 * constant step (OPARG2).  Other operands exit before the statement; so does a
 * failure to allocate the list in between, where the interpreter raises it at the
 * read. */
STENCIL(SLICE_COPY)
{
    SYNC_INSTR();  /* the replaced items' finalizers see the store's line */
    int done = accel_slice_copy(frame->localsplus, OPARG & 0xFFFF, (unsigned)OPARG >> 16, OPERAND, (int32_t)OPARG2);
    if (LIKELY(done > 0)) {
        CONTINUE();
    }
    if (done == 0) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    if (done == -2) {
        PyErr_Clear();
        EXIT(ACCEL_EXIT_RAISE);
    }
    ERROR();
}
