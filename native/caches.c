/* The miss paths of the cached stencils (stencils/cached.c): do what the
 * generic instruction does, and refill the inline cache when the case is one
 * the fast path handles.  The fast paths' guards are those of CPython 3.11's
 * own specializations: a type's version tag (changed by any change to the
 * class or its bases), instance values in the type's shared keys, the keys
 * versions of the globals and builtins, and, for module attributes, the
 * module dict's version tag. */
#include "runtime.h"
#include "inline_cache.h"
#include "structmember.h"

/* Once every way is taken, a site that sees more types than it has ways
 * evicts one only every EVICT_EVERY misses: a megamorphic site then costs
 * little more than the generic path, and a way left stale by a class that
 * changed (its old version never matches again) is still reclaimed. */
#define EVICT_EVERY 16

/* Where a name's entry in a dict's keys is looked for by a scan (misses are
 * rare: an entry keeps its place until the keys are rebuilt or the name is
 * deleted), dicts up to this many entries. */
#define NAME_SCAN_LIMIT 4096


/* A version for the keys' current state, as CPython's specializer gives them
 * (_PyDictKeys_GetVersionForCurrentState, which libpython does not export):
 * adding or deleting a name sets a keys object's version back to 0, storing a
 * value does not.  Ours count down from the top of the range while CPython's
 * count up from 2, so that a version names one state of one keys object (and
 * of its copies) whoever gave it; 0 once ours would reach the middle. */
static uint32_t next_keys_version = UINT32_MAX;

static uint32_t
keys_version(PyDictKeysObject *keys)
{
    if (keys->dk_version == 0 && next_keys_version > UINT32_MAX / 2) {
        keys->dk_version = next_keys_version--;
    }
    return keys->dk_version;
}

/* The index of `name` among str keys (co_names are interned: compared by
 * identity, as the dict's lookup does first), or -1. */
static Py_ssize_t
key_index(PyDictKeysObject *keys, PyObject *name)
{
    PyDictUnicodeEntry *entries = DK_UNICODE_ENTRIES(keys);
    for (Py_ssize_t i = 0; i < keys->dk_nentries; i++) {
        if (entries[i].me_key == name) {
            return i;
        }
    }
    return -1;
}

/* The index of `name` in a combined table's str keys, or -1. */
static Py_ssize_t
entry_index(PyDictObject *dict, PyObject *name)
{
    PyDictKeysObject *keys = dict->ma_keys;
    if (dict->ma_values != NULL || keys->dk_kind != DICT_KEYS_UNICODE || keys->dk_nentries > NAME_SCAN_LIMIT) {
        return -1;
    }
    return key_index(keys, name);
}

/* Where a LOAD_GLOBAL cache's name is found in these globals and builtins
 * without a lookup, or NULL: under the keys versions it was found with (PEP
 * 659's guard for LOAD_GLOBAL_MODULE and LOAD_GLOBAL_BUILTIN), which change
 * when a name is added or deleted, not when a value is stored.  A module whose
 * code rebinds globals in a loop (a script's loop at module level) changes
 * the version tags of the fast path all the time, not these. */
static PyObject *
found_again(accel_cache *cache, PyDictObject *globals, PyDictObject *builtins)
{
    uint32_t globals_keys = cache->global.globals_keys, builtins_keys = cache->global.builtins_keys;
    if (globals_keys == 0 || globals->ma_keys->dk_version != globals_keys) {
        return NULL;
    }
    PyDictKeysObject *keys = globals->ma_keys;
    if (builtins_keys != 0) {
        if (builtins->ma_keys->dk_version != builtins_keys) {
            return NULL;
        }
        keys = builtins->ma_keys;
    }
    /* (Never NULL in a combined table: deleting a name clears its entry, and the version.) */
    return *(PyObject **)((char *)keys + cache->global.value_offset);
}

/* Remember where `name` is, found in `holder` (the globals or the builtins),
 * for found_again; not where the keys cannot be versioned or the name is not
 * a plain entry of a combined table.  For a builtin, the globals must be a
 * combined table too: split keys are shared by dicts that hold different names
 * of them. */
static void
remember_entry(accel_cache *cache, PyDictObject *globals, PyDictObject *builtins, PyDictObject *holder,
               PyObject *name)
{
    cache->global.globals_keys = 0;
    Py_ssize_t index = entry_index(holder, name);
    if (index < 0 || globals->ma_values != NULL) {
        return;
    }
    uint32_t globals_keys = keys_version(globals->ma_keys);
    uint32_t builtins_keys = holder == builtins ? keys_version(builtins->ma_keys) : 0;
    if (globals_keys == 0 || (holder == builtins && builtins_keys == 0)) {
        return;
    }
    PyDictKeysObject *keys = holder->ma_keys;
    cache->global.value_offset = (char *)&DK_UNICODE_ENTRIES(keys)[index].me_value - (char *)keys;
    cache->global.builtins_keys = builtins_keys;
    cache->global.globals_keys = globals_keys;
}

static PyObject *
accel_load_global_miss(PyObject *globals, PyObject *builtins, PyObject *name, accel_cache *cache)
{
    PyDictObject *g = (PyDictObject *)globals, *b = (PyDictObject *)builtins;
    PyObject *value = found_again(cache, g, b);
    PyDictObject *holder = cache->global.builtins_keys != 0 ? b : g;
    if (value == NULL) {
        accel_totals.global_misses++;
        holder = g;
        value = PyDict_GetItemWithError(globals, name);
        if (value == NULL && !PyErr_Occurred()) {
            holder = b;
            value = PyDict_GetItemWithError(builtins, name);
        }
        if (value == NULL) {
            return NULL;
        }
        remember_entry(cache, g, b, holder, name);
    }
    cache->global.globals_version = g->ma_version_tag;
    cache->global.builtins_version = holder == b ? b->ma_version_tag : 0;
    cache->global.value = value;
    return value;  /* borrowed */
}

/* accel_load_global_miss where no Python code may run (a loop whose locals are
 * raw): NULL, with no exception set, where a dict has keys other than strings
 * (comparing with them could run their __eq__), or the lookup fails.  The
 * interpreter then does the lookup again, and raises what it raises. */
PyObject *
accel_load_global_pure_miss(PyObject *globals, PyObject *builtins, PyObject *name, accel_cache *cache)
{
    if (((PyDictObject *)globals)->ma_keys->dk_kind == DICT_KEYS_GENERAL
        || ((PyDictObject *)builtins)->ma_keys->dk_kind == DICT_KEYS_GENERAL) {
        return NULL;
    }
    PyObject *value = accel_load_global_miss(globals, builtins, name, cache);
    if (value == NULL) {
        PyErr_Clear();
    }
    return value;  /* borrowed */
}

/* LOAD_GLOBAL's out-of-line path (stencils/cached.c), one call: the miss
 * function's lookup (the pure one where `pure`), for exact dicts only.  The
 * value, a new reference; or NULL with an exception set; or
 * ACCEL_GLOBAL_UNSUPPORTED (a dict subclass, whose lookup may be overridden)
 * or ACCEL_GLOBAL_UNDEFINED (no such name, or a lookup the pure function
 * leaves to the interpreter), where the interpreter does the load itself. */
PyObject *
accel_load_global(PyObject *globals, PyObject *builtins, PyObject *name, accel_cache *cache, int pure)
{
    if (!PyDict_CheckExact(globals) || !PyDict_CheckExact(builtins)) {
        return ACCEL_GLOBAL_UNSUPPORTED;
    }
    PyObject *value = pure ? accel_load_global_pure_miss(globals, builtins, name, cache)
                           : accel_load_global_miss(globals, builtins, name, cache);
    if (value == NULL) {
        return PyErr_Occurred() ? NULL : ACCEL_GLOBAL_UNDEFINED;
    }
    Py_INCREF(value);
    return value;
}

/* The index of `name` among the shared keys of `type`'s instances, or -1. */
static Py_ssize_t
shared_key_index(PyTypeObject *type, PyObject *name)
{
    PyDictKeysObject *keys = ((PyHeapTypeObject *)type)->ht_cached_keys;
    if (keys == NULL || keys->dk_kind != DICT_KEYS_SPLIT) {
        return -1;
    }
    return key_index(keys, name);
}

/* Instances of `type` keep their attributes as values in shared keys. */
static int
has_instance_values(PyTypeObject *type)
{
    return (type->tp_flags & Py_TPFLAGS_MANAGED_DICT) && ((PyHeapTypeObject *)type)->ht_cached_keys != NULL;
}

/* A __slots__ member holding an object (T_OBJECT_EX), or -1. */
static Py_ssize_t
slot_offset(PyObject *descr, int for_store)
{
    if (descr == NULL || Py_TYPE(descr) != &PyMemberDescr_Type) {
        return -1;
    }
    PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
    if (member->type != T_OBJECT_EX || (for_store && member->flags & READONLY)) {
        return -1;
    }
    return member->offset;
}

/* Fill in how the fast paths can tell that no instance attribute of owner
 * shadows `name` on its class (accel_not_shadowed). */
static void
fill_not_shadowed(PyObject *owner, PyObject *name, accel_attr_way *way)
{
    PyTypeObject *type = Py_TYPE(owner);
    if (type->tp_dictoffset == 0) {
        way->keys = NULL;
    }
    else if (has_instance_values(type) && *ACCEL_VALUES_POINTER(owner) != NULL && shared_key_index(type, name) < 0) {
        PyDictKeysObject *keys = ((PyHeapTypeObject *)type)->ht_cached_keys;
        way->keys = keys;
        way->index = keys->dk_nentries;
    }
    else {
        way->keys = ACCEL_ANY_DICT;
        way->dict_version = 0;  /* no dict's: the first check looks the name up */
    }
}

/* The instance's dict, if it has one made (not values); NULL if none. */
static PyObject *
instance_dict(PyObject *owner)
{
    PyTypeObject *type = Py_TYPE(owner);
    if (type->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
        return *ACCEL_DICT_POINTER(owner);
    }
    PyObject **where = _PyObject_GetDictPtr(owner);
    return where != NULL ? *where : NULL;
}

/* accel_not_shadowed's slow path for ACCEL_ANY_DICT: whether the instance's
 * values or dict lack `name`.  A dict found without it is remembered by its
 * version.  Only dicts of str keys are looked in: comparing other keys could
 * run Python code, which could change the class under the way. */
int
accel_instance_lacks(PyObject *owner, PyObject *name, accel_attr_way *way)
{
    PyTypeObject *type = Py_TYPE(owner);
    if ((type->tp_flags & Py_TPFLAGS_MANAGED_DICT) && *ACCEL_VALUES_POINTER(owner) != NULL) {
        if (!has_instance_values(type)) {
            return 0;
        }
        Py_ssize_t index = shared_key_index(type, name);
        return index < 0 || (*ACCEL_VALUES_POINTER(owner))->values[index] == NULL;
    }
    PyObject *dict = instance_dict(owner);
    if (dict == NULL) {
        return 1;
    }
    if (!PyDict_CheckExact(dict) || ((PyDictObject *)dict)->ma_keys->dk_kind == DICT_KEYS_GENERAL) {
        return 0;
    }
    Py_hash_t hash = ((PyASCIIObject *)name)->hash;
    if (hash == -1 || _PyDict_GetItem_KnownHash(dict, name, hash) != NULL) {
        return 0;
    }
    way->dict_version = ((PyDictObject *)dict)->ma_version_tag;
    return 1;
}

/* LOAD_NAME found `name` in module code's namespace, its globals (an exact
 * dict): where its entry is in the keys, for the next time (stencils/names.c).
 * An entry keeps its place until the keys are rebuilt or the name deleted. */
void
accel_remember_name_index(PyObject *globals, PyObject *name, accel_cache *cache)
{
    Py_ssize_t index = entry_index((PyDictObject *)globals, name);
    if (index >= 0) {
        cache->name_index = index;
    }
}

/* A module's own global, under its dict's version. */
static int
fill_module(PyObject *owner, PyObject *name, accel_attr_way *way)
{
    PyObject *dict = ((PyModuleObject *)owner)->md_dict;
    if (dict == NULL || !PyDict_CheckExact(dict)) {
        return 0;
    }
    PyObject *value = PyDict_GetItemWithError(dict, name);
    if (value == NULL) {
        PyErr_Clear();
        return 0;
    }
    way->kind = ACCEL_ATTR_MODULE;
    way->keys = dict;
    way->dict_version = ((PyDictObject *)dict)->ma_version_tag;
    way->value = value;
    return 1;
}

/* Store `filled` (for owners of `type`) in the way that serves `type`, in an
 * empty one, or, now and then, in place of another type's. */
static void
commit(accel_cache *cache, PyTypeObject *type, const accel_attr_way *filled)
{
    accel_attr_way *way = accel_cache_way(cache, type);
    for (int i = 0; i < ACCEL_CACHE_WAYS && way == NULL; i++) {
        if (cache->ways[i].version == 0) {
            way = &cache->ways[i];
        }
    }
    if (way == NULL) {
        unsigned int misses = cache->misses++;
        if (misses % EVICT_EVERY != EVICT_EVERY - 1) {
            return;
        }
        way = &cache->ways[misses / EVICT_EVERY % ACCEL_CACHE_WAYS];
    }
    *way = *filled;
    way->version = type->tp_version_tag;
}

/* Which type's owners the fast paths may serve: a valid version tag, the
 * generic attribute protocol (no __getattr__, __getattribute__ or __setattr__). */
static int
cacheable_type(PyTypeObject *type, int for_store)
{
    if (!(type->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG) || type->tp_version_tag == 0) {
        return 0;
    }
    return for_store ? type->tp_setattro == PyObject_GenericSetAttr : type->tp_getattro == PyObject_GenericGetAttr;
}

/* A type that cannot change: a static (built-in) or immutable one. */
static int
fixed_type(PyTypeObject *type)
{
    return !(type->tp_flags & Py_TPFLAGS_HEAPTYPE) || (type->tp_flags & Py_TPFLAGS_IMMUTABLETYPE);
}

/* A value whose type may never become a descriptor: a class attribute holding
 * it stays a plain value for as long as the owner's type version holds. */
static int
plain_value(PyObject *value)
{
    PyTypeObject *type = Py_TYPE(value);
    return type->tp_descr_get == NULL && type->tp_descr_set == NULL && fixed_type(type);
}

/* Fill a way for cls.name, a class's attribute read through the class (by
 * type_getattro): a data descriptor of the metaclass (type's __name__...), or an
 * attribute of the class that is a plain value or a function (which __get__
 * gives back as it is), when the metaclass has nothing of that name. */
static void
fill_type_attr(PyTypeObject *cls, PyObject *name, accel_cache *cache)
{
    PyTypeObject *meta = Py_TYPE(cls);
    accel_attr_way way = {0};
    PyObject *meta_attr = _PyType_Lookup(meta, name);
    if (!(meta->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG) || meta->tp_version_tag == 0) {
        return;
    }
    if (meta_attr != NULL) {
        PyTypeObject *kind = Py_TYPE(meta_attr);
        if (kind->tp_descr_get == NULL || kind->tp_descr_set == NULL || !fixed_type(kind)) {
            return;
        }
        way.kind = ACCEL_ATTR_DATA_DESCRIPTOR;
        way.value = meta_attr;
    }
    else {
        PyObject *attr = _PyType_Lookup(cls, name);
        if (attr == NULL || !(cls->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG) || cls->tp_version_tag == 0
            || !(plain_value(attr) || Py_TYPE(attr) == &PyFunction_Type)) {
            return;
        }
        way.kind = ACCEL_ATTR_TYPE;
        way.keys = cls;
        way.dict_version = cls->tp_version_tag;
        way.value = attr;
    }
    commit(cache, meta, &way);
}

/* Fill a way for owner.name (load or store), if the fast paths can serve it. */
static void
fill_attr(PyObject *owner, PyObject *name, accel_cache *cache, int for_store)
{
    PyTypeObject *type = Py_TYPE(owner);
    accel_attr_way way = {0};
    if (PyModule_CheckExact(owner) && !for_store) {
        /* ModuleType's own attributes (__dict__, __class__...) come before the module's. */
        if (type->tp_getattro == PyModule_Type.tp_getattro && _PyType_Lookup(type, name) == NULL
            && (type->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG) && type->tp_version_tag != 0
            && fill_module(owner, name, &way)) {
            commit(cache, type, &way);
        }
        return;
    }
    if (PyType_Check(owner) && !for_store) {
        if (type->tp_getattro == PyType_Type.tp_getattro) {
            fill_type_attr((PyTypeObject *)owner, name, cache);
        }
        return;
    }
    accel_attr_way *present = accel_cache_way(cache, type);
    if (present != NULL && (present->kind == ACCEL_ATTR_SLOT || present->kind == ACCEL_ATTR_INSTANCE_VALUE)) {
        return;  /* where it lives cannot change while the version holds: the miss was this object's own */
    }
    if (!cacheable_type(type, for_store)) {
        return;
    }
    PyObject *descr = _PyType_Lookup(type, name);
    Py_ssize_t offset = slot_offset(descr, for_store);
    if (offset >= 0) {
        way.kind = ACCEL_ATTR_SLOT;
        way.index = offset;
    }
    else if (descr != NULL && Py_TYPE(descr)->tp_descr_set != NULL) {
        /* A data descriptor (a property...) wins over instance attributes: its
         * __get__, unless its class may change (then so may that). */
        if (for_store || Py_TYPE(descr)->tp_descr_get == NULL || !fixed_type(Py_TYPE(descr))) {
            return;
        }
        way.kind = ACCEL_ATTR_DATA_DESCRIPTOR;
        way.value = descr;
    }
    else if (descr != NULL && !fixed_type(Py_TYPE(descr))) {
        /* Its class may gain __set__ later without changing the owner's version
         * tag (test_opcache): then it would win over the instance value. */
        return;
    }
    else if (has_instance_values(type) && *ACCEL_VALUES_POINTER(owner) != NULL
             && (way.index = shared_key_index(type, name)) >= 0) {
        way.kind = ACCEL_ATTR_INSTANCE_VALUE;
    }
    else if (for_store || descr == NULL) {
        return;
    }
    else if (plain_value(descr)) {
        way.kind = ACCEL_ATTR_CLASS;
        way.value = descr;
        fill_not_shadowed(owner, name, &way);
    }
    else if (Py_TYPE(descr) == &PyFunction_Type) {
        way.kind = ACCEL_ATTR_METHOD;  /* LOAD_ATTR binds it to the instance */
        way.value = descr;
        fill_not_shadowed(owner, name, &way);
    }
    else if (Py_TYPE(descr)->tp_descr_get != NULL) {
        /* A method descriptor, a classmethod...: fixed_type above, so its __get__ stays. */
        way.kind = ACCEL_ATTR_DESCRIPTOR;
        way.value = descr;
        fill_not_shadowed(owner, name, &way);
    }
    else {
        return;
    }
    commit(cache, type, &way);
}

static PyObject *
accel_load_attr_miss(PyObject *owner, PyObject *name, accel_cache *cache)
{
    accel_totals.attribute_misses++;
    PyObject *res = PyObject_GetAttr(owner, name);
    if (res != NULL) {
        fill_attr(owner, name, cache, 0);
    }
    return res;
}

/* owner.name through the cache, then the generic path: the stencils' out-of-line
 * load (stencils/cached.c), where no way of the cache finds an instance value
 * or a slot for the owner.  A new reference, or NULL with an exception set.
 * The owner's reference is released where `consume` says it is the caller's
 * (a value-stack owner); otherwise the owner, which a stencil may have
 * borrowed from a local, is held while a descriptor's __get__ or __getattr__
 * may run Python code. */
PyObject *
accel_load_attr(PyObject *owner, PyObject *name, accel_cache *cache, int consume)
{
    int failed = 0;
    if (!consume) {
        Py_INCREF(owner);
    }
    PyObject *res = accel_cached_load(owner, name, cache, &failed);
    if (res == NULL && !failed) {
        res = accel_load_attr_miss(owner, name, cache);
    }
    Py_DECREF(owner);
    return res;
}

/* accel_load_attr for the forms that push a float attribute raw: the attribute
 * into *slot (a value-stack slot), raw where it is a float a raw slot can hold
 * (1), else as the object (0: the interpreter goes on after the load); -1 with
 * an exception set.  This one call is those stencils' whole out-of-line path,
 * so that clang confines their stack frame to it. */
int
accel_load_attr_unboxed(PyObject *owner, PyObject *name, accel_cache *cache, PyObject **slot)
{
    PyObject *res = accel_load_attr(owner, name, cache, 0);
    if (res == NULL) {
        return -1;
    }
    if (!IS_UNBOXABLE_FLOAT(res)) {
        *slot = res;
        return 0;
    }
    double value = PyFloat_AS_DOUBLE(res);
    __builtin_memcpy(slot, &value, sizeof value);
    Py_DECREF(res);
    return 1;
}

int
accel_store_attr_miss(PyObject *owner, PyObject *name, PyObject *value, accel_cache *cache)
{
    accel_totals.attribute_misses++;
    int err = PyObject_SetAttr(owner, name, value);
    if (err == 0) {
        fill_attr(owner, name, cache, 1);
    }
    return err;
}

/* The miss path of the attribute forms that may run no Python code (the float
 * attributes of code whose locals are raw, stencils/cached.c): fill a way for
 * owner.name as the other miss paths do after the generic access, without that
 * access, where looking the name up in owner's type cannot run code either:
 * every dict of its MRO has str keys only (comparing others could run their
 * __eq__).  Where owner keeps the attribute by the cache's first way then
 * (the only way those forms read), or NULL. */
PyObject **
accel_attr_pure_where(PyObject *owner, PyObject *name, accel_cache *cache, int for_store)
{
    PyTypeObject *type = Py_TYPE(owner);
    PyObject *mro = type->tp_mro;
    if (PyModule_Check(owner) || PyType_Check(owner) || !cacheable_type(type, for_store) || mro == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(mro); i++) {
        PyObject *dict = ((PyTypeObject *)PyTuple_GET_ITEM(mro, i))->tp_dict;
        if (dict == NULL || !PyDict_CheckExact(dict) || ((PyDictObject *)dict)->ma_keys->dk_kind == DICT_KEYS_GENERAL) {
            return NULL;
        }
    }
    accel_totals.attribute_misses++;
    fill_attr(owner, name, cache, for_store);
    accel_attr_way *way = &cache->ways[0];
    return way->version == type->tp_version_tag ? accel_way_attribute(owner, way) : NULL;
}

/* owner.name for the stencils that may run no Python code and push it raw
 * (stencils/cached.c PUSH_RAW_FLOAT_PURE): the bits of the float the first
 * way's attribute holds (filled here on a miss, as accel_attr_pure_where
 * does), where it is a float a raw slot can hold, the owner's reference count
 * changed by owner_refs (the stencil pushes the owner too, or releases it
 * from the stack: never its last reference); RAW_FLOAT_UNBOUND for anything
 * else (which no such float has), nothing done. */
uint64_t
accel_load_raw_float_pure(PyObject *owner, PyObject *name, accel_cache *cache, int owner_refs)
{
    accel_attr_way *way = &cache->ways[0];
    PyObject **where = way->version == Py_TYPE(owner)->tp_version_tag ? accel_way_attribute(owner, way) : NULL;
    if (where == NULL) {
        where = accel_attr_pure_where(owner, name, cache, 0);
    }
    PyObject *value = where != NULL ? *where : NULL;
    if (value == NULL || !IS_UNBOXABLE_FLOAT(value)) {
        return RAW_FLOAT_UNBOUND;
    }
    uint64_t bits;
    memcpy(&bits, &((PyFloatObject *)value)->ob_fval, sizeof bits);
    owner->ob_refcnt += owner_refs;
    return bits;
}

/* owner.name = a raw float for the stencils that may run no Python code
 * (stencils/cached.c STORE_RAW_FLOAT_PURE), where that runs none: into the
 * first way's attribute (filled here on a miss, as accel_attr_pure_where
 * does), empty or holding an exact float (whose release runs no code); in
 * place where only the attribute holds that float.  1, the owner's reference
 * released where `consume` says it is the caller's (never its last: the
 * stencil checked); or 0 for anything else, nothing done (a float that cannot
 * be allocated too: the interpreter raises the MemoryError itself). */
int
accel_store_raw_float_pure(PyObject *owner, PyObject *name, accel_cache *cache, double value, int consume)
{
    accel_attr_way *way = &cache->ways[0];
    PyObject **where = way->version == Py_TYPE(owner)->tp_version_tag ? accel_way_attribute(owner, way) : NULL;
    if (where == NULL) {
        where = accel_attr_pure_where(owner, name, cache, 1);
    }
    PyObject *old = where != NULL ? *where : NULL;
    if (where == NULL || !accel_store_float_pure(where, value)) {
        return 0;
    }
    if (old == NULL && way->kind == ACCEL_ATTR_INSTANCE_VALUE) {
        /* A new instance value: it joins the dict's insertion order. */
        _PyDictValues_AddToInsertionOrder(*ACCEL_VALUES_POINTER(owner), way->index);
    }
    if (consume) {
        Py_DECREF(owner);
    }
    return 1;
}

/* super().name, where owner is a super object bound to an instance and the
 * way says which function the lookup past its class in its instance's type's
 * MRO finds: that function (borrowed), with *self the instance; else NULL. */
static PyObject *
super_method(PyObject *owner, accel_cache *cache, PyObject **self)
{
    accel_super *su = (accel_super *)owner;
    if (su->obj_type == NULL || (PyObject *)su->obj_type == su->obj) {
        return NULL;
    }
    accel_attr_way *way = accel_cache_way(cache, su->obj_type);
    if (way == NULL || way->kind != ACCEL_ATTR_SUPER_METHOD || way->keys != (void *)su->type
        || su->obj_type->tp_version_tag != way->dict_version) {
        return NULL;
    }
    *self = su->obj;
    return way->value;
}

/* After the generic lookup of super().name made `bound`: cache it when it is
 * the instance's function that super_getattro finds, by the same walk. */
static void
fill_super_method(PyObject *owner, PyObject *name, PyObject *bound, accel_cache *cache)
{
    accel_super *su = (accel_super *)owner;
    PyTypeObject *start = su->obj_type;
    if (start == NULL || (PyObject *)start == su->obj || !PyMethod_Check(bound) || PyMethod_GET_SELF(bound) != su->obj
        || _PyType_Lookup(start, name) == NULL) {
        return;  /* (the lookup in start assigns the version tag that guards the way) */
    }
    PyObject *mro = start->tp_mro;
    if (mro == NULL || !PyTuple_Check(mro)) {
        return;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(mro), i = 0;
    while (i < n && PyTuple_GET_ITEM(mro, i) != (PyObject *)su->type) {
        i++;
    }
    PyObject *found = NULL;
    for (i++; i < n && found == NULL; i++) {
        PyObject *dict = ((PyTypeObject *)PyTuple_GET_ITEM(mro, i))->tp_dict;
        found = dict != NULL ? PyDict_GetItemWithError(dict, name) : NULL;
    }
    if (found == NULL || found != PyMethod_GET_FUNCTION(bound) || !PyFunction_Check(found)
        || !(start->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG) || start->tp_version_tag == 0) {
        PyErr_Clear();
        return;
    }
    accel_attr_way way = {0};
    way.kind = ACCEL_ATTR_SUPER_METHOD;
    way.keys = su->type;
    way.dict_version = start->tp_version_tag;
    way.value = found;  /* in a class of start's MRO: start's version tag guards it */
    commit(cache, start, &way);  /* one way per instance type, as for its own attributes */
}

/* As _PyObject_GetMethod, with what to push: [method, *self] (a new reference),
 * or [NULL, attribute] when *self is NULL.  Cached when the method is a plain
 * function or method descriptor of the class that no instance attribute
 * shadows, or a function found by super() for an instance, or, for any other
 * attribute, as LOAD_ATTR caches it (then the fast path pushes NULL and it). */
static PyObject *
load_method_miss(PyObject *owner, PyObject *name, accel_cache *cache, PyObject **self)
{
    int super = Py_TYPE(owner) == &PySuper_Type && accel_private_layout_ok();
    PyObject *meth = super ? super_method(owner, cache, self) : NULL;
    if (meth != NULL) {
        Py_INCREF(meth);
        Py_INCREF(*self);
        return meth;
    }
    accel_totals.attribute_misses++;
    int found = _PyObject_GetMethod(owner, name, &meth);
    if (meth == NULL) {
        return NULL;
    }
    *self = found ? Py_NewRef(owner) : NULL;
    PyTypeObject *type = Py_TYPE(owner);
    accel_attr_way way = {0};
    if (super) {
        fill_super_method(owner, name, meth, cache);
    }
    else if (found) {
        if (cacheable_type(type, 0)) {
            way.kind = ACCEL_ATTR_METHOD;
            way.value = meth;  /* borrowed from the class: the version tag guards it */
            fill_not_shadowed(owner, name, &way);
            commit(cache, type, &way);
        }
    }
    else {
        fill_attr(owner, name, cache, 0);  /* LOAD_METHOD_CACHED serves it as LOAD_ATTR does */
    }
    return meth;
}

int
accel_load_method(PyObject *owner, PyObject *name, accel_cache *cache, PyObject **pushed)
{
    accel_attr_way *way = accel_cache_way(cache, Py_TYPE(owner));
    if (way != NULL) {
        if (way->kind == ACCEL_ATTR_METHOD && accel_not_shadowed(owner, way, name)) {
            pushed[0] = Py_NewRef(way->value);
            pushed[1] = owner;  /* the stack's reference */
            return 0;
        }
        /* Not a method: a module's global, an instance attribute, a class
         * attribute, a descriptor's __get__ (a classmethod...). */
        int failed = 0;
        PyObject *attr = way->kind != ACCEL_ATTR_METHOD ? accel_cached_load(owner, name, cache, &failed) : NULL;
        if (attr != NULL) {
            pushed[0] = NULL;
            pushed[1] = attr;
            Py_DECREF(owner);
            return 0;
        }
        if (failed) {
            return -1;
        }
    }
    PyObject *self;
    PyObject *meth = load_method_miss(owner, name, cache, &self);
    if (meth == NULL) {
        return -1;
    }
    pushed[0] = self != NULL ? meth : NULL;
    pushed[1] = self != NULL ? self : meth;
    Py_DECREF(owner);
    return 0;
}
