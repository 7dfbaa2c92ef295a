/* Calls made by native code: CALL's work (accel_call_instruction), where its
 * stencil does not make the call itself.
 *
 * With a PEP 523 hook set, every Python call goes _PyFunction_Vectorcall ->
 * _PyEval_Vector -> hook, and 3.11 stops inlining Python-to-Python calls.  When
 * the callee is compiled and its arguments bind without *args or **kwargs, this
 * file does what that path would, minus the detours: push the callee's frame on
 * the thread's data stack, bind the arguments, run the native code (which hands
 * the frame to the interpreter on an exit, as for any frame), then clear and
 * pop the frame.  A call whose arguments are all positional, or named by
 * keywords in the order of the parameters, moves them from the caller's stack
 * into that frame, as 3.11's CALL_PY_EXACT_ARGS does, and the call site's cache
 * learns the callee (up to four of them): from then on CALL's stencil
 * (stencils/call.c) makes such calls itself, and comes here only when the
 * cache misses or the callee cannot run natively at that moment.
 * Instantiating a plain class (object's __new__, a Python __init__) is
 * type_call's work done here, with that __init__ called the same way.  Builtin
 * functions, method descriptors and builtin classes get their C function called
 * straight, as 3.11's specialized PRECALLs do (the stencil calls the usual
 * ones itself).  Anything else takes PyObject_Vectorcall, and the hook. */
#include "runtime.h"
#include "calls.h"

#define Py_BUILD_CORE 1
#include "internal/pycore_ceval.h"  /* _Py_EnterRecursiveCallTstate */
#undef Py_BUILD_CORE

/* The parameter that keyword `name` names, or -1 (positional-only ones cannot
 * be named).  Keywords are usually the very strings of co_varnames. */
static Py_ssize_t
parameter_index(PyCodeObject *co, PyObject *name, Py_ssize_t nparams)
{
    PyObject **names = &PyTuple_GET_ITEM(co->co_localsplusnames, 0);
    for (Py_ssize_t i = co->co_posonlyargcount; i < nparams; i++) {
        if (names[i] == name) {
            return i;
        }
    }
    for (Py_ssize_t i = co->co_posonlyargcount; i < nparams; i++) {
        if (PyUnicode_Check(name) && PyUnicode_Compare(names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

/* Bind a call's arguments to the parameters, into `locals` (borrowed
 * references): positional ones, keywords, then the defaults; the surplus
 * positional ones make the *args tuple after the parameters (a new reference).
 * 0, nothing made, when the call needs more than that (**kwargs, an unknown
 * or repeated keyword, a missing argument): the ordinary path then binds it, or
 * raises CPython's error. */
static int
bind(PyFunctionObject *func, PyCodeObject *co, PyObject *const *args, Py_ssize_t nargs,
     PyObject *kwnames, PyObject **locals)
{
    Py_ssize_t nparams = co->co_argcount + co->co_kwonlyargcount;
    int varargs = (co->co_flags & CO_VARARGS) != 0;
    if ((co->co_flags & CO_VARKEYWORDS) || (!varargs && nargs > co->co_argcount)) {
        return 0;
    }
    Py_ssize_t npositional = nargs < co->co_argcount ? nargs : co->co_argcount;
    for (Py_ssize_t i = 0; i < nparams; i++) {
        locals[i] = i < npositional ? args[i] : NULL;
    }
    Py_ssize_t nkwargs = kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t k = 0; k < nkwargs; k++) {
        Py_ssize_t at = parameter_index(co, PyTuple_GET_ITEM(kwnames, k), nparams);
        if (at < 0 || locals[at] != NULL) {
            return 0;
        }
        locals[at] = args[nargs + k];
    }
    PyObject *defaults = func->func_defaults;
    Py_ssize_t first_default = co->co_argcount - (defaults != NULL ? PyTuple_GET_SIZE(defaults) : 0);
    for (Py_ssize_t i = npositional; i < co->co_argcount; i++) {
        if (locals[i] == NULL) {
            if (i < first_default) {
                return 0;
            }
            locals[i] = PyTuple_GET_ITEM(defaults, i - first_default);
        }
    }
    for (Py_ssize_t i = co->co_argcount; i < nparams; i++) {
        if (locals[i] == NULL) {
            PyObject *name = PyTuple_GET_ITEM(co->co_localsplusnames, i);
            PyObject *value = func->func_kwdefaults != NULL ? PyDict_GetItemWithError(func->func_kwdefaults, name)
                                                            : NULL;
            if (value == NULL) {
                PyErr_Clear();
                return 0;
            }
            locals[i] = value;
        }
    }
    if (varargs) {
        PyObject *rest = PyTuple_New(nargs - npositional);
        if (rest == NULL) {
            PyErr_Clear();  /* the ordinary path fails the same way */
            return 0;
        }
        for (Py_ssize_t i = npositional; i < nargs; i++) {
            PyTuple_SET_ITEM(rest, i - npositional, Py_NewRef(args[i]));
        }
        locals[nparams] = rest;
    }
    return 1;
}

/* The size of a frame for `co`, if the thread's data stack has room for it,
 * else 0: a new data-stack chunk takes CPython's unexported slow path, and the
 * caller then calls the ordinary way. */
static inline size_t
frame_size_if_room(PyThreadState *tstate, PyCodeObject *co)
{
    size_t size = (size_t)(co->co_nlocalsplus + co->co_stacksize) + FRAME_SPECIALS_SIZE;
    return _PyThreadState_HasStackSpace(tstate, size) ? size : 0;
}

/* The frame at the data stack's top, its parameters bound (borrowed) in
 * locals: pushed, its specials set, its own references to the parameters taken,
 * its other locals unbound. */
static inline __attribute__((always_inline)) _PyInterpreterFrame *
finish_push(PyThreadState *tstate, PyFunctionObject *func, PyCodeObject *co, size_t size)
{
    _PyInterpreterFrame *frame = (_PyInterpreterFrame *)tstate->datastack_top;
    PyObject **locals = frame->localsplus;
    tstate->datastack_top += size;
    Py_INCREF(func);
    _PyFrame_InitializeSpecials(frame, func, NULL, co->co_nlocalsplus);
    int nparams = co->co_argcount + co->co_kwonlyargcount;
    for (int i = 0; i < nparams; i++) {
        Py_INCREF(locals[i]);
    }
    for (int i = nparams + ((co->co_flags & CO_VARARGS) != 0); i < co->co_nlocalsplus; i++) {
        locals[i] = NULL;
    }
    return frame;
}

/* push_frame's way for arguments that bind otherwise than one to one. */
static __attribute__((noinline)) _PyInterpreterFrame *
push_bound(PyThreadState *tstate, PyFunctionObject *func, PyCodeObject *co,
           PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    size_t size = frame_size_if_room(tstate, co);
    if (size == 0 || !bind(func, co, args, nargs, kwnames, ((_PyInterpreterFrame *)tstate->datastack_top)->localsplus)) {
        return NULL;
    }
    return finish_push(tstate, func, co, size);
}

/* The callee's frame, pushed, with the arguments bound; NULL if the call must
 * take the ordinary path.  `positional`: the parameters are plain positional
 * ones (accel_code.positional_only_call), so that as many positional
 * arguments bind one to one, as 3.11's CALL_PY_EXACT_ARGS binds them (an
 * operator's dunder, an __init__ called by the class): inline, for those. */
static inline __attribute__((always_inline)) _PyInterpreterFrame *
push_frame(PyThreadState *tstate, PyFunctionObject *func, PyCodeObject *co,
           PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, int positional)
{
    if (!(positional && kwnames == NULL && nargs == co->co_argcount)) {
        return push_bound(tstate, func, co, args, nargs, kwnames);
    }
    size_t size = frame_size_if_room(tstate, co);
    if (size == 0) {
        return NULL;
    }
    PyObject **locals = ((_PyInterpreterFrame *)tstate->datastack_top)->localsplus;
    for (Py_ssize_t i = 0; i < nargs; i++) {
        locals[i] = args[i];
    }
    return finish_push(tstate, func, co, size);
}

/* The frame object of the first complete frame from `frame` on (a new
 * reference), or NULL.  CPython's own maker is not exported; the thread-state
 * API makes one for the current frame, so `frame` is made current meanwhile. */
static PyFrameObject *
frame_object_of(PyThreadState *tstate, _PyInterpreterFrame *frame)
{
    while (frame != NULL && _PyFrame_IsIncomplete(frame)) {
        frame = frame->previous;
    }
    if (frame == NULL) {
        return NULL;
    }
    if (frame->frame_obj != NULL) {
        return (PyFrameObject *)Py_NewRef(frame->frame_obj);
    }
    _PyInterpreterFrame *current = tstate->cframe->current_frame;
    tstate->cframe->current_frame = frame;
    PyFrameObject *f = PyThreadState_GetFrame(tstate);
    tstate->cframe->current_frame = current;
    return f;
}

/* A frame object that outlives the call (a traceback, sys._getframe) takes the
 * frame's contents over, and links to its caller's frame object, as CPython
 * does when it clears such a frame. */
static void
hand_to_frame_object(PyThreadState *tstate, PyFrameObject *f, _PyInterpreterFrame *frame)
{
    size_t size = (char *)&frame->localsplus[frame->stacktop] - (char *)frame;
    _PyInterpreterFrame *owned = (_PyInterpreterFrame *)f->_f_frame_data;
    memcpy(owned, frame, size);
    f->f_frame = owned;
    owned->owner = FRAME_OWNED_BY_FRAME_OBJECT;
    if (_PyFrame_IsIncomplete(owned)) {
        owned->prev_instr = _PyCode_CODE(owned->f_code) + owned->f_code->_co_firsttraceable;
    }
    if (owned->previous != NULL) {
        f->f_back = frame_object_of(tstate, owned->previous);  /* NULL: no f_back */
        owned->previous = NULL;
    }
    if (!PyObject_GC_IsTracked((PyObject *)f)) {
        PyObject_GC_Track(f);
    }
}

static inline __attribute__((always_inline)) void
clear_frame(PyThreadState *tstate, _PyInterpreterFrame *frame)
{
    PyFrameObject *f = frame->frame_obj;
    frame->frame_obj = NULL;
    if (f != NULL && Py_REFCNT(f) > 1) {
        hand_to_frame_object(tstate, f, frame);
        Py_DECREF(f);
    }
    else {
        Py_XDECREF(f);
        for (int i = 0; i < frame->stacktop; i++) {
            Py_XDECREF(frame->localsplus[i]);
        }
        Py_XDECREF(frame->f_locals);
        Py_DECREF(frame->f_func);
        Py_DECREF(frame->f_code);
    }
}

void
accel_clear_frame(PyThreadState *tstate, _PyInterpreterFrame *frame)
{
    clear_frame(tstate, frame);
}

static inline __attribute__((always_inline)) void
release_frame(PyThreadState *tstate, _PyInterpreterFrame *frame)
{
    /* As _PyEvalFrameClearAndPop: finalizers run by the clearing may call. */
    tstate->recursion_remaining--;
    clear_frame(tstate, frame);
    tstate->recursion_remaining++;
    tstate->datastack_top = (PyObject **)frame;
}

/* Run a pushed frame's native code, then clear and pop the frame. */
static inline __attribute__((always_inline)) PyObject *
run_pushed(PyThreadState *tstate, _PyInterpreterFrame *frame, accel_code *rec)
{
    rec->calls++;
    accel_totals.native_calls++;
    accel_totals.native_calls_from_c++;
    PyObject *result = accel_run_native_inline(tstate, frame, rec, 0);
    release_frame(tstate, frame);
    return result;
}

/* A call of a compiled function `func` (its code `co`, record `rec`) with as
 * many positional arguments at `args` as it has parameters, all plain
 * positional ones, while a CALL would run its program straight
 * (rec->direct_start: compiled, no recompile due, not profiling; native/records.h):
 * the frame pushed, the arguments bound one to one (the frame's own
 * references), the program entered at its start, then the frame cleared and
 * popped, as stencils/shared.c does for CALL, without asking again what
 * accel_may_run_directly and accel_run_native_inline ask.  An operator's
 * dunder (native/operators.c) is called this way.  NULL, *called 0, nothing
 * done, when the call must take the ordinary path (the recursion limit
 * reached: the interpreter raises the RecursionError there). */
static inline __attribute__((always_inline)) PyObject *
call_direct(PyThreadState *tstate, PyFunctionObject *func, PyCodeObject *co, accel_code *rec,
            PyObject *const *args, Py_ssize_t nargs, int *called)
{
    unsigned char *start = rec->direct_start;
    size_t size = (size_t)(co->co_nlocalsplus + co->co_stacksize) + FRAME_SPECIALS_SIZE;
    if (start == NULL || !rec->positional_only_call || nargs != co->co_argcount
        || tstate->interp->eval_frame != accel_eval_frame || tstate->cframe->use_tracing
        || tstate->recursion_remaining <= 0 || accel_c_stack_exhausted(tstate)
        || !_PyThreadState_HasStackSpace(tstate, size)) {
        *called = 0;
        return NULL;
    }
    *called = 1;
    accel_native *native = rec->native;  /* the program that starts at `start`, whatever replaces it meanwhile */
    _PyInterpreterFrame *frame = (_PyInterpreterFrame *)tstate->datastack_top;
    tstate->datastack_top += size;
    Py_INCREF(func);
    _PyFrame_InitializeSpecials(frame, func, NULL, co->co_nlocalsplus);
    PyObject **locals = frame->localsplus;
    for (Py_ssize_t i = 0; i < nargs; i++) {
        locals[i] = Py_NewRef(args[i]);
    }
    /* (The other locals: the program's start unbinds them, as for CALL's direct calls.) */
    /* Counted as CALL's direct calls are (a call and a native entry), and as made from C. */
    rec->direct_calls++;
    accel_totals.native_calls_from_c++;
    tstate->recursion_remaining--;
    frame->previous = tstate->cframe->current_frame;
    tstate->cframe->current_frame = frame;
    frame->stacktop = -1;  /* unset while native code runs (accel_run_native_inline) */
    PyObject *result = native->entry(frame, locals + co->co_nlocalsplus, tstate, start);
    tstate->cframe->current_frame = frame->previous;
    if (((uintptr_t)result & 1) != 0) {
        tstate->recursion_remaining++;
        result = accel_finish_in_interpreter(tstate, frame, rec, native, (uintptr_t)result);
        tstate->recursion_remaining--;
    }
    /* As _PyEvalFrameClearAndPop, the recursion depth still counting the callee
     * (finalizers run by the clearing may call); a frame object or the dict
     * locals() made take clear_frame's path. */
    if (((uintptr_t)frame->frame_obj | (uintptr_t)frame->f_locals) != 0) {
        clear_frame(tstate, frame);
    }
    else {
        /* In order, as _PyFrame_Clear does (finalizers may tell). */
        for (PyObject **local = locals, **end = locals + frame->stacktop; local < end; local++) {
            Py_XDECREF(*local);
        }
        Py_DECREF(frame->f_func);
        Py_DECREF(frame->f_code);
    }
    tstate->recursion_remaining++;
    tstate->datastack_top = (PyObject **)frame;
    return result;
}

static PyObject *
call_function(PyThreadState *tstate, PyObject *callable, PyObject *const *args,
              size_t nargsf, PyObject *kwnames)
{
    PyFunctionObject *func = (PyFunctionObject *)callable;
    PyCodeObject *co = (PyCodeObject *)func->func_code;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    accel_code *rec = accel_lookup_record(co);
    if (rec != NULL && kwnames == NULL) {
        int called;
        PyObject *result = call_direct(tstate, func, co, rec, args, nargs, &called);
        if (called) {
            return result;
        }
    }
    _PyInterpreterFrame *frame = rec != NULL && accel_may_run_directly(tstate, rec)
        ? push_frame(tstate, func, co, args, nargs, kwnames, rec->positional_only_call) : NULL;
    if (frame == NULL) {
        return PyObject_Vectorcall(callable, args, nargsf, kwnames);
    }
    return run_pushed(tstate, frame, rec);
}

initproc accel_python_init;     /* tp_init of a class whose __init__ is a Python function */
PyObject *accel_empty_tuple;

/* type_call for a class that inherits object's __new__ and defines __init__ in
 * Python, under a plain metaclass; NULL with nothing set for any other callable. */
static inline PyFunctionObject *
plain_class_init(PyObject *callable)
{
    if (Py_TYPE(callable) != &PyType_Type) {
        return NULL;
    }
    PyTypeObject *type = (PyTypeObject *)callable;
    if (type->tp_new != PyBaseObject_Type.tp_new || type->tp_init != accel_python_init) {
        return NULL;
    }
    PyObject *init = _PyType_Lookup(type, &_Py_ID(__init__));
    return init != NULL && PyFunction_Check(init) ? (PyFunctionObject *)init : NULL;
}

static PyObject *call_function_moving(PyThreadState *tstate, PyObject *callable, PyObject **args, int nargs,
                                      PyObject *kwnames, accel_cache *cache);

/* type_call's work for a plain class called with `nargs` arguments at `args`
 * (args[-1] is overwritten meanwhile), the last ones named by `kwnames`:
 * object's __new__, then __init__, which must return None.  With a site's
 * `cache`, the keywords name the parameters after the positional ones in
 * order, and the arguments move into __init__'s frame (their references are
 * consumed); without one, they are left as they are. */
static PyObject *
instantiate(PyThreadState *tstate, PyTypeObject *type, PyFunctionObject *init,
            PyObject **args, int nargs, PyObject *kwnames, accel_cache *cache)
{
    /* Calling the class takes a level of recursion, as _PyObject_MakeTpCall
     * does, besides __init__'s frame (a failed check takes none). */
    PyObject *self = NULL, *res = NULL;
    if (!_Py_EnterRecursiveCallTstate(tstate, " while calling a Python object")) {
        /* object's __new__ makes the instance (and its inline values); with no
         * arguments, it has nothing to object to. */
        self = accel_new_plain_instance(type);
        if (self != NULL) {
            Py_INCREF(init);  /* the class may drop it while it runs */
            PyObject **slot = args - 1;
            PyObject *saved = *slot;
            *slot = self;
            accel_hold_as_type_call(slot, nargs, kwnames != NULL);
            if (cache != NULL) {
                /* The frame's references, moved into it (the stack keeps its own, as
                 * type_call's caller does). */
                for (int i = 0; i <= nargs; i++) {
                    Py_INCREF(slot[i]);
                }
                res = call_function_moving(tstate, (PyObject *)init, slot, nargs + 1, kwnames, cache);
            }
            else {
                Py_ssize_t positional = nargs + 1 - (kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0);
                res = call_function(tstate, (PyObject *)init, slot,
                                    (size_t)positional | PY_VECTORCALL_ARGUMENTS_OFFSET, kwnames);
                Py_DECREF(init);
            }
            accel_release_as_type_call(slot, nargs, kwnames != NULL);
            *slot = saved;
        }
        _Py_LeaveRecursiveCallTstate(tstate);
    }
    if (cache != NULL) {
        for (int i = 0; i < nargs; i++) {
            Py_DECREF(args[i]);
        }
    }
    if (res == NULL) {
        Py_XDECREF(self);
        return NULL;
    }
    if (res != Py_None) {
        PyErr_Format(PyExc_TypeError, "__init__() should return None, not '%.200s'", Py_TYPE(res)->tp_name);
        Py_DECREF(res);
        Py_DECREF(self);
        return NULL;
    }
    Py_DECREF(res);
    return self;
}

/* PyObject_Vectorcall, for calls made by native code: a compiled Python
 * callee (a function, or the __init__ of a plain class being instantiated)
 * runs natively on a frame pushed here, the way 3.11's interpreter inlines a
 * call.  args[-1] may be overwritten meanwhile (PY_VECTORCALL_ARGUMENTS_OFFSET). */
static PyObject *
accel_call(PyThreadState *tstate, PyObject *callable, PyObject *const *args,
           size_t nargsf, PyObject *kwnames)
{
    if (PyFunction_Check(callable)) {
        return call_function(tstate, callable, args, nargsf, kwnames);
    }
    PyFunctionObject *init;
    if ((nargsf & PY_VECTORCALL_ARGUMENTS_OFFSET) && (init = plain_class_init(callable)) != NULL) {
        Py_ssize_t nargs = PyVectorcall_NARGS(nargsf) + (kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0);
        return instantiate(tstate, (PyTypeObject *)callable, init, (PyObject **)args, (int)nargs, kwnames, NULL);
    }
    return PyObject_Vectorcall(callable, args, nargsf, kwnames);
}

PyObject *
accel_call_python(PyThreadState *tstate, PyObject *function, PyObject *const *args, Py_ssize_t nargs)
{
    return call_function(tstate, function, args, (size_t)nargs, NULL);
}

int
accel_calls_init(void)
{
    PyObject *globals = Py_BuildValue("{sO}", "__builtins__", PyEval_GetBuiltins());
    PyObject *done = globals != NULL
        ? PyRun_String("class Probe:\n    def __init__(self):\n        pass\n", Py_file_input, globals, globals)
        : NULL;
    PyObject *probe = done != NULL ? PyDict_GetItemString(globals, "Probe") : NULL;
    if (probe != NULL && PyType_Check(probe)) {
        accel_python_init = ((PyTypeObject *)probe)->tp_init;
    }
    accel_empty_tuple = PyTuple_New(0);
    Py_XDECREF(done);
    Py_XDECREF(globals);
    PyErr_Clear();
    return accel_python_init != NULL && accel_empty_tuple != NULL ? 0 : -1;
}

/* Whether keyword arguments `kwnames`, after `npositional` positional ones,
 * name the parameters that follow those, in order: then the call binds as if
 * they were all positional. */
static int
keywords_in_order(PyCodeObject *co, Py_ssize_t npositional, PyObject *kwnames)
{
    Py_ssize_t nkwargs = PyTuple_GET_SIZE(kwnames);
    if (npositional + nkwargs > co->co_argcount || npositional < co->co_posonlyargcount) {
        return 0;
    }
    for (Py_ssize_t k = 0; k < nkwargs; k++) {
        PyObject *name = PyTuple_GET_ITEM(kwnames, k);
        PyObject *parameter = PyTuple_GET_ITEM(co->co_localsplusnames, npositional + k);
        if (name != parameter && !(PyUnicode_Check(name) && PyUnicode_Compare(name, parameter) == 0)) {
            return 0;
        }
    }
    return 1;
}

/* The way of the site's cache that describes calls to `co` with `nargs`
 * arguments, or NULL. */
static accel_call_shape *
find_way(accel_cache *cache, PyCodeObject *co, int nargs)
{
    for (int i = 0; i < ACCEL_CALL_WAYS; i++) {
        accel_call_shape *way = &cache->calls[i];
        if (way->code == co && way->nargs == nargs && way->epoch == accel_records_freed) {
            return way;
        }
    }
    return NULL;
}

int
accel_fill_call_shape(accel_call_shape *way, PyCodeObject *co, int nargs)
{
    accel_code *rec = accel_lookup_record(co);
    if (rec == NULL || !rec->positional_only_call || nargs > co->co_argcount) {
        return 0;
    }
    way->code = co;
    way->rec = rec;
    way->epoch = accel_records_freed;
    way->nargs = nargs;
    way->missing = co->co_argcount - nargs;
    way->nlocalsplus = co->co_nlocalsplus;
    way->frame_size = co->co_nlocalsplus + co->co_stacksize + FRAME_SPECIALS_SIZE;
    return 1;
}

/* A way of the site's cache filled for calls to `co` with `nargs` arguments,
 * an empty or stale one if
 * there is one, else the next in turn; NULL if such calls cannot move their
 * arguments (the parameters are not plain positional ones, the code is no code
 * accel knows). */
static accel_call_shape *
fill_way(accel_cache *cache, PyCodeObject *co, int nargs)
{
    accel_call_shape filled;
    if (!accel_fill_call_shape(&filled, co, nargs)) {
        return NULL;
    }
    accel_call_shape *way = NULL;
    for (int i = 0; i < ACCEL_CALL_WAYS && way == NULL; i++) {
        if (cache->calls[i].code == NULL || cache->calls[i].epoch != accel_records_freed) {
            way = &cache->calls[i];
        }
    }
    if (way == NULL) {
        way = &cache->calls[cache->misses++ % ACCEL_CALL_WAYS];
    }
    *way = filled;
    return way;
}

/* The frame of a call to `func` whose arguments (and the defaults after them)
 * are all its parameters, pushed, the arguments moved in; NULL if the call must
 * take another path (nothing moved then). */
static inline _PyInterpreterFrame *
push_moving(PyThreadState *tstate, PyFunctionObject *func, const accel_call_shape *shape,
            PyObject **args, int nargs)
{
    int missing = shape->missing;
    PyObject *defaults = func->func_defaults;
    Py_ssize_t ndefaults = missing > 0 && defaults != NULL ? PyTuple_GET_SIZE(defaults) : 0;
    if (missing > ndefaults || !accel_may_run_directly(tstate, shape->rec)
        || !_PyThreadState_HasStackSpace(tstate, shape->frame_size)) {
        return NULL;
    }
    _PyInterpreterFrame *frame = (_PyInterpreterFrame *)tstate->datastack_top;
    tstate->datastack_top += shape->frame_size;
    _PyFrame_InitializeSpecials(frame, func, NULL, shape->nlocalsplus);  /* takes func's reference */
    PyObject **locals = frame->localsplus;
    for (int i = 0; i < nargs; i++) {
        locals[i] = args[i];
    }
    for (int i = 0; i < missing; i++) {
        locals[nargs + i] = Py_NewRef(PyTuple_GET_ITEM(defaults, ndefaults - missing + i));
    }
    for (int i = nargs + missing; i < shape->nlocalsplus; i++) {
        locals[i] = NULL;
    }
    return frame;
}

/* A call of a Python function that 3.11's CALL would push a frame for (as
 * _PyEvalFramePushAndInit does, given the caller's references to the function
 * and the arguments), made so when its arguments bind here: the frame pushed,
 * the arguments bound, the caller's references released (the frame holds its
 * own), then the frame run by the frame evaluator (the hook), as
 * _PyEval_Vector runs it, and popped.  The caller's stack then no longer owns
 * the arguments while the callee runs, which sys.getrefcount shows.  NULL with
 * *called 0 and nothing consumed when the call must take the ordinary path
 * (*args or **kwargs, a binding error to raise, a new data-stack chunk). */
static PyObject *
call_function_pushed(PyThreadState *tstate, PyFunctionObject *func, PyObject **args, int nargs,
                     PyObject *kwnames, int *called)
{
    PyCodeObject *co = (PyCodeObject *)func->func_code;
    Py_ssize_t positional = nargs - (kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0);
    _PyInterpreterFrame *frame = (co->co_flags & CO_OPTIMIZED)
        ? push_frame(tstate, func, co, args, positional, kwnames, 0) : NULL;
    if (frame == NULL) {
        *called = 0;
        return NULL;
    }
    *called = 1;
    Py_DECREF(func);
    for (int i = 0; i < nargs; i++) {
        Py_DECREF(args[i]);
    }
    PyObject *result = _PyEval_EvalFrame(tstate, frame, 0);
    release_frame(tstate, frame);
    return result;
}

/* The moving call of accel_call_instruction (`nargs` arguments, the last ones
 * named by `kwnames` in the order of the parameters), or, when the callee
 * cannot take it, the ordinary one, the references released before it runs
 * where they can be, else after it.  The site's cache learns the callee. */
static PyObject *
call_function_moving(PyThreadState *tstate, PyObject *callable, PyObject **args, int nargs,
                     PyObject *kwnames, accel_cache *cache)
{
    PyFunctionObject *func = (PyFunctionObject *)callable;
    PyCodeObject *co = (PyCodeObject *)func->func_code;
    accel_call_shape *shape = find_way(cache, co, nargs);
    if (shape != NULL || (shape = fill_way(cache, co, nargs)) != NULL) {
        _PyInterpreterFrame *frame = push_moving(tstate, func, shape, args, nargs);
        if (frame != NULL) {
            return run_pushed(tstate, frame, shape->rec);
        }
    }
    int called;
    PyObject *pushed = call_function_pushed(tstate, func, args, nargs, kwnames, &called);
    if (called) {
        return pushed;
    }
    Py_ssize_t positional = nargs - (kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0);
    PyObject *result = call_function(tstate, callable, args, (size_t)positional | PY_VECTORCALL_ARGUMENTS_OFFSET,
                                     kwnames);
    Py_DECREF(callable);
    for (int i = 0; i < nargs; i++) {
        Py_DECREF(args[i]);
    }
    return result;
}

/* A builtin function, a method descriptor or a builtin class called with
 * positional arguments, the way its vectorcall would call it minus the
 * dispatch, as 3.11's specialized forms do (PRECALL_BUILTIN_O / _FAST,
 * PRECALL_NO_KW_LEN, PRECALL_NO_KW_METHOD_DESCRIPTOR_*, PRECALL_BUILTIN_CLASS),
 * and with their recursion checks: where a call through C recurses (len()
 * calling a __len__ that calls len()...), the RecursionError comes at the depth
 * of stock CPython's warmed-up code.  Sets
 * *handled to 0 (and returns NULL, nothing set) for any other callable, and for
 * calls that would raise a TypeError (wrong count, a descriptor given a self of
 * another type): the ordinary path composes the message. */
static inline PyObject *
call_c_function(PyThreadState *tstate, PyObject *callable, PyObject *const *args, int nargs, int *handled)
{
    PyMethodDef *def;
    PyObject *self;
    PyTypeObject *type = Py_TYPE(callable);
    if (type == &PyCFunction_Type) {
        def = ((PyCFunctionObject *)callable)->m_ml;
        self = PyCFunction_GET_SELF(callable);
    }
    else if (type == &PyType_Type && ((PyTypeObject *)callable)->tp_vectorcall != NULL) {
        /* A builtin class with a vectorcall of its own (int(), float(), list()...), as
         * PRECALL_BUILTIN_CLASS calls it. */
        *handled = 1;
        PyObject *result = ((PyTypeObject *)callable)->tp_vectorcall(callable, args, (size_t)nargs, NULL);
        return _Py_CheckFunctionResult(tstate, callable, result, NULL);
    }
    else if (type == &PyMethodDescr_Type && nargs >= 1 && PyObject_TypeCheck(args[0], PyDescr_TYPE(callable))) {
        def = ((PyMethodDescrObject *)callable)->d_method;
        self = args[0];
        args++;
        nargs--;
    }
    else {
        *handled = 0;
        return NULL;
    }
    int kind = def->ml_flags & (METH_VARARGS | METH_FASTCALL | METH_NOARGS | METH_O | METH_KEYWORDS | METH_METHOD);
    if (!(kind == METH_FASTCALL || kind == (METH_FASTCALL | METH_KEYWORDS)
          || (kind == METH_O && nargs == 1) || (kind == METH_NOARGS && nargs == 0))) {
        *handled = 0;
        return NULL;
    }
    *handled = 1;
    PyObject *result;
    if (kind == METH_FASTCALL) {
        result = ((_PyCFunctionFast)(void (*)(void))def->ml_meth)(self, args, nargs);
    }
    else if (kind == (METH_FASTCALL | METH_KEYWORDS)) {
        result = ((_PyCFunctionFastWithKeywords)(void (*)(void))def->ml_meth)(self, args, nargs, NULL);
    }
    else if (callable == tstate->interp->callable_cache.len) {
        result = def->ml_meth(self, args[0]);
    }
    else {
        if (_Py_EnterRecursiveCallTstate(tstate, " while calling a Python object")) {
            return NULL;
        }
        result = def->ml_meth(self, kind == METH_O ? args[0] : NULL);
        _Py_LeaveRecursiveCallTstate(tstate);
    }
    return _Py_CheckFunctionResult(tstate, callable, result, NULL);
}

PyObject *
accel_call_c_function(PyThreadState *tstate, PyObject *callable, PyObject *const *args, int nargs)
{
    int handled;
    PyObject *result = call_c_function(tstate, callable, args, nargs, &handled);
    return handled ? result : PyObject_Vectorcall(callable, args, (size_t)nargs, NULL);
}

/* A relaxed load, as the interpreter's own check does. */
static inline int
eval_breaker_set(PyThreadState *tstate)
{
    return *(volatile int *)&tstate->interp->ceval.eval_breaker._value;
}

/* What the interpreter does after a call that it does not inline, its result
 * pushed: a signal that arrived during the call has its handler run before the
 * next instruction.  (An asynchronous exception waits for the interpreter's next
 * check, which cannot be made to happen between two instructions.) */
static int
after_call_eval_breaker(PyThreadState *tstate, _PyInterpreterFrame *frame, PyObject **sp, int raw_locals_live)
{
    if (raw_locals_live) {
        return ACCEL_EXIT_EVAL_BREAKER;
    }
    _PyFrame_SetStackPointer(frame, sp);
    int handled = accel_handle_eval_breaker(tstate);
    frame->stacktop = -1;  /* unset again while native code runs (deopt.c) */
    return handled < 0 ? ACCEL_CALL_RAISED_AFTER : handled > 0 ? ACCEL_EXIT_EVAL_BREAKER : ACCEL_CALL_DONE;
}

/* (The few locals past the arguments are cleared by a loop: a call to memset
 * would cost more.) */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
int
accel_call_instruction(PyThreadState *tstate, _PyInterpreterFrame *frame, PyObject **base, int oparg,
                       PyObject *kwnames, int raw_locals_live, accel_cache *cache)
{
    /* base: [NULL, callable, args...] or [function, self, args...] */
    if (base[0] == NULL && Py_TYPE(base[1]) == &PyMethod_Type) {
        /* A bound method: its function and self in its place, as 3.11's PRECALL does. */
        PyObject *method = base[1];
        base[0] = Py_NewRef(((PyMethodObject *)method)->im_func);
        base[1] = Py_NewRef(((PyMethodObject *)method)->im_self);
        Py_DECREF(method);
    }
    int is_meth = base[0] != NULL;
    int total = oparg + is_meth;
    PyObject *callable = base[1 - is_meth];
    PyObject **args = base + 2 - is_meth;
    int inlined = PyFunction_Check(callable);
    PyObject *result;
    if (inlined) {
        /* Where the caller stands during the call: 3.11 leaves a call it inlines (to
         * a Python function) on the CALL's last cache entry, any other on the CALL. */
        frame->prev_instr += INLINE_CACHE_ENTRIES_CALL;
    }
    int handled = 0;
    PyFunctionObject *init;
    Py_ssize_t nkwargs = kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0;
    if (inlined && (kwnames == NULL
                    || keywords_in_order((PyCodeObject *)((PyFunctionObject *)callable)->func_code,
                                         total - nkwargs, kwnames))) {
        result = call_function_moving(tstate, callable, args, total, kwnames, cache);
    }
    else if (inlined && (result = call_function_pushed(tstate, (PyFunctionObject *)callable, args, total, kwnames,
                                                        &handled), handled)) {
        /* (Keywords out of the parameters' order: the references were moved.) */
    }
    else if (kwnames == NULL && (result = call_c_function(tstate, callable, args, total, &handled), handled)) {
        Py_DECREF(callable);
        for (int i = 0; i < total; i++) {
            Py_DECREF(args[i]);
        }
    }
    else if (kwnames == NULL && (result = accel_call_builtin(tstate, callable, args, total, &handled), handled)) {
        Py_DECREF(callable);
        for (int i = 0; i < total; i++) {
            Py_DECREF(args[i]);
        }
    }
    else if (!is_meth && (init = plain_class_init(callable)) != NULL
             && (kwnames == NULL || keywords_in_order((PyCodeObject *)init->func_code, total - nkwargs + 1, kwnames))) {
        result = instantiate(tstate, (PyTypeObject *)callable, init, args, total, kwnames, cache);
        Py_DECREF(callable);
    }
    else {
        Py_ssize_t positional = total - nkwargs;
        result = accel_call(tstate, callable, args, (size_t)positional | PY_VECTORCALL_ARGUMENTS_OFFSET, kwnames);
        Py_DECREF(callable);
        for (int i = 0; i < total; i++) {
            Py_DECREF(args[i]);
        }
    }
    base[0] = result;
    if (result == NULL) {
        return ACCEL_CALL_RAISED;
    }
    /* An inlined call returns to the caller's next instruction unchecked. */
    if (!inlined && eval_breaker_set(tstate)) {
        int status = after_call_eval_breaker(tstate, frame, base + 1, raw_locals_live);
        if (status != ACCEL_CALL_DONE) {
            return status;
        }
    }
    return tstate->cframe->use_tracing ? ACCEL_EXIT_TRACING : ACCEL_CALL_DONE;
}
