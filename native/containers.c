/* Slices of exact lists, tuples and strs without a slice object, for the stencils
 * of BUILD_SLICE fused with its subscript (stencils/slices.c).  Functions, not
 * inline code: three element types and a copy loop would make each copy of the
 * stencil kilobytes long. */
#include "runtime.h"

typedef struct {
    Py_ssize_t start, step, length;  /* the items start, start + step, ... (length of them) */
} accel_slice;

/* A slice's start or stop: `missing` for None, else counted from the end if negative
 * and clamped into [low, high]; 0 if it is neither None nor an int of one digit. */
static int
slice_bound(PyObject *bound, Py_ssize_t missing, Py_ssize_t size, Py_ssize_t low, Py_ssize_t high,
            Py_ssize_t *out)
{
    if (bound == Py_None) {
        *out = missing;
        return 1;
    }
    if (!IS_COMPACT_INT(bound)) {
        return 0;
    }
    Py_ssize_t at = COMPACT_VALUE(bound);
    at += at < 0 ? size : 0;
    *out = at < low ? low : at > high ? high : at;
    return 1;
}

/* The items `[start:stop:step]` selects from a sequence of `size` items, as
 * PySlice_Unpack and PySlice_AdjustIndices work it out; 0 if a part is not None
 * or an int of one digit, or the step is 0 (the generic path raises). */
static int
simple_slice(PyObject *start, PyObject *stop, PyObject *step, Py_ssize_t size, accel_slice *out)
{
    Py_ssize_t by = 1;
    if (step != NULL && step != Py_None) {
        if (!IS_COMPACT_INT(step) || Py_SIZE(step) == 0) {
            return 0;
        }
        by = COMPACT_VALUE(step);
    }
    /* A bound clamped into the sequence: [0, size] going forward, [-1, size - 1]
     * going backward (-1: before the first item). */
    Py_ssize_t low = by < 0 ? -1 : 0, high = by < 0 ? size - 1 : size;
    Py_ssize_t first, last;
    if (!slice_bound(start, by < 0 ? high : low, size, low, high, &first)
        || !slice_bound(stop, by < 0 ? low : high, size, low, high, &last)) {
        return 0;
    }
    Py_ssize_t length = 0;
    if (by > 0 && first < last) {
        length = (last - first - 1) / by + 1;
    }
    else if (by < 0 && last < first) {
        length = (first - last - 1) / -by + 1;
    }
    out->start = first;
    out->step = by;
    out->length = length;
    return 1;
}

/* items[start], items[start + step], ... as a new list or tuple. */
static void
copy_items(PyObject **into, PyObject **items, const accel_slice *s)
{
    PyObject **from = items + s->start;
    for (Py_ssize_t i = 0; i < s->length; i++, from += s->step) {
        Py_INCREF(*from);
        into[i] = *from;
    }
}

PyObject *
accel_slice_inline(PyObject *container, PyObject *start, PyObject *stop, PyObject *step)
{
    accel_slice s;
    if (PyList_CheckExact(container)) {
        if (!simple_slice(start, stop, step, PyList_GET_SIZE(container), &s)) {
            return NULL;
        }
        PyObject *res = PyList_New(s.length);
        if (res != NULL) {
            copy_items(((PyListObject *)res)->ob_item, ((PyListObject *)container)->ob_item, &s);
        }
        return res;
    }
    if (PyTuple_CheckExact(container)) {
        Py_ssize_t size = PyTuple_GET_SIZE(container);
        if (!simple_slice(start, stop, step, size, &s)) {
            return NULL;
        }
        if (s.step == 1 && s.start == 0 && s.length == size) {
            Py_INCREF(container);  /* the whole tuple is the tuple itself */
            return container;
        }
        PyObject *res = PyTuple_New(s.length);
        if (res != NULL) {
            copy_items(((PyTupleObject *)res)->ob_item, ((PyTupleObject *)container)->ob_item, &s);
        }
        return res;
    }
    if (PyUnicode_CheckExact(container) && PyUnicode_IS_READY(container)) {
        if (!simple_slice(start, stop, step, PyUnicode_GET_LENGTH(container), &s) || s.step != 1
            || s.length <= 0) {
            return NULL;
        }
        return PyUnicode_Substring(container, s.start, s.start + s.length);
    }
    return NULL;
}

/* list[start:start + n] = fresh, where fresh is an exact list of n items that
 * nothing but the caller's reference holds (a slice or a display just made): the
 * items trade places, so no reference count changes for the new ones; then the
 * replaced items, now fresh's, are released last one first, as list_ass_slice
 * releases them, with fresh emptied beforehand as list.clear() does (their
 * finalizers may run any code). */
static void
exchange_items(PyListObject *list, Py_ssize_t start, PyListObject *fresh)
{
    Py_ssize_t n = Py_SIZE(fresh);
    PyObject **into = list->ob_item + start, **replaced = fresh->ob_item;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *old = into[i];
        into[i] = replaced[i];
        replaced[i] = old;
    }
    fresh->ob_item = NULL;
    fresh->allocated = 0;
    Py_SET_SIZE(fresh, 0);
    while (--n >= 0) {
        Py_DECREF(replaced[n]);
    }
    PyMem_Free(replaced);
}

int
accel_slice_assign_inline(PyObject *container, PyObject *start, PyObject *stop, PyObject *step, PyObject *value)
{
    accel_slice s;
    if (!PyList_CheckExact(container) || !simple_slice(start, stop, step, PyList_GET_SIZE(container), &s)
        || s.step != 1) {
        return 0;
    }
    if (PyList_CheckExact(value) && Py_REFCNT(value) == 1 && PyList_GET_SIZE(value) == s.length) {
        exchange_items((PyListObject *)container, s.start, (PyListObject *)value);
        return 1;
    }
    return PyList_SetSlice(container, s.start, s.start + s.length, value) < 0 ? -1 : 1;
}
