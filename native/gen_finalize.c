/* Closing a dropped generator without throwing into it, where nothing could
 * tell the difference.
 *
 * 3.11 closes a generator that is dropped while suspended (tp_finalize:
 * _PyGen_Finalize -> gen_close) by throwing GeneratorExit into its frame: the
 * interpreter makes a frame object and a traceback entry, finds no handler,
 * pops the value stack, and leaves; the frame object takes the frame over, and
 * when gen_close clears the GeneratorExit, the traceback and the frame object
 * go, and frame_dealloc releases the function, the locals and the code.  all()
 * and any() leave the generator they consume at the item that decides, so
 * every such generator expression is closed this way, and the throw costs more
 * than the rest of the call (3.12 skips it, for the same cases).
 *
 * Here a generator suspended at a plain yield (not a `yield from`) of code
 * without exception handlers, while nothing traces or profiles, with no frame
 * object, no saved exception, a value stack whose items all have other
 * references, and room for the interpreter's recursion check, has its
 * references released in that same order, without the throw: the only code
 * that can run is that of the locals' finalizers, at the same point and with
 * the same frames and exception state around them.  Anything else goes to
 * CPython's own finalizer. */
#include "runtime.h"
#include "gen_finalize.h"
#include "opcode.h"

/* object.c's _PyTrash_UNWIND_LEVEL (not in the headers): a deallocation that
 * uses the trashcan at this depth of such deallocations is deferred. */
#define TRASHCAN_UNWIND_LEVEL 50

static destructor stock_gen_finalize;

/* Whether closing `gen` may skip the throw, as described above. */
static int
closes_quietly(PyThreadState *tstate, PyGenObject *gen)
{
    _PyInterpreterFrame *frame = (_PyInterpreterFrame *)gen->gi_iframe;
    if (gen->gi_frame_state != FRAME_SUSPENDED || frame->frame_obj != NULL || gen->gi_exc_state.exc_value != NULL) {
        return 0;
    }
    if (tstate->interp != accel_hooked_interp || tstate->cframe->use_tracing || tstate->c_tracefunc != NULL
        || tstate->c_profilefunc != NULL || tstate->recursion_remaining <= 0
        || tstate->trash_delete_nesting + 1 >= TRASHCAN_UNWIND_LEVEL) {
        return 0;  /* (the throw would raise RecursionError; the traceback's or the frame object's deallocation would wait) */
    }
    PyCodeObject *co = frame->f_code;
    if (PyBytes_GET_SIZE(co->co_exceptiontable) != 0) {
        return 0;
    }
    _Py_CODEUNIT next = frame->prev_instr[1];  /* after a yield, RESUME 1; after a `yield from`'s, RESUME 2 */
    if (!((_Py_OPCODE(next) == RESUME || _Py_OPCODE(next) == RESUME_QUICK) && _Py_OPARG(next) == 1)) {
        return 0;
    }
    for (int i = co->co_nlocalsplus; i < frame->stacktop; i++) {
        PyObject *item = frame->localsplus[i];
        if (item != NULL && Py_REFCNT(item) < 2) {
            return 0;  /* the interpreter would free it with the generator's frame running */
        }
    }
    return 1;
}

static void
gen_finalize(PyObject *self)
{
    PyThreadState *tstate = _PyThreadState_GET();
    PyGenObject *gen = (PyGenObject *)self;
    if (!closes_quietly(tstate, gen)) {
        stock_gen_finalize(self);
        return;
    }
    accel_totals.generators_closed_quietly++;
    _PyInterpreterFrame *frame = (_PyInterpreterFrame *)gen->gi_iframe;
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);  /* as _PyGen_Finalize saves them */
    /* The value stack, from the top, as the interpreter unwinds it (no item is freed). */
    int nlocalsplus = frame->f_code->co_nlocalsplus;
    while (frame->stacktop > nlocalsplus) {
        Py_XDECREF(frame->localsplus[--frame->stacktop]);
    }
    gen->gi_frame_state = FRAME_CLEARED;
    /* The rest as frame_dealloc releases a frame object's frame, the code last,
     * inside the trashcans of the traceback's deallocation and the frame
     * object's (a deep structure a local frees is cut where it would be). */
    _PyTrash_begin(tstate, self);  /* (never deferred: the depth was checked) */
    _PyTrash_begin(tstate, self);
    PyCodeObject *co = frame->f_code;
    Py_CLEAR(frame->f_func);
    Py_CLEAR(frame->f_locals);
    for (int i = 0; i < nlocalsplus; i++) {
        Py_CLEAR(frame->localsplus[i]);
    }
    frame->f_code = NULL;
    Py_DECREF(co);
    _PyTrash_end(tstate);
    _PyTrash_end(tstate);
    PyErr_Restore(type, value, traceback);
}

void
accel_gen_finalize_install(int on)
{
    if (on && PyGen_Type.tp_finalize != gen_finalize) {
        stock_gen_finalize = PyGen_Type.tp_finalize;
        PyGen_Type.tp_finalize = gen_finalize;
    }
    else if (!on && PyGen_Type.tp_finalize == gen_finalize) {
        PyGen_Type.tp_finalize = stock_gen_finalize;
    }
}
