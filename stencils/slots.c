/* __slots__ members at an offset known when compiling: the forms of
 * stencils/cached.c's attribute accesses for a site that CPython's adaptive
 * interpreter specialized as LOAD_ATTR_SLOT or STORE_ATTR_SLOT
 * (accel/specializer/slots.py).  They read no inline cache: the owner's type
 * version tag is compared with the one CPython recorded (OPARG2), and the
 * member is at the byte offset it recorded (OPERAND).  A version tag is never
 * reused, and any change to the class (or its bases, or its MRO) gives it a
 * new one, so the tag alone says the member descriptor at that offset is still
 * the attribute's, as CPython's own LOAD_ATTR_SLOT assumes.  Anything else (a
 * subclass, an empty member, a value that is not a float where a float
 * operation takes it) exits before the instruction, nothing done, for the
 * interpreter to run it; once a site keeps exiting, the code is compiled again
 * with every access in its cached form (accel/specializer/slots.py). */
#include "stencil.h"

#define SLOT_VERSION ((unsigned int)HOLE32(_JIT_OPARG2))
#define SLOT_OFFSET ((uintptr_t)HOLE32(_JIT_OPERAND))

/* Where owner keeps the member, if owner is of the type CPython specialized
 * the site for; else NULL. */
static inline __attribute__((always_inline)) PyObject **
slot_of(PyObject *owner)
{
    return LIKELY(Py_TYPE(owner)->tp_version_tag == SLOT_VERSION) ? (PyObject **)((char *)owner + SLOT_OFFSET) : NULL;
}

/* The forms that borrow their owner from a local come in two kinds: CHECKED
 * (BORROW_LOCAL, stencil.h, then the type check); and KNOWN_OWNER, where an
 * earlier slot form on the same local checked its owner's type against the
 * same version tag, and nothing since can have run code, rebound the local or
 * changed a class (accel/specializer/slots.py): the local is bound, and the
 * member is at its offset. */
#define CHECKED_OWNER(OWNER) BORROW_LOCAL(OWNER)
#define CHECKED_MEMBER(OWNER) slot_of(OWNER)
#define KNOWN_OWNER(OWNER) ((OWNER) = LOCAL(OPARG))
#define KNOWN_MEMBER(OWNER) ((PyObject **)((char *)(OWNER) + SLOT_OFFSET))

/* The float a member holds, if it holds one a raw slot can take; else NULL. */
static inline __attribute__((always_inline)) PyObject *
member_float(PyObject **where)
{
    PyObject *value = where != NULL ? *where : NULL;
    return LIKELY(value != NULL && IS_UNBOXABLE_FLOAT(value)) ? value : NULL;
}

/* ---- objects ---- */

/* [] -> [value], the owner borrowed from local OPARG. */
#define LOAD_ATTR_SLOT(NAME, OWNER, MEMBER)                     \
    STENCIL(NAME)                                               \
    {                                                           \
        PyObject *owner;                                        \
        OWNER(owner);                                           \
        PyObject **where = MEMBER(owner);                       \
        PyObject *value;                                        \
        if (LIKELY(where != NULL && (value = *where) != NULL)) { \
            Py_INCREF(value);                                   \
            *sp++ = value;                                      \
            CONTINUE();                                         \
        }                                                       \
        EXIT(ACCEL_EXIT_GUARD_TYPE);                            \
    }

LOAD_ATTR_SLOT(LOAD_FAST__LOAD_ATTR_SLOT, CHECKED_OWNER, CHECKED_MEMBER)
LOAD_ATTR_SLOT(LOAD_FAST__LOAD_ATTR_SLOT_KNOWN_OWNER, KNOWN_OWNER, KNOWN_MEMBER)

/* [value] -> []: local.name = value.  The old value's release may run code (a
 * finalizer), at this instruction. */
#define STORE_ATTR_SLOT(NAME, OWNER, MEMBER)                    \
    STENCIL(NAME)                                               \
    {                                                           \
        PyObject *owner;                                        \
        OWNER(owner);                                           \
        PyObject **where = MEMBER(owner);                       \
        if (UNLIKELY(where == NULL)) {                          \
            EXIT(ACCEL_EXIT_GUARD_TYPE);                        \
        }                                                       \
        PyObject *old = *where;                                 \
        *where = *--sp;                                         \
        if (old != NULL) {                                      \
            DECREF_AT_INSTR(old);                               \
        }                                                       \
        CONTINUE();                                             \
    }

STORE_ATTR_SLOT(LOAD_FAST__STORE_ATTR_SLOT, CHECKED_OWNER, CHECKED_MEMBER)
STORE_ATTR_SLOT(LOAD_FAST__STORE_ATTR_SLOT_KNOWN_OWNER, KNOWN_OWNER, KNOWN_MEMBER)

/* ---- floats kept raw (accel/specializer/unbox.py) ---- */

/* [] -> [x raw], the owner borrowed from local OPARG; and, where locals are
 * raw (PURE), the same: a load runs no code either way. */
#define LOAD_ATTR_SLOT_UNBOX_FLOAT(NAME, OWNER, MEMBER)         \
    STENCIL(NAME)                                               \
    {                                                           \
        PyObject *owner;                                        \
        OWNER(owner);                                           \
        PyObject *value = member_float(MEMBER(owner));          \
        if (LIKELY(value != NULL)) {                            \
            *sp++ = as_slot(FLOAT_VALUE(value));                \
            CONTINUE();                                         \
        }                                                       \
        EXIT(ACCEL_EXIT_GUARD_TYPE);                            \
    }

LOAD_ATTR_SLOT_UNBOX_FLOAT(LOAD_FAST__LOAD_ATTR_SLOT_UNBOX_FLOAT, CHECKED_OWNER, CHECKED_MEMBER)
LOAD_ATTR_SLOT_UNBOX_FLOAT(LOAD_FAST__LOAD_ATTR_SLOT_UNBOX_FLOAT_KNOWN_OWNER, KNOWN_OWNER, KNOWN_MEMBER)
LOAD_ATTR_SLOT_UNBOX_FLOAT(LOAD_FAST__LOAD_ATTR_SLOT_UNBOX_FLOAT_PURE, CHECKED_OWNER, CHECKED_MEMBER)
LOAD_ATTR_SLOT_UNBOX_FLOAT(LOAD_FAST__LOAD_ATTR_SLOT_UNBOX_FLOAT_PURE_KNOWN_OWNER, KNOWN_OWNER, KNOWN_MEMBER)

/* [] -> [x raw, x raw]: `local.name * local.name`, read once (nothing can run
 * between the two reads, accel/specializer/borrow.py); where locals are raw. */
#define LOAD_ATTR_SLOT_UNBOX_FLOAT_TWICE(NAME, OWNER, MEMBER)   \
    STENCIL(NAME)                                               \
    {                                                           \
        PyObject *owner;                                        \
        OWNER(owner);                                           \
        PyObject *value = member_float(MEMBER(owner));          \
        if (LIKELY(value != NULL)) {                            \
            sp[0] = sp[1] = as_slot(FLOAT_VALUE(value));        \
            sp += 2;                                            \
            CONTINUE();                                         \
        }                                                       \
        EXIT(ACCEL_EXIT_GUARD_TYPE);                            \
    }

LOAD_ATTR_SLOT_UNBOX_FLOAT_TWICE(LOAD_FAST__LOAD_ATTR_SLOT_UNBOX_FLOAT_PURE_TWICE, CHECKED_OWNER, CHECKED_MEMBER)
LOAD_ATTR_SLOT_UNBOX_FLOAT_TWICE(LOAD_FAST__LOAD_ATTR_SLOT_UNBOX_FLOAT_PURE_TWICE_KNOWN_OWNER, KNOWN_OWNER,
                                 KNOWN_MEMBER)

/* [] -> [owner, x raw]: the start of `local.name op= x`, the owner from local
 * OPARG pushed for the store at its end (LOAD_FAST, COPY 1, the raw load);
 * the same where locals are raw. */
#define COPY_LOAD_ATTR_SLOT_UNBOX_FLOAT(NAME, OWNER, MEMBER)    \
    STENCIL(NAME)                                               \
    {                                                           \
        PyObject *owner;                                        \
        OWNER(owner);                                           \
        PyObject *value = member_float(MEMBER(owner));          \
        if (LIKELY(value != NULL)) {                            \
            Py_INCREF(owner);                                   \
            sp[0] = owner;                                      \
            sp[1] = as_slot(FLOAT_VALUE(value));                \
            sp += 2;                                            \
            CONTINUE();                                         \
        }                                                       \
        EXIT(ACCEL_EXIT_GUARD_TYPE);                            \
    }

COPY_LOAD_ATTR_SLOT_UNBOX_FLOAT(LOAD_FAST__COPY__LOAD_ATTR_SLOT_UNBOX_FLOAT, CHECKED_OWNER, CHECKED_MEMBER)
COPY_LOAD_ATTR_SLOT_UNBOX_FLOAT(LOAD_FAST__COPY__LOAD_ATTR_SLOT_UNBOX_FLOAT_KNOWN_OWNER, KNOWN_OWNER, KNOWN_MEMBER)
COPY_LOAD_ATTR_SLOT_UNBOX_FLOAT(LOAD_FAST__COPY__LOAD_ATTR_SLOT_UNBOX_FLOAT_PURE, CHECKED_OWNER, CHECKED_MEMBER)
COPY_LOAD_ATTR_SLOT_UNBOX_FLOAT(LOAD_FAST__COPY__LOAD_ATTR_SLOT_UNBOX_FLOAT_PURE_KNOWN_OWNER, KNOWN_OWNER,
                                KNOWN_MEMBER)

/* [x raw] -> [], the owner borrowed from local OPARG. */
#define STORE_ATTR_SLOT_BOX_FLOAT_FROM_LOCAL(NAME, OWNER, MEMBER) \
    STENCIL(NAME)                                               \
    {                                                           \
        PyObject *owner;                                        \
        OWNER(owner);                                           \
        PyObject **where = MEMBER(owner);                       \
        if (UNLIKELY(where == NULL)) {                          \
            EXIT(ACCEL_EXIT_GUARD_TYPE);                        \
        }                                                       \
        double value = raw_float(*--sp);                        \
        if (UNLIKELY(store_float_member(frame, where, value) < 0)) { \
            ERROR();                                            \
        }                                                       \
        CONTINUE();                                             \
    }

STORE_ATTR_SLOT_BOX_FLOAT_FROM_LOCAL(LOAD_FAST__STORE_ATTR_SLOT_BOX_FLOAT, CHECKED_OWNER, CHECKED_MEMBER)
STORE_ATTR_SLOT_BOX_FLOAT_FROM_LOCAL(LOAD_FAST__STORE_ATTR_SLOT_BOX_FLOAT_KNOWN_OWNER, KNOWN_OWNER, KNOWN_MEMBER)

/* OWNER and VALUE: their stack slots; the stack's reference to the owner is
 * released after the store. */
#define STORE_ATTR_SLOT_BOX_FLOAT(NAME, OWNER, VALUE)           \
    STENCIL(NAME)                                               \
    {                                                           \
        PyObject *owner = sp[OWNER];                            \
        PyObject **where = slot_of(owner);                      \
        if (UNLIKELY(where == NULL)) {                          \
            EXIT(ACCEL_EXIT_GUARD_TYPE);                        \
        }                                                       \
        double value = raw_float(sp[VALUE]);                    \
        sp -= 2;                                                \
        int status = store_float_member(frame, where, value);   \
        DECREF_AT_INSTR(owner);                                 \
        if (UNLIKELY(status < 0)) {                             \
            ERROR();                                            \
        }                                                       \
        CONTINUE();                                             \
    }

/* [x raw, owner] -> [] */
STORE_ATTR_SLOT_BOX_FLOAT(STORE_ATTR_SLOT_BOX_FLOAT, -1, -2)
/* [owner, x raw] -> []: the end of `owner.name op= x` (SWAP 2 folded in). */
STORE_ATTR_SLOT_BOX_FLOAT(STORE_ATTR_SLOT_SWAPPED_BOX_FLOAT, -2, -1)

/* ---- stores where locals are raw (accel/specializer/unbox.py) ----
 *
 * No Python code may run and no exception may be raised while the frame's
 * locals hold raw values: a store writes a member that is empty or holds an
 * exact float (whose release runs no code: in place where only the member
 * holds it), and anything else exits before the instruction, nothing done
 * (a float that cannot be allocated too: the interpreter raises the
 * MemoryError itself). */

/* owner.name = a raw float where that runs no code, the member at `where`
 * (NULL: another type): 1, or 0 with nothing done. */
static inline __attribute__((always_inline)) int
store_raw_float_pure(PyObject **where, double value)
{
    return where != NULL && accel_store_float_pure(where, value);
}

/* OWNER and VALUE: their stack slots.  The owner's last reference exits (its
 * deallocation could run code); any other is released on the way. */
#define STORE_ATTR_SLOT_BOX_FLOAT_PURE(NAME, OWNER, VALUE)                      \
    STENCIL(NAME)                                                               \
    {                                                                           \
        PyObject *owner = sp[OWNER];                                            \
        if (UNLIKELY(Py_REFCNT(owner) == 1 || !store_raw_float_pure(slot_of(owner), raw_float(sp[VALUE])))) { \
            EXIT(ACCEL_EXIT_GUARD_TYPE);                                        \
        }                                                                       \
        owner->ob_refcnt--;                                                     \
        sp -= 2;                                                                \
        CONTINUE();                                                             \
    }

/* [x raw, owner] -> [] */
STORE_ATTR_SLOT_BOX_FLOAT_PURE(STORE_ATTR_SLOT_BOX_FLOAT_PURE, -1, -2)
/* [owner, x raw] -> []: the end of `owner.name op= x` (SWAP 2 folded in). */
STORE_ATTR_SLOT_BOX_FLOAT_PURE(STORE_ATTR_SLOT_SWAPPED_BOX_FLOAT_PURE, -2, -1)

/* [x raw] -> [], the owner borrowed from local OPARG. */
#define STORE_ATTR_SLOT_BOX_FLOAT_PURE_FROM_LOCAL(NAME, OWNER, MEMBER)         \
    STENCIL(NAME)                                                               \
    {                                                                           \
        PyObject *owner;                                                        \
        OWNER(owner);                                                           \
        if (UNLIKELY(!store_raw_float_pure(MEMBER(owner), raw_float(sp[-1])))) { \
            EXIT(ACCEL_EXIT_GUARD_TYPE);                                        \
        }                                                                       \
        sp--;                                                                   \
        CONTINUE();                                                             \
    }

STORE_ATTR_SLOT_BOX_FLOAT_PURE_FROM_LOCAL(LOAD_FAST__STORE_ATTR_SLOT_BOX_FLOAT_PURE, CHECKED_OWNER, CHECKED_MEMBER)
STORE_ATTR_SLOT_BOX_FLOAT_PURE_FROM_LOCAL(LOAD_FAST__STORE_ATTR_SLOT_BOX_FLOAT_PURE_KNOWN_OWNER, KNOWN_OWNER,
                                          KNOWN_MEMBER)
