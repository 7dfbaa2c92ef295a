/* Globals, attributes and methods through per-instruction inline caches
 * (native/inline_cache.h).  The fast path reads what the cache way of the
 * owner's type says is there, under the guards CPython 3.11's own
 * specializations use; anything else calls the miss function, which does the
 * generic work and refills the cache. */
#include "stencil.h"

#define CACHE ((accel_cache *)HOLE(_JIT_CACHE))

/* The operand is the name.  An undefined name exits: the interpreter raises
 * the NameError with its own message.  The miss path (accel_load_global,
 * native/caches.c) does the generic lookup and fills
 * the cache.  A dict's version tag is unique to its contents among all dicts
 * (PEP 509) and never 0, so the globals' version alone says the cache is
 * filled for this frame's globals, unchanged: one compare.  The globals are a
 * dict (a function's must be), and the cache is only filled from an exact one
 * (the miss path exits for a subclass, whose lookup may be overridden), so a
 * version that matches is that exact dict's; no type check is needed first.  A
 * name found there needs nothing of the builtins (their version kept as 0),
 * one found in the builtins needs them unchanged too (they may be any
 * mapping: checked first).  The hit pushes and goes on by itself, so that
 * only the miss, laid out cold, has a C call (one: accel_load_global), and the
 * stack frame that needs. */
#define LOAD_GLOBAL_THROUGH_CACHE(NAME, PURE)                                 \
    STENCIL(NAME)                                                             \
    {                                                                         \
        accel_cache *cache = CACHE;                                           \
        PyObject *globals = frame->f_globals, *builtins = frame->f_builtins;  \
        if (LIKELY(cache->global.globals_version == ((PyDictObject *)globals)->ma_version_tag)) { \
            uint64_t builtins_version = cache->global.builtins_version;      \
            if (LIKELY(builtins_version == 0                                  \
                       || (PyDict_CheckExact(builtins)                        \
                           && builtins_version == ((PyDictObject *)builtins)->ma_version_tag))) { \
                PyObject *value = cache->global.value;                        \
                if (OPARG & 1) {                                              \
                    *sp++ = NULL;                                             \
                }                                                             \
                Py_INCREF(value);                                             \
                *sp++ = value;                                                \
                CONTINUE();                                                   \
            }                                                                 \
        }                                                                     \
        PyObject *value = accel_load_global(globals, builtins, (PyObject *)OPERAND, cache, (PURE)); \
        if (UNLIKELY(value == ACCEL_GLOBAL_UNSUPPORTED)) {                    \
            EXIT(ACCEL_EXIT_UNSUPPORTED);                                     \
        }                                                                     \
        if (UNLIKELY(value == ACCEL_GLOBAL_UNDEFINED)) {                      \
            EXIT(ACCEL_EXIT_RAISE);                                           \
        }                                                                     \
        if (value == NULL) {                                                  \
            ERROR();                                                          \
        }                                                                     \
        /* (pushed as the hit does, but written otherwise: clang would merge  \
         * the two, and the hit would then need the miss's stack frame) */    \
        sp[0] = NULL;                                                         \
        sp[OPARG & 1] = value;                                                \
        sp += 1 + (OPARG & 1);                                                \
        CONTINUE_COLD();                                                      \
    }

LOAD_GLOBAL_THROUGH_CACHE(LOAD_GLOBAL_CACHED, 0)

/* In a loop whose locals are raw (accel/specializer/unbox.py), no Python code
 * may run and no exception may reach a handler before the locals are boxed: a
 * miss that would need either exits before anything changes (the pure miss
 * leaves no exception set). */
LOAD_GLOBAL_THROUGH_CACHE(LOAD_GLOBAL_PURE, 1)

/* A global that an int operation takes (a module's int constant): raw, with no
 * reference count (accel/specializer/unbox.py).  A value that is not an int
 * that fits a raw int, or a miss that the pure lookup cannot serve, exits
 * before anything: the interpreter loads it.  Never with the NULL of a call. */
STENCIL(LOAD_GLOBAL_CACHED_UNBOX_INT)
{
    accel_cache *cache = CACHE;
    PyObject *globals = frame->f_globals, *builtins = frame->f_builtins;
    if (LIKELY(cache->global.globals_version == ((PyDictObject *)globals)->ma_version_tag)) {  /* (as above) */
        uint64_t builtins_version = cache->global.builtins_version;
        if (LIKELY(builtins_version == 0
                   || (PyDict_CheckExact(builtins)
                       && builtins_version == ((PyDictObject *)builtins)->ma_version_tag))) {
            int64_t raw;
            if (UNLIKELY(!unbox_int(cache->global.value, &raw))) {
                EXIT(ACCEL_EXIT_GUARD_TYPE);
            }
            *sp++ = (PyObject *)raw;
            CONTINUE();
        }
    }
    if (UNLIKELY(!PyDict_CheckExact(globals) || !PyDict_CheckExact(builtins))) {
        EXIT(ACCEL_EXIT_UNSUPPORTED);
    }
    PyObject *value = accel_load_global_pure_miss(globals, builtins, (PyObject *)OPERAND, cache);
    if (value == NULL) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    int64_t raw;
    if (UNLIKELY(!unbox_int(value, &raw))) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    *sp++ = (PyObject *)raw;
    CONTINUE_COLD();
}

/* Where owner keeps the attribute, if the cache's first way is for owner's
 * type and says an instance value or a slot (most sites see one type), or
 * NULL: the usual path, kept short (a type version compare, the kind); the
 * others go out of line. */
static inline __attribute__((always_inline)) PyObject **
first_way_attribute(PyObject *owner, accel_cache *cache)
{
    accel_attr_way *way = &cache->ways[0];
    return LIKELY(way->version == Py_TYPE(owner)->tp_version_tag) ? accel_way_attribute(owner, way) : NULL;
}

/* Where owner keeps the attribute, for a load: as first_way_attribute, then
 * through the cache's other ways (a site that sees several classes, such as
 * a base class's method run on its subclasses' instances); no call either. */
static inline __attribute__((always_inline)) PyObject **
cached_attribute(PyObject *owner, accel_cache *cache)
{
    accel_attr_way *way = accel_cache_way(cache, Py_TYPE(owner));
    return way != NULL ? accel_way_attribute(owner, way) : NULL;
}

/* owner.name other than from an instance value or a slot (a class attribute,
 * a method, a descriptor, a module's global), or a miss, with prev_instr current (a
 * descriptor's __get__ may run Python code, or read the line): a new
 * reference, or NULL with an exception set.  A call (native/caches.c), so
 * that the usual path needs no stack frame. */
#define LOAD_OUT_OF_LINE(OWNER) (SYNC_INSTR(), accel_load_attr((OWNER), (PyObject *)OPERAND, CACHE, 0))

/* An error raised there: prev_instr already names this instruction, and is
 * read back rather than kept across the call in a register the call
 * preserves, which the stencil would save on entry, on the usual path too. */
#define ERROR_SYNCED() ERROR_AT(frame->prev_instr)

/* The owner's last reference goes out of line too: its release may run code. */
STENCIL(LOAD_ATTR_CACHED)
{
    PyObject *owner = sp[-1];
    PyObject **where = cached_attribute(owner, CACHE);
    PyObject *res;
    if (LIKELY(where != NULL && (res = *where) != NULL && Py_REFCNT(owner) > 1)) {
        Py_INCREF(res);
        owner->ob_refcnt--;  /* (not the last reference) */
        sp[-1] = res;
        CONTINUE();
    }
    SYNC_INSTR();
    res = accel_load_attr(owner, (PyObject *)OPERAND, CACHE, 1);  /* (the owner released) */
    if (UNLIKELY(res == NULL)) {
        sp--;
        ERROR_SYNCED();
    }
    sp[-1] = res;
    CONTINUE_COLD();
}

/* owner.name = value through the cache, value's reference consumed: 0, or -1
 * with an exception set.  An owner BORROWED from a local slot is held while
 * the generic path may run Python code (__setattr__, a descriptor's __set__),
 * as the value stack would hold it. */
static inline __attribute__((always_inline)) int
cached_store(PyObject *owner, PyObject *value, accel_cache *cache, int borrowed)
{
    accel_attr_way *way = accel_cache_way(cache, Py_TYPE(owner));
    PyObject **where = way != NULL ? accel_way_attribute(owner, way) : NULL;
    if (LIKELY(where != NULL)) {
        PyObject *old = *where;
        *where = value;
        if (old != NULL) {
            Py_DECREF(old);
        }
        else if (way->kind == ACCEL_ATTR_INSTANCE_VALUE) {
            /* A new instance value: it joins the dict's insertion order. */
            _PyDictValues_AddToInsertionOrder(*ACCEL_VALUES_POINTER(owner), way->index);
        }
        return 0;
    }
    if (borrowed) {
        Py_INCREF(owner);
    }
    int status = accel_store_attr_miss(owner, (PyObject *)OPERAND, value, cache);
    Py_DECREF(value);
    if (borrowed) {
        Py_DECREF(owner);
    }
    return status < 0 ? -1 : 0;
}

STENCIL(STORE_ATTR_CACHED)
{
    PyObject *owner = sp[-1], *value = sp[-2];
    sp -= 2;
    SYNC_INSTR();
    int status = cached_store(owner, value, CACHE, 0);
    Py_DECREF(owner);
    if (UNLIKELY(status < 0)) {
        ERROR();
    }
    CONTINUE();
}

/* Leaves [method, self] or [NULL, attribute], as CALL expects.  The usual
 * path, a method of the owner's class that the cache says no instance
 * attribute shadows, makes no call, so needs no stack frame; any other is one
 * call (accel_load_method, native/caches.c), which writes the two slots. */
STENCIL(LOAD_METHOD_CACHED)
{
    PyObject *owner = sp[-1];
    accel_attr_way *way = accel_cache_way(CACHE, Py_TYPE(owner));
    if (LIKELY(way != NULL && way->kind == ACCEL_ATTR_METHOD && accel_surely_not_shadowed(owner, way))) {
        PyObject *meth = way->value;
        Py_INCREF(meth);
        sp[-1] = meth;
        *sp++ = owner;
        CONTINUE();
    }
    SYNC_INSTR();
    if (UNLIKELY(accel_load_method(owner, (PyObject *)OPERAND, CACHE, sp - 1) < 0)) {
        ERROR_SYNCED();
    }
    sp++;
    CONTINUE_COLD();
}

/* Whether the first way's attribute, found empty, takes a store as it is: a
 * __slots__ member does (__init__'s first store), as its descriptor would
 * store it; an instance value must also join the dict's insertion order. */
static inline __attribute__((always_inline)) int
first_way_is_slot(accel_cache *cache)
{
    return cache->ways[0].kind == ACCEL_ATTR_SLOT;
}

STENCIL(LOAD_FAST__LOAD_ATTR_CACHED)
{
    PyObject *owner;
    BORROW_LOCAL(owner);
    PyObject **where = cached_attribute(owner, CACHE);
    PyObject *res;
    if (LIKELY(where != NULL && (res = *where) != NULL)) {
        Py_INCREF(res);
        *sp++ = res;
        CONTINUE();
    }
    res = LOAD_OUT_OF_LINE(owner);
    if (res == NULL) {
        ERROR_SYNCED();
    }
    *sp++ = res;
    CONTINUE_COLD();
}

/* ... and further with the conditional jump on the attribute (`if self.x:`,
 * `while node.next is not None:`): the value is borrowed too, from the slot
 * of the owner that the local keeps alive.  A truth test that may run Python
 * code (__bool__, __len__) holds a reference, and runs, as what it raises
 * does, at the jump's own unit (it has no cache entries: the unit before the
 * next instruction). */
#define JUMP_UNIT ((_Py_CODEUNIT *)HOLE(_JIT_RESUME_NEXT))

/* The truth of a value whose reference this consumes: 1, 0, or -1 with an
 * exception set. */
static inline __attribute__((always_inline)) int
jump_truth(_PyInterpreterFrame *frame, PyObject *value)
{
    frame->prev_instr = JUMP_UNIT;
    int truth = Py_IsTrue(value) ? 1 : Py_IsFalse(value) ? 0 : PyObject_IsTrue(value);
    Py_DECREF(value);
    return truth;
}

/* The usual path (a None test, or a bool) decides and jumps by itself, so that
 * clang lays it out first and everything else goes out of line. */
#define LOAD_ATTR_JUMP_IF(NAME, NONE_TEST, JUMP_WHEN)               \
    STENCIL(NAME)                                                   \
    {                                                               \
        PyObject *owner;                                            \
        BORROW_LOCAL(owner);                                        \
        PyObject **where = cached_attribute(owner, CACHE);       \
        PyObject *value = where != NULL ? *where : NULL;            \
        if (LIKELY(value != NULL && ((NONE_TEST) || Py_IsTrue(value) || Py_IsFalse(value)))) { \
            if ((NONE_TEST ? Py_IsNone(value) : Py_IsTrue(value)) == (JUMP_WHEN)) { \
                JUMP();                                             \
            }                                                       \
            CONTINUE();                                             \
        }                                                           \
        if (value != NULL) {                                        \
            Py_INCREF(value);                                       \
        }                                                           \
        else {                                                      \
            value = LOAD_OUT_OF_LINE(owner);        \
            if (value == NULL) {                                    \
                ERROR();                                            \
            }                                                       \
        }                                                           \
        int truth;                                                  \
        if (NONE_TEST) {                                            \
            truth = Py_IsNone(value);                               \
            frame->prev_instr = JUMP_UNIT;                          \
            Py_DECREF(value);                                       \
        }                                                           \
        else {                                                      \
            truth = jump_truth(frame, value);                       \
        }                                                           \
        if (truth < 0) {                                            \
            ERROR_AT(JUMP_UNIT);                                    \
        }                                                           \
        if (truth == (JUMP_WHEN)) {                                 \
            JUMP();                                                 \
        }                                                           \
        CONTINUE();                                                 \
    }

LOAD_ATTR_JUMP_IF(LOAD_FAST__LOAD_ATTR_CACHED__POP_JUMP_FORWARD_IF_TRUE, 0, 1)
LOAD_ATTR_JUMP_IF(LOAD_FAST__LOAD_ATTR_CACHED__POP_JUMP_FORWARD_IF_FALSE, 0, 0)
LOAD_ATTR_JUMP_IF(LOAD_FAST__LOAD_ATTR_CACHED__POP_JUMP_FORWARD_IF_NONE, 1, 1)
LOAD_ATTR_JUMP_IF(LOAD_FAST__LOAD_ATTR_CACHED__POP_JUMP_FORWARD_IF_NOT_NONE, 1, 0)

/* [value] -> []: local.name = value. */
STENCIL(LOAD_FAST__STORE_ATTR_CACHED)
{
    PyObject *owner;
    BORROW_LOCAL(owner);
    PyObject *value = *--sp;
    PyObject **where = first_way_attribute(owner, CACHE);
    PyObject *old;
    if (LIKELY(where != NULL && (old = *where) != NULL)) {
        *where = value;
        DECREF_AT_INSTR(old);
        CONTINUE();
    }
    if (where != NULL && first_way_is_slot(CACHE)) {
        *where = value;
        CONTINUE();
    }
    SYNC_INSTR();
    if (cached_store(owner, value, CACHE, 1) < 0) {
        ERROR();
    }
    CONTINUE();
}

/* ---- float attributes kept raw (accel/specializer/unbox.py) ---- */

/* A float attribute, for a float operation: raw, with no reference count
 * changed, where the cache's first way serves the owner (the usual path, kept
 * short; the rest goes on cold).  Through another way, or where the
 * attribute is not a float, the load the plain form does (a class attribute,
 * a module's global, a property...), out of line; a float from it is unboxed,
 * anything else pushed as the object it is, and the interpreter goes on after
 * the load (a site that keeps doing that is compiled again with the load apart
 * from the operation's unboxing). */
#define PUSH_UNBOXED_OR_EXIT_AFTER(RES) do {                    \
    PyObject *res_ = (RES);                                     \
    if (LIKELY(IS_UNBOXABLE_FLOAT(res_))) {                     \
        *sp++ = as_slot(FLOAT_VALUE(res_));                     \
        Py_DECREF(res_);                                        \
        CONTINUE_COLD();                                        \
    }                                                           \
    *sp++ = res_;                                               \
    EXIT_AFTER(ACCEL_EXIT_GUARD_TYPE);                          \
} while (0)

/* The out-of-line path of the forms that push owner.name raw: one call
 * (native/caches.c), which pushes a float raw, or anything else as the object
 * it is, and then the interpreter goes on after the load. */
#define PUSH_UNBOXED_OUT_OF_LINE(OWNER) do {                                    \
    SYNC_INSTR();                                                               \
    int unboxed_ = accel_load_attr_unboxed((OWNER), (PyObject *)OPERAND, CACHE, sp); \
    if (unboxed_ < 0) {                                                         \
        ERROR_SYNCED();                                                         \
    }                                                                           \
    sp++;                                                                       \
    if (!unboxed_) {                                                            \
        EXIT_AFTER(ACCEL_EXIT_GUARD_TYPE);                                      \
    }                                                                           \
    CONTINUE_COLD();                                                            \
} while (0)

/* [owner] -> [x raw] */
STENCIL(LOAD_ATTR_CACHED_UNBOX_FLOAT)
{
    PyObject *owner = sp[-1];
    PyObject **where = cached_attribute(owner, CACHE);
    PyObject *value;
    if (LIKELY(where != NULL && (value = *where) != NULL && IS_UNBOXABLE_FLOAT(value))) {
        sp[-1] = as_slot(FLOAT_VALUE(value));
        DECREF_AT_INSTR(owner);
        CONTINUE();
    }
    PyObject *res = LOAD_OUT_OF_LINE(owner);
    sp--;
    Py_DECREF(owner);
    if (res == NULL) {
        ERROR();
    }
    PUSH_UNBOXED_OR_EXIT_AFTER(res);
}

/* [] -> [x raw], the owner borrowed from local OPARG. */
STENCIL(LOAD_FAST__LOAD_ATTR_CACHED_UNBOX_FLOAT)
{
    PyObject *owner;
    BORROW_LOCAL(owner);
    PyObject **where = cached_attribute(owner, CACHE);
    PyObject *value;
    if (LIKELY(where != NULL && (value = *where) != NULL && IS_UNBOXABLE_FLOAT(value))) {
        *sp++ = as_slot(FLOAT_VALUE(value));
        CONTINUE();
    }
    PUSH_UNBOXED_OUT_OF_LINE(owner);
}

/* owner.name = a raw float: into the attribute the first way finds set
 * (store_float_member); else a new float, stored as STORE_ATTR would.  0, or
 * -1 with an exception set. */
static inline __attribute__((always_inline)) int
store_raw_float(_PyInterpreterFrame *frame, PyObject *owner, double value, int borrowed)
{
    PyObject **where = first_way_attribute(owner, CACHE);
    if (LIKELY(where != NULL && *where != NULL)) {
        return store_float_member(frame, where, value);
    }
    PyObject *boxed = PyFloat_FromDouble(value);
    if (boxed == NULL) {
        return -1;
    }
    if (where != NULL && first_way_is_slot(CACHE)) {
        *where = boxed;
        return 0;
    }
    SYNC_INSTR();
    return cached_store(owner, boxed, CACHE, borrowed);
}

/* OWNER and VALUE: their stack slots. */
#define STORE_ATTR_BOX_FLOAT(NAME, OWNER, VALUE)                \
    STENCIL(NAME)                                               \
    {                                                           \
        PyObject *owner = sp[OWNER];                            \
        double value = raw_float(sp[VALUE]);                    \
        sp -= 2;                                                \
        int status = store_raw_float(frame, owner, value, 0);   \
        DECREF_AT_INSTR(owner);                                 \
        if (UNLIKELY(status < 0)) {                             \
            ERROR();                                            \
        }                                                       \
        CONTINUE();                                             \
    }

/* [x raw, owner] -> [] */
STORE_ATTR_BOX_FLOAT(STORE_ATTR_CACHED_BOX_FLOAT, -1, -2)
/* [owner, x raw] -> []: the end of `owner.name op= x` (SWAP 2 folded in). */
STORE_ATTR_BOX_FLOAT(STORE_ATTR_CACHED_SWAPPED_BOX_FLOAT, -2, -1)

/* [x raw] -> [], the owner borrowed from local OPARG. */
STENCIL(LOAD_FAST__STORE_ATTR_CACHED_BOX_FLOAT)
{
    PyObject *owner;
    BORROW_LOCAL(owner);
    double value = raw_float(*--sp);
    if (UNLIKELY(store_raw_float(frame, owner, value, 1) < 0)) {
        ERROR();
    }
    CONTINUE();
}

/* [] -> [owner, x raw]: the start of `local.name op= x`, the owner from local
 * OPARG pushed for the store at its end (LOAD_FAST, COPY 1, the raw load). */
STENCIL(LOAD_FAST__COPY__LOAD_ATTR_CACHED_UNBOX_FLOAT)
{
    PyObject *owner;
    BORROW_LOCAL(owner);
    Py_INCREF(owner);
    *sp++ = owner;
    PyObject **where = cached_attribute(owner, CACHE);
    PyObject *value;
    if (LIKELY(where != NULL && (value = *where) != NULL && IS_UNBOXABLE_FLOAT(value))) {
        *sp++ = as_slot(FLOAT_VALUE(value));
        CONTINUE();
    }
    PUSH_UNBOXED_OUT_OF_LINE(owner);  /* (the stack holds the owner while code may run) */
}

/* ---- the same, where locals are raw (accel/specializer/unbox.py) ----
 *
 * No Python code may run while the frame's locals hold raw values (nothing
 * may look at them): these forms read and write an attribute the cache's first
 * way serves (a __slots__ member, an instance value), and exit before the
 * instruction for anything else, nothing done, for the interpreter to run it
 * (with the locals boxed).  A miss fills the cache where that runs no code. */

/* Push owner.name raw, by PUSH(its bits), where the cache's first way serves
 * the owner and finds a float a raw slot can hold: the usual path, with no
 * call.  OWNER_REFS: what the push does to the owner's reference count (it
 * pushes the owner too, or releases it from the stack).  Otherwise one call
 * (accel_load_raw_float_pure, native/caches.c), which does that too,
 * fills the cache where that runs no code (the site's first run, above all)
 * and reads the float, or says there is none to read: exit before the
 * instruction. */
#define PUSH_RAW_FLOAT_PURE(OWNER, OWNER_REFS, PUSH) do {                      \
    PyObject **where_ = first_way_attribute((OWNER), CACHE);                   \
    PyObject *value_;                                                          \
    if (LIKELY(where_ != NULL && (value_ = *where_) != NULL && IS_UNBOXABLE_FLOAT(value_))) { \
        (OWNER)->ob_refcnt += (OWNER_REFS);                                    \
        PUSH(as_slot(FLOAT_VALUE(value_)));                                    \
        CONTINUE();                                                            \
    }                                                                          \
    uint64_t bits_ = accel_load_raw_float_pure((OWNER), (PyObject *)OPERAND, CACHE, (OWNER_REFS)); \
    if (bits_ == RAW_FLOAT_UNBOUND) {                                          \
        EXIT(ACCEL_EXIT_GUARD_TYPE);                                           \
    }                                                                          \
    PUSH((PyObject *)bits_);                                                   \
    CONTINUE_COLD();                                                           \
} while (0)

/* [] -> [x raw], the owner borrowed from local OPARG. */
#define PUSH_ONE(RAW) (*sp++ = (RAW))
STENCIL(LOAD_FAST__LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE)
{
    PyObject *owner;
    BORROW_LOCAL(owner);
    PUSH_RAW_FLOAT_PURE(owner, 0, PUSH_ONE);
}

/* [] -> [x raw, x raw]: `local.name * local.name`, read once (nothing can run
 * between the two reads, accel/specializer/borrow.py). */
#define PUSH_TWICE(RAW) (sp[0] = sp[1] = (RAW), sp += 2)
STENCIL(LOAD_FAST__LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE_TWICE)
{
    PyObject *owner;
    BORROW_LOCAL(owner);
    PUSH_RAW_FLOAT_PURE(owner, 0, PUSH_TWICE);
}

/* [owner] -> [x raw].  The owner's last reference exits too: its
 * deallocation could run code. */
#define REPLACE_OWNER(RAW) (sp[-1] = (RAW))
STENCIL(LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE)
{
    PyObject *owner = sp[-1];
    if (UNLIKELY(Py_REFCNT(owner) == 1)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    PUSH_RAW_FLOAT_PURE(owner, -1, REPLACE_OWNER);  /* (not the last reference) */
}

/* [] -> [owner, x raw]: the start of `local.name op= x`. */
#define PUSH_AFTER_OWNER(RAW) (sp[1] = (RAW), sp += 2)
STENCIL(LOAD_FAST__COPY__LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE)
{
    PyObject *owner;
    BORROW_LOCAL(owner);
    sp[0] = owner;  /* (first: then the owner needs no register across the call; above the stack until the push) */
    PUSH_RAW_FLOAT_PURE(owner, 1, PUSH_AFTER_OWNER);
}

/* owner.name = a raw float where the cache's first way serves the owner and
 * the attribute holds an exact float that only it holds: written in place
 * (nothing else sees it change), with no call.  Anything else is one call
 * (accel_store_raw_float_pure, native/caches.c), which stores where that runs
 * no code, and otherwise leaves it to the interpreter: nothing done, exit
 * before the instruction.  RELEASE: the stencil's own release of the owner. */
#define STORE_RAW_FLOAT_PURE(OWNER, VALUE, CONSUME, RELEASE, POPPED) do {       \
    double value_ = (VALUE);                                                   \
    PyObject **where_ = first_way_attribute((OWNER), CACHE);                   \
    PyObject *old_;                                                            \
    if (LIKELY(where_ != NULL && (old_ = *where_) != NULL                      \
               && PyFloat_CheckExact(old_) && Py_REFCNT(old_) == 1)) {         \
        FLOAT_VALUE(old_) = value_;                                            \
        RELEASE;                                                               \
        sp -= (POPPED);                                                        \
        CONTINUE();                                                            \
    }                                                                          \
    if (!accel_store_raw_float_pure((OWNER), (PyObject *)OPERAND, CACHE, value_, (CONSUME))) { \
        EXIT(ACCEL_EXIT_GUARD_TYPE);                                           \
    }                                                                          \
    sp -= (POPPED);                                                            \
    CONTINUE_COLD();                                                           \
} while (0)

/* OWNER and VALUE: their stack slots.  The owner's last reference exits (its
 * deallocation could run code); any other is released on the way. */
#define STORE_ATTR_BOX_FLOAT_PURE(NAME, OWNER, VALUE)                           \
    STENCIL(NAME)                                                               \
    {                                                                           \
        PyObject *owner = sp[OWNER];                                            \
        if (UNLIKELY(Py_REFCNT(owner) == 1)) {                                  \
            EXIT(ACCEL_EXIT_GUARD_TYPE);                                        \
        }                                                                       \
        STORE_RAW_FLOAT_PURE(owner, raw_float(sp[VALUE]), 1, owner->ob_refcnt--, 2); \
    }

/* [x raw, owner] -> [] */
STORE_ATTR_BOX_FLOAT_PURE(STORE_ATTR_CACHED_BOX_FLOAT_PURE, -1, -2)
/* [owner, x raw] -> []: the end of `owner.name op= x` (SWAP 2 folded in). */
STORE_ATTR_BOX_FLOAT_PURE(STORE_ATTR_CACHED_SWAPPED_BOX_FLOAT_PURE, -2, -1)

/* [x raw] -> [], the owner borrowed from local OPARG. */
STENCIL(LOAD_FAST__STORE_ATTR_CACHED_BOX_FLOAT_PURE)
{
    PyObject *owner;
    BORROW_LOCAL(owner);
    STORE_RAW_FLOAT_PURE(owner, raw_float(sp[-1]), 0, (void)0, 1);
}
