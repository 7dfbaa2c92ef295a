/* Globals, attributes and methods through per-instruction inline caches
 * (native/inline_cache.h).  The fast path reads what the cache says is there,
 * under the guards CPython 3.11's own specializations use; anything else calls
 * the miss function, which does the generic work and refills the cache. */
#include "stencil.h"

#define CACHE ((accel_cache *)HOLE(_JIT_CACHE))

/* The operand is the name.  An undefined name exits: the interpreter raises
 * the NameError with its own message. */
STENCIL(LOAD_GLOBAL_CACHED)
{
    accel_cache *cache = CACHE;
    PyObject *globals = frame->f_globals, *builtins = frame->f_builtins;
    if (!PyDict_CheckExact(globals) || !PyDict_CheckExact(builtins)) {
        EXIT(ACCEL_EXIT_UNSUPPORTED);
    }
    PyObject *value;
    if (cache->version == ((PyDictObject *)globals)->ma_version_tag
        && cache->version2 == ((PyDictObject *)builtins)->ma_version_tag && cache->value != NULL) {
        value = cache->value;
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

/* Where the cached attribute of owner lives, or NULL: an instance value, a
 * slot, under the type's version; a module's global, under its dict's version. */
static inline __attribute__((always_inline)) PyObject **
cached_attribute(PyObject *owner, accel_cache *cache)
{
    if (cache->kind == ACCEL_ATTR_MODULE) {
        if (Py_TYPE(owner) == &PyModule_Type && ((PyModuleObject *)owner)->md_dict == cache->keys
            && ((PyDictObject *)cache->keys)->ma_version_tag == cache->version) {
            return &cache->value;
        }
        return NULL;
    }
    if (Py_TYPE(owner)->tp_version_tag != cache->version || cache->version == 0) {
        return NULL;
    }
    if (cache->kind == ACCEL_ATTR_SLOT) {
        return (PyObject **)((char *)owner + cache->index);
    }
    PyDictValues *values = *ACCEL_VALUES_POINTER(owner);
    return values != NULL ? &values->values[cache->index] : NULL;
}

static inline __attribute__((always_inline)) PyObject *
cached_instance_value(PyObject *owner, accel_cache *cache)
{
    PyObject **where = cached_attribute(owner, cache);
    return where != NULL ? *where : NULL;
}

STENCIL(LOAD_ATTR_CACHED)
{
    PyObject *owner = sp[-1];
    PyObject *res = cached_instance_value(owner, CACHE);
    if (res != NULL) {
        Py_INCREF(res);
    }
    else {
        SYNC_INSTR();
        res = accel_load_attr_miss(owner, (PyObject *)OPERAND, CACHE);
    }
    Py_DECREF(owner);
    if (res == NULL) {
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
    PyObject **where = cache->kind == ACCEL_ATTR_MODULE ? NULL : cached_attribute(owner, cache);
    if (where != NULL) {
        PyObject *old = *where;
        *where = value;
        if (old != NULL) {
            Py_DECREF(old);
        }
        else if (cache->kind == ACCEL_ATTR_INSTANCE_VALUE) {
            /* A new instance value: it joins the dict's insertion order. */
            _PyDictValues_AddToInsertionOrder(*ACCEL_VALUES_POINTER(owner), cache->index);
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
    accel_cache *cache = CACHE;
    PyTypeObject *type = Py_TYPE(owner);
    if (type->tp_version_tag == cache->version && cache->version != 0) {
        PyDictKeysObject *keys = cache->keys;
        if (keys == NULL
            || (*ACCEL_VALUES_POINTER(owner) != NULL && ((PyHeapTypeObject *)type)->ht_cached_keys == keys
                && (uint64_t)keys->dk_nentries == cache->version2)) {
            PyObject *meth = cache->value;
            Py_INCREF(meth);
            sp[-1] = meth;
            *sp++ = owner;
            CONTINUE();
        }
    }
    int found;
    SYNC_INSTR();
    PyObject *meth = accel_load_method_miss(owner, (PyObject *)OPERAND, cache, &found);
    if (meth == NULL) {
        ERROR();
    }
    if (found) {
        sp[-1] = meth;
        *sp++ = owner;
    }
    else {
        sp[-1] = NULL;
        Py_DECREF(owner);
        *sp++ = meth;
    }
    CONTINUE();
}
