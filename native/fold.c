/* The drivers of builtins that consume a generator in one native loop
 * (native/fold.h): their list, and the one resumption each makes with its
 * entry in it.
 *
 * Stock sum(), all() and any() of a generator expression suspend and resume
 * the generator for every item.  Here the driver resumes the generator
 * natively with itself entered in accel_folding; the generator's yield then
 * takes every item that the builtin would take without deciding anything and
 * carries on as if the builtin had asked for the next item (sent None), so the
 * generator's loop is the builtin's loop.  Anything else comes back as an
 * ordinary yield, the generator suspended exactly where stock's would be. */
#include "runtime.h"
#include "fold.h"

accel_fold_state *accel_folding;

/* The drivers' entries live here rather than on their C stacks: a thread that
 * ends in the middle of a fold (a daemon thread stopped at exit) leaves its
 * entry behind, and the others must still be able to read it.  A fold nested
 * deeper, or in more threads at once, than there are entries is left to the
 * builtin itself. */
#define FOLD_ENTRIES 64
static accel_fold_state entries[FOLD_ENTRIES];
static accel_fold_state *free_entries;  /* linked by `outer` */
static int entries_linked;

static accel_fold_state *
start_folding(_PyInterpreterFrame *frame, int kind)
{
    if (!entries_linked) {
        for (int i = 0; i < FOLD_ENTRIES; i++) {
            entries[i].outer = i + 1 < FOLD_ENTRIES ? &entries[i + 1] : NULL;
        }
        free_entries = entries;
        entries_linked = 1;
    }
    accel_fold_state *state = free_entries;
    if (state == NULL) {
        return NULL;
    }
    free_entries = state->outer;
    *state = (accel_fold_state){accel_folding, frame, kind, 0.0, 0};
    accel_folding = state;
    return state;
}

/* The driver's entry out of the list, wherever another thread's drivers put it,
 * and free again. */
static void
stop_folding(accel_fold_state *state)
{
    accel_fold_state **link = &accel_folding;
    while (*link != NULL && *link != state) {
        link = &(*link)->outer;
    }
    if (*link == state) {
        *link = state->outer;
    }
    state->outer = free_entries;
    free_entries = state;
}

PyObject *
accel_fold_resume(PyThreadState *tstate, PyObject *gen, accel_resume_site *site, int kind, accel_fold_state *state)
{
    accel_fold_state *entry = start_folding((_PyInterpreterFrame *)((PyGenObject *)gen)->gi_iframe, kind);
    if (entry == NULL) {
        return ACCEL_GEN_NOT_RESUMED;
    }
    PyObject *item = accel_gen_next(tstate, gen, site);
    *state = *entry;
    stop_folding(entry);
    return item;
}
