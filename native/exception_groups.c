/* except* for native code, as 3.11's ceval.c and Objects/exceptions.c do it,
 * written through public API (the interpreter's helpers are not exported).
 *
 * - Matching (CHECK_EG_MATCH): an exception that matches as a whole is the
 *   match (a plain exception wrapped in a new group); a group that does not is
 *   split with its own split() method; anything else does not match.
 * - Re-raising (PREP_RERAISE_STAR): of what the clauses raised, an exception
 *   whose metadata (traceback, cause, context, notes) is the caught group's
 *   was re-raised; those are kept at their places in the caught group (its
 *   projection on their leaves, derived as split() derives), and the others
 *   are raised beside it, in a new group (an exception alone, as it is).
 */
#include "runtime.h"
#include "exception_groups.h"

#define IS_GROUP(O) PyObject_TypeCheck((O), (PyTypeObject *)PyExc_BaseExceptionGroup)

static int
check_except_type(PyObject *match_type)
{
    int valid = 1;
    if (PyTuple_Check(match_type)) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(match_type); i++) {
            valid &= PyExceptionClass_Check(PyTuple_GET_ITEM(match_type, i)) != 0;
        }
    }
    else {
        valid = PyExceptionClass_Check(match_type) != 0;
    }
    if (!valid) {
        PyErr_SetString(PyExc_TypeError, "catching classes that do not inherit from BaseException is not allowed");
        return -1;
    }
    return 0;
}

int
accel_check_except_star_type(PyObject *match_type)
{
    if (check_except_type(match_type) < 0) {
        return -1;
    }
    /* Each class is asked in turn (a metaclass's __subclasscheck__ runs), up to
     * the first exception group. */
    int group = 0;
    if (PyTuple_Check(match_type)) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(match_type) && !group; i++) {
            group = PyObject_IsSubclass(PyTuple_GET_ITEM(match_type, i), PyExc_BaseExceptionGroup);
            if (group < 0) {
                return -1;
            }
        }
    }
    else {
        group = PyObject_IsSubclass(match_type, PyExc_BaseExceptionGroup);
        if (group < 0) {
            return -1;
        }
    }
    if (group) {
        PyErr_SetString(PyExc_TypeError, "catching ExceptionGroup with except* is not allowed. Use except instead.");
        return -1;
    }
    return 0;
}

/* BaseExceptionGroup("", excs): the constructor picks ExceptionGroup when it can. */
static PyObject *
new_group(PyObject *excs)
{
    PyObject *message = PyUnicode_FromString("");
    if (message == NULL) {
        return NULL;
    }
    PyObject *group = PyObject_CallFunctionObjArgs(PyExc_BaseExceptionGroup, message, excs, NULL);
    Py_DECREF(message);
    return group;
}

int
accel_exception_group_match(PyObject *exc_value, PyObject *match_type, PyObject **match, PyObject **rest)
{
    *match = *rest = NULL;
    if (Py_IsNone(exc_value)) {
        *match = Py_NewRef(Py_None);
        *rest = Py_NewRef(Py_None);
        return 0;
    }
    if (PyErr_GivenExceptionMatches(exc_value, match_type)) {
        if (IS_GROUP(exc_value)) {
            *match = Py_NewRef(exc_value);
        }
        else {
            PyObject *excs = PyTuple_Pack(1, exc_value);
            if (excs == NULL) {
                return -1;
            }
            *match = new_group(excs);
            Py_DECREF(excs);
            if (*match == NULL) {
                return -1;
            }
        }
        *rest = Py_NewRef(Py_None);
        return 0;
    }
    if (!IS_GROUP(exc_value)) {
        *match = Py_NewRef(Py_None);
        *rest = Py_NewRef(Py_None);
        return 0;
    }
    PyObject *pair = PyObject_CallMethod(exc_value, "split", "(O)", match_type);
    if (pair == NULL) {
        return -1;
    }
    /* BaseExceptionGroup.split returns a pair; an override that does not would
     * crash the interpreter, which assumes one: refuse it instead. */
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
        Py_DECREF(pair);
        PyErr_SetString(PyExc_TypeError, "split() of an exception group must return a pair");
        return -1;
    }
    *match = Py_NewRef(PyTuple_GET_ITEM(pair, 0));
    *rest = Py_NewRef(PyTuple_GET_ITEM(pair, 1));
    Py_DECREF(pair);
    return 0;
}

/* Add the ids of the leaf exceptions of `exc` (None: none) to the set `ids`. */
static int
collect_leaf_ids(PyObject *exc, PyObject *ids)
{
    if (Py_IsNone(exc)) {
        return 0;
    }
    if (!IS_GROUP(exc)) {
        PyObject *id = PyLong_FromVoidPtr(exc);
        if (id == NULL) {
            return -1;
        }
        int status = PySet_Add(ids, id);
        Py_DECREF(id);
        return status;
    }
    PyObject *members = ((PyBaseExceptionGroupObject *)exc)->excs;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(members); i++) {
        if (Py_EnterRecursiveCall(" in collect_exception_group_leaf_ids")) {
            return -1;
        }
        int status = collect_leaf_ids(PyTuple_GET_ITEM(members, i), ids);
        Py_LeaveRecursiveCall();
        if (status < 0) {
            return -1;
        }
    }
    return 0;
}

/* The group `orig` made again of `members` (a non-empty list), with its
 * metadata, as split() makes its parts: orig.derive(members), then the
 * traceback, context, cause and a copy of the notes of orig. */
static PyObject *
derive(PyObject *orig, PyObject *members)
{
    PyObject *group = PyObject_CallMethod(orig, "derive", "(O)", members);
    if (group == NULL) {
        return NULL;
    }
    if (!IS_GROUP(group)) {
        PyErr_SetString(PyExc_TypeError, "derive must return an instance of BaseExceptionGroup");
        goto fail;
    }
    PyObject *tb = PyException_GetTraceback(orig);
    if (tb != NULL) {
        int status = PyException_SetTraceback(group, tb);
        Py_DECREF(tb);
        if (status < 0) {
            goto fail;
        }
    }
    PyException_SetContext(group, PyException_GetContext(orig));
    PyException_SetCause(group, PyException_GetCause(orig));
    if (PyObject_HasAttrString(orig, "__notes__")) {
        PyObject *notes = PyObject_GetAttrString(orig, "__notes__");
        if (notes == NULL) {
            goto fail;
        }
        if (PySequence_Check(notes)) {  /* notes of any other kind are left behind */
            PyObject *copy = PySequence_List(notes);
            Py_DECREF(notes);
            if (copy == NULL) {
                goto fail;
            }
            int status = PyObject_SetAttrString(group, "__notes__", copy);
            Py_DECREF(copy);
            if (status < 0) {
                goto fail;
            }
        }
        else {
            Py_DECREF(notes);
        }
    }
    return group;
fail:
    Py_DECREF(group);
    return NULL;
}

/* The part of `exc` made of the leaves whose ids are in `ids`: a new
 * reference in *kept, or NULL there for nothing; -1 with an exception set. */
static int
project(PyObject *exc, PyObject *ids, PyObject **kept)
{
    *kept = NULL;
    if (!IS_GROUP(exc)) {
        PyObject *id = PyLong_FromVoidPtr(exc);
        if (id == NULL) {
            return -1;
        }
        int found = PySet_Contains(ids, id);
        Py_DECREF(id);
        if (found < 0) {
            return -1;
        }
        *kept = found ? Py_NewRef(exc) : NULL;
        return 0;
    }
    PyObject *members = ((PyBaseExceptionGroupObject *)exc)->excs;
    PyObject *parts = PyList_New(0);
    if (parts == NULL) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(members); i++) {
        PyObject *part;
        if (Py_EnterRecursiveCall(" in exceptiongroup_split_recursive")) {
            goto fail;
        }
        int status = project(PyTuple_GET_ITEM(members, i), ids, &part);
        Py_LeaveRecursiveCall();
        if (status < 0) {
            goto fail;
        }
        if (part != NULL) {
            status = PyList_Append(parts, part);
            Py_DECREF(part);
            if (status < 0) {
                goto fail;
            }
        }
    }
    if (PyList_GET_SIZE(parts) > 0) {
        *kept = derive(exc, parts);
        if (*kept == NULL) {
            goto fail;
        }
    }
    Py_DECREF(parts);
    return 0;
fail:
    Py_DECREF(parts);
    return -1;
}

static int
same_metadata(PyObject *a, PyObject *b)
{
    PyBaseExceptionObject *x = (PyBaseExceptionObject *)a, *y = (PyBaseExceptionObject *)b;
    return x->notes == y->notes && x->traceback == y->traceback && x->cause == y->cause
           && x->context == y->context;
}

/* The caught group made again of the leaves of `reraised` (a list of groups):
 * a new reference, None for nothing, or NULL with an exception set. */
static PyObject *
reraised_part(PyObject *orig, PyObject *reraised)
{
    PyObject *ids = PySet_New(NULL);
    if (ids == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(reraised); i++) {
        if (collect_leaf_ids(PyList_GET_ITEM(reraised, i), ids) < 0) {
            Py_DECREF(ids);
            return NULL;
        }
    }
    PyObject *kept;
    int status = project(orig, ids, &kept);
    Py_DECREF(ids);
    if (status < 0) {
        return NULL;
    }
    return kept != NULL ? kept : Py_NewRef(Py_None);
}

PyObject *
accel_prep_reraise_star(PyObject *orig, PyObject *excs)
{
    Py_ssize_t n = PyList_GET_SIZE(excs);
    if (n == 0) {
        return Py_NewRef(Py_None);
    }
    if (!IS_GROUP(orig)) {
        /* A plain exception, caught wrapped: one clause at most ran, and what
         * it raised (or None) comes first. */
        return Py_NewRef(PyList_GET_ITEM(excs, 0));
    }
    PyObject *result = NULL;
    PyObject *raised = PyList_New(0);
    PyObject *reraised = PyList_New(0);
    if (raised == NULL || reraised == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *e = PyList_GET_ITEM(excs, i);
        if (Py_IsNone(e)) {
            continue;
        }
        if (PyList_Append(same_metadata(e, orig) ? reraised : raised, e) < 0) {
            goto done;
        }
    }
    PyObject *kept = reraised_part(orig, reraised);
    if (kept == NULL) {
        goto done;
    }
    if (PyList_GET_SIZE(raised) == 0) {
        result = kept;
        goto done;
    }
    int status = Py_IsNone(kept) ? 0 : PyList_Append(raised, kept);
    Py_DECREF(kept);
    if (status == 0) {
        /* One exception alone is raised as it is (3.11.4 on, gh-103590). */
        result = PyList_GET_SIZE(raised) > 1 ? new_group(raised) : Py_NewRef(PyList_GET_ITEM(raised, 0));
    }
done:
    Py_XDECREF(raised);
    Py_XDECREF(reraised);
    return result;
}
