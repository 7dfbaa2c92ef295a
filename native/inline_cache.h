/* Per-instruction inline caches: writable memory beside each native program,
 * one entry per instruction (the stencil's _JIT_CACHE hole points at it).
 * Stencils read them on their fast path; the miss functions in native/caches.c
 * do the generic work and refill them. */
#ifndef ACCEL_INLINE_CACHE_H
#define ACCEL_INLINE_CACHE_H

#include "Python.h"
#include <stdint.h>

/* What an attribute cache entry describes. */
enum accel_attr_kind {
    ACCEL_ATTR_INSTANCE_VALUE = 1,  /* index into the instance's values */
    ACCEL_ATTR_SLOT = 2,            /* byte offset of a __slots__ member */
    ACCEL_ATTR_MODULE = 3,          /* a module's dict entry: value, under the dict's version */
};

typedef struct {
    uint64_t version;       /* a type's tp_version_tag, or a dict's ma_version_tag; 0: empty */
    uint64_t version2;      /* the builtins' ma_version_tag; shared keys' entry count */
    void *keys;             /* the shared keys the entry was filled with; a module's dict */
    PyObject *value;        /* borrowed: what the version guards keep alive */
    Py_ssize_t index;       /* an instance value's index, or a slot's offset */
    int kind;               /* enum accel_attr_kind, for attributes */
} accel_cache;

/* Where an instance of a type with a managed dict keeps its values pointer: as
 * _PyObject_ValuesPointer in CPython 3.11's internal pycore_object.h, which
 * stencils cannot include; native/hook.c checks the two agree at start-up. */
#define ACCEL_VALUES_POINTER(OBJ) (((PyDictValues **)(OBJ)) - 4)

/* Miss paths: the generic operation, then a refill when the case is cacheable. */
PyObject *accel_load_global_miss(PyObject *globals, PyObject *builtins, PyObject *name, accel_cache *cache);
PyObject *accel_load_attr_miss(PyObject *owner, PyObject *name, accel_cache *cache);
int accel_store_attr_miss(PyObject *owner, PyObject *name, PyObject *value, accel_cache *cache);
PyObject *accel_load_method_miss(PyObject *owner, PyObject *name, accel_cache *cache, int *found);

#endif
