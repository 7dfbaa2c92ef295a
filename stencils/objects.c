/* Building and taking apart containers, membership, identity, slices, f-strings.
 *
 * Each stencil follows its TARGET in CPython 3.11's ceval.c: the same stack
 * effect, the same references, the same errors.  Where ceval.c calls a function
 * libpython does not export (_PyDict_FromItems, _PyList_AppendTakeRef,
 * _PyDict_SetItem_Take2), the stencil gets the same result from exported API. */
#include "stencil.h"
#include "internal/pycore_dict.h"

#define INLINE static inline __attribute__((always_inline))

STENCIL(BUILD_TUPLE)
{
    int n = OPARG;
    SYNC_INSTR();
    PyObject *tuple = PyTuple_New(n);
    if (tuple == NULL) {
        ERROR();
    }
    while (--n >= 0) {
        PyTuple_SET_ITEM(tuple, n, *--sp);
    }
    *sp++ = tuple;
    CONTINUE();
}

STENCIL(BUILD_LIST)
{
    int n = OPARG;
    SYNC_INSTR();
    PyObject *list = PyList_New(n);
    if (list == NULL) {
        ERROR();
    }
    while (--n >= 0) {
        PyList_SET_ITEM(list, n, *--sp);
    }
    *sp++ = list;
    CONTINUE();
}

/* Items are added bottom first; after a failure the rest are only released. */
STENCIL(BUILD_SET)
{
    int n = OPARG;
    SYNC_INSTR();
    PyObject *set = PySet_New(NULL);
    if (set == NULL) {
        ERROR();
    }
    int err = 0;
    for (int i = n; i > 0; i--) {
        PyObject *item = sp[-i];
        if (err == 0) {
            err = PySet_Add(set, item);
        }
        Py_DECREF(item);
    }
    sp -= n;
    if (err != 0) {
        Py_DECREF(set);
        ERROR();
    }
    *sp++ = set;
    CONTINUE();
}

/* [key1, value1, ... keyN, valueN] -> dict.  ceval.c uses _PyDict_FromItems,
 * which presizes the dict (with str-only keys when they all are) for more than
 * five items and otherwise inserts into PyDict_New().  _PyStack_AsDict is the
 * exported door to it; it wants the keys in a tuple and the values contiguous. */
STENCIL(BUILD_MAP)
{
    int n = OPARG;
    PyObject **base = sp - 2 * n;
    SYNC_INSTR();
    PyObject *map;
    if (n <= 5) {
        map = PyDict_New();
        if (map == NULL) {
            ERROR();
        }
        for (int i = 0; i < n; i++) {
            if (PyDict_SetItem(map, base[2 * i], base[2 * i + 1]) < 0) {
                Py_CLEAR(map);
                break;
            }
        }
        while (sp > base) {
            PyObject *item = *--sp;
            Py_DECREF(item);
        }
    }
    else {
        PyObject *keys = PyTuple_New(n);
        if (keys == NULL) {
            ERROR();
        }
        /* The tuple takes the keys' references; the values move down in place. */
        for (int i = 0; i < n; i++) {
            PyTuple_SET_ITEM(keys, i, base[2 * i]);
            base[i] = base[2 * i + 1];
        }
        map = _PyStack_AsDict(base, keys);
        for (int i = 0; i < n; i++) {
            Py_DECREF(base[i]);
        }
        Py_DECREF(keys);
        sp = base;
    }
    if (map == NULL) {
        ERROR();
    }
    *sp++ = map;
    CONTINUE();
}

/* [value1, ... valueN, keys] -> dict */
STENCIL(BUILD_CONST_KEY_MAP)
{
    int n = OPARG;
    PyObject *keys = sp[-1];
    if (!PyTuple_CheckExact(keys) || PyTuple_GET_SIZE(keys) != (Py_ssize_t)n) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    SYNC_INSTR();
    PyObject *map = _PyStack_AsDict(sp - 1 - n, keys);
    if (map == NULL) {
        ERROR();
    }
    Py_DECREF(keys);
    sp--;
    while (--n >= 0) {
        PyObject *value = *--sp;
        Py_DECREF(value);
    }
    *sp++ = map;
    CONTINUE();
}

/* The comprehension's list is oparg entries below the item. */
STENCIL(LIST_APPEND)
{
    PyObject *item = *--sp;
    PyListObject *list = (PyListObject *)sp[-OPARG];
    Py_ssize_t size = Py_SIZE(list);
    if (list->allocated > size) {
        PyList_SET_ITEM(list, size, item);
        Py_SET_SIZE(list, size + 1);
        CONTINUE();
    }
    SYNC_INSTR();
    int err = PyList_Append((PyObject *)list, item);
    Py_DECREF(item);
    if (err < 0) {
        ERROR();
    }
    CONTINUE();
}

STENCIL(SET_ADD)
{
    PyObject *item = *--sp;
    PyObject *set = sp[-OPARG];
    SYNC_INSTR();
    int err = PySet_Add(set, item);
    Py_DECREF(item);
    if (err != 0) {
        ERROR();
    }
    CONTINUE();
}

STENCIL(MAP_ADD)
{
    PyObject *value = sp[-1], *key = sp[-2];
    sp -= 2;
    PyObject *map = sp[-OPARG];
    SYNC_INSTR();
    int err = PyDict_SetItem(map, key, value);
    Py_DECREF(key);
    Py_DECREF(value);
    if (err != 0) {
        ERROR();
    }
    CONTINUE();
}

/* LIST_EXTEND's work: the iterable on top of the stack extends LIST, and is
 * popped.  The TypeError for a value that cannot be iterated is reworded by
 * ceval.c: that case (decided by the type alone, before anything runs) exits. */
#define EXTEND_LIST(LIST) do {                                                  \
    PyObject *iterable_ = sp[-1];                                               \
    if (Py_TYPE(iterable_)->tp_iter == NULL && !PySequence_Check(iterable_)) {  \
        EXIT(ACCEL_EXIT_RAISE);                                                 \
    }                                                                           \
    SYNC_INSTR();                                                               \
    PyObject *none_ = _PyList_Extend((PyListObject *)(LIST), iterable_);        \
    sp--;                                                                       \
    Py_DECREF(iterable_);                                                       \
    if (none_ == NULL) {                                                        \
        ERROR();                                                                \
    }                                                                           \
    Py_DECREF(none_);                                                           \
} while (0)

STENCIL(LIST_EXTEND)
{
    EXTEND_LIST(sp[-1 - OPARG]);
    CONTINUE();
}

STENCIL(SET_UPDATE)
{
    PyObject *iterable = sp[-1];
    PyObject *set = sp[-1 - OPARG];
    SYNC_INSTR();
    int err = _PySet_Update(set, iterable);
    sp--;
    Py_DECREF(iterable);
    if (err < 0) {
        ERROR();
    }
    CONTINUE();
}

STENCIL(DICT_UPDATE)
{
    PyObject *update = sp[-1];
    PyObject *dict = sp[-1 - OPARG];
    SYNC_INSTR();
    if (PyDict_Update(dict, update) < 0) {
        /* As ceval.c words it (inline there, not in a helper). */
        if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
            PyErr_Format(PyExc_TypeError, "'%.200s' object is not a mapping", Py_TYPE(update)->tp_name);
        }
        sp--;
        Py_DECREF(update);
        ERROR();
    }
    sp--;
    Py_DECREF(update);
    CONTINUE();
}

/* **kwargs of a call.  ceval.c words its errors in a static helper
 * (format_kwargs_error) after the merge has run, so only merges that cannot
 * fail that way, nor run Python code, are done here: a dict with str keys only,
 * none of them already present.  A repeated key exits (the interpreter raises);
 * other mappings exit before anything is done. */
INLINE int
str_keys_only(PyObject *dict)
{
    if (DK_IS_UNICODE(((PyDictObject *)dict)->ma_keys)) {
        return 1;
    }
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(dict, &pos, &key, &value)) {
        if (!PyUnicode_CheckExact(key)) {
            return 0;
        }
    }
    return 1;
}

STENCIL(DICT_MERGE)
{
    PyObject *update = sp[-1];
    PyObject *dict = sp[-1 - OPARG];
    if (!PyDict_CheckExact(update) || !PyDict_CheckExact(dict)
        || !str_keys_only(update) || !DK_IS_UNICODE(((PyDictObject *)dict)->ma_keys)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    if (PyDict_GET_SIZE(dict) != 0) {
        Py_ssize_t pos = 0;
        PyObject *key, *value;
        while (PyDict_Next(update, &pos, &key, &value)) {
            /* str keys in str-keyed dicts: no Python code runs, nothing fails. */
            if (PyDict_Contains(dict, key)) {
                EXIT(ACCEL_EXIT_RAISE);
            }
        }
    }
    SYNC_INSTR();
    int err = _PyDict_MergeEx(dict, update, 2);
    sp--;
    Py_DECREF(update);
    if (err < 0) {
        ERROR();
    }
    CONTINUE();
}

/* LIST_TO_TUPLE's work: the list on top of the stack becomes a tuple. */
#define LIST_TOP_TO_TUPLE() do {                 \
    PyObject *list_ = sp[-1];                    \
    PyObject *tuple_ = PyList_AsTuple(list_);    \
    Py_DECREF(list_);                            \
    if (tuple_ == NULL) {                        \
        sp--;                                    \
        ERROR();                                 \
    }                                            \
    sp[-1] = tuple_;                             \
} while (0)

STENCIL(LIST_TO_TUPLE)
{
    SYNC_INSTR();
    LIST_TOP_TO_TUPLE();
    CONTINUE();
}

/* LIST_EXTEND 1 and the LIST_TO_TUPLE after it, as `(a, *rest)` compiles: where
 * the list is exact and the stack holds its only reference (the BUILD_LIST before
 * made it), and the iterable is an exact list or tuple, the tuple is made at once,
 * the list's items moved into it and the iterable's copied; the emptied list dies
 * without touching them.  Anything else extends and converts as the two do. */
STENCIL(LIST_EXTEND__LIST_TO_TUPLE)
{
    PyObject *iterable = sp[-1];
    PyObject *list = sp[-2];
    PyTypeObject *type = Py_TYPE(iterable);
    if (PyList_CheckExact(list) && Py_REFCNT(list) == 1 && (type == &PyList_Type || type == &PyTuple_Type)) {
        Py_ssize_t head = PyList_GET_SIZE(list), tail = Py_SIZE(iterable);
        PyObject **items = type == &PyList_Type ? ((PyListObject *)iterable)->ob_item
                                                : ((PyTupleObject *)iterable)->ob_item;
        SYNC_INSTR();
        PyObject *tuple = PyTuple_New(head + tail);
        sp -= 2;
        if (UNLIKELY(tuple == NULL)) {
            sp++;  /* LIST_EXTEND failed: the list stays, the iterable is gone */
            Py_DECREF(iterable);
            ERROR();
        }
        PyObject **to = ((PyTupleObject *)tuple)->ob_item;
        PyObject **moved = ((PyListObject *)list)->ob_item;
        for (Py_ssize_t i = 0; i < head; i++) {
            to[i] = moved[i];
        }
        Py_SET_SIZE(list, 0);
        for (Py_ssize_t i = 0; i < tail; i++) {
            Py_INCREF(items[i]);
            to[head + i] = items[i];
        }
        Py_DECREF(list);  /* empty: no item of it dies here */
        Py_DECREF(iterable);  /* an exact list or tuple: no code runs (its items are the tuple's too) */
        *sp++ = tuple;
        CONTINUE();
    }
    EXTEND_LIST(list);
    LIST_TOP_TO_TUPLE();
    CONTINUE();
}

/* ceval.c's unpack_iterable: the items of v onto the stack below `top`, last
 * item lowest; with argcntafter >= 0, the rest of them in a list in between.
 * 1 on success; 0 with an exception set and nothing left on the stack. */
INLINE int
unpack_iterable(PyObject *v, int argcnt, int argcntafter, PyObject **top)
{
    int i = 0, j = 0;
    Py_ssize_t ll = 0;
    PyObject *it, *w, *l;
    PyObject **sp = top;

    it = PyObject_GetIter(v);
    if (it == NULL) {
        if (PyErr_ExceptionMatches(PyExc_TypeError) && Py_TYPE(v)->tp_iter == NULL && !PySequence_Check(v)) {
            PyErr_Format(PyExc_TypeError, "cannot unpack non-iterable %.200s object", Py_TYPE(v)->tp_name);
        }
        return 0;
    }
    for (; i < argcnt; i++) {
        w = PyIter_Next(it);
        if (w == NULL) {
            if (!PyErr_Occurred()) {
                if (argcntafter == -1) {
                    PyErr_Format(PyExc_ValueError, "not enough values to unpack (expected %d, got %d)",
                                 argcnt, i);
                }
                else {
                    PyErr_Format(PyExc_ValueError, "not enough values to unpack (expected at least %d, got %d)",
                                 argcnt + argcntafter, i);
                }
            }
            goto error;
        }
        *--sp = w;
    }
    if (argcntafter == -1) {
        w = PyIter_Next(it);
        if (w == NULL) {
            if (PyErr_Occurred()) {
                goto error;
            }
            Py_DECREF(it);
            return 1;
        }
        Py_DECREF(w);
        PyErr_Format(PyExc_ValueError, "too many values to unpack (expected %d)", argcnt);
        goto error;
    }
    l = PySequence_List(it);
    if (l == NULL) {
        goto error;
    }
    *--sp = l;
    i++;
    ll = PyList_GET_SIZE(l);
    if (ll < argcntafter) {
        PyErr_Format(PyExc_ValueError, "not enough values to unpack (expected at least %d, got %zd)",
                     argcnt + argcntafter, argcnt + ll);
        goto error;
    }
    for (j = argcntafter; j > 0; j--, i++) {
        *--sp = PyList_GET_ITEM(l, ll - j);
    }
    Py_SET_SIZE(l, ll - argcntafter);
    Py_DECREF(it);
    return 1;

error:
    for (; i > 0; i--, sp++) {
        Py_DECREF(*sp);
    }
    Py_XDECREF(it);
    return 0;
}

/* The n items of an exact tuple or list of n items, pushed last item lowest
 * (the stack's reference to the sequence is dropped by the caller). */
INLINE PyObject **
push_items(PyObject **sp, PyObject **items, int n)
{
    while (n--) {
        PyObject *item = items[n];
        Py_INCREF(item);
        *sp++ = item;
    }
    return sp;
}

/* Exact tuples and lists of the right length are taken apart here; anything
 * else is iterated, as the interpreter does.  The specialized forms below take
 * this path on a miss; THEN runs once the items are pushed. */
#define UNPACK_SEQUENCE_GENERIC(SEQ, N, THEN) do {                  \
    PyObject **items_ = NULL;                                        \
    if (PyTuple_CheckExact(SEQ) && PyTuple_GET_SIZE(SEQ) == (N)) {    \
        items_ = ((PyTupleObject *)(SEQ))->ob_item;                  \
    }                                                                \
    else if (PyList_CheckExact(SEQ) && PyList_GET_SIZE(SEQ) == (N)) { \
        items_ = ((PyListObject *)(SEQ))->ob_item;                   \
    }                                                                \
    if (items_ != NULL) {                                            \
        sp = push_items(sp - 1, items_, (N));                        \
        Py_DECREF(SEQ);                                              \
        THEN;                                                        \
        CONTINUE();                                                  \
    }                                                                \
    SYNC_INSTR();                                                    \
    sp--;                                                            \
    if (!unpack_iterable((SEQ), (N), -1, sp + (N))) {                \
        Py_DECREF(SEQ);                                              \
        ERROR();                                                     \
    }                                                                \
    sp += (N);                                                       \
    Py_DECREF(SEQ);                                                  \
    THEN;                                                            \
    CONTINUE();                                                      \
} while (0)

STENCIL(UNPACK_SEQUENCE)
{
    PyObject *seq = sp[-1];
    UNPACK_SEQUENCE_GENERIC(seq, OPARG, (void)0);
}

/* a, b = pair where type feedback says an exact 2-tuple: inline; anything else
 * takes the generic path. */
STENCIL(UNPACK_SEQUENCE_TWO_TUPLE)
{
    PyObject *seq = sp[-1];
    if (LIKELY(PyTuple_CheckExact(seq) && PyTuple_GET_SIZE(seq) == 2)) {
        PyObject *first = PyTuple_GET_ITEM(seq, 0), *second = PyTuple_GET_ITEM(seq, 1);
        Py_INCREF(first);
        Py_INCREF(second);
        sp[-1] = second;
        sp[0] = first;
        sp++;
        Py_DECREF(seq);
        CONTINUE();
    }
    UNPACK_SEQUENCE_GENERIC(seq, 2, (void)0);
}

/* An exact tuple of OPARG items expected; anything else takes the generic path. */
STENCIL(UNPACK_SEQUENCE_TUPLE)
{
    int n = OPARG;
    PyObject *seq = sp[-1];
    if (LIKELY(PyTuple_CheckExact(seq) && PyTuple_GET_SIZE(seq) == n)) {
        sp = push_items(sp - 1, ((PyTupleObject *)seq)->ob_item, n);
        Py_DECREF(seq);
        CONTINUE();
    }
    UNPACK_SEQUENCE_GENERIC(seq, n, (void)0);
}

/* An exact list of OPARG items expected; anything else takes the generic path. */
STENCIL(UNPACK_SEQUENCE_LIST)
{
    int n = OPARG;
    PyObject *seq = sp[-1];
    if (LIKELY(PyList_CheckExact(seq) && PyList_GET_SIZE(seq) == n)) {
        sp = push_items(sp - 1, ((PyListObject *)seq)->ob_item, n);
        Py_DECREF(seq);
        CONTINUE();
    }
    UNPACK_SEQUENCE_GENERIC(seq, n, (void)0);
}

/* The forms fused with the STORE_FAST of each item after them (a, b = pair;
 * for x, y in points): the operand holds the locals' indexes, a byte each, the
 * first store's lowest (accel/specializer/quicken.py).  The stores come one
 * code unit apart after the unpacking's inline cache. */
#define STORE_AT(K) (INSTR + 1 + INLINE_CACHE_ENTRIES_UNPACK_SEQUENCE + (K))
#define TARGET_LOCAL(TARGETS, K) ((int)(((TARGETS) >> (8 * (K))) & 0xff))

/* Stores K.. of items the unpacking pushed (item K on top), as the STORE_FASTs
 * do; a finalizer run by a release sees its own store as the instruction. */
#define STORE_PUSHED_ITEMS(K, N, TARGETS) do {                       \
    for (int store_ = (K); store_ < (N); store_++) {                 \
        int slot_index_ = TARGET_LOCAL((TARGETS), store_);           \
        PyObject *replaced_ = LOCAL(slot_index_);                    \
        LOCAL(slot_index_) = *--sp;                                  \
        frame->prev_instr = STORE_AT(store_);                        \
        Py_XDECREF(replaced_);                                       \
    }                                                                \
} while (0)

/* The items of an exact SEQ of N items straight into their locals, holding the
 * stack's reference to SEQ until the end.  Until a release could run a finalizer
 * nothing can tell this from the separate instructions; before the first that
 * could, their state is made good: the items not yet stored pushed and SEQ
 * released (so a finalizer may change or free it), and the rest is stored from
 * the stack. */
#define UNPACK_TO_LOCALS(SEQ, ITEMS, N) do {                         \
    uint64_t targets_ = OPERAND;                                     \
    PyObject **items_ = (ITEMS), **end_ = items_ + (N);              \
    for (; items_ < end_; items_++, targets_ >>= 8) {                \
        PyObject *item_ = *items_;                                   \
        PyObject **slot_ = &LOCAL(targets_ & 0xff);                  \
        PyObject *old_ = *slot_;                                     \
        Py_INCREF(item_);                                            \
        *slot_ = item_;                                              \
        if (old_ == NULL || LIKELY(--old_->ob_refcnt != 0)) {        \
            continue;                                                \
        }                                                            \
        old_->ob_refcnt = 1;  /* released below, once it is safe */  \
        int k_ = (int)(items_ - (ITEMS));                            \
        /* Opaque: clang would keep counters for this in the loop. */ \
        __asm__("" : "+r"(k_));                                      \
        sp = push_items(sp - 1, items_ + 1, (N) - k_ - 1);           \
        Py_DECREF(SEQ);                                              \
        frame->prev_instr = STORE_AT(k_);                            \
        Py_DECREF(old_);                                             \
        STORE_PUSHED_ITEMS(k_ + 1, (N), OPERAND);                    \
        CONTINUE();                                                  \
    }                                                                \
    sp--;                                                            \
    Py_DECREF(SEQ);                                                  \
    CONTINUE();                                                      \
} while (0)

/* ... with a pair, the most common (x, y = point; for k, v in pairs), unrolled. */
#define UNPACK_TO_LOCALS_PAIRS_UNROLLED(SEQ, ITEMS, N) do {          \
    if ((N) == 2) {                                                  \
        UNPACK_TO_LOCALS(SEQ, ITEMS, 2);                             \
    }                                                                \
    UNPACK_TO_LOCALS(SEQ, ITEMS, N);                                 \
} while (0)

STENCIL(UNPACK_SEQUENCE_TUPLE_TO_LOCALS)
{
    int n = OPARG;
    PyObject *seq = sp[-1];
    if (LIKELY(PyTuple_CheckExact(seq) && PyTuple_GET_SIZE(seq) == n)) {
        UNPACK_TO_LOCALS_PAIRS_UNROLLED(seq, ((PyTupleObject *)seq)->ob_item, n);
    }
    UNPACK_SEQUENCE_GENERIC(seq, n, STORE_PUSHED_ITEMS(0, n, OPERAND));
}

STENCIL(UNPACK_SEQUENCE_LIST_TO_LOCALS)
{
    int n = OPARG;
    PyObject *seq = sp[-1];
    if (LIKELY(PyList_CheckExact(seq) && PyList_GET_SIZE(seq) == n)) {
        UNPACK_TO_LOCALS_PAIRS_UNROLLED(seq, ((PyListObject *)seq)->ob_item, n);
    }
    UNPACK_SEQUENCE_GENERIC(seq, n, STORE_PUSHED_ITEMS(0, n, OPERAND));
}

/* a, *b, c = seq: the low byte counts the names before the star, the next the ones after.
 * An exact list or tuple is taken apart inline (native/containers.c), anything else
 * through its iterator. */
STENCIL(UNPACK_EX)
{
    int oparg = OPARG;
    int before = oparg & 0xFF, after = oparg >> 8;
    int total = 1 + before + after;
    PyObject *seq = *--sp;
    SYNC_INSTR();
    int done = accel_unpack_ex_inline(seq, before, after, sp + total);
    if (UNLIKELY(done < 0)) {
        Py_DECREF(seq);
        ERROR();
    }
    if (UNLIKELY(done == 0) && !unpack_iterable(seq, before, after, sp + total)) {
        Py_DECREF(seq);
        ERROR();
    }
    sp += total;
    Py_DECREF(seq);
    CONTINUE();
}

/* [start, stop] or [start, stop, step] -> slice */
STENCIL(BUILD_SLICE)
{
    PyObject *step = NULL;
    if (OPARG == 3) {
        step = *--sp;
    }
    PyObject *stop = *--sp;
    PyObject *start = sp[-1];
    SYNC_INSTR();
    PyObject *slice = PySlice_New(start, stop, step);
    Py_DECREF(start);
    Py_DECREF(stop);
    Py_XDECREF(step);
    if (slice == NULL) {
        sp--;
        ERROR();
    }
    sp[-1] = slice;
    CONTINUE();
}

STENCIL(DELETE_SUBSCR)
{
    PyObject *sub = sp[-1], *container = sp[-2];
    sp -= 2;
    SYNC_INSTR();
    /* `del items[i]`, an exact list and an index in range: what list_ass_item does
     * for it, without the dispatch; anything else (the IndexError too) generic. */
    int in_range = 0;
    Py_ssize_t at = 0;
    if (PyList_CheckExact(container) && IS_COMPACT_INT(sub)) {
        Py_ssize_t size = PyList_GET_SIZE(container);
        at = COMPACT_VALUE(sub);
        at += at < 0 ? size : 0;
        in_range = (size_t)at < (size_t)size;
    }
    int err = in_range ? PyList_SetSlice(container, at, at + 1, NULL) : PyObject_DelItem(container, sub);
    Py_DECREF(container);
    Py_DECREF(sub);
    if (err != 0) {
        ERROR();
    }
    CONTINUE();
}

/* `item in container`, as PySequence_Contains computes it, with the exact set
 * and dict asked directly (their sq_contains, minus the dispatch).  A set is
 * asked so for an exact int or str only: sq_contains retries a set item (a set
 * subclass's too) as a frozenset, and testing for one costs a walk of the
 * item's type's bases. */
static inline __attribute__((always_inline)) int
contains(PyObject *container, PyObject *item)
{
    PyTypeObject *type = Py_TYPE(container);
    if ((type == &PySet_Type || type == &PyFrozenSet_Type) && (PyLong_CheckExact(item) || PyUnicode_CheckExact(item))) {
        return PySet_Contains(container, item);
    }
    if (type == &PyDict_Type) {
        return PyDict_Contains(container, item);
    }
    return PySequence_Contains(container, item);
}

/* `left in right`; oparg 1 is `not in`. */
STENCIL(CONTAINS_OP)
{
    PyObject *right = sp[-1], *left = sp[-2];
    sp -= 2;
    SYNC_INSTR();
    int res = contains(right, left);
    Py_DECREF(left);
    Py_DECREF(right);
    if (res < 0) {
        ERROR();
    }
    PyObject *b = (res ^ OPARG) ? Py_True : Py_False;
    Py_INCREF(b);
    *sp++ = b;
    CONTINUE();
}

/* CONTAINS_OP and the conditional jump after it, fused (no bool in between):
 * OPARG is the result of `left in right` on which the jump is taken (the
 * specializer folds `not in` and the jump's sense into it); OPARG2 is 1 when
 * the jump goes backward (a loop), which checks the eval breaker. */
STENCIL(CONTAINS_OP_JUMP)
{
    PyObject *right = sp[-1], *left = sp[-2];
    if (OPARG2) {
        CHECK_EVAL_BREAKER();
    }
    SYNC_INSTR();
    int res = contains(right, left);
    Py_DECREF(left);
    Py_DECREF(right);
    sp -= 2;
    if (UNLIKELY(res < 0)) {
        ERROR();
    }
    if (res == OPARG) {
        JUMP();
    }
    CONTINUE();
}

/* `left is right`; oparg 1 is `is not`. */
STENCIL(IS_OP)
{
    PyObject *right = sp[-1], *left = sp[-2];
    int res = Py_Is(left, right) ^ OPARG;
    PyObject *b = res ? Py_True : Py_False;
    Py_INCREF(b);
    sp[-2] = b;
    sp--;
    Py_DECREF(left);
    Py_DECREF(right);
    CONTINUE();
}

/* Pushes len(TOS), leaving TOS (match statements). */
STENCIL(GET_LEN)
{
    SYNC_INSTR();
    Py_ssize_t len = PyObject_Length(sp[-1]);
    if (len < 0) {
        ERROR();
    }
    PyObject *res = PyLong_FromSsize_t(len);
    if (res == NULL) {
        ERROR();
    }
    *sp++ = res;
    CONTINUE();
}

/* The pieces of an f-string, joined: exact strs of one byte per character by
 * accel's own join (native/fstrings.c), anything else by the generic one. */
STENCIL(BUILD_STRING)
{
    int n = OPARG;
    SYNC_INSTR();
    PyObject *str;
    if (!accel_join_pieces(sp - n, n, &str)) {
        str = _PyUnicode_JoinArray(&_Py_STR(empty), sp - n, n);
    }
    if (str == NULL) {
        ERROR();
    }
    while (--n >= 0) {
        PyObject *item = *--sp;
        Py_DECREF(item);
    }
    *sp++ = str;
    CONTINUE();
}

/* [value] or [value, spec] -> the formatted value; oparg picks !s, !r, !a and says whether a spec is there. */
STENCIL(FORMAT_VALUE)
{
    int oparg = OPARG;
    if (oparg == FVC_NONE && PyUnicode_CheckExact(sp[-1])) {
        CONTINUE();  /* a str with no conversion and no spec is its own formatting */
    }
    int which_conversion = oparg & FVC_MASK;
    int have_fmt_spec = (oparg & FVS_MASK) == FVS_HAVE_SPEC;
    if (which_conversion != FVC_NONE && which_conversion != FVC_STR
        && which_conversion != FVC_REPR && which_conversion != FVC_ASCII) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    PyObject *fmt_spec = have_fmt_spec ? *--sp : NULL;
    PyObject *value = *--sp;
    PyObject *result;
    SYNC_INSTR();
    if (which_conversion != FVC_NONE) {
        /* Called, not taken as function pointers: their addresses would be
         * 32-bit values in the stencils' code model (stencils/toolchain.py). */
        result = which_conversion == FVC_STR ? PyObject_Str(value)
            : which_conversion == FVC_REPR ? PyObject_Repr(value)
            : PyObject_ASCII(value);
        Py_DECREF(value);
        if (result == NULL) {
            Py_XDECREF(fmt_spec);
            ERROR();
        }
        value = result;
    }
    if (PyUnicode_CheckExact(value) && fmt_spec == NULL) {
        result = value;
    }
    else {
        result = PyObject_Format(value, fmt_spec);
        Py_DECREF(value);
        Py_XDECREF(fmt_spec);
        if (result == NULL) {
            ERROR();
        }
    }
    *sp++ = result;
    CONTINUE();
}
