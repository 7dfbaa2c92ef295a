/* What the files of native/ share: the per-code record and the native code it owns. */
#ifndef ACCEL_RUNTIME_H
#define ACCEL_RUNTIME_H

#include "Python.h"
#undef _PyGC_FINALIZED  /* redefined, identically, by the internal headers */
#define Py_BUILD_CORE 1
#include "internal/pycore_frame.h"
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
#include "exception_groups.h"
#include "stencil_ids.h"
#include "accel.h"
#include "private_layout.h"

typedef PyObject *(*accel_entry)(_PyInterpreterFrame *, PyObject **, PyThreadState *, void *at);

/* One emitted program.  A program replaced by a recompile stays mapped until the
 * code object dies: a frame further up the C stack may still be running it. */
typedef struct accel_native {
    struct accel_native *older;
    unsigned char *memory;
    size_t mapped;
    uint64_t size;
    accel_entry entry;
    unsigned char *start;       /* the first instruction's code: where a fresh frame starts */
    PyObject **keepalive;       /* objects the program's operands point to (strong) */
    Py_ssize_t nkeepalive;
    int ninstrs;
    uint32_t *offsets;          /* where each instruction's code starts */
    uint64_t *raw;              /* per instruction, 4 masks: what deopt must box (accel_instr) */
    accel_cache *caches;        /* per instruction: inline caches (native/inline_cache.h) */
    int nunits;                 /* code units of the code object */
    int32_t *resume_of_unit;    /* a generator's resume points, by the code unit it is suspended
                                   at: the instruction that resumes it, or -1 (NULL: none) */
    int nprofiled;              /* the instructions that profile their operands */
    int *profiled;              /*   (operand_kinds.h), by position */
} accel_native;

/* Kept in co_extra; freed with the code object. */
typedef struct accel_code {
    struct accel_code *prev, *next;  /* all records, for enumeration */
    PyCodeObject *code;         /* borrowed: the record dies with it */
    PyObject *summary;          /* bytes: what the compiler made of it (accel/runtime/records.py) */
    int state;                  /* enum accel_state */
    int jit_requested;
    int recompile_requested;
    int recompiles;
    int has_loop;               /* compiled on its first call */
    int positional_only_call;   /* its parameters are plain positional ones and its code
                                 * is no generator: a call binds by moving the arguments */
    uint64_t calls;
    uint64_t native_entries;
    uint64_t profile_until;     /* after this many native entries, compile again with the
                                   operand kinds seen (operand_kinds.h); 0: not profiling */
    uint64_t exits;
    accel_native *native;
    int nunits;                 /* code units of the code object */
    uint32_t *site_exits;       /* [reason][unit]: exits that resumed the interpreter at unit */
} accel_code;

/* The thread state may hold the GIL or not: cffi releases it around calls into lib. */
#define GIL_ENTER() PyGILState_STATE gil_ = PyGILState_Ensure()
#define GIL_EXIT() PyGILState_Release(gil_)

extern accel_counters accel_totals;

/* hook.c */
accel_code *accel_record(PyCodeObject *co, int create);
PyObject *accel_eval_frame(PyThreadState *tstate, _PyInterpreterFrame *frame, int throwflag);
extern uint64_t accel_records_freed;   /* how many records died: a pointer to one kept since may dangle */
extern Py_ssize_t accel_extra_index;   /* accel's slot in co_extra */
extern int accel_extra_layout_ok;      /* private_layout.h describes co_extra: read it straight */

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
extern PyThreadState *accel_c_stack_thread;   /* whose limit accel_c_stack_limit is */
extern char *accel_c_stack_limit;
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

/* calls.c: a finished frame's references released, as _PyFrame_Clear does (a
 * frame object that outlives it takes the frame over); the frame is unlinked. */
void accel_clear_frame(PyThreadState *tstate, _PyInterpreterFrame *frame);

/* hook.c */
accel_code *accel_resumable_record(PyThreadState *tstate, PyCodeObject *co);

/* jit.c */
int accel_jit_init(void);
void accel_native_free(accel_native *native);

/* The instruction that resumes a generator suspended at code unit `unit`, or -1. */
static inline int
accel_resume_index(const accel_native *native, int unit)
{
    return native->resume_of_unit != NULL && unit >= 0 && unit < native->nunits ? native->resume_of_unit[unit] : -1;
}

/* deopt.c */
PyObject *accel_run_native(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code *rec, int at);
void accel_profile_ended(accel_code *rec);
PyObject *accel_finish_in_interpreter(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code *rec,
                                      accel_native *native, uintptr_t tagged);

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
    tstate->recursion_remaining--;
    frame->previous = tstate->cframe->current_frame;
    tstate->cframe->current_frame = frame;
    rec->native_entries++;
    accel_totals.native_entries++;
    if (rec->profile_until != 0 && rec->native_entries > rec->profile_until) {
        accel_profile_ended(rec);
    }

    accel_native *native = rec->native;
    PyObject **sp = frame->localsplus + frame->stacktop;
    /* As in the interpreter, the stack depth is unset while the frame runs: the
     * garbage collector traverses a generator's frame up to it, and native code
     * keeps the depth in a register.  Every way out of native code sets it. */
    frame->stacktop = -1;
    unsigned char *code = at == 0 ? native->start : native->memory + native->offsets[at];
    PyObject *result = native->entry(frame, sp, tstate, code);

    tstate->cframe->current_frame = frame->previous;
    tstate->recursion_remaining++;
    if (((uintptr_t)result & 1) == 0) {
        return result;
    }
    return accel_finish_in_interpreter(tstate, frame, rec, native, (uintptr_t)result);
}

#endif
