/* Running native code, and handing the frame back to the stock interpreter
 * when native code exits (DESIGN.md §4).  The stencils leave the frame exactly
 * as the interpreter expects it at the instruction named by prev_instr. */
#include "runtime.h"

/* A guard that keeps failing at one site asks for a recompile, a bounded number
 * of times; the specializer then makes the site generic. */
#define RECOMPILE_AFTER 64
#define MAX_RECOMPILES 3

static void
record_exit(accel_code *rec, _PyInterpreterFrame *frame, int reason)
{
    accel_totals.exits[reason]++;
    rec->exits++;
    int unit = (int)(frame->prev_instr + 1 - _PyCode_CODE(frame->f_code));
    if (unit < 0 || unit >= rec->nunits) {
        return;
    }
    uint32_t count = ++rec->site_exits[(size_t)reason * rec->nunits + unit];
    int guard = reason == ACCEL_EXIT_GUARD_TYPE || reason == ACCEL_EXIT_GUARD_VALUE;
    if (guard && count >= RECOMPILE_AFTER && rec->recompiles < MAX_RECOMPILES) {
        rec->recompile_requested = 1;
    }
}

PyObject *
accel_run_native(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code *rec)
{
    if (tstate->recursion_remaining <= 0) {
        /* The interpreter raises the RecursionError, exactly as without accel. */
        return _PyEval_EvalFrameDefault(tstate, frame, 0);
    }
    tstate->recursion_remaining--;
    frame->previous = tstate->cframe->current_frame;
    tstate->cframe->current_frame = frame;
    rec->native_entries++;
    accel_totals.native_entries++;

    PyObject *result = rec->native->entry(frame, _PyFrame_Stackbase(frame), tstate);

    tstate->cframe->current_frame = frame->previous;
    tstate->recursion_remaining++;
    if ((uintptr_t)result >= ACCEL_EXIT_COUNT) {
        return result;
    }
    if (result == NULL) {
        /* An exception: the interpreter adds the traceback entry and unwinds to a
         * handler in this frame, or out of it. */
        return _PyEval_EvalFrameDefault(tstate, frame, 1);
    }
    record_exit(rec, frame, (int)(uintptr_t)result);
    return _PyEval_EvalFrameDefault(tstate, frame, 0);
}
