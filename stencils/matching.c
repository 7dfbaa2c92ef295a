/* Structural pattern matching (PEP 634): the tests of `case` patterns.
 *
 * Each stencil follows its TARGET in CPython 3.11's ceval.c: the same stack
 * effect, the same references, the same errors.  ceval.c does the work of
 * MATCH_KEYS and MATCH_CLASS in static helpers (match_keys, match_class,
 * match_class_attr); the stencils do the same with exported API. */
#include "stencil.h"

#define INLINE static inline __attribute__((always_inline))

/* [subject] -> [subject, bool]: whether its type is a mapping (collections.abc
 * registration sets the flag too). */
STENCIL(MATCH_MAPPING)
{
    PyObject *res = (Py_TYPE(sp[-1])->tp_flags & Py_TPFLAGS_MAPPING) ? Py_True : Py_False;
    Py_INCREF(res);
    *sp++ = res;
    CONTINUE();
}

STENCIL(MATCH_SEQUENCE)
{
    PyObject *res = (Py_TYPE(sp[-1])->tp_flags & Py_TPFLAGS_SEQUENCE) ? Py_True : Py_False;
    Py_INCREF(res);
    *sp++ = res;
    CONTINUE();
}

/* The values of `keys` (a tuple) in `map`, as a tuple; None if one is missing;
 * NULL with an exception set.  Values are read with map.get(key, dummy): one
 * lookup per key, and no __missing__ (a defaultdict gains no keys). */
INLINE PyObject *
match_keys(PyObject *map, PyObject *keys)
{
    Py_ssize_t nkeys = PyTuple_GET_SIZE(keys);
    if (nkeys == 0) {
        return PyTuple_New(0);
    }
    PyObject *seen = NULL, *dummy = NULL, *values = NULL, *get = NULL;
    int meth_found = _PyObject_GetMethod(map, &_Py_ID(get), &get);
    if (get == NULL) {
        goto fail;
    }
    seen = PySet_New(NULL);
    if (seen == NULL) {
        goto fail;
    }
    dummy = PyObject_CallNoArgs((PyObject *)&PyBaseObject_Type);
    if (dummy == NULL) {
        goto fail;
    }
    values = PyTuple_New(nkeys);
    if (values == NULL) {
        goto fail;
    }
    for (Py_ssize_t i = 0; i < nkeys; i++) {
        PyObject *key = PyTuple_GET_ITEM(keys, i);
        /* Either call failing (an unhashable key) is an error too. */
        if (PySet_Contains(seen, key) || PySet_Add(seen, key)) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_ValueError, "mapping pattern checks duplicate key (%R)", key);
            }
            goto fail;
        }
        PyObject *args[] = {map, key, dummy};
        PyObject *value = meth_found ? PyObject_Vectorcall(get, args, 3, NULL)
                                     : PyObject_Vectorcall(get, args + 1, 2, NULL);
        if (value == NULL) {
            goto fail;
        }
        if (value == dummy) {
            Py_DECREF(value);
            Py_DECREF(values);
            Py_INCREF(Py_None);
            values = Py_None;
            break;
        }
        PyTuple_SET_ITEM(values, i, value);
    }
    Py_DECREF(get);
    Py_DECREF(seen);
    Py_DECREF(dummy);
    return values;
fail:
    Py_XDECREF(get);
    Py_XDECREF(seen);
    Py_XDECREF(dummy);
    Py_XDECREF(values);
    return NULL;
}

/* [subject, keys] -> [subject, keys, values or None] */
STENCIL(MATCH_KEYS)
{
    SYNC_INSTR();
    PyObject *values = match_keys(sp[-2], sp[-1]);
    if (values == NULL) {
        ERROR();
    }
    *sp++ = values;
    CONTINUE();
}

/* subject.<name> for a sub-pattern; NULL, with an exception set only if the
 * lookup failed other than by AttributeError or the name came twice. */
INLINE PyObject *
match_class_attr(PyObject *subject, PyObject *type, PyObject *name, PyObject *seen)
{
    if (PySet_Contains(seen, name) || PySet_Add(seen, name)) {
        if (!PyErr_Occurred()) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple sub-patterns for attribute %R",
                         ((PyTypeObject *)type)->tp_name, name);
        }
        return NULL;
    }
    PyObject *attr = PyObject_GetAttr(subject, name);
    if (attr == NULL && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
    }
    return attr;
}

/* The attributes of `subject` that the sub-patterns of `type(...)` match, as a
 * tuple: nargs positional ones named by type.__match_args__ (or the subject
 * itself, for the builtins that match themselves), then those named in the
 * `kwargs` tuple.  NULL if it does not match, with an exception set on error.
 * The type's name is read where an error needs it: the attribute lookups run
 * Python code, which may rename the type (and free the old name). */
INLINE PyObject *
match_class(PyObject *subject, PyObject *type, Py_ssize_t nargs, PyObject *kwargs)
{
    if (!PyType_Check(type)) {
        PyErr_SetString(PyExc_TypeError, "called match pattern must be a type");
        return NULL;
    }
    if (PyObject_IsInstance(subject, type) <= 0) {
        return NULL;
    }
    Py_ssize_t nkwargs = PyTuple_GET_SIZE(kwargs);
    PyObject *seen = PySet_New(NULL);
    if (seen == NULL) {
        return NULL;
    }
    /* ceval.c appends to a list and converts it; every slot is known in advance. */
    PyObject *attrs = PyTuple_New(nargs + nkwargs);
    if (attrs == NULL) {
        Py_DECREF(seen);
        return NULL;
    }
    Py_ssize_t filled = 0;
    PyObject *match_args = NULL;
    if (nargs) {
        int match_self = 0;
        match_args = PyObject_GetAttrString(type, "__match_args__");
        if (match_args != NULL) {
            if (!PyTuple_CheckExact(match_args)) {
                PyErr_Format(PyExc_TypeError, "%s.__match_args__ must be a tuple (got %s)",
                             ((PyTypeObject *)type)->tp_name,
                             Py_TYPE(match_args)->tp_name);
                goto fail;
            }
        }
        else if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
            PyErr_Clear();
            /* The flag counts only where no __match_args__ is found, so that a
             * subclass defining one gets its own behaviour. */
            match_args = PyTuple_New(0);
            match_self = PyType_HasFeature((PyTypeObject *)type, _Py_TPFLAGS_MATCH_SELF);
        }
        else {
            goto fail;
        }
        Py_ssize_t allowed = match_self ? 1 : PyTuple_GET_SIZE(match_args);
        if (allowed < nargs) {
            PyErr_Format(PyExc_TypeError, "%s() accepts %d positional sub-pattern%s (%d given)",
                         ((PyTypeObject *)type)->tp_name,
                         (int)allowed, allowed == 1 ? "" : "s", (int)nargs);
            goto fail;
        }
        if (match_self) {
            Py_INCREF(subject);
            PyTuple_SET_ITEM(attrs, filled++, subject);
        }
        else {
            for (Py_ssize_t i = 0; i < nargs; i++) {
                PyObject *name = PyTuple_GET_ITEM(match_args, i);
                if (!PyUnicode_CheckExact(name)) {
                    PyErr_Format(PyExc_TypeError, "__match_args__ elements must be strings (got %s)",
                                 Py_TYPE(name)->tp_name);
                    goto fail;
                }
                PyObject *attr = match_class_attr(subject, type, name, seen);
                if (attr == NULL) {
                    goto fail;
                }
                PyTuple_SET_ITEM(attrs, filled++, attr);
            }
        }
        Py_CLEAR(match_args);
    }
    for (Py_ssize_t i = 0; i < nkwargs; i++) {
        PyObject *attr = match_class_attr(subject, type, PyTuple_GET_ITEM(kwargs, i), seen);
        if (attr == NULL) {
            goto fail;
        }
        PyTuple_SET_ITEM(attrs, filled++, attr);
    }
    Py_DECREF(seen);
    return attrs;
fail:
    Py_XDECREF(match_args);
    Py_DECREF(seen);
    Py_DECREF(attrs);
    return NULL;
}

/* [subject, type, names] -> [attributes or None]; on an error the subject stays. */
STENCIL(MATCH_CLASS)
{
    PyObject *names = sp[-1], *type = sp[-2], *subject = sp[-3];
    SYNC_INSTR();
    PyObject *attrs = match_class(subject, type, OPARG, names);
    Py_DECREF(names);
    Py_DECREF(type);
    sp -= 2;
    if (attrs == NULL) {
        if (PyErr_Occurred()) {
            ERROR();
        }
        Py_INCREF(Py_None);
        attrs = Py_None;
    }
    sp[-1] = attrs;
    Py_DECREF(subject);
    CONTINUE();
}
