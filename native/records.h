/* The per-code record and the native program it owns (kept in co_extra, see
 * native/hook.c).  Stencils read it too: a direct call (stencils/call.c) runs
 * the callee's program and counts its calls itself. */
#ifndef ACCEL_RECORDS_H
#define ACCEL_RECORDS_H

/* After internal/pycore_frame.h, which wants Py_BUILD_CORE (runtime.h and
 * stencils/stencil.h include it). */
#include "Python.h"
#include <stdint.h>

#include "inline_cache.h"
#include "exits.h"
#include "accel.h"

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
    int learns_callees;         /* compiled without inlining calls whose argument types were
                                   unknown (accel/specializer/inline.py): compiling it again
                                   once the profile ends may inline them */
    int profile_extensions;     /* entries the profile was extended by, because no site had
                                   taught anything while one had not run (deopt.c) */
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
                                 * no coroutine: a call binds by moving the arguments (a
                                 * generator function's native code then makes the generator) */
    uint64_t calls;
    uint64_t native_entries;
    uint64_t direct_calls;      /* calls CALL's stencil made straight (stencils/shared.c): each is a call
                                   and a native entry, counted once here (readers add it to both, and
                                   accel_counters_get sums it over the records) */
    uint64_t profile_until;     /* after this many native entries, compile again with the
                                   operand kinds seen (operand_kinds.h); 0: not profiling */
    uint64_t exits;
    accel_native *native;
    unsigned char *direct_start;  /* native->start while a CALL may run the program straight
                                     (stencils/shared.c): compiled, no recompile due, not
                                     profiling; else NULL (accel_direct_start_refresh) */
    int nunits;                 /* code units of the code object */
    uint32_t *site_exits;       /* [reason][unit]: exits that resumed the interpreter at unit */
} accel_code;

/* Derive direct_start from what it summarises, so that a CALL checks one word:
 * call after changing state, recompile_requested, profile_until or native. */
static inline void
accel_direct_start_refresh(accel_code *rec)
{
    int runs = rec->state == ACCEL_STATE_COMPILED && !rec->recompile_requested && rec->profile_until == 0;
    rec->direct_start = runs && rec->native != NULL ? rec->native->start : NULL;
}

/* What native code shares with the stencils that call compiled functions
 * directly (stencils/call.c) besides the records. */
extern accel_counters accel_totals;
extern uint64_t accel_records_freed;          /* hook.c: how many records died: a pointer to one kept since may dangle */
extern PyThreadState *accel_c_stack_thread;   /* hook.c: whose limit accel_c_stack_limit is (runtime.h) */
extern char *accel_c_stack_limit;
PyObject *accel_eval_frame(PyThreadState *tstate, _PyInterpreterFrame *frame, int throwflag);   /* hook.c */
extern initproc accel_python_init;  /* calls.c: tp_init of a class whose __init__ is a Python function */
extern PyObject *accel_empty_tuple; /* calls.c: what object's __new__ is given */

/* The instance object's __new__ makes for `type`, a class that inherits it,
 * called with no arguments (a plain class's go to __init__): a new reference,
 * or NULL with an exception set.  Where object's __new__ would find nothing to
 * check or set up besides the allocation (not abstract, no __dict__ to make:
 * a class of __slots__), the allocation alone, as it would make it; else
 * object's __new__ itself. */
static inline __attribute__((always_inline)) PyObject *
accel_new_plain_instance(PyTypeObject *type)
{
    if (__builtin_expect((type->tp_flags & Py_TPFLAGS_IS_ABSTRACT) == 0 && type->tp_dictoffset == 0, 1)) {
        return type->tp_alloc(type, 0);
    }
    return type->tp_new(type, accel_empty_tuple, NULL);
}

/* Whether the site's cache (inline_cache.h) describes where `frame`, a suspended
 * generator's, is: its code and yield, with the record and its program still
 * the ones the cache names. */
static inline __attribute__((always_inline)) int
accel_resume_site_holds(const accel_resume_site *site, const _PyInterpreterFrame *frame)
{
    return site->code == frame->f_code && site->suspended_at == frame->prev_instr
           && site->epoch == accel_records_freed && site->rec->native == site->native;
}

/* calls.c: a finished frame's references released, as _PyFrame_Clear does (a
 * frame object that outlives it takes the frame over); the frame is unlinked. */
void accel_clear_frame(PyThreadState *tstate, _PyInterpreterFrame *frame);

/* deopt.c: native code (`native`, which a recompile may have replaced as
 * rec->native meanwhile) left the frame, unlinked, at an exit (`tagged`, see
 * stencils/stencil.h): the interpreter runs the rest of it. */
PyObject *accel_finish_in_interpreter(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code *rec,
                                      accel_native *native, uintptr_t tagged);

#endif
