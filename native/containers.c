/* Slices of exact lists, tuples and strs without a slice object, for the stencils
 * of BUILD_SLICE fused with its subscript and SLICE_COPY (stencils/slices.c), and
 * starred unpacking of exact lists and tuples (UNPACK_EX, stencils/objects.c).
 * Functions, not inline code: element types and copy loops would make each copy
 * of the stencils kilobytes long. */
#include "runtime.h"

typedef struct {
    Py_ssize_t start, step, length;  /* the items start, start + step, ... (length of them) */
} accel_slice;

/* A slice's start or stop, present or None (`missing`): counted from the end if
 * negative and clamped into [low, high]. */
static Py_ssize_t
clamp_bound(int present, Py_ssize_t at, Py_ssize_t missing, Py_ssize_t size, Py_ssize_t low, Py_ssize_t high)
{
    if (!present) {
        return missing;
    }
    at += at < 0 ? size : 0;
    return at < low ? low : at > high ? high : at;
}

/* The items `[start:stop:by]` selects from a sequence of `size` items (a bound not
 * present is None), as PySlice_Unpack and PySlice_AdjustIndices work it out; by != 0. */
static void
adjust_slice(int has_start, Py_ssize_t start, int has_stop, Py_ssize_t stop, Py_ssize_t by, Py_ssize_t size,
             accel_slice *out)
{
    /* A bound clamped into the sequence: [0, size] going forward, [-1, size - 1]
     * going backward (-1: before the first item). */
    Py_ssize_t low = by < 0 ? -1 : 0, high = by < 0 ? size - 1 : size;
    Py_ssize_t first = clamp_bound(has_start, start, by < 0 ? high : low, size, low, high);
    Py_ssize_t last = clamp_bound(has_stop, stop, by < 0 ? low : high, size, low, high);
    Py_ssize_t length = 0;
    if (by > 0 && first < last) {
        length = by == 1 ? last - first : (last - first - 1) / by + 1;  /* (no division for the usual steps) */
    }
    else if (by < 0 && last < first) {
        length = by == -1 ? first - last : (first - last - 1) / -by + 1;
    }
    out->start = first;
    out->step = by;
    out->length = length;
}

/* A bound object as adjust_slice takes it: 0 if it is neither None nor an int of one digit. */
static int
raw_bound(PyObject *bound, int *present, Py_ssize_t *at)
{
    *present = bound != Py_None;
    if (!*present) {
        *at = 0;
        return 1;
    }
    if (!IS_COMPACT_INT(bound)) {
        return 0;
    }
    *at = COMPACT_VALUE(bound);
    return 1;
}

/* adjust_slice for bound and step objects; 0 if a part is not None or an int of one
 * digit, or the step is 0 (the generic path raises). */
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
    int has_start, has_stop;
    Py_ssize_t first, last;
    if (!raw_bound(start, &has_start, &first) || !raw_bound(stop, &has_stop, &last)) {
        return 0;
    }
    adjust_slice(has_start, first, has_stop, last, by, size, out);
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

/* SLICE_COPY moves up to this many items in place through a buffer on the C stack;
 * a longer copy, or one into a slice of another length, takes a list in between, as
 * the two subscripts it stands for do. */
#define COPY_BUFFER 64

/* The kinds of a SLICE_COPY bound, in its low two bits (accel/specializer/slice_copy.py). */
enum { BOUND_NONE, BOUND_CONST, BOUND_LOCAL, BOUND_LOCAL_PLUS };

/* One bound of SLICE_COPY, from its 16 bits: 0 if a local it reads is unbound, not
 * None or an int of one digit (or not such an int where a constant is added). */
static int
copy_bound(PyObject **locals, unsigned bits, int *present, Py_ssize_t *at)
{
    int kind = bits & 3;
    if (kind == BOUND_NONE || kind == BOUND_CONST) {
        *present = kind == BOUND_CONST;
        *at = (int16_t)bits >> 2;  /* a constant: the signed upper 14 bits */
        return 1;
    }
    PyObject *value = locals[(bits >> 2) & 0xff];
    if (value == NULL) {
        return 0;
    }
    if (kind == BOUND_LOCAL) {
        return raw_bound(value, present, at);
    }
    if (!IS_COMPACT_INT(value)) {
        return 0;
    }
    *present = 1;
    *at = COMPACT_VALUE(value) + ((int16_t)bits >> 10);  /* the addend: the signed upper 6 bits */
    return 1;
}

int
accel_slice_copy(PyObject **locals, int source_local, int target_local, uint64_t bounds, Py_ssize_t step)
{
    PyObject *source = locals[source_local], *target = locals[target_local];
    if (source == NULL || target == NULL || !PyList_CheckExact(source) || !PyList_CheckExact(target)) {
        return 0;
    }
    int present[4];
    Py_ssize_t at[4];
    for (int k = 0; k < 4; k++) {
        if (!copy_bound(locals, (unsigned)(bounds >> (16 * k)) & 0xFFFF, &present[k], &at[k])) {
            return 0;
        }
    }
    accel_slice from, to;
    adjust_slice(present[0], at[0], present[1], at[1], step, PyList_GET_SIZE(source), &from);
    adjust_slice(present[2], at[2], present[3], at[3], 1, PyList_GET_SIZE(target), &to);
    Py_ssize_t n = from.length;
    if (n == to.length && n <= COPY_BUFFER) {
        /* All the incoming items are taken before any slot changes (the lists may be
         * one), and the replaced ones released last one first, as list_ass_slice does. */
        PyObject *moving[COPY_BUFFER];
        PyObject **items = ((PyListObject *)source)->ob_item + from.start;
        for (Py_ssize_t i = 0; i < n; i++) {
            moving[i] = items[i * from.step];
            Py_INCREF(moving[i]);
        }
        PyObject **slots = ((PyListObject *)target)->ob_item + to.start;
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *old = slots[i];
            slots[i] = moving[i];
            moving[i] = old;
        }
        while (--n >= 0) {
            Py_DECREF(moving[n]);
        }
        return 1;
    }
    PyObject *fresh = PyList_New(n);
    if (fresh == NULL) {
        return -2;
    }
    copy_items(((PyListObject *)fresh)->ob_item, ((PyListObject *)source)->ob_item, &from);
    int err = 0;
    if (n == to.length) {
        exchange_items((PyListObject *)target, to.start, (PyListObject *)fresh);
    }
    else {
        err = PyList_SetSlice(target, to.start, to.start + to.length, fresh);
    }
    Py_DECREF(fresh);
    return err < 0 ? -1 : 1;
}

int
accel_unpack_ex_inline(PyObject *seq, int before, int after, PyObject **top)
{
    if (!PyList_CheckExact(seq) && !PyTuple_CheckExact(seq)) {
        return 0;
    }
    Py_ssize_t rest = Py_SIZE(seq) - before - after;
    if (rest < 0) {
        return 0;
    }
    PyObject *middle = PyList_New(rest);
    if (middle == NULL) {
        return -1;
    }
    /* The allocation may have collected garbage, whose finalizers may have changed
     * a list: its items are read from here on, as they are now. */
    if (Py_SIZE(seq) - before - after != rest) {
        Py_DECREF(middle);
        return 0;
    }
    PyObject **items = PyList_CheckExact(seq) ? ((PyListObject *)seq)->ob_item : ((PyTupleObject *)seq)->ob_item;
    PyObject **sp = top;
    for (int i = 0; i < before; i++) {
        Py_INCREF(items[i]);
        *--sp = items[i];
    }
    *--sp = middle;
    for (Py_ssize_t i = 0; i < rest; i++) {
        Py_INCREF(items[before + i]);
        ((PyListObject *)middle)->ob_item[i] = items[before + i];
    }
    for (int j = 0; j < after; j++) {
        PyObject *item = items[before + rest + j];
        Py_INCREF(item);
        *--sp = item;
    }
    return 1;
}
