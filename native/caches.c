/* The miss paths of the cached stencils (stencils/cached.c): do what the
 * generic instruction does, and refill the inline cache when the case is one
 * the fast path handles.  The fast paths' guards are the same as CPython 3.11's
 * own specializations: a type's version tag (changed by any change to the
 * class or its bases), instance values in the type's shared keys, and, for
 * globals, the dicts' version tags. */
#include "runtime.h"
#include "inline_cache.h"
#include "structmember.h"


PyObject *
accel_load_global_miss(PyObject *globals, PyObject *builtins, PyObject *name, accel_cache *cache)
{
    PyObject *value = PyDict_GetItemWithError(globals, name);
    if (value == NULL && !PyErr_Occurred()) {
        value = PyDict_GetItemWithError(builtins, name);
    }
    if (value != NULL) {
        cache->version = ((PyDictObject *)globals)->ma_version_tag;
        cache->version2 = ((PyDictObject *)builtins)->ma_version_tag;
        cache->value = value;
    }
    return value;  /* borrowed */
}

/* The index of `name` among the shared keys of `type`'s instances, or -1. */
static Py_ssize_t
shared_key_index(PyTypeObject *type, PyObject *name)
{
    PyDictKeysObject *keys = ((PyHeapTypeObject *)type)->ht_cached_keys;
    if (keys == NULL || keys->dk_kind != DICT_KEYS_SPLIT) {
        return -1;
    }
    PyDictUnicodeEntry *entries = DK_UNICODE_ENTRIES(keys);
    for (Py_ssize_t i = 0; i < keys->dk_nentries; i++) {
        if (entries[i].me_key == name) {
            return i;
        }
    }
    return -1;
}

/* Instances of `type` keep their attributes as values in shared keys, and
 * attribute access is the generic one. */
static int
has_instance_values(PyTypeObject *type, int for_store)
{
    if (!(type->tp_flags & Py_TPFLAGS_MANAGED_DICT) || !(type->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG)
        || type->tp_version_tag == 0) {
        return 0;
    }
    return for_store ? type->tp_setattro == PyObject_GenericSetAttr
                     : type->tp_getattro == PyObject_GenericGetAttr;
}

/* Instance values win over a class attribute only while it is not a data
 * descriptor.  The owner's version tag does not change when the attribute's own
 * class gains __set__ or __get__ (test_opcache), so that class must be one that
 * cannot change: a built-in type, say, as for the common `count = 0` default. */
static int
class_attribute_allows(PyTypeObject *type, PyObject *name)
{
    PyObject *attr = _PyType_Lookup(type, name);
    if (attr == NULL) {
        return 1;
    }
    PyTypeObject *kind = Py_TYPE(attr);
    return (kind->tp_flags & Py_TPFLAGS_IMMUTABLETYPE) && kind->tp_descr_set == NULL;
}

/* A __slots__ member holding an object (T_OBJECT_EX), or -1. */
static Py_ssize_t
slot_offset(PyTypeObject *type, PyObject *name, int for_store)
{
    PyObject *descr = _PyType_Lookup(type, name);
    if (descr == NULL || Py_TYPE(descr) != &PyMemberDescr_Type) {
        return -1;
    }
    PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
    if (member->type != T_OBJECT_EX || (for_store && member->flags & READONLY)) {
        return -1;
    }
    return member->offset;
}

/* Fill an attribute cache entry for owner.name, if the fast paths can serve it. */
static void
fill_attr(PyObject *owner, PyObject *name, accel_cache *cache, int for_store)
{
    PyTypeObject *type = Py_TYPE(owner);
    if (cache->version == type->tp_version_tag && cache->version != 0 && cache->kind != ACCEL_ATTR_MODULE) {
        return;  /* already describes this type: the miss was this object's own */
    }
    if (PyModule_CheckExact(owner) && !for_store) {
        PyObject *dict = PyModule_GetDict(owner);
        PyObject *value = dict && PyDict_CheckExact(dict) ? PyDict_GetItemWithError(dict, name) : NULL;
        if (value != NULL && type->tp_getattro == PyModule_Type.tp_getattro) {
            cache->kind = ACCEL_ATTR_MODULE;
            cache->keys = dict;
            cache->value = value;
            cache->version = ((PyDictObject *)dict)->ma_version_tag;
        }
        PyErr_Clear();
        return;
    }
    int generic = for_store ? type->tp_setattro == PyObject_GenericSetAttr
                            : type->tp_getattro == PyObject_GenericGetAttr;
    if (!generic || !(type->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG) || type->tp_version_tag == 0) {
        return;
    }
    Py_ssize_t offset = slot_offset(type, name, for_store);
    if (offset >= 0) {
        cache->kind = ACCEL_ATTR_SLOT;
        cache->index = offset;
        cache->version = type->tp_version_tag;
        return;
    }
    if (has_instance_values(type, for_store) && *ACCEL_VALUES_POINTER(owner) != NULL
        && class_attribute_allows(type, name)) {
        Py_ssize_t index = shared_key_index(type, name);
        if (index >= 0) {
            cache->kind = ACCEL_ATTR_INSTANCE_VALUE;
            cache->index = index;
            cache->version = type->tp_version_tag;
        }
    }
}

PyObject *
accel_load_attr_miss(PyObject *owner, PyObject *name, accel_cache *cache)
{
    PyObject *res = PyObject_GetAttr(owner, name);
    if (res != NULL) {
        fill_attr(owner, name, cache, 0);
    }
    return res;
}

int
accel_store_attr_miss(PyObject *owner, PyObject *name, PyObject *value, accel_cache *cache)
{
    int err = PyObject_SetAttr(owner, name, value);
    if (err == 0) {
        fill_attr(owner, name, cache, 1);
    }
    return err;
}

/* As _PyObject_GetMethod; cached when the method is a plain function or method
 * descriptor of the class that no instance attribute can shadow: the instance
 * has no dict, or keeps its attributes in shared keys without that name. */
PyObject *
accel_load_method_miss(PyObject *owner, PyObject *name, accel_cache *cache, int *found)
{
    PyObject *meth = NULL;
    *found = _PyObject_GetMethod(owner, name, &meth);
    PyTypeObject *type = Py_TYPE(owner);
    if (meth == NULL || !*found || !(type->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG) || type->tp_version_tag == 0
        || type->tp_getattro != PyObject_GenericGetAttr) {
        return meth;
    }
    if (type->tp_dictoffset == 0) {
        cache->keys = NULL;
    }
    else if (has_instance_values(type, 0) && *ACCEL_VALUES_POINTER(owner) != NULL
             && shared_key_index(type, name) < 0) {
        cache->keys = ((PyHeapTypeObject *)type)->ht_cached_keys;
        cache->version2 = (uint64_t)((PyDictKeysObject *)cache->keys)->dk_nentries;
    }
    else {
        return meth;
    }
    cache->version = type->tp_version_tag;
    cache->value = meth;  /* borrowed from the class: the version tag guards it */
    return meth;
}
