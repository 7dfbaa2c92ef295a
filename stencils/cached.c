/* Globals, attributes and methods through per-instruction inline caches
 * (native/inline_cache.h).  The fast path reads what the cache way of the
 * owner's type says is there, under the guards CPython 3.11's own
 * specializations use; anything else calls the miss function, which does the
 * generic work and refills the cache. */
#include "stencil.h"

#define CACHE ((accel_cache *)HOLE(_JIT_CACHE))

/* The operand is the name.  An undefined name exits: the interpreter raises
 * the NameError with its own message. */
STENCIL(LOAD_GLOBAL_CACHED)
{
    accel_cache *cache = CACHE;
    PyObject *globals = frame->f_globals, *builtins = frame->f_builtins;
    if (UNLIKELY(!PyDict_CheckExact(globals) || !PyDict_CheckExact(builtins))) {
        EXIT(ACCEL_EXIT_UNSUPPORTED);
    }
    PyObject *value;
    if (LIKELY(cache->global.globals_version == ((PyDictObject *)globals)->ma_version_tag
               && cache->global.builtins_version == ((PyDictObject *)builtins)->ma_version_tag
               && cache->global.value != NULL)) {
        value = cache->global.value;
    }
    else {
        value = accel_load_global_miss(globals, builtins, (PyObject *)OPERAND, cache);
        if (value == NULL) {
            if (PyErr_Occurred()) {
                ERROR();
            }
            EXIT(ACCEL_EXIT_RAISE);
        }
    }
    if (OPARG & 1) {
        *sp++ = NULL;
    }
    Py_INCREF(value);
    *sp++ = value;
    CONTINUE();
}

/* LOAD_GLOBAL_CACHED in a loop whose locals are raw (accel/specializer/unbox.py),
 * where no Python code may run and no exception may reach a handler before the
 * locals are boxed: a miss that would need either exits before anything changes. */
STENCIL(LOAD_GLOBAL_PURE)
{
    accel_cache *cache = CACHE;
    PyObject *globals = frame->f_globals, *builtins = frame->f_builtins;
    if (UNLIKELY(!PyDict_CheckExact(globals) || !PyDict_CheckExact(builtins))) {
        EXIT(ACCEL_EXIT_UNSUPPORTED);
    }
    PyObject *value;
    if (LIKELY(cache->global.globals_version == ((PyDictObject *)globals)->ma_version_tag
               && cache->global.builtins_version == ((PyDictObject *)builtins)->ma_version_tag
               && cache->global.value != NULL)) {
        value = cache->global.value;
    }
    else {
        value = accel_load_global_pure_miss(globals, builtins, (PyObject *)OPERAND, cache);
        if (value == NULL) {
            EXIT(ACCEL_EXIT_RAISE);
        }
    }
    if (OPARG & 1) {
        *sp++ = NULL;
    }
    Py_INCREF(value);
    *sp++ = value;
    CONTINUE();
}

/* The module's global the way describes, if owner is that module and its dict
 * is unchanged. */
static inline __attribute__((always_inline)) PyObject *
module_value(PyObject *owner, const accel_attr_way *way)
{
    PyObject *dict = ((PyModuleObject *)owner)->md_dict;
    if (dict == way->keys && ((PyDictObject *)dict)->ma_version_tag == way->dict_version) {
        return way->value;
    }
    return NULL;
}

/* Where owner keeps the attribute the way describes (an instance value, a
 * slot), or NULL. */
static inline __attribute__((always_inline)) PyObject **
instance_attribute(PyObject *owner, const accel_attr_way *way)
{
    /* Instance values first: the attributes of most objects. */
    if (LIKELY(way->kind == ACCEL_ATTR_INSTANCE_VALUE)) {
        PyDictValues *values = *ACCEL_VALUES_POINTER(owner);
        return LIKELY(values != NULL) ? &values->values[way->index] : NULL;
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
split_dict_value(PyObject *owner, const accel_attr_way *way)
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
descriptor_get(PyObject *descr, PyObject *owner)
{
    Py_INCREF(descr);
    PyObject *res = Py_TYPE(descr)->tp_descr_get(descr, owner, (PyObject *)Py_TYPE(owner));
    Py_DECREF(descr);
    return res;
}

/* owner.name from the cache: a new reference, or NULL for a miss (no
 * exception), or NULL with an exception set (*failed). */
static inline __attribute__((always_inline)) PyObject *
cached_load(PyObject *owner, PyObject *name, accel_cache *cache, int *failed)
{
    accel_attr_way *way = accel_cache_way(cache, Py_TYPE(owner));
    if (UNLIKELY(way == NULL)) {
        return NULL;
    }
    PyObject *res = NULL;
    PyObject **where = instance_attribute(owner, way);
    if (LIKELY(where != NULL)) {
        res = *where;
    }
    else if (way->kind == ACCEL_ATTR_INSTANCE_VALUE) {
        res = split_dict_value(owner, way);
    }
    else if (way->kind == ACCEL_ATTR_MODULE) {
        res = module_value(owner, way);
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
        res = descriptor_get(way->value, owner);
        *failed = res == NULL;
        return res;
    }
    if (res != NULL) {
        Py_INCREF(res);
    }
    return res;
}

STENCIL(LOAD_ATTR_CACHED)
{
    PyObject *owner = sp[-1];
    int failed = 0;
    SYNC_INSTR();  /* a descriptor's __get__ may run Python code */
    PyObject *res = cached_load(owner, (PyObject *)OPERAND, CACHE, &failed);
    if (UNLIKELY(res == NULL && !failed)) {
        res = accel_load_attr_miss(owner, (PyObject *)OPERAND, CACHE);
    }
    Py_DECREF(owner);
    if (UNLIKELY(res == NULL)) {
        sp--;
        ERROR();
    }
    sp[-1] = res;
    CONTINUE();
}

STENCIL(STORE_ATTR_CACHED)
{
    PyObject *owner = sp[-1], *value = sp[-2];
    accel_cache *cache = CACHE;
    sp -= 2;
    SYNC_INSTR();
    accel_attr_way *way = accel_cache_way(cache, Py_TYPE(owner));
    PyObject **where = way != NULL ? instance_attribute(owner, way) : NULL;
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
    }
    else if (accel_store_attr_miss(owner, (PyObject *)OPERAND, value, cache) < 0) {
        Py_DECREF(value);
        Py_DECREF(owner);
        ERROR();
    }
    else {
        Py_DECREF(value);
    }
    Py_DECREF(owner);
    CONTINUE();
}

/* Leaves [method, self] or [NULL, attribute], as CALL expects. */
STENCIL(LOAD_METHOD_CACHED)
{
    PyObject *owner = sp[-1];
    accel_attr_way *way = accel_cache_way(CACHE, Py_TYPE(owner));
    if (LIKELY(way != NULL)) {
        if (LIKELY(way->kind == ACCEL_ATTR_METHOD && accel_not_shadowed(owner, way, (PyObject *)OPERAND))) {
            PyObject *meth = way->value;
            Py_INCREF(meth);
            sp[-1] = meth;
            *sp++ = owner;
            CONTINUE();
        }
        /* Not a method: a module's global, an instance attribute, a class
         * attribute, a descriptor's __get__ (a classmethod...). */
        SYNC_INSTR();
        int failed = 0;
        PyObject *attr = way->kind != ACCEL_ATTR_METHOD ? cached_load(owner, (PyObject *)OPERAND, CACHE, &failed)
                                                        : NULL;
        if (attr != NULL) {
            sp[-1] = NULL;
            *sp++ = attr;
            Py_DECREF(owner);
            CONTINUE();
        }
        if (failed) {
            ERROR();
        }
    }
    PyObject *self;
    SYNC_INSTR();
    PyObject *meth = accel_load_method_miss(owner, (PyObject *)OPERAND, CACHE, &self);
    if (meth == NULL) {
        ERROR();
    }
    if (self != NULL) {
        sp[-1] = meth;
        *sp++ = self;
    }
    else {
        sp[-1] = NULL;
        *sp++ = meth;
    }
    Py_DECREF(owner);
    CONTINUE();
}
