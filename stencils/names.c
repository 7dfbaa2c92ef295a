/* Names in module and class bodies (the frame's f_locals namespace), deleting
 * attributes, annotations, `from m import *` and the expression statements of
 * interactive code.
 *
 * Each stencil follows its TARGET in CPython 3.11's ceval.c: the same stack
 * effect, the same references, the same errors.  Where ceval.c words an error in
 * a static helper (format_exc_check_arg, import_all_from), the stencil does the
 * same with exported API.  The name is read from co_names by the oparg, as the
 * interpreter does. */
#include "stencil.h"

#define INLINE static inline __attribute__((always_inline))

#define CO_NAME(I) PyTuple_GET_ITEM(frame->f_code->co_names, (I))

/* ceval.c's format_exc_check_arg for NameError: replaces the current exception,
 * if any, with "name '...' is not defined", and records the name on it (the
 * traceback module reads it to suggest a similar one). */
INLINE void
name_error(PyObject *name)
{
    const char *text = PyUnicode_AsUTF8(name);
    if (text == NULL) {
        return;
    }
    PyErr_Format(PyExc_NameError, "name '%.200s' is not defined", text);
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    PyErr_NormalizeException(&type, &value, &traceback);
    if (PyErr_GivenExceptionMatches(value, PyExc_NameError) && ((PyNameErrorObject *)value)->name == NULL) {
        /* As in ceval.c, a failure here is dropped: the NameError is restored. */
        (void)PyObject_SetAttr(value, &_Py_ID(name), name);
    }
    PyErr_Restore(type, value, traceback);
}

/* The namespace, then the globals, then the builtins.  A namespace that is not
 * an exact dict (from a metaclass's __prepare__) is read with its own
 * __getitem__, and a KeyError from it means "not there".
 *
 * Module code's namespace is its globals: a name found there is read next time
 * straight from the entry its cache remembers (native/caches.c), as long as
 * that entry still holds this very name (str keys are compared by identity, as
 * the dict's lookup does first: co_names are interned) and a value.  An entry
 * keeps its place while the keys object lives; a deleted name clears it. */
STENCIL(LOAD_NAME)
{
    PyObject *name = CO_NAME(OPARG);
    PyObject *locals = frame->f_locals;
    accel_cache *cache = (accel_cache *)HOLE(_JIT_CACHE);
    if (LIKELY(locals == frame->f_globals && PyDict_CheckExact(locals))) {
        PyDictKeysObject *keys = ((PyDictObject *)locals)->ma_keys;
        Py_ssize_t index = cache->name_index;
        if (LIKELY(keys->dk_kind == DICT_KEYS_UNICODE && (size_t)index < (size_t)keys->dk_nentries)) {
            PyDictUnicodeEntry *entry = &DK_UNICODE_ENTRIES(keys)[index];
            PyObject *value = entry->me_value;
            if (LIKELY(entry->me_key == name && value != NULL)) {
                Py_INCREF(value);
                *sp++ = value;
                CONTINUE();
            }
        }
    }
    SYNC_INSTR();
    if (locals == NULL) {
        PyErr_Format(PyExc_SystemError, "no locals when loading %R", name);
        ERROR();
    }
    PyObject *value;
    if (PyDict_CheckExact(locals)) {
        value = PyDict_GetItemWithError(locals, name);
        if (value != NULL) {
            Py_INCREF(value);
            if (locals == frame->f_globals) {
                accel_remember_name_index(locals, name, cache);
            }
        }
        else if (PyErr_Occurred()) {
            ERROR();
        }
    }
    else {
        value = PyObject_GetItem(locals, name);
        if (value == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
                ERROR();
            }
            PyErr_Clear();
        }
    }
    if (value == NULL) {
        value = PyDict_GetItemWithError(frame->f_globals, name);
        if (value != NULL) {
            Py_INCREF(value);
        }
        else if (PyErr_Occurred()) {
            ERROR();
        }
        else if (PyDict_CheckExact(frame->f_builtins)) {
            value = PyDict_GetItemWithError(frame->f_builtins, name);
            if (value == NULL) {
                if (!PyErr_Occurred()) {
                    name_error(name);
                }
                ERROR();
            }
            Py_INCREF(value);
        }
        else {
            value = PyObject_GetItem(frame->f_builtins, name);
            if (value == NULL) {
                if (PyErr_ExceptionMatches(PyExc_KeyError)) {
                    name_error(name);
                }
                ERROR();
            }
        }
    }
    *sp++ = value;
    CONTINUE();
}

STENCIL(STORE_NAME)
{
    PyObject *name = CO_NAME(OPARG);
    PyObject *value = *--sp;
    PyObject *locals = frame->f_locals;
    SYNC_INSTR();
    if (locals == NULL) {
        PyErr_Format(PyExc_SystemError, "no locals found when storing %R", name);
        Py_DECREF(value);
        ERROR();
    }
    int err = PyDict_CheckExact(locals) ? PyDict_SetItem(locals, name, value)
                                        : PyObject_SetItem(locals, name, value);
    Py_DECREF(value);
    if (err != 0) {
        ERROR();
    }
    CONTINUE();
}

/* Whatever deleting raised becomes the NameError, as in ceval.c. */
STENCIL(DELETE_NAME)
{
    PyObject *name = CO_NAME(OPARG);
    PyObject *locals = frame->f_locals;
    SYNC_INSTR();
    if (locals == NULL) {
        PyErr_Format(PyExc_SystemError, "no locals when deleting %R", name);
        ERROR();
    }
    if (PyObject_DelItem(locals, name) != 0) {
        name_error(name);
        ERROR();
    }
    CONTINUE();
}

STENCIL(DELETE_ATTR)
{
    PyObject *owner = *--sp;
    SYNC_INSTR();
    int err = PyObject_SetAttr(owner, CO_NAME(OPARG), NULL);
    Py_DECREF(owner);
    if (err != 0) {
        ERROR();
    }
    CONTINUE();
}

/* An empty __annotations__ dict in the namespace, unless one is there already. */
STENCIL(SETUP_ANNOTATIONS)
{
    PyObject *locals = frame->f_locals;
    PyObject *key = &_Py_ID(__annotations__);
    SYNC_INSTR();
    if (locals == NULL) {
        PyErr_Format(PyExc_SystemError, "no locals found when setting up annotations");
        ERROR();
    }
    if (PyDict_CheckExact(locals)) {
        PyObject *annotations = PyDict_GetItemWithError(locals, key);
        if (annotations != NULL) {
            CONTINUE();
        }
        if (PyErr_Occurred()) {
            ERROR();
        }
        annotations = PyDict_New();
        if (annotations == NULL) {
            ERROR();
        }
        int err = PyDict_SetItem(locals, key, annotations);
        Py_DECREF(annotations);
        if (err != 0) {
            ERROR();
        }
        CONTINUE();
    }
    PyObject *annotations = PyObject_GetItem(locals, key);
    if (annotations != NULL) {
        Py_DECREF(annotations);
        CONTINUE();
    }
    if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
        ERROR();
    }
    PyErr_Clear();
    annotations = PyDict_New();
    if (annotations == NULL) {
        ERROR();
    }
    int err = PyObject_SetItem(locals, key, annotations);
    Py_DECREF(annotations);
    if (err != 0) {
        ERROR();
    }
    CONTINUE();
}

/* The TypeError for a name in __all__ (or a key of __dict__) that is not a str. */
INLINE void
not_a_str_error(PyObject *from, PyObject *name, int from_dict)
{
    PyObject *modname = PyObject_GetAttr(from, &_Py_ID(__name__));
    if (modname == NULL) {
        return;
    }
    if (!PyUnicode_Check(modname)) {
        PyErr_Format(PyExc_TypeError, "module __name__ must be a string, not %.100s", Py_TYPE(modname)->tp_name);
    }
    else {
        PyErr_Format(PyExc_TypeError, "%s in %U.%s must be str, not %.100s", from_dict ? "Key" : "Item", modname,
                     from_dict ? "__dict__" : "__all__", Py_TYPE(name)->tp_name);
    }
    Py_DECREF(modname);
}

/* ceval.c's import_all_from: every name of from.__all__, or else every key of
 * from.__dict__ that does not start with "_", bound in the namespace.  0, or -1
 * with an exception set. */
INLINE int
import_all_from(PyObject *locals, PyObject *from)
{
    PyObject *all;
    int from_dict = 0;
    if (_PyObject_LookupAttr(from, &_Py_ID(__all__), &all) < 0) {
        return -1;
    }
    if (all == NULL) {
        PyObject *dict;
        if (_PyObject_LookupAttr(from, &_Py_ID(__dict__), &dict) < 0) {
            return -1;
        }
        if (dict == NULL) {
            PyErr_SetString(PyExc_ImportError, "from-import-* object has no __dict__ and no __all__");
            return -1;
        }
        all = PyMapping_Keys(dict);
        Py_DECREF(dict);
        if (all == NULL) {
            return -1;
        }
        from_dict = 1;
    }
    int err = 0;
    /* Items are read by index until IndexError: __all__ may be any sequence. */
    for (Py_ssize_t pos = 0;; pos++) {
        PyObject *name = PySequence_GetItem(all, pos);
        if (name == NULL) {
            if (PyErr_ExceptionMatches(PyExc_IndexError)) {
                PyErr_Clear();
            }
            else {
                err = -1;
            }
            break;
        }
        if (!PyUnicode_Check(name)) {
            not_a_str_error(from, name, from_dict);
            Py_DECREF(name);
            err = -1;
            break;
        }
        if (from_dict) {
            if (PyUnicode_READY(name) == -1) {
                Py_DECREF(name);
                err = -1;
                break;
            }
            if (PyUnicode_READ_CHAR(name, 0) == '_') {
                Py_DECREF(name);
                continue;
            }
        }
        PyObject *value = PyObject_GetAttr(from, name);
        if (value == NULL) {
            err = -1;
        }
        else if (PyDict_CheckExact(locals)) {
            err = PyDict_SetItem(locals, name, value);
        }
        else {
            err = PyObject_SetItem(locals, name, value);
        }
        Py_DECREF(name);
        Py_XDECREF(value);
        if (err != 0) {
            break;
        }
    }
    Py_DECREF(all);
    return err;
}

/* [module] -> [].  ceval.c merges the frame's fast locals into f_locals before
 * and back after, with helpers libpython does not export; both do nothing for a
 * frame without fast locals and with a namespace, which is every frame that can
 * run `import *` (the compiler allows it only at module level).  Any other
 * frame is left to the interpreter. */
STENCIL(IMPORT_STAR)
{
    PyObject *locals = frame->f_locals;
    if (locals == NULL || frame->f_code->co_nlocalsplus != 0) {
        EXIT(ACCEL_EXIT_UNSUPPORTED);
    }
    PyObject *from = *--sp;
    SYNC_INSTR();
    int err = import_all_from(locals, from);
    Py_DECREF(from);
    if (err != 0) {
        ERROR();
    }
    CONTINUE();
}

/* An expression statement of interactive code: sys.displayhook(value). */
STENCIL(PRINT_EXPR)
{
    PyObject *value = *--sp;
    SYNC_INSTR();
    PyObject *hook = _PySys_GetAttr(tstate, &_Py_ID(displayhook));
    if (hook == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "lost sys.displayhook");
        Py_DECREF(value);
        ERROR();
    }
    PyObject *res = PyObject_CallOneArg(hook, value);
    Py_DECREF(value);
    if (res == NULL) {
        ERROR();
    }
    Py_DECREF(res);
    if (TRACING_ON()) {
        EXIT_AFTER(ACCEL_EXIT_TRACING);
    }
    CONTINUE();
}
