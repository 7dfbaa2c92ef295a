/* Calls from native code to compiled Python functions.
 *
 * With a PEP 523 hook set, every Python call goes _PyFunction_Vectorcall ->
 * _PyEval_Vector -> hook, and 3.11 stops inlining Python-to-Python calls.  When
 * the callee is compiled and its arguments bind without *args or **kwargs, this
 * file does what that path would, minus the detours: push the callee's frame on
 * the thread's data stack, bind the arguments, run the native code (which hands
 * the frame to the interpreter on an exit, as for any frame), then clear and
 * pop the frame.  Instantiating a plain class (object's __new__, a Python
 * __init__) is type_call's work done here, with that __init__ called the same
 * way.  Anything else takes PyObject_Vectorcall, and the hook. */
#include "runtime.h"
#include "calls.h"

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
 * references): positional ones, keywords, then the defaults.  0 when the call
 * needs more than that (*args or **kwargs, an unknown or repeated keyword, a
 * missing argument): the ordinary path then binds it, or raises CPython's error. */
static int
bind(PyFunctionObject *func, PyCodeObject *co, PyObject *const *args, Py_ssize_t nargs,
     PyObject *kwnames, PyObject **locals)
{
    Py_ssize_t nparams = co->co_argcount + co->co_kwonlyargcount;
    if ((co->co_flags & (CO_VARARGS | CO_VARKEYWORDS)) || nargs > co->co_argcount) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < nparams; i++) {
        locals[i] = i < nargs ? args[i] : NULL;
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
    for (Py_ssize_t i = nargs; i < co->co_argcount; i++) {
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
    return 1;
}

/* The callee's frame, pushed, with the arguments bound; NULL if the call must
 * take the ordinary path. */
static _PyInterpreterFrame *
push_frame(PyThreadState *tstate, PyFunctionObject *func, PyCodeObject *co,
           PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    size_t size = (size_t)(co->co_nlocalsplus + co->co_stacksize) + FRAME_SPECIALS_SIZE;
    /* A new data-stack chunk takes CPython's unexported slow path: the caller
     * then calls the ordinary way. */
    if (!_PyThreadState_HasStackSpace(tstate, size)) {
        return NULL;
    }
    _PyInterpreterFrame *frame = (_PyInterpreterFrame *)tstate->datastack_top;
    PyObject **locals = frame->localsplus;
    if (!bind(func, co, args, nargs, kwnames, locals)) {
        return NULL;
    }
    tstate->datastack_top += size;
    Py_INCREF(func);
    _PyFrame_InitializeSpecials(frame, func, NULL, co->co_nlocalsplus);
    int nparams = co->co_argcount + co->co_kwonlyargcount;
    for (int i = 0; i < nparams; i++) {
        Py_INCREF(locals[i]);
    }
    for (int i = nparams; i < co->co_nlocalsplus; i++) {
        locals[i] = NULL;
    }
    return frame;
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

void
accel_clear_frame(PyThreadState *tstate, _PyInterpreterFrame *frame)
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

static void
release_frame(PyThreadState *tstate, _PyInterpreterFrame *frame)
{
    /* As _PyEvalFrameClearAndPop: finalizers run by the clearing may call. */
    tstate->recursion_remaining--;
    accel_clear_frame(tstate, frame);
    tstate->recursion_remaining++;
    tstate->datastack_top = (PyObject **)frame;
}

static PyObject *
call_function(PyThreadState *tstate, PyObject *callable, PyObject *const *args,
              size_t nargsf, PyObject *kwnames)
{
    PyFunctionObject *func = (PyFunctionObject *)callable;
    PyCodeObject *co = (PyCodeObject *)func->func_code;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    accel_code *rec = accel_runnable_record(tstate, co);
    _PyInterpreterFrame *frame = rec != NULL ? push_frame(tstate, func, co, args, nargs, kwnames) : NULL;
    if (frame == NULL) {
        return PyObject_Vectorcall(callable, args, nargsf, kwnames);
    }
    rec->calls++;
    accel_totals.native_calls++;
    PyObject *result = accel_run_native(tstate, frame, rec, 0);
    release_frame(tstate, frame);
    return result;
}

static initproc python_init;    /* tp_init of a class whose __init__ is a Python function */
static PyObject *empty_tuple;

/* type_call for a class that inherits object's __new__ and defines __init__ in
 * Python, under a plain metaclass; NULL with nothing set for any other callable. */
static inline PyFunctionObject *
plain_class_init(PyObject *callable)
{
    if (Py_TYPE(callable) != &PyType_Type) {
        return NULL;
    }
    PyTypeObject *type = (PyTypeObject *)callable;
    if (type->tp_new != PyBaseObject_Type.tp_new || type->tp_init != python_init) {
        return NULL;
    }
    PyObject *init = _PyType_Lookup(type, &_Py_ID(__init__));
    return init != NULL && PyFunction_Check(init) ? (PyFunctionObject *)init : NULL;
}

static PyObject *
instantiate(PyThreadState *tstate, PyTypeObject *type, PyFunctionObject *init,
            PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    /* object's __new__ makes the instance (and its inline values); with no
     * arguments, it has nothing to object to. */
    PyObject *self = type->tp_new(type, empty_tuple, NULL);
    if (self == NULL) {
        return NULL;
    }
    Py_INCREF(init);  /* the class may drop it while it runs */
    PyObject **slot = (PyObject **)args - 1;
    PyObject *saved = *slot;
    *slot = self;
    PyObject *res = call_function(tstate, (PyObject *)init, slot, PyVectorcall_NARGS(nargsf) + 1, kwnames);
    *slot = saved;
    Py_DECREF(init);
    if (res == NULL) {
        Py_DECREF(self);
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

PyObject *
accel_call(PyThreadState *tstate, PyObject *callable, PyObject *const *args,
           size_t nargsf, PyObject *kwnames)
{
    if (PyFunction_Check(callable)) {
        return call_function(tstate, callable, args, nargsf, kwnames);
    }
    PyFunctionObject *init;
    if ((nargsf & PY_VECTORCALL_ARGUMENTS_OFFSET) && (init = plain_class_init(callable)) != NULL) {
        return instantiate(tstate, (PyTypeObject *)callable, init, args, nargsf, kwnames);
    }
    return PyObject_Vectorcall(callable, args, nargsf, kwnames);
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
        python_init = ((PyTypeObject *)probe)->tp_init;
    }
    empty_tuple = PyTuple_New(0);
    Py_XDECREF(done);
    Py_XDECREF(globals);
    PyErr_Clear();
    return python_init != NULL && empty_tuple != NULL ? 0 : -1;
}
