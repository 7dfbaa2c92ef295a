/* all() and any() of a generator as one native loop (the drivers' mechanism:
 * native/fold.c).
 *
 * 3.11's builtin_all and builtin_any take the items one by one, test each
 * with PyObject_IsTrue (the item then dropped), and stop at the first that
 * decides: false for all(), true for any().  The generator stays suspended at
 * that item's yield, and is closed when its last reference goes (after the
 * call, by the caller).  Here the generator's yield tests exact bools, ints,
 * floats and None itself (their truth runs no code) and goes on at once with
 * each that leaves the result undecided; the item that decides, and any item
 * of another type, suspends the generator at its yield as stock's would be,
 * and comes back to the driver, which tests it as the builtin does, with
 * PyObject_IsTrue outside the generator, and either answers or resumes the
 * generator again.  So the generator consumes exactly the items the builtin
 * would, a __bool__ runs where it runs under stock, with the same frames
 * around it, and an exception it raises comes out of the call as it would. */
#include "runtime.h"
#include "fold.h"
#include "all_any.h"
#include "calls.h"

#define Py_BUILD_CORE 1
#include "internal/pycore_ceval.h"  /* _Py_EnterRecursiveCallTstate */
#undef Py_BUILD_CORE

/* The builtin's loop over a generator its native code runs, as described
 * above: True or False (all() answers the undecided truth, 1, when no item
 * decided, and any() the undecided 0), or NULL with an exception set; or
 * ACCEL_GEN_NOT_RESUMED when its native code cannot resume it, at the first
 * item or a later one (it ran on in the interpreter and is now somewhere
 * else...): every item so far left the result undecided, so the builtin itself
 * answers for the rest. */
static PyObject *
test_generator(PyThreadState *tstate, PyObject *gen, accel_resume_site *site, int kind)
{
    for (int resumed = 0;; resumed = 1) {
        accel_fold_state state;
        PyObject *item = accel_fold_resume(tstate, gen, site, kind, &state);
        if (item == ACCEL_GEN_NOT_RESUMED) {
            return ACCEL_GEN_NOT_RESUMED;
        }
        accel_totals.all_any_fused += !resumed;
        accel_totals.items_tested += (uint64_t)state.items;
        if (item == NULL) {  /* the generator finished, or raised */
            return tstate->curexc_type != NULL ? NULL : PyBool_FromLong(kind);
        }
        int truth = accel_plain_truth(item);
        if (truth < 0) {
            truth = PyObject_IsTrue(item);
        }
        Py_DECREF(item);
        if (truth < 0) {
            return NULL;
        }
        if (truth != kind) {
            return PyBool_FromLong(!kind);
        }
    }
}

PyObject *
accel_all_any(PyThreadState *tstate, PyObject *builtin, PyObject *iterable, accel_resume_site *site, int kind)
{
    if (PyGen_CheckExact(iterable)) {
        /* The builtin's own call counts a level of recursion (as 3.11's
         * PRECALL_NO_KW_BUILTIN_O calls it): a RecursionError comes at stock's
         * depth. */
        if (_Py_EnterRecursiveCallTstate(tstate, " while calling a Python object")) {
            return NULL;
        }
        PyObject *result = test_generator(tstate, iterable, site, kind);
        _Py_LeaveRecursiveCallTstate(tstate);
        if (result != ACCEL_GEN_NOT_RESUMED) {
            return result;
        }
    }
    return accel_call_c_function(tstate, builtin, &iterable, 1);
}
