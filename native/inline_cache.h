/* Per-instruction inline caches: writable memory beside each native program,
 * one entry per instruction (the stencil's _JIT_CACHE hole points at it).
 * Stencils read them on their fast path; the miss functions in native/caches.c
 * do the generic work and refill them. */
#ifndef ACCEL_INLINE_CACHE_H
#define ACCEL_INLINE_CACHE_H

#include "Python.h"
#include <stdint.h>

#include "operand_kinds.h"

/* What an attribute cache way describes. */
enum accel_attr_kind {
    ACCEL_ATTR_INSTANCE_VALUE = 1,  /* index into the instance's values */
    ACCEL_ATTR_SLOT = 2,            /* byte offset of a __slots__ member */
    ACCEL_ATTR_MODULE = 3,          /* a module's global (value), under its dict (keys) and that dict's version */
    ACCEL_ATTR_CLASS = 4,           /* a class attribute that is no descriptor (value), not shadowed */
    ACCEL_ATTR_METHOD = 5,          /* a function or method descriptor of the class (value), not shadowed */
    ACCEL_ATTR_DESCRIPTOR = 6,      /* a non-data descriptor of the class (value), not shadowed: its __get__ */
    ACCEL_ATTR_DATA_DESCRIPTOR = 7, /* a data descriptor of the class (value): its __get__, whatever the instance holds */
    ACCEL_ATTR_TYPE = 8,            /* the owner is a class (keys) whose version tag (dict_version) holds:
                                       its attribute (value), a plain value or function; the way's
                                       version is the metaclass's (no attribute of it has the name) */
    ACCEL_ATTR_SUPER_METHOD = 9,    /* super(keys, obj).name for an instance obj whose type's version tag
                                       is dict_version (and the way's version, unlike the other kinds,
                                       which have the owner's type's): the function (value); served by
                                       the miss path */
};

/* Polymorphic: one way per owner type.  Sites that see several classes (a
 * method of a base class called on instances of its subclasses) are the rule
 * in object-oriented code. */
#define ACCEL_CACHE_WAYS 4

/* One owner type's entry.  The class attribute, method and descriptor kinds
 * are "not shadowed" by an instance attribute when keys is NULL (the type's
 * instances have no dict), or when the instance keeps its attributes as values
 * in the type's shared keys (keys) and those still have the entry count they
 * had when the name was not among them (shared keys only grow), or, when keys
 * is ACCEL_ANY_DICT, when the instance's dict lacks the name: its dict is the
 * one the way last found without it, unchanged (dict_version: a dict's version
 * tag is unique to its contents, PEP 509), or a lookup says so. */
typedef struct {
    unsigned int version;   /* the owner's type's tp_version_tag; 0: empty */
    int kind;               /* enum accel_attr_kind */
    void *keys;             /* see above; for a module, its dict */
    union {
        Py_ssize_t index;       /* an instance value's index, a slot's offset, the shared keys' entry count */
        uint64_t dict_version;  /* a module's dict's ma_version_tag; or the instance dict's (ACCEL_ANY_DICT);
                                   or the owner class's tp_version_tag (ACCEL_ATTR_TYPE) */
    };
    PyObject *value;        /* borrowed: what the version guards keep alive */
} accel_attr_way;

/* A CALL site's callee, as 3.11's CALL_PY_EXACT_ARGS caches a function version
 * (libpython does not export the function that assigns versions): the code object
 * its function last ran and that code's record, valid while the function still
 * has that code and no record has been freed since (accel_records_freed), and the
 * shape of the calls the site made to it: how many arguments it passed (keyword
 * arguments that name the parameters after the positional ones, in order, count
 * as positional ones; a plain class's instance counts as __init__'s first), how
 * many parameters after them take their defaults. */
typedef struct {
    PyCodeObject *code;     /* borrowed; NULL: empty */
    struct accel_code *rec;
    uint64_t epoch;         /* accel_records_freed when filled */
    int nargs;              /* arguments passed, self included */
    int missing;            /* parameters after them, bound to defaults */
    int nlocalsplus;        /* the callee's */
    int frame_size;         /* in words, as _PyThreadState_HasStackSpace wants it */
} accel_call_shape;

/* Polymorphic: a method called on instances of several classes (the same call
 * site running each subclass's override) is the rule in object-oriented code. */
#define ACCEL_CALL_WAYS 4

/* A FOR_ITER or SEND site's generator (or coroutine), as native/generators.c
 * last resumed one there (or C code's, native/generators.c): a compiled
 * generator of `code` suspended at `suspended_at` (its frame's prev_instr)
 * resumes at `resume_code` (instruction `at`), in the program `native` of the
 * record `rec`.  Valid while no record has been freed
 * since (`epoch`, as for calls) and the record still runs that program;
 * stencils/resume.c resumes such a generator straight from the site. */
typedef struct {
    PyCodeObject *code;         /* borrowed; NULL: empty */
    _Py_CODEUNIT *suspended_at;
    void *resume_code;
    int at;                     /* the resume point's instruction in the program */
    struct accel_code *rec;
    struct accel_native *native;
    uint64_t epoch;             /* accel_records_freed when filled */
} accel_resume_site;

typedef struct {
    union {
        struct {
            accel_call_shape calls[ACCEL_CALL_WAYS];
            /* A plain class instantiated at the site (stencils/shared.c):
             * its tp_version_tag, under which its __init__ (borrowed: the
             * class's MRO keeps it while the tag holds; NULL: none) is
             * `init`.  Any change to the class, a base or its MRO (and so to
             * its __init__, tp_new, tp_init, abstract methods) clears the
             * tag, and tags are never reused. */
            unsigned int init_class_version;
            PyObject *init;
        };
        struct {
            /* The hit: under the version tags of the frame's globals (0:
             * empty) and, for a builtin, of its builtins (0 for a global),
             * the value (borrowed: the versions keep it alive).  Any store
             * changes a version tag: then the keys versions (accel_keys_version)
             * tell whether the name is still where it was, read afresh
             * there without a lookup (native/caches.c). */
            uint64_t globals_version;
            uint64_t builtins_version;
            PyObject *value;
            uint32_t globals_keys;      /* 0: not known */
            uint32_t builtins_keys;     /* 0 for a global */
            /* where the value is, in bytes from the start of the keys of
             * the dict holding it (copies of those keys, which share
             * their version, have the same layout) */
            Py_ssize_t value_offset;
        } global;
        accel_attr_way ways[ACCEL_CACHE_WAYS];
        struct {
            uint32_t operand_kinds; /* an arithmetic or comparison site: accel_operand_kind bits seen */
            /* A BINARY_OP site whose left operand's class defines the
             * operator in Python (native/operators.c fills this,
             * stencils/shared.c's SHARED_BINARY_OP_PYTHON uses it): under
             * the class's tp_version_tag (0: empty), its dunder (borrowed:
             * the class keeps it while the tag holds; any change to the
             * class, a base or its slots clears the tag, and tags are never
             * reused), called with the operands as `operator_call` says. */
            unsigned int operator_class_version;
            PyObject *operator_dunder;
            accel_call_shape operator_call;
        };
        struct {
            uint32_t taken;         /* times (operand_kinds.h) */
            int32_t jump_unit;      /* the backward jump's code unit, once hot */
        } back_edge;                /* a profiling loop's back edge (stencils/control.c) */
        accel_resume_site resume;   /* a FOR_ITER or SEND site */
        Py_ssize_t name_index;      /* LOAD_NAME in module code: its name's entry in the
                                       globals' keys, when it was last found there */
    };
    unsigned int misses;    /* since the ways filled up: evictions back off */
} accel_cache;

/* The way that serves owners of `type`, or NULL.  A type without a valid
 * version tag (0) may find an empty way: its kind, 0, is no kind. */
static inline __attribute__((always_inline)) accel_attr_way *
accel_cache_way(accel_cache *cache, PyTypeObject *type)
{
    unsigned int version = type->tp_version_tag;
    if (__builtin_expect(cache->ways[0].version == version, 1)) {  /* most sites see one type */
        return &cache->ways[0];
    }
    for (int i = 1; i < ACCEL_CACHE_WAYS; i++) {
        if (cache->ways[i].version == version) {
            return &cache->ways[i];
        }
    }
    return NULL;
}

/* Where an instance of a type with a managed dict keeps its values pointer: as
 * _PyObject_ValuesPointer in CPython 3.11's internal pycore_object.h, which
 * stencils cannot include; native/hook.c checks the two agree at start-up. */
#define ACCEL_VALUES_POINTER(OBJ) (((PyDictValues **)(OBJ)) - 4)
/* ... and its dict, once made: _PyObject_ManagedDictPointer (checked the same way). */
#define ACCEL_DICT_POINTER(OBJ) (((PyObject **)(OBJ)) - 3)

/* A way's keys: the instance may keep its attributes anywhere (values, a dict). */
#define ACCEL_ANY_DICT ((void *)1)

int accel_instance_lacks(PyObject *owner, PyObject *name, accel_attr_way *way);

/* No attribute of the instance shadows the name, which the way found on its
 * class, as far as the way tells without a lookup: 1; 0 when it does not tell
 * (an instance with a dict the way has not seen: accel_not_shadowed looks). */
static inline __attribute__((always_inline)) int
accel_surely_not_shadowed(PyObject *owner, const accel_attr_way *way)
{
    PyDictKeysObject *keys = way->keys;
    if (keys == NULL) {
        return 1;
    }
    if (keys != ACCEL_ANY_DICT) {
        return *ACCEL_VALUES_POINTER(owner) != NULL
            && ((PyHeapTypeObject *)Py_TYPE(owner))->ht_cached_keys == keys && keys->dk_nentries == way->index;
    }
    if ((Py_TYPE(owner)->tp_flags & Py_TPFLAGS_MANAGED_DICT) && *ACCEL_VALUES_POINTER(owner) == NULL) {
        PyObject *dict = *ACCEL_DICT_POINTER(owner);
        return dict == NULL || ((PyDictObject *)dict)->ma_version_tag == way->dict_version;
    }
    return 0;
}

/* No attribute of the instance shadows `name`, which the way found on its class. */
static inline __attribute__((always_inline)) int
accel_not_shadowed(PyObject *owner, accel_attr_way *way, PyObject *name)
{
    return accel_surely_not_shadowed(owner, way)
        || (way->keys == ACCEL_ANY_DICT && accel_instance_lacks(owner, name, way));
}

/* The module's global the way describes, if owner is that module and its dict
 * is unchanged. */
static inline __attribute__((always_inline)) PyObject *
accel_module_value(PyObject *owner, const accel_attr_way *way)
{
    PyObject *dict = ((PyModuleObject *)owner)->md_dict;
    if (dict == way->keys && ((PyDictObject *)dict)->ma_version_tag == way->dict_version) {
        return way->value;
    }
    return NULL;
}

/* Where owner keeps the attribute the way describes (an instance value, a
 * slot), or NULL.  Both kinds are tested inline, neither laid out cold: a
 * class with __slots__ is as usual as one without. */
static inline __attribute__((always_inline)) PyObject **
accel_way_attribute(PyObject *owner, const accel_attr_way *way)
{
    if (way->kind == ACCEL_ATTR_INSTANCE_VALUE) {
        PyDictValues *values = *ACCEL_VALUES_POINTER(owner);
        return __builtin_expect(values != NULL, 1) ? &values->values[way->index] : NULL;
    }
    if (way->kind == ACCEL_ATTR_SLOT) {
        return (PyObject **)((char *)owner + way->index);
    }
    return NULL;
}

/* For an instance whose values became a dict (vars(), __dict__) that still
 * shares its class's keys: the value at the index the way found, or NULL.
 * Loads only: a store into a dict must also change its version. */
static inline __attribute__((always_inline)) PyObject *
accel_split_dict_value(PyObject *owner, const accel_attr_way *way)
{
    PyDictObject *dict = (PyDictObject *)*ACCEL_DICT_POINTER(owner);
    if (dict != NULL && dict->ma_values != NULL
        && dict->ma_keys == ((PyHeapTypeObject *)Py_TYPE(owner))->ht_cached_keys) {
        return dict->ma_values->values[way->index];
    }
    return NULL;
}

/* The descriptor's __get__ for owner (it may run Python code, which may drop
 * the descriptor from the class meanwhile). */
static inline __attribute__((always_inline)) PyObject *
accel_descriptor_get(PyObject *descr, PyObject *owner)
{
    Py_INCREF(descr);
    PyObject *res = Py_TYPE(descr)->tp_descr_get(descr, owner, (PyObject *)Py_TYPE(owner));
    Py_DECREF(descr);
    return res;
}

/* owner.name from the cache, inline: a new reference, or NULL for a miss (no
 * exception), or NULL with an exception set (*failed). */
static inline __attribute__((always_inline)) PyObject *
accel_cached_load(PyObject *owner, PyObject *name, accel_cache *cache, int *failed)
{
    accel_attr_way *way = accel_cache_way(cache, Py_TYPE(owner));
    if (__builtin_expect(way == NULL, 0)) {
        return NULL;
    }
    PyObject *res = NULL;
    PyObject **where = accel_way_attribute(owner, way);
    if (__builtin_expect(where != NULL, 1)) {
        res = *where;
    }
    else if (way->kind == ACCEL_ATTR_INSTANCE_VALUE) {
        res = accel_split_dict_value(owner, way);
    }
    else if (way->kind == ACCEL_ATTR_MODULE) {
        res = accel_module_value(owner, way);
    }
    else if (way->kind == ACCEL_ATTR_TYPE) {
        if (owner == way->keys && ((PyTypeObject *)owner)->tp_version_tag == way->dict_version) {
            res = way->value;
        }
    }
    else if (way->kind == ACCEL_ATTR_CLASS && accel_not_shadowed(owner, way, name)) {
        res = way->value;
    }
    else if (way->kind == ACCEL_ATTR_METHOD && accel_not_shadowed(owner, way, name)) {
        res = PyMethod_New(way->value, owner);
        *failed = res == NULL;
        return res;
    }
    else if (way->kind == ACCEL_ATTR_DATA_DESCRIPTOR
             || (way->kind == ACCEL_ATTR_DESCRIPTOR && accel_not_shadowed(owner, way, name))) {
        res = accel_descriptor_get(way->value, owner);
        *failed = res == NULL;
        return res;
    }
    if (res != NULL) {
        Py_INCREF(res);
    }
    return res;
}

/* Miss paths: the generic operation, then a refill when the case is cacheable. */
void accel_remember_name_index(PyObject *globals, PyObject *name, accel_cache *cache);
PyObject *accel_load_global_pure_miss(PyObject *globals, PyObject *builtins, PyObject *name, accel_cache *cache);
/* accel_load_global's results where the interpreter must do the load (no object is at 1 or 3). */
#define ACCEL_GLOBAL_UNSUPPORTED ((PyObject *)1)
#define ACCEL_GLOBAL_UNDEFINED ((PyObject *)3)
PyObject *accel_load_global(PyObject *globals, PyObject *builtins, PyObject *name, accel_cache *cache, int pure);
PyObject *accel_load_attr(PyObject *owner, PyObject *name, accel_cache *cache, int consume);
int accel_load_attr_unboxed(PyObject *owner, PyObject *name, accel_cache *cache, PyObject **slot);
int accel_store_attr_miss(PyObject *owner, PyObject *name, PyObject *value, accel_cache *cache);
PyObject **accel_attr_pure_where(PyObject *owner, PyObject *name, accel_cache *cache, int for_store);
uint64_t accel_load_raw_float_pure(PyObject *owner, PyObject *name, accel_cache *cache, int owner_refs);
int accel_store_raw_float_pure(PyObject *owner, PyObject *name, accel_cache *cache, double value, int consume);
/* LOAD_METHOD_CACHED's way other than the usual one (a method that the
 * cache says no instance attribute shadows, without a lookup): what to push
 * in place of the owner, at pushed[0] and pushed[1] ([method, self] or
 * [NULL, attribute], as CALL expects), the owner's reference moved to self
 * or released: 0; or -1 with an exception set, the owner left as it was.
 * The cache is filled on a miss. */
int accel_load_method(PyObject *owner, PyObject *name, accel_cache *cache, PyObject **pushed);

#endif
