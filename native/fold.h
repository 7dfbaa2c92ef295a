/* Builtins that consume a generator in one native loop: sum(), all(), any()
 * (native/fold.c, native/sum.c, native/all_any.c). */
#ifndef ACCEL_FOLD_H
#define ACCEL_FOLD_H

#include "Python.h"
#include "inline_cache.h"

/* What a driver does with the items.  For all() and any(), the value is the
 * truth that leaves the result undecided: an item of that truth goes on, any
 * other decides. */
enum {
    ACCEL_FOLD_ANY = 0,  /* goes on while items are false */
    ACCEL_FOLD_ALL = 1,  /* goes on while items are true */
    ACCEL_FOLD_SUM = 2,  /* adds exact floats */
};

/* A generator a builtin consumes: while its driver resumes it, the
 * generator's YIELD_VALUE_FOLDABLE (stencils/control.c) takes the items the
 * driver would take without deciding anything (a float for sum(), an item of
 * the undecided truth for all() and any()) right there, and goes on as if None
 * had been sent, without suspending.  The drivers running form a list,
 * innermost first (a generator's body may fold another generator); a yield
 * looks at the first only, and another thread's driver may be first: that
 * yield then suspends as usual, and its driver takes the item itself.  Each
 * driver takes its entry out of the list, wherever it is, before it returns
 * (the entries are static, native/fold.c). */
typedef struct accel_fold_state {
    struct accel_fold_state *outer;
    struct _PyInterpreterFrame *frame;  /* the generator's frame */
    int kind;                           /* ACCEL_FOLD_* */
    double total;                       /* sum(): the floats added so far (from 0.0) */
    Py_ssize_t items;                   /* the items taken at the yield */
} accel_fold_state;

extern accel_fold_state *accel_folding;  /* the innermost driver's, or NULL */

/* Resumes `gen` (exact type) once, natively, with a driver of `kind`
 * entered, and copies the driver's state to *state when it comes back: the
 * item the generator suspended at (a new reference: one its yield did not
 * take, or a yield that could not look); or NULL, the generator finished
 * (what it returned dropped) or raised (the exception set); or
 * ACCEL_GEN_NOT_RESUMED, with nothing done, if its native code cannot resume
 * it now (or the drivers nest too deep).  `site` caches where it resumes. */
PyObject *accel_fold_resume(PyThreadState *tstate, PyObject *gen, accel_resume_site *site, int kind,
                            accel_fold_state *state);

/* The truth of an exact bool, None, int or float, read where their own
 * nb_bool reads it (no code runs); -1 for any other object. */
static inline __attribute__((always_inline)) int
accel_plain_truth(PyObject *value)
{
    if (value == Py_True) {
        return 1;
    }
    if (value == Py_False || value == Py_None) {
        return 0;
    }
    PyTypeObject *type = Py_TYPE(value);
    if (type == &PyLong_Type) {
        return Py_SIZE(value) != 0;
    }
    if (type == &PyFloat_Type) {
        return ((PyFloatObject *)value)->ob_fval != 0.0;
    }
    return -1;
}

#endif
