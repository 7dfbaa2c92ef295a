/* Resuming generators and coroutines from native code (native/generators.c). */
#ifndef ACCEL_GENERATORS_H
#define ACCEL_GENERATORS_H

#include "Python.h"
#include "inline_cache.h"

/* What accel_gen_resume returns when it cannot resume the generator itself
 * (not suspended, not compiled, tracing on...): the caller takes the ordinary
 * path (PyIter_Send, tp_iternext), which reports whatever applies. */
#define ACCEL_GEN_NOT_NATIVE (-2)

/* gen.send(arg), or next(gen) when arg is NULL, for a generator or coroutine
 * (exact types) whose native code can resume it where it is suspended: what
 * 3.11's gen_send_ex2 does, with the frame run natively instead of through
 * _PyEval_EvalFrame and the hook.  A PySendResult with *presult as
 * gen_send_ex2 leaves it, or ACCEL_GEN_NOT_NATIVE with nothing done.  A
 * generator it resumes natively is described in `site` (or NULL), the cache
 * of the instruction that resumes it (stencils/resume.c). */
int accel_gen_resume(PyThreadState *tstate, PyObject *gen, PyObject *arg, PyObject **presult,
                     accel_resume_site *site);

/* What accel_gen_next returns when it cannot resume the generator itself:
 * no object pointer is odd. */
#define ACCEL_GEN_NOT_RESUMED ((PyObject *)1)

/* What a for loop takes from a resumption's outcome (status, *presult): the
 * item, or NULL (what the generator returned dropped), or ACCEL_GEN_NOT_RESUMED. */
static inline __attribute__((always_inline)) PyObject *
accel_for_loop_item(int status, PyObject *result)
{
    switch (status) {
    case PYGEN_NEXT:
        return result;
    case PYGEN_RETURN:
        Py_DECREF(result);  /* a for loop drops what the generator returned */
        return NULL;
    case PYGEN_ERROR:
        return NULL;
    default:
        return ACCEL_GEN_NOT_RESUMED;
    }
}

/* The next item of a generator (exact type) for a for loop: accel_gen_resume
 * with nothing sent, the status folded into the result.  The item; or NULL,
 * the generator finished (what it returned dropped) or, with an exception
 * set, failed; or ACCEL_GEN_NOT_RESUMED with nothing done.  A generator it
 * resumes natively is described in the loop's `site` (or NULL). */
PyObject *accel_gen_next(PyThreadState *tstate, PyObject *gen, accel_resume_site *site);

/* For stencils/resume.c, which resumed a generator or coroutine (sent `arg`,
 * NULL for next()) that then returned `result` or raised (NULL): its frame
 * released as gen_send_ex2 does; the PySendResult, *presult as
 * accel_gen_resume leaves it. */
int accel_gen_finished(PyThreadState *tstate, PyObject *gen, PyObject *arg, PyObject *result, PyObject **presult);

/* With `on`, generators' tp_iternext resumes compiled generators natively for
 * every C caller; without, it is CPython's again (installed with the hook). */
void accel_gen_iternext_install(int on);

#endif
