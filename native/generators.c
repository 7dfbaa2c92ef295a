/* Resuming generators and coroutines from native code.
 *
 * Stock CPython resumes a generator through gen_send_ex2 -> _PyEval_EvalFrame,
 * which with accel's hook installed becomes accel_eval_frame -> the record ->
 * the resume point -> native code.  When native code resumes a generator
 * itself (FOR_ITER over it, SEND for `yield from` and `await`), and when C
 * code iterates one (tp_iternext), this file does gen_send_ex2's work and
 * enters the generator's native code directly: the same frame states, the
 * same exception-state chaining, the same frame release when the generator
 * finishes.
 *
 * One generator pipeline resumes a generator per item at each stage, so the
 * resumption is one inline routine (resume) that each entry point below
 * specializes: next() (no value sent) keeps only what next() needs, and the
 * usual outcome, a yield, takes the fewest tests. */
#include "runtime.h"
#include "generators.h"

/* The generator's frame is done (it returned or raised): as gen_send_ex2 ends
 * (the interpreter too marks a frame that returns or raises FRAME_COMPLETED
 * only if it is still executing).  Out of line: once per generator. */
static __attribute__((noinline)) int
finish(PyThreadState *tstate, PyGenObject *gen, _PyInterpreterFrame *frame, PyObject *arg, PyObject *result,
       PyObject **presult)
{
    if (gen->gi_frame_state == FRAME_EXECUTING) {
        gen->gi_frame_state = FRAME_COMPLETED;
    }
    if (result != NULL) {
        if (result == Py_None && arg == NULL) {
            Py_CLEAR(result);  /* next() reports a return of None as NULL without an exception */
        }
    }
    else if (PyErr_ExceptionMatches(PyExc_StopIteration)) {
        _PyErr_FormatFromCause(PyExc_RuntimeError, "%s", PyCoro_CheckExact(gen) ? "coroutine raised StopIteration"
                                                                                 : "generator raised StopIteration");
    }
    Py_CLEAR(gen->gi_exc_state.exc_value);  /* the reference cycle through a handled exception's traceback */
    gen->gi_frame_state = FRAME_CLEARED;
    accel_clear_frame(tstate, frame);
    *presult = result;
    return result != NULL ? PYGEN_RETURN : PYGEN_ERROR;
}

/* gen.send(arg), or next(gen) when arg is NULL: a PySendResult with *presult
 * as gen_send_ex2 leaves it, or ACCEL_GEN_NOT_NATIVE with nothing done.  A
 * generator suspended at a yield is the usual case; one just made takes only
 * None; a running or finished one takes the ordinary path, which raises or
 * returns as it should. */
static inline __attribute__((always_inline)) int
resume(PyThreadState *tstate, PyGenObject *gen, PyObject *arg, PyObject **presult, accel_resume_site *site)
{
    _PyInterpreterFrame *frame = (_PyInterpreterFrame *)gen->gi_iframe;
    if (__builtin_expect(gen->gi_frame_state != FRAME_SUSPENDED, 0)
        && (gen->gi_frame_state != FRAME_CREATED || (arg != NULL && arg != Py_None))) {
        return ACCEL_GEN_NOT_NATIVE;
    }
    accel_code *rec;
    int at;
    if (site != NULL && accel_resume_site_holds(site, frame)) {
        /* Suspended where the site's last generator was: no lookups. */
        rec = site->rec;
        if (__builtin_expect(!accel_may_run_directly(tstate, rec)
                             || _PyRuntimeState_GetFinalizing(&_PyRuntime) != NULL, 0)) {
            return ACCEL_GEN_NOT_NATIVE;
        }
        at = site->at;
    }
    else {
        rec = accel_resumable_record(tstate, frame->f_code);
        if (__builtin_expect(rec == NULL, 0)) {
            return ACCEL_GEN_NOT_NATIVE;
        }
        at = accel_resume_index(rec->native, (int)(frame->prev_instr - _PyCode_CODE(frame->f_code)));
        if (__builtin_expect(at < 0, 0)) {
            return ACCEL_GEN_NOT_NATIVE;
        }
        if (site != NULL && gen->gi_frame_state == FRAME_SUSPENDED) {
            /* Where its next generator most likely is too (a generator just made
             * is suspended at a yield from its second item on). */
            accel_native *native = rec->native;
            *site = (accel_resume_site){frame->f_code, frame->prev_instr, native->memory + native->offsets[at], at,
                                        rec, native, accel_records_freed};
        }
    }
    frame->localsplus[frame->stacktop++] = Py_NewRef(arg != NULL ? arg : Py_None);
    gen->gi_exc_state.previous_item = tstate->exc_info;
    tstate->exc_info = &gen->gi_exc_state;
    gen->gi_frame_state = FRAME_EXECUTING;
    PyObject *result = accel_run_native_inline(tstate, frame, rec, at);  /* links and unlinks the frame */
    tstate->exc_info = gen->gi_exc_state.previous_item;
    gen->gi_exc_state.previous_item = NULL;
    /* The caller's frame stays reachable from a suspended one no longer than needed. */
    frame->previous = NULL;
    /* YIELD_VALUE left the frame suspended; anything else finished it. */
    if (__builtin_expect(gen->gi_frame_state == FRAME_SUSPENDED && result != NULL, 1)) {
        *presult = result;
        return PYGEN_NEXT;
    }
    return finish(tstate, gen, frame, arg, result, presult);
}

int
accel_gen_resume(PyThreadState *tstate, PyObject *gen, PyObject *arg, PyObject **presult, accel_resume_site *site)
{
    return resume(tstate, (PyGenObject *)gen, arg, presult, site);
}

PyObject *
accel_gen_next(PyThreadState *tstate, PyObject *gen, accel_resume_site *site)
{
    PyObject *result;
    int status = resume(tstate, (PyGenObject *)gen, NULL, &result, site);
    return accel_for_loop_item(status, result);
}

int
accel_gen_finished(PyThreadState *tstate, PyObject *gen, PyObject *arg, PyObject *result, PyObject **presult)
{
    return finish(tstate, (PyGenObject *)gen, (_PyInterpreterFrame *)((PyGenObject *)gen)->gi_iframe, arg, result,
                  presult);
}

/* Builtins and C code that iterate a generator (sum(), list(), str.join(),
 * zip()..., and the interpreter's own FOR_ITER after an exit) call its type's
 * tp_iternext: gen_iternext -> gen_send_ex2 -> _PyEval_EvalFrame -> the hook ->
 * the resume point.  While accel's hook is installed, generators' tp_iternext
 * is this function, which resumes a compiled generator's native code straight,
 * as FOR_ITER's stencil does, and hands every other case to the original
 * (generator.__next__ keeps calling the original: its wrapper was made at
 * start-up).  Only the hooked interpreter's code objects carry accel's records. */
static iternextfunc stock_gen_iternext;
static accel_resume_site c_callers_site;  /* the resumption C code made last (sum() of one generator...) */

static PyObject *
gen_iternext_natively(PyObject *gen)
{
    PyThreadState *tstate = _PyThreadState_GET();
    if (__builtin_expect(tstate->interp == accel_hooked_interp, 1)) {
        PyObject *result;
        int status = resume(tstate, (PyGenObject *)gen, NULL, &result, &c_callers_site);
        if (__builtin_expect(status == PYGEN_NEXT, 1)) {
            accel_totals.generators_resumed_from_c++;
            return result;
        }
        if (status == PYGEN_RETURN) {
            /* As gen_iternext: the return value rides on a StopIteration (a return
             * of None came back as PYGEN_ERROR with nothing set). */
            accel_totals.generators_resumed_from_c++;
            _PyGen_SetStopIterationValue(result);
            Py_DECREF(result);
            return NULL;
        }
        if (status == PYGEN_ERROR) {
            accel_totals.generators_resumed_from_c++;
            return NULL;
        }
    }
    return stock_gen_iternext(gen);
}

void
accel_gen_iternext_install(int on)
{
    if (on && PyGen_Type.tp_iternext != gen_iternext_natively) {
        stock_gen_iternext = PyGen_Type.tp_iternext;
        PyGen_Type.tp_iternext = gen_iternext_natively;
    }
    else if (!on && PyGen_Type.tp_iternext == gen_iternext_natively) {
        PyGen_Type.tp_iternext = stock_gen_iternext;
    }
}
