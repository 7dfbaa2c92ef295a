/* What the interpreter does when the eval breaker is set (ceval.c's
 * eval_frame_handle_pending, which is static), through public API: run signal
 * handlers and pending calls, and give the GIL to a thread that asked for it.
 * Native loops call it at backward jumps and go on natively. */
#include "runtime.h"
#include "eval_breaker.h"

int
accel_handle_eval_breaker(PyThreadState *tstate)
{
    if (tstate->async_exc != NULL) {
        return 1;
    }
    /* Signal handlers (in the main thread) and pending calls. */
    if (Py_MakePendingCalls() < 0) {
        return -1;
    }
    if (*(volatile int *)&tstate->interp->ceval.gil_drop_request._value) {  /* a relaxed load */
        PyEval_SaveThread();    /* another thread takes the GIL */
        PyEval_RestoreThread(tstate);
    }
    return tstate->async_exc != NULL;
}
