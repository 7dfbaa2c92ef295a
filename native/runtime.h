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
#include "generators.h"
#include "stencil_ids.h"
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
    PyObject **keepalive;       /* objects the program's operands point to (strong) */
    Py_ssize_t nkeepalive;
    int ninstrs;
    uint32_t *offsets;          /* where each instruction's code starts */
    uint64_t *raw;              /* per instruction, 4 masks: what deopt must box (accel_instr) */
    accel_cache *caches;        /* per instruction: inline caches (native/inline_cache.h) */
    int nunits;                 /* code units of the code object */
    int32_t *resume_of_unit;    /* a generator's resume points, by the code unit it is suspended
                                   at: the instruction that resumes it, or -1 (NULL: none) */
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
    uint64_t calls;
    uint64_t native_entries;
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
accel_code *accel_runnable_record(PyThreadState *tstate, PyCodeObject *co);

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

#endif
