/* Generators and coroutines resumed straight from the instruction that wants
 * their next value (FOR_ITER, SEND): what native/generators.c's
 * accel_gen_resume does, without its C frames around the generator's program
 * (called in the stencils' convention, as stencils/shared.c calls a
 * function's), and without looking the generator's record and resume point
 * up: the site's cache (accel_resume_site) names them for the code and
 * suspension point it last saw.  Anything else (a generator not suspended,
 * another code or yield, profiling, tracing, the C stack or the recursion
 * limit near) takes accel_gen_resume, which refills the cache. */
#include "stencil.h"

/* Whether the generator's program may run now from the site's resume point:
 * as accel_may_run_directly and accel_resumable_record check (native/runtime.h). */
static inline __attribute__((always_inline)) int
may_resume(PyThreadState *tstate, PyGenObject *gen, const accel_resume_site *site)
{
    _PyInterpreterFrame *frame = (_PyInterpreterFrame *)gen->gi_iframe;
    if (UNLIKELY(!(gen->gi_frame_state == FRAME_SUSPENDED && accel_resume_site_holds(site, frame)))) {
        return 0;
    }
    accel_code *rec = site->rec;
    uintptr_t stack_pointer, hook;
    __asm__("movq %%rsp, %0" : "=r"(stack_pointer));
    /* A function's address as a value: 64 bits, as HOLE does. */
    __asm__("movabsq $accel_eval_frame, %0" : "=r"(hook));
    return LIKELY(rec->state == ACCEL_STATE_COMPILED && !rec->recompile_requested
                  && rec->profile_until == 0 && (uintptr_t)tstate->interp->eval_frame == hook
                  && !tstate->cframe->use_tracing && tstate->recursion_remaining > 0
                  && tstate == accel_c_stack_thread && stack_pointer >= (uintptr_t)accel_c_stack_limit
                  && _PyRuntimeState_GetFinalizing(&_PyRuntime) == NULL);
}

/* accel_gen_resume's work for a generator may_resume allows: `arg` (NULL:
 * None) sent, the generator's exception state chained and its frame linked
 * while its program runs, as gen_send_ex2 and accel_run_native_inline do. */
static inline __attribute__((always_inline)) int
resume_at_site(PyThreadState *tstate, PyGenObject *gen, PyObject *arg, PyObject **presult,
               const accel_resume_site *site)
{
    _PyInterpreterFrame *gen_frame = (_PyInterpreterFrame *)gen->gi_iframe;
    accel_code *rec = site->rec;
    accel_native *native = site->native;
    PyObject **gen_sp = gen_frame->localsplus + gen_frame->stacktop;
    *gen_sp++ = Py_NewRef(arg != NULL ? arg : Py_None);
    gen_frame->stacktop = -1;  /* unset while native code runs (native/runtime.h) */
    gen->gi_exc_state.previous_item = tstate->exc_info;
    tstate->exc_info = &gen->gi_exc_state;
    gen->gi_frame_state = FRAME_EXECUTING;
    tstate->recursion_remaining--;
    _PyCFrame *cframe = tstate->cframe;
    gen_frame->previous = cframe->current_frame;
    cframe->current_frame = gen_frame;
    rec->native_entries++;
    accel_totals.native_entries++;
    accel_totals.generators_resumed_at_sites++;
    PyObject *result = ((accel_continuation)site->resume_code)(gen_frame, gen_sp, tstate);
    tstate->cframe->current_frame = gen_frame->previous;
    tstate->recursion_remaining++;
    if (UNLIKELY((uintptr_t)result & 1)) {
        result = accel_finish_in_interpreter(tstate, gen_frame, rec, native, (uintptr_t)result);
    }
    tstate->exc_info = gen->gi_exc_state.previous_item;
    gen->gi_exc_state.previous_item = NULL;
    gen_frame->previous = NULL;  /* the caller's frame stays reachable no longer than needed */
    if (LIKELY(gen->gi_frame_state == FRAME_SUSPENDED && result != NULL)) {
        *presult = result;
        return PYGEN_NEXT;
    }
    return accel_gen_finished(tstate, (PyObject *)gen, arg, result, presult);
}

/* FOR_ITER's next item from a generator (exact type), as accel_gen_next
 * returns it: the item, or NULL (the generator finished: what it returned
 * dropped; or it failed, the exception set), or ACCEL_GEN_NOT_RESUMED with
 * nothing done. */
CC PyObject *
SHARED_GEN_NEXT(_PyInterpreterFrame *frame, PyObject **sp, PyThreadState *tstate, PyObject *iter,
                accel_resume_site *site)
{
    (void)frame;
    (void)sp;
    PyGenObject *gen = (PyGenObject *)iter;
    if (UNLIKELY(!may_resume(tstate, gen, site))) {
        return accel_gen_next(tstate, iter, site);
    }
    PyObject *result;
    int status = resume_at_site(tstate, gen, NULL, &result, site);
    return accel_for_loop_item(status, result);
}

/* SEND's step into a generator or coroutine (exact types): accel_gen_resume's
 * outcome, ACCEL_GEN_NOT_NATIVE included. */
CC int
SHARED_GEN_SEND(_PyInterpreterFrame *frame, PyObject **sp, PyThreadState *tstate, PyObject *receiver,
                PyObject *value, PyObject **presult, accel_resume_site *site)
{
    (void)frame;
    (void)sp;
    PyGenObject *gen = (PyGenObject *)receiver;
    if (UNLIKELY(!may_resume(tstate, gen, site))) {
        return accel_gen_resume(tstate, receiver, value, presult, site);
    }
    return resume_at_site(tstate, gen, value, presult, site);
}
