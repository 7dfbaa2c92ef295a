/* Running native code, and handing the frame back to the stock interpreter
 * when native code exits (DESIGN.md §4).  The stencils leave the frame as the
 * interpreter expects it at the instruction named by prev_instr, except for
 * values kept unboxed, which are boxed here first. */
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
    if (reason == ACCEL_EXIT_ERROR) {
        unit--;  /* prev_instr is the faulting instruction itself */
    }
    if (unit < 0 || unit >= rec->nunits) {
        return;
    }
    uint32_t count = ++rec->site_exits[(size_t)reason * rec->nunits + unit];
    int guard = reason == ACCEL_EXIT_GUARD_TYPE || reason == ACCEL_EXIT_GUARD_VALUE;
    if (guard && count >= RECOMPILE_AFTER && rec->recompiles < MAX_RECOMPILES) {
        rec->recompile_requested = 1;
    }
}

/* Box the slots holding raw values (ints where `ints` says so, floats
 * elsewhere); an unbound raw local becomes NULL again.  A failed allocation
 * leaves NULL (an unbound local to the interpreter) and a MemoryError set. */
static void
box_slots(PyObject **slots, uint64_t raw, uint64_t ints, int limit)
{
    for (int i = 0; raw != 0 && i < limit; i++, raw >>= 1, ints >>= 1) {
        if (!(raw & 1)) {
            continue;
        }
        uint64_t bits;
        memcpy(&bits, &slots[i], sizeof bits);
        if (ints & 1) {
            slots[i] = (int64_t)bits == RAW_INT_UNBOUND ? NULL : PyLong_FromLongLong((int64_t)bits);
        }
        else {
            double value;
            memcpy(&value, &bits, sizeof value);
            slots[i] = bits == RAW_FLOAT_UNBOUND ? NULL : PyFloat_FromDouble(value);
        }
    }
}

static void
write_back(_PyInterpreterFrame *frame, accel_native *native, int site)
{
    if (site < 0 || site >= native->ninstrs) {
        return;
    }
    PyCodeObject *co = frame->f_code;
    const uint64_t *raw = &native->raw[4 * site];
    box_slots(frame->localsplus, raw[0], raw[2], co->co_nlocals);
    box_slots(_PyFrame_Stackbase(frame), raw[1], raw[3], frame->stacktop - co->co_nlocalsplus);
}

/* Run the frame natively from instruction `at` of its program: 0 for a fresh
 * frame, a resume point for a generator. */
PyObject *
accel_run_native(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code *rec, int at)
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

    accel_native *native = rec->native;
    PyObject *result = native->entry(frame, frame->localsplus + frame->stacktop, tstate,
                                     native->memory + native->offsets[at]);

    tstate->cframe->current_frame = frame->previous;
    tstate->recursion_remaining++;
    uintptr_t tagged = (uintptr_t)result;
    if ((tagged & 1) == 0) {
        return result;
    }
    int reason = (int)((tagged >> 1) & 0x7f);
    write_back(frame, native, (int)(tagged >> 8));
    record_exit(rec, frame, reason);
    /* On an exception the interpreter adds the traceback entry and unwinds to a
     * handler in this frame, or out of it. */
    return _PyEval_EvalFrameDefault(tstate, frame, reason == ACCEL_EXIT_ERROR);
}
