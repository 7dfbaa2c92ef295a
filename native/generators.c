/* Resuming generators and coroutines from native code.
 *
 * Stock CPython resumes a generator through gen_send_ex2 -> _PyEval_EvalFrame,
 * which with accel's hook installed becomes accel_eval_frame -> the record ->
 * the resume point -> native code.  When native code resumes a generator
 * itself (FOR_ITER over it, SEND for `yield from` and `await`), this file does
 * gen_send_ex2's work and enters the generator's native code directly: the
 * same frame states, the same exception-state chaining, the same frame
 * release when the generator finishes. */
#include "runtime.h"
#include "generators.h"

/* The generator's frame is done (it returned or raised): as gen_send_ex2 ends. */
static int
finish(PyThreadState *tstate, PyGenObject *gen, _PyInterpreterFrame *frame, PyObject *arg, PyObject *result,
       PyObject **presult)
{
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

int
accel_gen_resume(PyThreadState *tstate, PyObject *receiver, PyObject *arg, PyObject **presult)
{
    PyGenObject *gen = (PyGenObject *)receiver;
    _PyInterpreterFrame *frame = (_PyInterpreterFrame *)gen->gi_iframe;
    /* A generator just made takes only None; a running or finished one raises, or
     * returns: the ordinary path says which. */
    if (gen->gi_frame_state == FRAME_SUSPENDED ? 0
        : gen->gi_frame_state != FRAME_CREATED || (arg != NULL && arg != Py_None)) {
        return ACCEL_GEN_NOT_NATIVE;
    }
    accel_code *rec = accel_resumable_record(tstate, frame->f_code);
    int at = rec != NULL ? accel_resume_index(rec->native, (int)(frame->prev_instr - _PyCode_CODE(frame->f_code)))
                         : -1;
    if (at < 0) {
        return ACCEL_GEN_NOT_NATIVE;
    }
    frame->localsplus[frame->stacktop++] = Py_NewRef(arg != NULL ? arg : Py_None);
    gen->gi_exc_state.previous_item = tstate->exc_info;
    tstate->exc_info = &gen->gi_exc_state;
    gen->gi_frame_state = FRAME_EXECUTING;
    PyObject *result = accel_run_native_inline(tstate, frame, rec, at);  /* links and unlinks the frame */
    if (gen->gi_frame_state == FRAME_EXECUTING) {
        gen->gi_frame_state = FRAME_COMPLETED;
    }
    tstate->exc_info = gen->gi_exc_state.previous_item;
    gen->gi_exc_state.previous_item = NULL;
    /* The caller's frame stays reachable from a suspended one no longer than needed. */
    frame->previous = NULL;
    if (result != NULL && gen->gi_frame_state == FRAME_SUSPENDED) {
        *presult = result;
        return PYGEN_NEXT;
    }
    return finish(tstate, gen, frame, arg, result, presult);
}

/* Builtins and C code that iterate a generator (sum(), list(), str.join(),
 * zip()..., and the interpreter's own FOR_ITER after an exit) call its type's
 * tp_iternext: gen_iternext -> gen_send_ex2 -> _PyEval_EvalFrame -> the hook ->
 * the resume point.  While accel's hook is installed, generators' tp_iternext
 * is this function, which resumes a compiled generator's native code straight,
 * as FOR_ITER's stencil does, and hands every other case to the original
 * (generator.__next__ keeps calling the original: its wrapper was made at
 * start-up). */
static iternextfunc stock_gen_iternext;

static PyObject *
gen_iternext_natively(PyObject *gen)
{
    PyThreadState *tstate = _PyThreadState_GET();
    if (tstate->interp == accel_hooked_interp) {
        PyObject *result;
        int status = accel_gen_resume(tstate, gen, NULL, &result);
        accel_totals.generators_resumed_from_c += status != ACCEL_GEN_NOT_NATIVE;
        switch (status) {
        case PYGEN_NEXT:
            return result;
        case PYGEN_RETURN:
            /* As gen_iternext: the return value rides on a StopIteration (a return
             * of None came back as PYGEN_ERROR with nothing set). */
            if (result != Py_None) {
                _PyGen_SetStopIterationValue(result);
            }
            Py_DECREF(result);
            return NULL;
        case PYGEN_ERROR:
            return NULL;
        default:
            break;  /* ACCEL_GEN_NOT_NATIVE */
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
