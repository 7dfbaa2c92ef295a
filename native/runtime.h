/* What the files of native/ share: the per-code record and the native code it owns. */
#ifndef ACCEL_RUNTIME_H
#define ACCEL_RUNTIME_H

#include "Python.h"
#undef _PyGC_FINALIZED  /* redefined, identically, by the internal headers */
#define Py_BUILD_CORE 1
#include "internal/pycore_frame.h"
#include "opcode.h"
#include "internal/pycore_code.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_pystate.h"
#include "internal/pycore_dict.h"
#include "internal/pycore_moduleobject.h"
#undef Py_BUILD_CORE

#include <stdint.h>
#include <string.h>
#include "exits.h"
#include "unboxed.h"
#include "inline_cache.h"
#include "eval_breaker.h"
#include "calls.h"
#include "operators.h"
#include "generators.h"
#include "fold.h"
#include "sum.h"
#include "all_any.h"
#include "gen_finalize.h"
#include "builtins.h"
#include "containers.h"
#include "fstrings.h"
#include "exception_groups.h"
#include "audit.h"
#include "stencil_ids.h"
#include "accel.h"
#include "inline.h"
#include "private_layout.h"
#include "records.h"

/* The thread state may hold the GIL or not: cffi releases it around calls into lib. */
#define GIL_ENTER() PyGILState_STATE gil_ = PyGILState_Ensure()
#define GIL_EXIT() PyGILState_Release(gil_)

/* hook.c */
accel_code *accel_record(PyCodeObject *co, int create);
extern Py_ssize_t accel_extra_index;   /* accel's slot in co_extra */
extern int accel_extra_layout_ok;      /* private_layout.h describes co_extra: read it straight */
extern PyInterpreterState *accel_hooked_interp;  /* the interpreter accel's hook serves */

/* The record of a code object, or NULL; read straight from co_extra once start-up
 * has checked that private_layout.h describes it.  On every call: keep it short. */
static inline accel_code *
accel_lookup_record(PyCodeObject *co)
{
    if (accel_extra_layout_ok) {
        accel_code_extra *extra = co->co_extra;
        return extra != NULL && accel_extra_index < extra->ce_size ? extra->ce_extras[accel_extra_index] : NULL;
    }
    void *data = NULL;
    if (_PyCode_GetExtra((PyObject *)co, accel_extra_index, &data) < 0) {
        PyErr_Clear();
        return NULL;
    }
    return data;
}

/* With a PEP 523 hook, every Python call nests on the C stack (CPython inlines them
 * only without one), and so do native code's direct calls: a raised recursion limit
 * can exhaust it.  Stop at a clear RecursionError well before the end of the
 * thread's stack.  The limit is found once per thread (the GIL guards both). */
void accel_c_stack_measure(PyThreadState *tstate);

static inline int
accel_c_stack_exhausted(PyThreadState *tstate)
{
    char here;
    if (tstate != accel_c_stack_thread) {
        accel_c_stack_measure(tstate);
    }
    return &here < accel_c_stack_limit;
}

/* Whether native code may run the compiled code of `rec` on a fresh frame itself
 * (a generator's too: its RETURN_GENERATOR makes the generator there), without
 * the hook deciding: compiled, no recompile due; tracing off, no other PEP 523
 * hook installed since accel's (it must see every call), C stack left. */
static inline int
accel_may_run_directly(PyThreadState *tstate, const accel_code *rec)
{
    return rec->state == ACCEL_STATE_COMPILED && !rec->recompile_requested
           && tstate->interp->eval_frame == accel_eval_frame && !tstate->cframe->use_tracing
           && !accel_c_stack_exhausted(tstate);
}

/* The record of the code of a suspended generator or coroutine that native code
 * resumes itself (native/generators.c), where the hook would resume it natively
 * too; not while the runtime finalizes (the hook stands back then).  Inline: a
 * generator pipeline resumes a generator per item at each stage. */
static inline accel_code *
accel_resumable_record(PyThreadState *tstate, PyCodeObject *co)
{
    accel_code *rec = accel_lookup_record(co);
    if (rec == NULL || !accel_may_run_directly(tstate, rec) || _PyRuntimeState_GetFinalizing(&_PyRuntime) != NULL) {
        return NULL;
    }
    return rec;
}

int accel_compile_running(_PyInterpreterFrame *frame, accel_code *rec);

/* Whether an opcode (deoptimized: _PyOpcode_Deopt) jumps backward, a loop's back edge. */
static inline int
accel_jumps_backward(int op)
{
    return op == JUMP_BACKWARD || op == POP_JUMP_BACKWARD_IF_TRUE || op == POP_JUMP_BACKWARD_IF_FALSE
           || op == POP_JUMP_BACKWARD_IF_NONE || op == POP_JUMP_BACKWARD_IF_NOT_NONE;
}

/* jit.c */
int accel_jit_init(void);
void accel_native_free(accel_native *native);

/* The instruction that resumes a generator suspended at code unit `unit`, or -1. */
static inline int
accel_resume_index(const accel_native *native, int unit)
{
    /* One unsigned comparison: a frame not started (unit -1) is out of range too. */
    return native->resume_of_unit != NULL && (unsigned)unit < (unsigned)native->nunits ? native->resume_of_unit[unit]
                                                                                      : -1;
}

/* deopt.c */
PyObject *accel_run_native(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code *rec, int at);
void accel_profile_ended(accel_code *rec);

/* Enter the frame's native code (`native`, the record's current program) at
 * instruction `at` of its program, once: its result, or an exit (tagged, see
 * stencils/stencil.h) with the frame unlinked and the recursion depth given
 * back.  The recursion limit is not reached (the caller checked). */
static inline __attribute__((always_inline)) PyObject *
accel_enter_native(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code *rec, accel_native *native, int at)
{
    tstate->recursion_remaining--;
    frame->previous = tstate->cframe->current_frame;
    tstate->cframe->current_frame = frame;
    rec->native_entries++;
    accel_totals.native_entries++;

    PyObject **sp = frame->localsplus + frame->stacktop;
    /* As in the interpreter, the stack depth is unset while the frame runs: the
     * garbage collector traverses a generator's frame up to it, and native code
     * keeps the depth in a register.  Every way out of native code sets it. */
    frame->stacktop = -1;
    unsigned char *code = at == 0 ? native->start : native->memory + native->offsets[at];
    PyObject *result = native->entry(frame, sp, tstate, code);

    tstate->cframe->current_frame = frame->previous;
    tstate->recursion_remaining++;
    return result;
}

/* Run the frame natively from instruction `at` of its program: 0 for a fresh
 * frame, a resume point for a generator.  (accel_run_native, inline for the
 * direct calls of native/calls.c.) */
static inline PyObject *
accel_run_native_inline(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code *rec, int at)
{
    if (tstate->recursion_remaining <= 0) {
        /* The interpreter raises the RecursionError, exactly as without accel. */
        return _PyEval_EvalFrameDefault(tstate, frame, 0);
    }
    accel_native *native = rec->native;
    PyObject *result = accel_enter_native(tstate, frame, rec, native, at);
    if (((uintptr_t)result & 1) != 0) {
        result = accel_finish_in_interpreter(tstate, frame, rec, native, (uintptr_t)result);
    }
    /* Profiling ends when the entry that completes it returns, so that the next
     * call already runs the code compiled from what it saw. */
    if (__builtin_expect(rec->profile_until != 0 && rec->native_entries >= rec->profile_until, 0)) {
        accel_profile_ended(rec);
    }
    return result;
}

#endif
