/* sum() of a generator as one native loop (the drivers' mechanism:
 * native/fold.c).
 *
 * Stock sum() of a generator expression also boxes each float to hand it over
 * and unboxes it again.  Here the driver resumes the generator once, natively,
 * and the generator's yield adds each exact float to the driver's total and
 * carries on, so the generator's loop is the sum's loop.
 *
 * That is exactly what 3.11's builtin_sum_impl computes: it starts from the
 * int 0, whose first float item x makes 0 + x == 0.0 + x, and goes on adding
 * float items in a C double, in order.  Anything else comes back as an
 * ordinary yield (an item that is not an exact float, or a generator that
 * exits to the interpreter, which suspends it as usual): the driver then goes
 * on as sum() would from there, with PyNumber_Add on what it has so far and
 * that item, and on each next item.  sum()'s int and float fast paths are
 * that fold, computed in C: the same values, the same errors; so where the sum
 * so far is an int or a float, sum(gen, that sum) does the rest. */
#include "runtime.h"
#include "fold.h"
#include "sum.h"
#include "calls.h"

/* What sum() has added so far: the int 0 until a float came. */
static PyObject *
partial_sum(const accel_fold_state *state)
{
    return state->items != 0 ? PyFloat_FromDouble(state->total) : PyLong_FromLong(0);
}

/* sum()'s loop from `partial` (consumed) on, in C: PyNumber_Add of each next
 * item. */
static PyObject *
add_the_rest(PyThreadState *tstate, PyObject *partial, PyObject *iterator)
{
    for (;;) {
        PyObject *item = PyIter_Next(iterator);
        if (item == NULL) {
            if (tstate->curexc_type != NULL) {
                Py_DECREF(partial);
                return NULL;
            }
            return partial;
        }
        PyObject *sum = PyNumber_Add(partial, item);
        Py_DECREF(partial);
        Py_DECREF(item);
        if (sum == NULL) {
            return NULL;
        }
        partial = sum;
    }
}

/* sum() of a generator its native code runs, as described above; or
 * ACCEL_GEN_NOT_RESUMED, with nothing done, if it cannot run natively now. */
static PyObject *
sum_generator(PyThreadState *tstate, PyObject *sum, PyObject *gen, accel_resume_site *site)
{
    accel_fold_state state;
    PyObject *item = accel_fold_resume(tstate, gen, site, ACCEL_FOLD_SUM, &state);
    if (item == ACCEL_GEN_NOT_RESUMED) {
        return ACCEL_GEN_NOT_RESUMED;
    }
    accel_totals.sums_fused++;
    accel_totals.items_summed += (uint64_t)state.items;
    if (item == NULL) {  /* the generator finished, or raised */
        return tstate->curexc_type != NULL ? NULL : partial_sum(&state);
    }
    PyObject *partial = partial_sum(&state);
    if (partial == NULL) {
        Py_DECREF(item);
        return NULL;
    }
    PyObject *added = PyNumber_Add(partial, item);
    Py_DECREF(partial);
    Py_DECREF(item);
    if (added == NULL) {
        return NULL;
    }
    if (PyLong_CheckExact(added) || PyFloat_CheckExact(added)) {
        /* sum(gen, added) goes on from here as this fold would (with its own int
         * and float loops: sums of ints stay as fast as stock's); only a str
         * start, which it refuses, could differ, and this is none. */
        PyObject *args[2] = {gen, added};
        PyObject *result = accel_call_c_function(tstate, sum, args, 2);
        Py_DECREF(added);
        return result;
    }
    return add_the_rest(tstate, added, gen);
}

PyObject *
accel_sum(PyThreadState *tstate, PyObject *sum, PyObject *iterable, accel_resume_site *site)
{
    if (PyGen_CheckExact(iterable)) {
        PyObject *result = sum_generator(tstate, sum, iterable, site);
        if (result != ACCEL_GEN_NOT_RESUMED) {
            return result;
        }
    }
    return accel_call_c_function(tstate, sum, &iterable, 1);
}
