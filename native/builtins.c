/* Builtin functions whose work native code does itself.
 *
 * max(w) and min(w) over a few ints or floats cost more in CPython's
 * min_max (an argument tuple, keyword parsing with an empty tuple, an
 * iterator, a rich comparison per item) than the comparisons themselves.
 * When every value is an exact int of one digit or every one an exact float,
 * nothing the loop does can run Python code or raise, and the answer is read
 * straight from the items.  The functions are known by their PyMethodDef in
 * the builtins module's own table: a builtin rebound to another object is not
 * theirs. */
#include "runtime.h"
#include "builtins.h"

static PyMethodDef *max_def, *min_def;

/* The index of the value min_max would return (for max: the first one that no
 * later value exceeds), or -1 when the values are not all one-digit ints or
 * all floats.  n >= 1. */
static Py_ssize_t
extreme_index(PyObject *const *items, Py_ssize_t n, int want_max)
{
    Py_ssize_t best = 0;
    if (IS_COMPACT_INT(items[0])) {
        long best_value = COMPACT_VALUE(items[0]);
        for (Py_ssize_t i = 1; i < n; i++) {
            if (!IS_COMPACT_INT(items[i])) {
                return -1;
            }
            long value = COMPACT_VALUE(items[i]);
            if (want_max ? value > best_value : value < best_value) {
                best = i;
                best_value = value;
            }
        }
        return best;
    }
    if (PyFloat_CheckExact(items[0])) {
        double best_value = PyFloat_AS_DOUBLE(items[0]);
        for (Py_ssize_t i = 1; i < n; i++) {
            if (!PyFloat_CheckExact(items[i])) {
                return -1;
            }
            /* As float_richcompare: a NaN on either side compares false. */
            double value = PyFloat_AS_DOUBLE(items[i]);
            if (want_max ? value > best_value : value < best_value) {
                best = i;
                best_value = value;
            }
        }
        return best;
    }
    return -1;
}

PyObject *
accel_call_builtin(PyThreadState *tstate, PyObject *callable, PyObject *const *args, int nargs, int *handled)
{
    *handled = 0;
    if (Py_TYPE(callable) != &PyCFunction_Type) {
        return NULL;
    }
    PyMethodDef *def = ((PyCFunctionObject *)callable)->m_ml;
    /* The call and its comparisons count against the recursion limit in CPython:
     * near it, the ordinary path raises where stock CPython does. */
    if ((def != max_def && def != min_def) || nargs < 1 || tstate->recursion_remaining <= 2) {
        return NULL;
    }
    PyObject *const *items = args;
    Py_ssize_t n = nargs;
    if (nargs == 1) {
        PyObject *sequence = args[0];
        if (PyTuple_CheckExact(sequence)) {
            items = &PyTuple_GET_ITEM(sequence, 0);
        }
        else if (PyList_CheckExact(sequence)) {
            items = &PyList_GET_ITEM(sequence, 0);
        }
        else {
            return NULL;
        }
        n = Py_SIZE(sequence);
        if (n == 0) {
            return NULL;  /* the ValueError */
        }
    }
    Py_ssize_t at = extreme_index(items, n, def == max_def);
    if (at < 0) {
        return NULL;
    }
    *handled = 1;
    accel_totals.builtins_computed++;
    return Py_NewRef(items[at]);
}

int
accel_builtins_init(void)
{
    PyObject *builtins = PyImport_ImportModule("builtins");
    PyModuleDef *module_def = builtins != NULL ? PyModule_GetDef(builtins) : NULL;
    for (PyMethodDef *def = module_def != NULL ? module_def->m_methods : NULL; def != NULL && def->ml_name != NULL;
         def++) {
        if (strcmp(def->ml_name, "max") == 0) {
            max_def = def;
        }
        else if (strcmp(def->ml_name, "min") == 0) {
            min_def = def;
        }
    }
    Py_XDECREF(builtins);
    PyErr_Clear();
    return max_def != NULL && min_def != NULL ? 0 : -1;
}
