/* Calls of the builtins that hot code calls most, done in place rather than
 * through CALL's shared routine (accel/specializer/specialize.py,
 * _builtin_call): len(x), sum(x), all(x), any(x), abs(x), isinstance(x, cls),
 * and the methods lst.append(x) and s.add(x) loaded by LOAD_METHOD.
 *
 * The callee must be the object the site was specialized for (OPERAND: the
 * builtin, or the method descriptor list.append / set.add), which the stack
 * holds as 3.11's LOAD_GLOBAL and LOAD_METHOD leave it; anything else (the
 * name rebound or shadowed, a method found elsewhere) exits before anything
 * changes, and the interpreter makes the call.  The work is the C function's
 * own: the same result, the same exception raised by the same instruction.
 * As 3.11's PRECALL_NO_KW_LEN and its kin, no eval-breaker check after
 * (but for sum(), all(), any() and abs(), as their own PRECALLs). */
#include "stencil.h"

/* The length of an exact list, tuple, dict or set, read where its own len
 * reads it (no call); -1 for anything else. */
static inline __attribute__((always_inline)) Py_ssize_t
exact_container_length(PyObject *object)
{
    PyTypeObject *type = Py_TYPE(object);
    if (type == &PyList_Type || type == &PyTuple_Type) {
        return Py_SIZE(object);
    }
    if (type == &PyDict_Type) {
        return ((PyDictObject *)object)->ma_used;
    }
    if (type == &PySet_Type || type == &PyFrozenSet_Type) {
        return ((PySetObject *)object)->used;
    }
    return -1;
}

/* [NULL, len, x] -> [len(x)]: as an int object, or (RAW) as a raw int for an
 * int operation that takes it raw (accel/specializer/unbox.py). */
#define CALL_BUILTIN_LEN_FORM(NAME, RAW)                                      \
    STENCIL(NAME)                                                             \
    {                                                                         \
        if (UNLIKELY(sp[-3] != NULL || sp[-2] != (PyObject *)OPERAND)) {      \
            EXIT(ACCEL_EXIT_GUARD_VALUE);                                     \
        }                                                                     \
        PyObject *object = sp[-1];                                            \
        Py_ssize_t length = exact_container_length(object);                   \
        if (length < 0) {                                                     \
            SYNC_INSTR();  /* a __len__ written in Python sees this line */   \
            length = PyObject_Size(object);                                   \
        }                                                                     \
        PyObject *result = length < 0 ? NULL                                  \
            : RAW ? (PyObject *)(intptr_t)length : box_int(length);          \
        sp -= 3;                                                              \
        /* (an exact container's last reference: its items' finalizers see this line) */ \
        DECREF_AT_INSTR(object);                                              \
        Py_DECREF((PyObject *)OPERAND);  /* never the last reference: the code keeps its OPERAND */ \
        if (UNLIKELY(length < 0 || (!(RAW) && result == NULL))) {             \
            ERROR();                                                          \
        }                                                                     \
        *sp++ = result;                                                       \
        CONTINUE();                                                           \
    }

CALL_BUILTIN_LEN_FORM(CALL_BUILTIN_LEN, 0)
CALL_BUILTIN_LEN_FORM(CALL_BUILTIN_LEN_RAW, 1)

/* [NULL, f, x] -> [f(x)] for the builtins that consume a generator in one
 * native loop (native/fold.h), `f` being sum, all or any: DRIVER(tstate, f,
 * x, site) calls the builtin for anything else.  As 3.11's
 * PRECALL_BUILTIN_FAST_WITH_KEYWORDS (sum) and PRECALL_NO_KW_BUILTIN_O (all,
 * any), the eval breaker is checked after. */
#define FOLDING_CALL(DRIVER, ...) do {                                                  \
    if (UNLIKELY(sp[-3] != NULL || sp[-2] != (PyObject *)OPERAND)) {                     \
        EXIT(ACCEL_EXIT_GUARD_VALUE);                                                    \
    }                                                                                    \
    PyObject *iterable = sp[-1];                                                         \
    SYNC_INSTR();  /* the generator, and any __add__ or __bool__, see this line as their caller's */ \
    PyObject *result = DRIVER(tstate, (PyObject *)OPERAND, iterable,                     \
                              &((accel_cache *)FRESH_HOLE(_JIT_CACHE))->resume, ##__VA_ARGS__); \
    sp -= 3;                                                                             \
    Py_DECREF(iterable);                                                                 \
    Py_DECREF((PyObject *)FRESH_HOLE(_JIT_OPERAND));  /* never the last reference: the code keeps its OPERAND */ \
    if (UNLIKELY(result == NULL)) {                                                      \
        ERROR();                                                                         \
    }                                                                                    \
    *sp++ = result;                                                                      \
    CHECK_EVAL_BREAKER_AFTER_CALL();                                                     \
    if (UNLIKELY(TRACING_ON())) {                                                        \
        EXIT_AFTER(ACCEL_EXIT_TRACING);                                                  \
    }                                                                                    \
    CONTINUE();                                                                          \
} while (0)

/* [NULL, sum, x] -> [sum(x)]: native/sum.c */
STENCIL(CALL_BUILTIN_SUM)
{
    FOLDING_CALL(accel_sum);
}

/* [NULL, all, x] -> [all(x)]: native/all_any.c */
STENCIL(CALL_BUILTIN_ALL)
{
    FOLDING_CALL(accel_all_any, ACCEL_FOLD_ALL);
}

/* [NULL, any, x] -> [any(x)]: native/all_any.c */
STENCIL(CALL_BUILTIN_ANY)
{
    FOLDING_CALL(accel_all_any, ACCEL_FOLD_ANY);
}

/* [NULL, abs, x] -> [abs(x)]: an exact int of one digit or an exact float
 * inline, as their nb_absolute computes it (an int that is not negative is
 * itself, a float's absolute value always a new float); anything else through
 * the builtin, called as CALL calls a builtin (PyNumber_Absolute: __abs__ and
 * its errors).  As 3.11's PRECALL_NO_KW_BUILTIN_O, the eval breaker is checked
 * after. */
STENCIL(CALL_BUILTIN_ABS)
{
    if (UNLIKELY(sp[-3] != NULL || sp[-2] != (PyObject *)OPERAND)) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    PyObject *value = sp[-1];
    PyObject *result;
    if (LIKELY(IS_COMPACT_INT(value))) {
        Py_ssize_t number = COMPACT_VALUE(value);
        result = number >= 0 ? Py_NewRef(value) : box_int(-number);
    }
    else if (PyFloat_CheckExact(value)) {
        result = PyFloat_FromDouble(__builtin_fabs(FLOAT_VALUE(value)));
    }
    else {
        SYNC_INSTR();  /* an __abs__ written in Python sees this line */
        result = accel_call_c_function(tstate, (PyObject *)OPERAND, &value, 1);
    }
    sp -= 3;
    DECREF_AT_INSTR(value);
    Py_DECREF((PyObject *)FRESH_HOLE(_JIT_OPERAND));  /* never the last reference: the code keeps its OPERAND */
    if (UNLIKELY(result == NULL)) {
        ERROR();
    }
    *sp++ = result;
    CHECK_EVAL_BREAKER_AFTER_CALL();
    if (UNLIKELY(TRACING_ON())) {
        EXIT_AFTER(ACCEL_EXIT_TRACING);
    }
    CONTINUE();
}

/* [NULL, isinstance, x, cls] -> [isinstance(x, cls)] */
STENCIL(CALL_BUILTIN_ISINSTANCE)
{
    if (UNLIKELY(sp[-4] != NULL || sp[-3] != (PyObject *)OPERAND)) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    PyObject *object = sp[-2], *cls = sp[-1];
    SYNC_INSTR();  /* __instancecheck__, or a finalizer of x, sees this line */
    /* PyObject_IsInstance's own first test, inline: no __instancecheck__ runs then. */
    int outcome = Py_TYPE(object) == (PyTypeObject *)cls ? 1 : PyObject_IsInstance(object, cls);
    sp -= 4;
    Py_DECREF(object);
    Py_DECREF(cls);
    Py_DECREF((PyObject *)OPERAND);
    if (UNLIKELY(outcome < 0)) {
        ERROR();
    }
    PyObject *result = outcome ? Py_True : Py_False;
    Py_INCREF(result);
    *sp++ = result;
    CONTINUE();
}

/* [list.append, lst, x] -> [None]: the descriptor LOAD_METHOD found on lst's
 * type, so lst is a list (or a subclass that keeps list's append). */
STENCIL(CALL_LIST_APPEND)
{
    if (UNLIKELY(sp[-3] != (PyObject *)OPERAND)) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    PyListObject *list = (PyListObject *)sp[-2];
    PyObject *item = sp[-1];
    sp -= 3;
    Py_ssize_t length = Py_SIZE(list);
    if (LIKELY(list->allocated > length)) {
        list->ob_item[length] = item;  /* the stack's reference moves into the list */
        Py_SET_SIZE(list, length + 1);
    }
    else {
        SYNC_INSTR();
        int err = PyList_Append((PyObject *)list, item);  /* grows it as list.append does */
        Py_DECREF(item);
        if (UNLIKELY(err)) {
            Py_DECREF(list);
            Py_DECREF((PyObject *)OPERAND);
            ERROR();
        }
    }
    DECREF_AT_INSTR((PyObject *)list);  /* lst's last reference, if the call held it alone */
    Py_DECREF((PyObject *)OPERAND);
    Py_INCREF(Py_None);
    *sp++ = Py_None;
    CONTINUE();
}

/* [set.add, s, x] -> [None]: as CALL_LIST_APPEND, for sets (x's __hash__ and
 * __eq__, if written in Python, see this line). */
STENCIL(CALL_SET_ADD)
{
    if (UNLIKELY(sp[-3] != (PyObject *)OPERAND)) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    PyObject *set = sp[-2], *item = sp[-1];
    SYNC_INSTR();
    int err = PySet_Add(set, item);
    sp -= 3;
    Py_DECREF(item);
    Py_DECREF(set);
    Py_DECREF((PyObject *)OPERAND);
    if (UNLIKELY(err)) {
        ERROR();
    }
    Py_INCREF(Py_None);
    *sp++ = Py_None;
    CONTINUE();
}

/* [dict.get, d, key] or [dict.get, d, key, default] (OPARG arguments) ->
 * [d[key] if key is in d else default (None)], as dict.get: d is a dict or a
 * subclass that keeps dict's get (whose __missing__ get does not call). */
STENCIL(CALL_DICT_GET)
{
    PyObject **base = sp - OPARG - 2;
    if (UNLIKELY(base[0] != (PyObject *)OPERAND)) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    PyObject *dict = base[1], *key = base[2];
    PyObject *fallback = OPARG == 2 ? base[3] : Py_None;
    SYNC_INSTR();  /* the key's __hash__ and __eq__ may be Python code */
    PyObject *result = PyDict_GetItemWithError(dict, key);
    if (result == NULL && !PyErr_Occurred()) {
        result = fallback;
    }
    Py_XINCREF(result);
    if (OPARG == 2) {
        Py_DECREF(base[3]);
    }
    Py_DECREF(key);
    Py_DECREF(dict);
    sp = base;
    Py_DECREF((PyObject *)OPERAND);
    if (UNLIKELY(result == NULL)) {
        ERROR();
    }
    *sp++ = result;
    CONTINUE();
}
