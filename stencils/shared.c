/* Shared routines: code that every CALL site would otherwise carry, emitted once
 * per process (native/jit.c) and called by the stencils (stencils/call.c).  They
 * take no per-instruction holes; their names start with SHARED_ (stencil.h
 * declares them). */
#include "stencil.h"

/* A call's callable and arguments at `base`: [NULL, bound method, args...]
 * becomes [function, self, args...], as 3.11's PRECALL does. */
static inline __attribute__((always_inline)) void
split_bound_method(PyObject **base)
{
    PyObject *method = base[1];
    base[0] = Py_NewRef(((PyMethodObject *)method)->im_func);
    base[1] = Py_NewRef(((PyMethodObject *)method)->im_self);
    Py_DECREF(method);
}

/* The way of the site's cache that describes this call of a function whose
 * code is `co`, or NULL (native/calls.c fills the ways). */
static inline __attribute__((always_inline)) accel_call_shape *
function_way(accel_cache *cache, PyCodeObject *co, int nargs)
{
    _Pragma("clang loop unroll(disable)")
    for (int i = 0; i < ACCEL_CALL_WAYS; i++) {
        accel_call_shape *way = &cache->calls[i];
        if (LIKELY(way->code == co && way->nargs == nargs)) {
            return way;
        }
    }
    return NULL;
}

/* Whether a direct call to `func` may push its frame, as the cache's `shape`
 * describes it, and run the callee's program now: as accel_may_run_directly
 * and accel_run_native_inline check (native/runtime.h); what they do on the
 * rare paths (measuring the C stack of another thread, the RecursionError,
 * the end of operand profiling) is left to native/calls.c. */
static inline __attribute__((always_inline)) int
may_push(PyThreadState *tstate, PyFunctionObject *func, const accel_call_shape *shape)
{
    accel_code *rec = shape->rec;
    uintptr_t stack_pointer, hook;
    __asm__("movq %%rsp, %0" : "=r"(stack_pointer));
    /* A function's address as a value: 64 bits, as HOLE does (the medium model
     * would make it a 32-bit immediate). */
    __asm__("movabsq $accel_eval_frame, %0" : "=r"(hook));
    if (UNLIKELY(!(shape->epoch == accel_records_freed
          && rec->state == ACCEL_STATE_COMPILED && !rec->recompile_requested && rec->profile_until == 0
          && (uintptr_t)tstate->interp->eval_frame == hook && !tstate->cframe->use_tracing))) {
        return 0;
    }
    if (UNLIKELY(tstate->recursion_remaining <= 0)) {
        return 0;
    }
    if (UNLIKELY(tstate != accel_c_stack_thread)) {
        return 0;
    }
    if (UNLIKELY(stack_pointer < (uintptr_t)accel_c_stack_limit)) {
        return 0;
    }
    if (UNLIKELY(!_PyThreadState_HasStackSpace(tstate, shape->frame_size))) {
        return 0;
    }
    int missing = shape->missing;
    PyObject *defaults = func->func_defaults;
    return LIKELY(missing == 0) || (defaults != NULL && PyTuple_GET_SIZE(defaults) >= missing);
}

/* The frame of a direct call to `func` (may_push said it may be), its
 * arguments (and the defaults after them) being all its parameters: pushed,
 * the arguments and the reference to `func` moved in from the caller's stack. */
static inline __attribute__((always_inline)) _PyInterpreterFrame *
push_direct(PyThreadState *tstate, PyFunctionObject *func, PyObject **args, int nargs, const accel_call_shape *shape)
{
    PyCodeObject *co = (PyCodeObject *)func->func_code;
    int missing = shape->missing;
    PyObject *defaults = func->func_defaults;
    _PyInterpreterFrame *callee = (_PyInterpreterFrame *)tstate->datastack_top;
    tstate->datastack_top += shape->frame_size;
    callee->f_func = func;
    callee->f_code = (PyCodeObject *)Py_NewRef(co);
    callee->f_builtins = func->func_builtins;
    callee->f_globals = func->func_globals;
    callee->f_locals = NULL;
    callee->frame_obj = NULL;
    callee->prev_instr = _PyCode_CODE(co) - 1;
    callee->is_entry = false;
    callee->owner = FRAME_OWNED_BY_THREAD;
    callee->stacktop = -1;  /* unset while native code runs (native/runtime.h) */
    PyObject **locals = callee->localsplus;
    _Pragma("clang loop unroll(disable)")
    for (int i = 0; i < nargs; i++) {
        locals[i] = args[i];
    }
    _Pragma("clang loop unroll(disable)")
    for (int i = 0; i < missing; i++) {
        locals[nargs + i] = Py_NewRef(PyTuple_GET_ITEM(defaults, PyTuple_GET_SIZE(defaults) - missing + i));
    }
    _Pragma("clang loop unroll(disable)")
    for (int i = nargs + missing; i < shape->nlocalsplus; i++) {
        locals[i] = NULL;
    }
    return callee;
}

/* Run a pushed frame's native code, then clear and pop the frame: what
 * native/calls.c's run_pushed does, without its C frames around the call (the
 * callee's program is called straight, in the stencils' convention). */
static inline __attribute__((always_inline)) PyObject *
run_direct(PyThreadState *tstate, _PyInterpreterFrame *callee, const accel_call_shape *shape)
{
    accel_code *rec = shape->rec;
    rec->direct_calls++;
    accel_direct_calls++;
    tstate->recursion_remaining--;
    _PyCFrame *cframe = tstate->cframe;
    callee->previous = cframe->current_frame;
    cframe->current_frame = callee;
    accel_native *native = rec->native;
    PyObject *result = ((accel_continuation)native->start)(callee, callee->localsplus + shape->nlocalsplus, tstate);
    tstate->cframe->current_frame = callee->previous;
    if (UNLIKELY((uintptr_t)result & 1)) {
        tstate->recursion_remaining++;
        result = accel_finish_in_interpreter(tstate, callee, rec, native, (uintptr_t)result);
        tstate->recursion_remaining--;
    }
    /* As _PyEvalFrameClearAndPop, with the recursion depth still counting the
     * callee: finalizers run by the clearing may call. */
    if (UNLIKELY(callee->frame_obj != NULL)) {
        accel_clear_frame(tstate, callee);
    }
    else {
        int depth = callee->stacktop;  /* nothing a finalizer runs can see this frame */
        _Pragma("clang loop unroll(disable)")
        for (int i = 0; i < depth; i++) {
            Py_XDECREF(callee->localsplus[i]);
        }
        Py_XDECREF(callee->f_locals);  /* locals() made it */
        Py_DECREF(callee->f_func);
        Py_DECREF(callee->f_code);
    }
    tstate->recursion_remaining++;
    tstate->datastack_top = (PyObject **)callee;
    return result;
}

/* A plain class (object's __new__, a Python __init__) called with the `nargs`
 * arguments at `args`, as native/calls.c's instantiate does, when the site's
 * cache describes __init__'s frame: the class takes a level of recursion, as
 * _PyObject_MakeTpCall does, object's __new__ makes the instance, which
 * takes args[-1]'s place (the class's), and __init__'s frame gets references
 * of its own to it and the arguments, which the caller's stack and what
 * type_call makes (accel_hold_as_type_call) hold too while it runs, as without
 * accel (`keywords`: some arguments are named).  The instance, or NULL with an
 * exception set; the references to the class and the arguments are consumed.
 * ACCEL_NOT_CALLED, with nothing done, when the call is not such a call. */
static inline __attribute__((always_inline)) PyObject *
instantiate_direct(_PyInterpreterFrame *frame, PyThreadState *tstate, PyTypeObject *cls, PyObject **args, int nargs,
                   int keywords, accel_cache *cache, _Py_CODEUNIT *at)
{
    if (cls->tp_new != PyBaseObject_Type.tp_new || cls->tp_init != accel_python_init) {
        return ACCEL_NOT_CALLED;
    }
    PyObject *init = _PyType_Lookup(cls, &_Py_ID(__init__));
    if (init == NULL || Py_TYPE(init) != &PyFunction_Type) {
        return ACCEL_NOT_CALLED;
    }
    PyFunctionObject *func = (PyFunctionObject *)init;
    accel_call_shape *shape = function_way(cache, (PyCodeObject *)func->func_code, nargs + 1);
    /* Two levels of recursion: the class's, then __init__'s frame's. */
    if (shape == NULL || !may_push(tstate, func, shape) || tstate->recursion_remaining < 2) {
        return ACCEL_NOT_CALLED;
    }
    frame->prev_instr = at;
    tstate->recursion_remaining--;
    /* object's __new__ makes the instance (and its inline values); with no
     * arguments, it has nothing to object to. */
    PyObject *self = cls->tp_new(cls, accel_empty_tuple, NULL);
    PyObject *res;
    if (UNLIKELY(self == NULL)) {
        _Pragma("clang loop unroll(disable)")
        for (int i = 0; i < nargs; i++) {
            Py_DECREF(args[i]);
        }
        res = NULL;
    }
    else {
        args[-1] = self;  /* the class's place: the caller's stack keeps the arguments */
        accel_hold_as_type_call(args - 1, nargs, keywords);
        Py_INCREF(init);  /* the frame's; the class may drop it while __init__ runs */
        if (LIKELY(may_push(tstate, func, shape))) {
            /* The frame's references, moved into it. */
            _Pragma("clang loop unroll(disable)")
            for (int i = -1; i < nargs; i++) {
                Py_INCREF(args[i]);
            }
            res = run_direct(tstate, push_direct(tstate, func, args - 1, nargs + 1, shape), shape);
        }
        else {
            /* A finalizer that the allocation ran changed what allows it. */
            res = accel_call_python(tstate, init, args - 1, nargs + 1);
            Py_DECREF(init);
        }
        accel_release_as_type_call(args - 1, nargs, keywords);
        _Pragma("clang loop unroll(disable)")
        for (int i = 0; i < nargs; i++) {
            Py_DECREF(args[i]);
        }
    }
    tstate->recursion_remaining++;
    Py_DECREF(cls);
    if (UNLIKELY(res != Py_None)) {
        if (res != NULL) {
            PyErr_Format(PyExc_TypeError, "__init__() should return None, not '%.200s'", Py_TYPE(res)->tp_name);
            Py_DECREF(res);
        }
        Py_XDECREF(self);
        return NULL;
    }
    Py_DECREF(res);
    return self;
}

/* A builtin function, or a method descriptor given a self of its exact type,
 * whose C function takes one argument (METH_O), none (METH_NOARGS) or a vector
 * (METH_FASTCALL, without keywords), called straight with the `nargs`
 * arguments at `args`, as 3.11's specialized PRECALLs call them (with their
 * recursion checks; list.append appends in place); *handled is 0 for any other
 * callable, and for calls that would raise a TypeError or need the recursion
 * error raised: native/calls.c's path does those.  The arguments are left on
 * the stack. */
static inline __attribute__((always_inline)) PyObject *
call_c_directly(PyThreadState *tstate, PyObject *callable, PyObject **args, int nargs, int *handled)
{
    PyTypeObject *type = Py_TYPE(callable);
    PyMethodDef *def;
    PyObject *self;
    if (type == &PyMethodDescr_Type && nargs >= 1
        && Py_TYPE(args[0]) == PyDescr_TYPE(callable)) {
        if (callable == tstate->interp->callable_cache.list_append && nargs == 2) {
            PyListObject *list = (PyListObject *)args[0];
            if (LIKELY(list->allocated > Py_SIZE(list))) {
                *handled = 1;
                PyList_SET_ITEM(list, Py_SIZE(list), args[1]);  /* the stack's reference */
                Py_SET_SIZE(list, Py_SIZE(list) + 1);
                args[1] = Py_NewRef(Py_None);  /* released with the arguments */
                return Py_NewRef(Py_None);
            }
        }
        def = ((PyMethodDescrObject *)callable)->d_method;
        self = args[0];
        args++;
        nargs--;
    }
    else if (type == &PyCFunction_Type) {
        def = ((PyCFunctionObject *)callable)->m_ml;
        self = PyCFunction_GET_SELF(callable);
    }
    else {
        *handled = 0;
        return NULL;
    }
    int kind = def->ml_flags & (METH_VARARGS | METH_FASTCALL | METH_NOARGS | METH_O | METH_KEYWORDS | METH_METHOD);
    if (kind == METH_FASTCALL) {
        *handled = 1;
        return ((_PyCFunctionFast)(void (*)(void))def->ml_meth)(self, args, nargs);
    }
    if (kind == (METH_FASTCALL | METH_KEYWORDS)) {
        *handled = 1;
        return ((_PyCFunctionFastWithKeywords)(void (*)(void))def->ml_meth)(self, args, nargs, NULL);
    }
    if (!((kind == METH_O && nargs == 1) || (kind == METH_NOARGS && nargs == 0))) {
        *handled = 0;
        return NULL;
    }
    if (callable == tstate->interp->callable_cache.len) {
        *handled = 1;
        return def->ml_meth(self, args[0]);
    }
    if (tstate->recursion_remaining <= 0) {
        *handled = 0;
        return NULL;
    }
    *handled = 1;
    tstate->recursion_remaining--;
    PyObject *result = def->ml_meth(self, kind == METH_O ? args[0] : NULL);
    tstate->recursion_remaining++;
    return result;
}

/* A call of the C function `callable` (a builtin function, or a method
 * descriptor given a self of its exact type) with the `nargs` arguments at
 * `args`, made as call_c_directly says: its result, or NULL with an exception
 * set, the references to the callable and the arguments released.
 * ACCEL_NOT_CALLED, with nothing consumed, for any other call. */
static inline __attribute__((always_inline)) PyObject *
call_c(PyThreadState *tstate, PyObject *callable, PyObject **args, int nargs)
{
    int handled;
    PyObject *result = call_c_directly(tstate, callable, args, nargs, &handled);
    if (!handled) {
        return ACCEL_NOT_CALLED;
    }
    if (UNLIKELY((result == NULL) == (tstate->curexc_type == NULL))) {
        /* A result with an exception set, or neither: the SystemError of
         * CPython's generic call path. */
        result = _Py_CheckFunctionResult(tstate, callable, result, NULL);
    }
    Py_DECREF(callable);
    _Pragma("clang loop unroll(disable)")
    for (int i = 0; i < nargs; i++) {
        Py_DECREF(args[i]);
    }
    return result;
}

/* CALL's call of a compiled Python function, a plain class or a C function, its callable
 * and arguments on top of the value stack, whose top is `sp`: [NULL,
 * callable, args...] or [function, self, args...], `oparg` arguments besides
 * self; its site's cache is `cache`, and `at` the CALL's code unit.  A bound
 * method is split into function and self first, as 3.11's PRECALL does.  When
 * the cache describes the call and the callee may run natively now, the
 * caller's prev_instr is set where 3.11 leaves it during the call (a call it
 * inlines, to a function, on the CALL's last cache entry; a class's, on the
 * CALL), the callee's frame is pushed, the arguments move into it (their
 * references and the callable's are consumed), the callee's program runs, and
 * the frame is cleared and popped: the result, or NULL with an exception set.
 * Without keyword arguments (`kwnames` NULL), a C function that
 * call_c_directly calls is called so, the caller on the CALL: its result, or
 * NULL, is returned tagged (ACCEL_C_RESULT), for the stencil to check the
 * eval breaker after it as 3.11 does after such a call.  ACCEL_NOT_CALLED,
 * with nothing else done, otherwise: the stencil then makes the call another
 * way (native/calls.c's path fills the cache). */
CC PyObject *
SHARED_CALL(_PyInterpreterFrame *frame, PyObject **sp, PyThreadState *tstate, int oparg,
            accel_cache *cache, _Py_CODEUNIT *at, PyObject *kwnames)
{
    /* (Set before the checks, which keeps `at` from being kept across them; the
     * stencil sets it again for the other ways to call.) */
    frame->prev_instr = at + INLINE_CACHE_ENTRIES_CALL;
    PyObject **base = sp - oparg - 2;
    if (UNLIKELY(base[0] == NULL && Py_TYPE(base[1]) == &PyMethod_Type)) {
        split_bound_method(base);
    }
    int is_meth = base[0] != NULL;
    int nargs = oparg + is_meth;
    PyObject **args = base + 2 - is_meth;
    PyObject *callable = base[1 - is_meth];
    if (UNLIKELY(Py_TYPE(callable) != &PyFunction_Type)) {
        if (Py_TYPE(callable) == &PyType_Type && !is_meth) {
            return instantiate_direct(frame, tstate, (PyTypeObject *)callable, args, nargs, kwnames != NULL, cache, at);
        }
        if (kwnames != NULL) {
            return ACCEL_NOT_CALLED;
        }
        frame->prev_instr = at;
        PyObject *result = call_c(tstate, callable, args, nargs);
        return result == ACCEL_NOT_CALLED ? result : (PyObject *)((uintptr_t)result | ACCEL_C_RESULT);
    }
    PyFunctionObject *func = (PyFunctionObject *)callable;
    accel_call_shape *shape = function_way(cache, (PyCodeObject *)func->func_code, nargs);
    if (UNLIKELY(shape == NULL) || UNLIKELY(!may_push(tstate, func, shape))) {
        return ACCEL_NOT_CALLED;
    }
    return run_direct(tstate, push_direct(tstate, func, args, nargs, shape), shape);
}
