/* Running native code, and handing the frame back to the stock interpreter
 * when native code exits (DESIGN.md §4).  The stencils leave the frame as the
 * interpreter expects it at the instruction named by prev_instr, except for
 * values kept unboxed, which are boxed here first. */
#include "runtime.h"
#define Py_BUILD_CORE 1
#include "internal/pycore_opcode.h"  /* its tables are defined in hook.c */
#include "eval_breaker.h"

/* A guard that keeps failing at one site asks for a recompile, a bounded number
 * of times (ACCEL_MAX_RECOMPILES, accel.h); the specializer then makes the site
 * generic. */
#define RECOMPILE_AFTER 64
/* A profile that taught nothing because a site had not run yet (a loop its first
 * call skipped: fannkuch's count_flips is first called with 0 in front) goes on for
 * one more entry, this many times at most. */
#define MAX_PROFILE_EXTENSIONS 8

/* Whether compiling again would make better code: a site that profiles its
 * operands saw only floats or only ints (then it becomes a float or an int
 * operation, operand_kinds.h), or a call was not inlined for want of its
 * arguments' types (its callee has run and seen them since). */
static int
profile_teaches(const accel_native *native)
{
    if (native->learns_callees) {
        return 1;
    }
    for (int i = 0; i < native->nprofiled; i++) {
        int at = native->profiled[i];
        if (at < 0 || at >= native->ninstrs) {
            continue;
        }
        uint32_t seen = native->caches[at].operand_kinds;
        if (seen == ACCEL_OPERANDS_FLOAT || seen == ACCEL_OPERANDS_INT) {
            return 1;
        }
    }
    return 0;
}

/* Whether a site that profiles its operands has not run yet. */
static int
profile_has_unseen_site(const accel_native *native)
{
    for (int i = 0; i < native->nprofiled; i++) {
        int at = native->profiled[i];
        if (at >= 0 && at < native->ninstrs && native->caches[at].operand_kinds == 0) {
            return 1;
        }
    }
    return 0;
}

/* The code's first compile has profiled its operands long enough: if a site saw
 * one kind only, compile it again with operations of that kind there (from the
 * next call on); if none did because a site has not run yet, profile one more
 * entry (a bounded number of times). */
void
accel_profile_ended(accel_code *rec)
{
    accel_native *native = rec->native;
    rec->profile_until = 0;
    if (native == NULL) {
        return;
    }
    if (profile_teaches(native)) {
        rec->recompile_requested = 1;
    }
    else if (native->profile_extensions < MAX_PROFILE_EXTENSIONS && profile_has_unseen_site(native)) {
        native->profile_extensions++;
        rec->profile_until = rec->native_entries + 1;
    }
    accel_direct_start_refresh(rec);
}

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
    if (guard && count >= RECOMPILE_AFTER && rec->recompiles < ACCEL_MAX_RECOMPILES) {
        rec->recompile_requested = 1;
        accel_direct_start_refresh(rec);
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

/* With throwflag set, the interpreter first reports a 'call' event to the tracer
 * and the profiler (TRACE_FUNCTION_THROW_ENTRY, meant for generator.throw()).
 * Native code runs only while both are off, so one found on at an exception exit
 * was set during this call, while stock CPython would have been running this
 * frame all along in the interpreter, which reports no 'call' for it.  The hooks
 * are swapped for functions that swallow that event and put each hook back as it
 * arrives; whatever else reaches them goes on to the real hook. */
static _Thread_local Py_tracefunc real_trace, real_profile;

static int
skip_trace_entry(PyObject *obj, PyFrameObject *f, int what, PyObject *arg)
{
    PyThreadState_Get()->c_tracefunc = real_trace;
    return what == PyTrace_CALL ? 0 : real_trace(obj, f, what, arg);
}

static int
skip_profile_entry(PyObject *obj, PyFrameObject *f, int what, PyObject *arg)
{
    PyThreadState_Get()->c_profilefunc = real_profile;
    return what == PyTrace_CALL ? 0 : real_profile(obj, f, what, arg);
}

static PyObject *
raise_in_interpreter(PyThreadState *tstate, _PyInterpreterFrame *frame)
{
    if (!tstate->cframe->use_tracing) {
        return _PyEval_EvalFrameDefault(tstate, frame, 1);
    }
    real_trace = tstate->c_tracefunc;
    real_profile = tstate->c_profilefunc;
    if (real_trace != NULL) {
        tstate->c_tracefunc = skip_trace_entry;
    }
    if (real_profile != NULL) {
        tstate->c_profilefunc = skip_profile_entry;
    }
    PyObject *result = _PyEval_EvalFrameDefault(tstate, frame, 1);
    /* The frame leaves at once if reporting the entry fails before a hook is
     * reached (no memory for the frame object): that hook is still swapped. */
    if (tstate->c_tracefunc == skip_trace_entry) {
        tstate->c_tracefunc = real_trace;
    }
    if (tstate->c_profilefunc == skip_profile_entry) {
        tstate->c_profilefunc = real_profile;
    }
    return result;
}

/* Whether a frame that left native code at a loop may be compiled for and go on
 * natively there, as the hook would run a fresh frame (native/runtime.h). */
static int
may_go_on_natively(PyThreadState *tstate)
{
    return !tstate->cframe->use_tracing && tstate->interp->eval_frame == accel_eval_frame
           && _PyRuntimeState_GetFinalizing(&_PyRuntime) == NULL;
}

/* Where a frame that left native code goes on (accel_finish_in_interpreter):
 * an instruction of its program (>= 0), or the interpreter, from prev_instr
 * (IN_INTERPRETER) or raising the exception set there (RAISE_IN_INTERPRETER). */
enum { IN_INTERPRETER = -1, RAISE_IN_INTERPRETER = -2 };

/* On-stack replacement.  A loop of the profiling version (`native`) of the code
 * got hot (stencils/control.c, LOOP_BACK_EDGE_PROFILING at position `site`):
 * the frame was written back as the interpreter expects it at the loop's head.
 * If the profile has taught something (or a guard asks for it), the code is
 * compiled again now, and the frame goes on in the current program at the
 * head, an entry point of every function's program (accel/backend/lower.py
 * loop_entries) whose raw locals are unboxed there with guards.  Where that is
 * not possible (tracing, another hook, compiling refused, no entry there) the
 * interpreter runs the rest of the frame, as after any exit. */
static int
hot_loop_entry(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code *rec, accel_native *native, int site)
{
    _Py_CODEUNIT *code = _PyCode_CODE(frame->f_code);
    int head = (int)(frame->prev_instr + 1 - code);
    /* (Never a generator's frame: its code does not profile, compiler.py.) */
    if (frame->owner == FRAME_OWNED_BY_GENERATOR || !may_go_on_natively(tstate)) {
        return IN_INTERPRETER;
    }
    if (rec->native == native && rec->state == ACCEL_STATE_COMPILED && (profile_teaches(native) || rec->recompile_requested)
        && accel_compile_running(frame, rec) < 0) {
        /* A signal handler's exception, raised where the interpreter checks for
         * it: at the back edge's jump, taken (the stack is as at the head). */
        frame->prev_instr = code + native->caches[site].back_edge.jump_unit;
        return RAISE_IN_INTERPRETER;
    }
    /* (Compiling ran Python code: tracing may be on now.) */
    int at = may_go_on_natively(tstate) && accel_may_run_directly(tstate, rec)
             ? accel_resume_index(rec->native, head - 1) : -1;
    if (at < 0) {
        return IN_INTERPRETER;
    }
    accel_totals.loop_head_entries++;
    accel_totals.on_stack_replacements += rec->native != native;
    return at;
}

/* The code unit of the backward jump that ends the instruction starting at
 * `unit` (a JUMP_BACKWARD, or a `while` loop's conditional jump back after
 * what native code fuses into it: up to two loads and a comparison), or -1. */
static int
backward_jump_from(PyCodeObject *co, int unit)
{
    const _Py_CODEUNIT *code = _PyCode_CODE(co);
    for (int instructions = 0; unit < Py_SIZE(co) && instructions < 4; instructions++) {
        int op = _PyOpcode_Deopt[_Py_OPCODE(code[unit])];
        if (accel_jumps_backward(op)) {
            return unit;
        }
        if (op == EXTENDED_ARG) {
            instructions--;  /* a prefix, not an instruction */
        }
        unit += 1 + _PyOpcode_Caches[op];
    }
    return -1;
}

/* What the interpreter does when it finds the eval breaker set at code unit
 * `unit` (signal handlers, pending calls, a thread switch), with the frame
 * shown to the handlers as the interpreter shows it there: current, at that
 * unit.  As accel_handle_eval_breaker. */
static int
handle_eval_breaker_at(PyThreadState *tstate, _PyInterpreterFrame *frame, int unit)
{
    frame->prev_instr = _PyCode_CODE(frame->f_code) + unit;
    frame->previous = tstate->cframe->current_frame;
    tstate->cframe->current_frame = frame;
    int handled = accel_handle_eval_breaker(tstate);
    tstate->cframe->current_frame = frame->previous;
    return handled;
}

/* A loop whose locals are raw reached its back edge with the eval breaker set
 * (stencils/stencil.h, CHECK_EVAL_BREAKER): its handlers may run Python code
 * and the GC, which must not meet raw slots, so the frame was written back as
 * the interpreter expects it before the back edge.  What the interpreter does
 * there is done here, and the loop goes on natively at the back edge, an entry
 * point of the program (accel/backend/lower.py loop_entries) whose raw locals
 * are unboxed there with guards: one signal or thread switch does not leave
 * the rest of the call (or of a generator's or coroutine's resumption) to the
 * interpreter.  A generator's frame stays executing throughout, as in the
 * interpreter: a handler that resumes the generator is told it is already
 * running, and a yield after the back edge suspends it as any native yield
 * does.  A handler's exception is raised at the jump, as the interpreter
 * raises it; an asynchronous exception, tracing switched on by a handler, or
 * no entry there leave the frame to the interpreter. */
static int
back_edge_entry(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code *rec)
{
    PyCodeObject *co = frame->f_code;
    int unit = (int)(frame->prev_instr - _PyCode_CODE(co));
    int jump = backward_jump_from(co, unit + 1);
    if (jump < 0 || tstate->async_exc != NULL || !may_go_on_natively(tstate)) {
        return IN_INTERPRETER;
    }
    int handled = handle_eval_breaker_at(tstate, frame, jump);
    if (handled < 0) {
        return RAISE_IN_INTERPRETER;
    }
    frame->prev_instr = _PyCode_CODE(co) + unit;
    int at = handled == 0 && may_go_on_natively(tstate) && accel_may_run_directly(tstate, rec)
             ? accel_resume_index(rec->native, unit) : -1;
    if (at < 0) {
        return IN_INTERPRETER;
    }
    accel_totals.back_edge_entries++;
    return at;
}

/* Whether native code left the frame before a RESUME that checks the eval
 * breaker (stencils/control.c) and is an entry point of the program: a
 * generator's, coroutine's or async generator's, at its start or after a
 * yield (accel/backend/lower.py entry_points). */
static int
left_at_resume_point(_PyInterpreterFrame *frame, accel_native *native)
{
    _Py_CODEUNIT next = frame->prev_instr[1];
    return _PyOpcode_Deopt[_Py_OPCODE(next)] == RESUME && _Py_OPARG(next) < 2
           && accel_resume_index(native, (int)(frame->prev_instr - _PyCode_CODE(frame->f_code))) >= 0;
}

/* A generator, coroutine or async generator started or resumed after a yield
 * with the eval breaker set (a signal or a thread's request that arrived while
 * its consumer ran): its RESUME left native code before anything ran.  What the
 * interpreter does at RESUME is done here, and the resumption goes on natively
 * at that RESUME, which checks again (set again meanwhile: handled
 * again), rather than in the interpreter until the next yield.  A handler's
 * exception is raised at RESUME, as the interpreter raises it; after tracing
 * switched on by a handler the interpreter goes on past RESUME, as it does
 * (no 'call' event); an asynchronous exception has the interpreter run RESUME,
 * which raises it there. */
static int
resume_entry(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code *rec)
{
    int before = (int)(frame->prev_instr - _PyCode_CODE(frame->f_code));
    if (tstate->async_exc != NULL || !may_go_on_natively(tstate)) {
        return IN_INTERPRETER;
    }
    int handled = handle_eval_breaker_at(tstate, frame, before + 1);
    if (handled < 0) {
        return RAISE_IN_INTERPRETER;
    }
    int at = handled == 0 && may_go_on_natively(tstate) && accel_may_run_directly(tstate, rec)
             ? accel_resume_index(rec->native, before) : -1;
    if (at < 0 && handled == 0) {
        return IN_INTERPRETER;  /* past RESUME */
    }
    frame->prev_instr = _PyCode_CODE(frame->f_code) + before;
    if (at < 0) {
        return IN_INTERPRETER;  /* at RESUME */
    }
    accel_totals.resumption_entries++;
    return at;
}

/* Where the frame goes on after native code left it at an exit other than an
 * exception (`reason`, at position `site` of `native`). */
static int
go_on_at(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code *rec, accel_native *native, int reason,
         int site)
{
    switch (reason) {
    case ACCEL_EXIT_LOOP_HOT:
        return hot_loop_entry(tstate, frame, rec, native, site);
    case ACCEL_EXIT_EVAL_BREAKER_LOOP:
        return back_edge_entry(tstate, frame, rec);
    case ACCEL_EXIT_EVAL_BREAKER:
        return left_at_resume_point(frame, native) ? resume_entry(tstate, frame, rec) : IN_INTERPRETER;
    default:
        return IN_INTERPRETER;
    }
}

/* Native code (`native`, which a recompile may have replaced as rec->native
 * meanwhile) left the frame at an exit (`tagged`, see stencils/stencil.h): the
 * interpreter runs the rest of it, or native code goes on where the exit was
 * meant to come back.  Going on is a loop here, not a call from each exit: a
 * loop that meets the eval breaker a million times in one call (a thread
 * switch every 5 ms) does not grow the C stack. */
PyObject *
accel_finish_in_interpreter(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code *rec,
                            accel_native *native, uintptr_t tagged)
{
    for (;;) {
        int reason = (int)((tagged >> 1) & 0x7f), site = (int)(tagged >> 8);
        write_back(frame, native, site);
        record_exit(rec, frame, reason);
        /* On an exception the interpreter adds the traceback entry and unwinds to
         * a handler in this frame, or out of it. */
        int at = reason == ACCEL_EXIT_ERROR ? RAISE_IN_INTERPRETER : go_on_at(tstate, frame, rec, native, reason, site);
        if (at == RAISE_IN_INTERPRETER) {
            return raise_in_interpreter(tstate, frame);
        }
        if (at < 0 || tstate->recursion_remaining <= 0) {
            /* (At the limit, which a handler may have lowered, the interpreter
             * raises the RecursionError, exactly as without accel.) */
            return _PyEval_EvalFrameDefault(tstate, frame, 0);
        }
        native = rec->native;
        PyObject *result = accel_enter_native(tstate, frame, rec, native, at);
        if (((uintptr_t)result & 1) == 0) {
            return result;
        }
        tagged = (uintptr_t)result;
    }
}

PyObject *
accel_run_native(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code *rec, int at)
{
    return accel_run_native_inline(tstate, frame, rec, at);
}
