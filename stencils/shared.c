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
    /* Most sites call one function: its way first, without the loop. */
    accel_call_shape *way = &cache->calls[0];
    if (LIKELY(way->code == co && way->nargs == nargs)) {
        return way;
    }
    _Pragma("clang loop unroll(disable)")
    for (int i = 1; i < ACCEL_CALL_WAYS; i++) {
        way = &cache->calls[i];
        if (way->code == co && way->nargs == nargs) {
            return way;
        }
    }
    return NULL;
}

/* Between two tests that leave the same way: clang would otherwise compute
 * both conditions (set, or) and branch once, which takes more instructions
 * than a branch each when neither is ever taken. */
#define SEPARATE_BRANCHES() __asm__ volatile("")

/* How often (in levels of recursion) a chain of direct calls checks the C stack. */
#define C_STACK_CHECK_EVERY 8

/* The program a direct call to `func` runs when it may push its frame, as the
 * cache's `shape` describes it, and run that program now, the callee's level
 * of recursion taken (run_direct gives it back); else NULL, nothing taken.
 * As accel_may_run_directly and accel_run_native_inline check
 * (native/runtime.h), the record's state in one word
 * (accel_direct_start_refresh); what they do on the rare paths (measuring the
 * C stack of another thread, the RecursionError, the end of operand
 * profiling) is left to native/calls.c.  One branch per check, all laid out
 * of line. */
static inline __attribute__((always_inline)) unsigned char *
direct_start(PyThreadState *tstate, PyFunctionObject *func, const accel_call_shape *shape, int missing)
{
    uintptr_t hook;
    /* A function's address as a value: 64 bits, as HOLE does (the medium model
     * would make it a 32-bit immediate). */
    __asm__("movabsq $accel_eval_frame, %0" : "=r"(hook));
    if (UNLIKELY(shape->epoch != accel_records_freed)) {
        return NULL;
    }
    unsigned char *start = shape->rec->direct_start;
    if (UNLIKELY(start == NULL)) {
        return NULL;
    }
    if (UNLIKELY((uintptr_t)tstate->interp->eval_frame != hook)) {
        return NULL;
    }
    if (UNLIKELY(tstate->cframe->use_tracing)) {
        return NULL;
    }
    int remaining = tstate->recursion_remaining - 1;
    if (UNLIKELY(remaining < 0)) {
        return NULL;
    }
    /* The C stack, at every eighth level of recursion only: a chain of
     * direct calls nests on it by a few hundred bytes a level (this routine's
     * frame and its caller stencil's) and passes through every level, so it
     * goes at most seven levels past the limit, well within the limit's margin
     * (native/hook.c: an eighth of the stack, at least 4 KiB); every other way
     * to call checks it each time (the hook). */
    if (UNLIKELY((remaining & (C_STACK_CHECK_EVERY - 1)) == 0)) {
        if (tstate != accel_c_stack_thread) {
            return NULL;
        }
        uintptr_t stack_pointer;
        __asm__("movq %%rsp, %0" : "=r"(stack_pointer));
        if (stack_pointer < (uintptr_t)accel_c_stack_limit) {
            return NULL;
        }
    }
    /* _PyThreadState_HasStackSpace, as the frame's end against the chunk's
     * limit: the thread state sets the top and the limit together, so both
     * are NULL before the first chunk, and then no frame fits. */
    if (UNLIKELY(tstate->datastack_top + shape->frame_size >= tstate->datastack_limit)) {
        return NULL;
    }
    if (UNLIKELY(missing != 0)) {
        PyObject *defaults = func->func_defaults;
        if (defaults == NULL || PyTuple_GET_SIZE(defaults) < missing) {
            return NULL;
        }
    }
    tstate->recursion_remaining = remaining;
    return start;
}

/* The frame of a direct call to `func` (direct_start said it may be), its
 * arguments (and the defaults after them) being all its parameters: pushed,
 * the arguments and the reference to `func` moved in from the caller's stack,
 * each argument given `extra` references more on the way (a constant: none
 * for a plain call; instantiate_direct's, which the caller's stack keeps).
 * Its other locals are left as the data stack has them: the program's start
 * unbinds them (UNBIND_LOCAL, accel/backend/lower.py), before anything can
 * look at the frame. */
static inline __attribute__((always_inline)) _PyInterpreterFrame *
push_direct(PyThreadState *tstate, PyFunctionObject *func, PyObject **args, int nargs, const accel_call_shape *shape,
            int missing, Py_ssize_t extra)
{
    PyCodeObject *co = (PyCodeObject *)func->func_code;
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
    /* Most calls pass one to three arguments: moved without a loop's set-up. */
#define MOVE_ARGUMENT(I) do {                                  \
        PyObject *argument_ = args[I];                          \
        locals[I] = argument_;                                  \
        if (!(__builtin_constant_p(extra) && extra == 0)) {     \
            argument_->ob_refcnt += extra;                      \
        }                                                       \
    } while (0)
    if (nargs > 0) {
        MOVE_ARGUMENT(0);
        if (nargs > 1) {
            MOVE_ARGUMENT(1);
            if (nargs > 2) {
                MOVE_ARGUMENT(2);
                _Pragma("clang loop unroll(disable)")
                for (int i = 3; i < nargs; i++) {
                    MOVE_ARGUMENT(i);
                }
            }
        }
    }
#undef MOVE_ARGUMENT
    if (UNLIKELY(missing != 0)) {
        _Pragma("clang loop unroll(disable)")
        for (int i = 0; i < missing; i++) {
            locals[nargs + i] = Py_NewRef(PyTuple_GET_ITEM(defaults, PyTuple_GET_SIZE(defaults) - missing + i));
        }
    }
    /* The other locals: the program's prologue unbinds them (UNBIND_LOCAL). */
    return callee;
}

/* The program of `rec` that starts at `start`: its current one, or one that a
 * recompile replaced while it ran (replaced programs stay mapped). */
static inline __attribute__((always_inline)) accel_native *
program_at(accel_code *rec, unsigned char *start)
{
    accel_native *native = rec->native;
    while (native->start != start) {
        native = native->older;
    }
    return native;
}

/* Run a pushed frame's program, which starts at `start`, then clear and pop
 * the frame and give back the level of recursion direct_start took: what
 * native/calls.c's run_pushed does, without its C frames around the call (the
 * callee's program is called straight, in the stencils' convention). */
static inline __attribute__((always_inline)) PyObject *
run_direct(PyThreadState *tstate, _PyInterpreterFrame *callee, const accel_call_shape *shape, unsigned char *start)
{
    accel_code *rec = shape->rec;
    rec->direct_calls++;
    _PyCFrame *cframe = tstate->cframe;
    callee->previous = cframe->current_frame;
    cframe->current_frame = callee;
    PyObject *result = ((accel_continuation)start)(callee, callee->localsplus + shape->nlocalsplus, tstate);
    tstate->cframe->current_frame = callee->previous;
    if (UNLIKELY((uintptr_t)result & 1)) {
        tstate->recursion_remaining++;
        result = accel_finish_in_interpreter(tstate, callee, rec, program_at(rec, start), (uintptr_t)result);
        tstate->recursion_remaining--;
    }
    /* As _PyEvalFrameClearAndPop, with the recursion depth still counting the
     * callee: finalizers run by the clearing may call.  A frame object, or
     * the dict locals() made, take native/calls.c's path. */
    if (UNLIKELY(((uintptr_t)callee->frame_obj | (uintptr_t)callee->f_locals) != 0)) {
        accel_clear_frame(tstate, callee);
    }
    else {
        /* In order, as _PyFrame_Clear does (finalizers may tell); nothing a
         * finalizer runs can see this frame. */
        PyObject **local = callee->localsplus, **end = local + callee->stacktop;
        if (local < end) {
            _Pragma("clang loop unroll(disable)")
            do {
                PyObject *value = *local;
                if (value != NULL && UNLIKELY(--value->ob_refcnt == 0)) {
                    _Py_Dealloc(value);
                }
            } while (++local < end);
        }
        Py_DECREF(callee->f_func);
        Py_DECREF(callee->f_code);
    }
    tstate->recursion_remaining++;
    tstate->datastack_top = (PyObject **)callee;
    return result;
}

/* The __init__ of `cls` when it is a plain class: it inherits object's
 * __new__ and its __init__ is a Python function (kept in the site's cache
 * under the class's version tag, when it has a valid one); else NULL. */
static inline __attribute__((always_inline)) PyObject *
plain_class_init(PyTypeObject *cls, accel_cache *cache)
{
    if (cls->tp_new != PyBaseObject_Type.tp_new || cls->tp_init != accel_python_init) {
        return NULL;
    }
    /* (Gives the class a version tag, when it can have one.) */
    PyObject *init = _PyType_Lookup(cls, &_Py_ID(__init__));
    if (init == NULL || Py_TYPE(init) != &PyFunction_Type) {
        return NULL;
    }
    if ((cls->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG) && cls->tp_version_tag != 0) {
        cache->init_class_version = cls->tp_version_tag;
        cache->init = init;
    }
    return init;
}

/* `count` references to each of the `nargs` objects at `args` released: the
 * first three without a loop's set-up. */
static inline __attribute__((always_inline)) void
release_held(PyObject **args, int nargs, Py_ssize_t count)
{
#define RELEASE(I) do {                                         \
        PyObject *held_ = args[I];                              \
        if ((held_->ob_refcnt -= count) == 0) {                 \
            _Py_Dealloc(held_);                                 \
        }                                                       \
    } while (0)
    if (nargs > 0) {
        RELEASE(0);
        if (nargs > 1) {
            RELEASE(1);
            if (nargs > 2) {
                RELEASE(2);
                _Pragma("clang loop unroll(disable)")
                for (int i = 3; i < nargs; i++) {
                    RELEASE(i);
                }
            }
        }
    }
#undef RELEASE
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
    PyObject *init = cache->init;
    if (UNLIKELY(cls->tp_version_tag != cache->init_class_version || init == NULL)) {
        init = plain_class_init(cls, cache);
        if (init == NULL) {
            return ACCEL_NOT_CALLED;
        }
    }
    PyFunctionObject *func = (PyFunctionObject *)init;
    accel_call_shape *shape = function_way(cache, (PyCodeObject *)func->func_code, nargs + 1);
    /* Two levels of recursion: the class's, then __init__'s frame's.  Whether
     * __init__ may run straight is asked once the instance is made (making it
     * may run a finalizer, which may change that); if not, it is called the
     * ordinary way then. */
    if (shape == NULL || tstate->recursion_remaining < 2) {
        return ACCEL_NOT_CALLED;
    }
    frame->prev_instr = at;
    tstate->recursion_remaining--;
    /* object's __new__ makes the instance (and its inline values); with no
     * arguments, it has nothing to object to. */
    Py_INCREF(init);  /* the frame's; what making the instance (a collection's finalizers) or __init__
                         run may drop the class's */
    PyObject *self = accel_new_plain_instance(cls);
    PyObject *res;
    if (UNLIKELY(self == NULL)) {
        Py_DECREF(init);
        _Pragma("clang loop unroll(disable)")
        for (int i = 0; i < nargs; i++) {
            Py_DECREF(args[i]);
        }
        res = NULL;
    }
    else {
        args[-1] = self;  /* the class's place: the caller's stack keeps the arguments */
        unsigned char *start = direct_start(tstate, func, shape, shape->missing);
        if (LIKELY(start != NULL)) {
            /* The frame's references, and at once those that
             * accel_hold_as_type_call takes (self has one fewer: the one it
             * moves into the frame is the caller's stack's), given as the
             * arguments move into the frame; released, with the caller's
             * stack's, at once too (self's stays the result's; none of them
             * can be its last: the caller's stack holds self). */
            Py_ssize_t extra = 2 + (keywords != 0);
            _PyInterpreterFrame *callee = push_direct(tstate, func, args - 1, nargs + 1, shape, shape->missing, extra);
            self->ob_refcnt--;
            res = run_direct(tstate, callee, shape, start);
            release_held(args, nargs, extra);
            self->ob_refcnt -= extra - 2;
        }
        else {
            accel_hold_as_type_call(args - 1, nargs, keywords);
            res = accel_call_python(tstate, init, args - 1, nargs + 1);
            Py_DECREF(init);
            accel_release_as_type_call(args - 1, nargs, keywords);
            _Pragma("clang loop unroll(disable)")
            for (int i = 0; i < nargs; i++) {
                Py_DECREF(args[i]);
            }
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

/* A builtin function, or a method descriptor given a self of its type (or a
 * subclass), whose C function takes one argument (METH_O), none (METH_NOARGS)
 * or a vector (METH_FASTCALL, without keywords), or a builtin class with a
 * vectorcall, called straight with the `nargs` arguments at `args`, as 3.11's
 * specialized PRECALLs call them (with their recursion checks; list.append
 * appends in place), as native/calls.c's call_c_function does; *handled is 0 for any other
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
        && (Py_TYPE(args[0]) == PyDescr_TYPE(callable)
            || PyType_IsSubtype(Py_TYPE(args[0]), PyDescr_TYPE(callable)))) {
        /* (A self of a subclass: the descriptor's generic vectorcall calls
         * the same C function, with the same recursion check.) */
        if (callable == tstate->interp->callable_cache.list_append && nargs == 2
            && Py_TYPE(args[0]) == &PyList_Type) {
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
    else if (type == &PyType_Type && ((PyTypeObject *)callable)->tp_vectorcall != NULL) {
        /* A builtin class with a vectorcall of its own (set(), zip(), range()...),
         * as 3.11's PRECALL_BUILTIN_CLASS calls it. */
        *handled = 1;
        return ((PyTypeObject *)callable)->tp_vectorcall(callable, args, (size_t)nargs, NULL);
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
    accel_totals.site_c_calls++;
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

/* A direct call of `func` as `shape` describes it, `missing` its parameters
 * bound to defaults: ACCEL_NOT_CALLED, with nothing done, if the callee may
 * not run natively now. */
static inline __attribute__((always_inline)) PyObject *
call_shape(PyThreadState *tstate, PyFunctionObject *func, PyObject **args, int nargs, const accel_call_shape *shape,
           int missing)
{
    unsigned char *start = direct_start(tstate, func, shape, missing);
    if (UNLIKELY(start == NULL)) {
        return ACCEL_NOT_CALLED;
    }
    return run_direct(tstate, push_direct(tstate, func, args, nargs, shape, missing, 0), shape, start);
}

/* SHARED_CALL's call of the function `func` with the `nargs` arguments at
 * `args` (self first, for a method): when the site's cache describes the call
 * and the callee may run natively now, the callee's frame pushed, run,
 * cleared and popped.  ACCEL_NOT_CALLED, with nothing done, otherwise. */
static inline __attribute__((always_inline)) PyObject *
call_function(PyThreadState *tstate, PyFunctionObject *func, PyObject **args, int nargs, accel_cache *cache)
{
    accel_call_shape *shape = function_way(cache, (PyCodeObject *)func->func_code, nargs);
    if (UNLIKELY(shape == NULL)) {
        return ACCEL_NOT_CALLED;
    }
    /* Most calls pass every parameter: their own copy, which tests nothing
     * about defaults. */
    int missing = shape->missing;
    if (LIKELY(missing == 0)) {
        return call_shape(tstate, func, args, nargs, shape, 0);
    }
    return call_shape(tstate, func, args, nargs, shape, missing);
}

/* SHARED_CALL's call of any other callable (`is_meth`: the arguments start
 * with self): a plain class's instantiation, or a C function's call. */
static inline __attribute__((always_inline)) PyObject *
call_other(_PyInterpreterFrame *frame, PyThreadState *tstate, PyObject *callable, PyObject **args, int nargs,
           int is_meth, accel_cache *cache, _Py_CODEUNIT *at, PyObject *kwnames)
{
    if (Py_TYPE(callable) == &PyType_Type && !is_meth) {
        PyObject *instance = instantiate_direct(frame, tstate, (PyTypeObject *)callable, args, nargs,
                                                kwnames != NULL, cache, at);
        if (instance != ACCEL_NOT_CALLED) {
            return instance;
        }
    }
    if (kwnames != NULL) {
        return ACCEL_NOT_CALLED;
    }
    frame->prev_instr = at;
    PyObject *result = call_c(tstate, callable, args, nargs);
    return result == ACCEL_NOT_CALLED ? result : (PyObject *)((uintptr_t)result | ACCEL_C_RESULT);
}

/* CALL's call of a compiled Python function, a plain class or a C function, its callable
 * and arguments on top of the value stack, from `base` on: [NULL,
 * callable, args...] or [function, self, args...], `oparg` arguments besides
 * self; its site's cache is `cache`, and `inlined_at` the CALL's last cache
 * entry (the CALL's code unit is INLINE_CACHE_ENTRIES_CALL before it).  A bound
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
SHARED_CALL(_PyInterpreterFrame *frame, PyObject **base, PyThreadState *tstate, int oparg,
            accel_cache *cache, _Py_CODEUNIT *inlined_at, PyObject *kwnames)
{
    /* (Set before the checks, which keeps `inlined_at` from being kept across
     * them; the stencil sets it again for the other ways to call.) */
    frame->prev_instr = inlined_at;
    _Py_CODEUNIT *at = inlined_at - INLINE_CACHE_ENTRIES_CALL;
    PyObject *callable = base[0];
    if (callable == NULL) {
        callable = base[1];
        /* A function called straight: the usual call, its own copy of the path. */
        if (LIKELY(Py_TYPE(callable) == &PyFunction_Type)) {
            return call_function(tstate, (PyFunctionObject *)callable, base + 2, oparg, cache);
        }
        if (Py_TYPE(callable) != &PyMethod_Type) {
            return call_other(frame, tstate, callable, base + 2, oparg, 0, cache, at, kwnames);
        }
        split_bound_method(base);
        callable = base[0];
    }
    if (LIKELY(Py_TYPE(callable) == &PyFunction_Type)) {
        return call_function(tstate, (PyFunctionObject *)callable, base + 1, oparg + 1, cache);
    }
    return call_other(frame, tstate, callable, base + 1, oparg + 1, 1, cache, at, kwnames);
}

/* BINARY_OP's call of the operator dunder of a Python class (`nb_op`: the
 * oparg), as the site's cache knows it: native/operators.c filled it where
 * CPython's slot for the class calls only that dunder, with `left` and
 * `right`, for a `right` of the class or an exact int or float, which holds
 * while the class keeps its version tag.  The dunder's frame is pushed and
 * run here as CALL's callees are, with references of its own to the operands
 * (the caller's stack keeps its own, as under the slot, which borrows them),
 * and to the dunder (the class may drop its own meanwhile); a NotImplemented
 * goes on as operators.c says.  The result (NULL: raised), or
 * ACCEL_NOT_CALLED, with nothing done, when the cache does not describe this
 * call or the callee may not run natively now. */
CC PyObject *
SHARED_BINARY_OP_PYTHON(PyThreadState *tstate, PyObject *left, PyObject *right, accel_cache *cache, int nb_op)
{
    PyTypeObject *type = Py_TYPE(left), *right_type = Py_TYPE(right);
    if (UNLIKELY(type->tp_version_tag != cache->operator_class_version || cache->operator_dunder == NULL)) {
        return ACCEL_NOT_CALLED;
    }
    SEPARATE_BRANCHES();
    if (UNLIKELY(right_type != type && right_type != &PyFloat_Type && right_type != &PyLong_Type)) {
        return ACCEL_NOT_CALLED;
    }
    PyFunctionObject *func = (PyFunctionObject *)cache->operator_dunder;
    const accel_call_shape *shape = &cache->operator_call;
    if (UNLIKELY((PyObject *)shape->code != func->func_code)) {
        return ACCEL_NOT_CALLED;
    }
    unsigned char *start = direct_start(tstate, func, shape, shape->missing);
    if (UNLIKELY(start == NULL)) {
        return ACCEL_NOT_CALLED;
    }
    accel_totals.operator_calls++;
    Py_INCREF(func);
    PyObject *operands[2] = {left, right};
    PyObject *res = run_direct(tstate, push_direct(tstate, func, operands, 2, shape, shape->missing, 1), shape, start);
    if (UNLIKELY(res == Py_NotImplemented)) {
        res = accel_operator_not_implemented(left, right, nb_op, res);
    }
    return res;
}
