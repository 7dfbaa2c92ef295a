/* Audit hooks (PEP 578) see the events stock CPython raises, none of the compiler's.
 *
 * accel's compiler is Python code, and what it calls raises audit events stock
 * CPython never raises: builtins.id (objects cross into native/ as their
 * addresses), marshal.dumps (records.py), the imports of the first compile.
 * regrtest installs a hook in every test process, so does any program that
 * audits: a hook must neither see those events nor cost the program its native
 * code.
 *
 * The interpreter keeps the hooks of sys.addaudithook() in a list that it
 * iterates for every event (Python/sysmodule.c, sys_audit_tstate).  When a
 * compile begins, accel moves them into a list of its own subclass of list, whose
 * iterator is empty for an event raised by the compiler: on the thread that
 * compiles, while every frame run since the compile began is accel's own code
 * (or the import machinery loading it).  Everything else (other threads, and the
 * program's code that runs while compiling: a signal handler, a finalizer)
 * reaches every hook, as under stock.
 *
 * The hooks of PySys_AddAuditHook() (C) are called before that list and cannot be
 * held off: hook.c then compiles nothing more. */
#include "runtime.h"
#include "audit.h"

static PyObject *own_code;  /* tuple of str: prefixes of the filenames of the compiler's code */
static _Thread_local int compiling;
static _Thread_local _PyInterpreterFrame *compile_caller;  /* the newest frame when it began */

static int
is_own_code(PyCodeObject *co)
{
    Py_ssize_t n = own_code != NULL ? PyTuple_GET_SIZE(own_code) : 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyUnicode_Tailmatch(co->co_filename, PyTuple_GET_ITEM(own_code, i), 0, PY_SSIZE_T_MAX, -1) == 1) {
            return 1;
        }
    }
    return 0;
}

static int
raised_by_compiler(PyThreadState *tstate)
{
    if (!compiling) {
        return 0;
    }
    for (_PyInterpreterFrame *f = tstate->cframe->current_frame; f != compile_caller; f = f->previous) {
        if (f == NULL || !is_own_code(f->f_code)) {
            return 0;
        }
    }
    return 1;
}

static PyObject *
hooks_iter(PyObject *self)
{
    if (raised_by_compiler(_PyThreadState_GET())) {
        return PyObject_GetIter(accel_empty_tuple);
    }
    return PyList_Type.tp_iter(self);
}

static PyTypeObject hooks_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "accel.audit_hooks",
    .tp_basicsize = sizeof(PyListObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "sys.addaudithook()'s hooks, which events accel's compiler raises do not reach",
    .tp_base = &PyList_Type,
    .tp_iter = hooks_iter,
};

/* The interpreter's hooks, moved into a hooks_type list (once per list the
 * interpreter made: the hooks added later go into the same list). */
static int
take_over_hooks(PyInterpreterState *interp)
{
    if (interp->audit_hooks == NULL || Py_IS_TYPE(interp->audit_hooks, &hooks_type)) {
        return 0;
    }
    if (!(hooks_type.tp_flags & Py_TPFLAGS_READY) && PyType_Ready(&hooks_type) < 0) {
        return -1;
    }
    PyObject *hooks = PyType_GenericAlloc(&hooks_type, 0);
    if (hooks == NULL) {
        return -1;
    }
    if (PyList_SetSlice(hooks, 0, 0, interp->audit_hooks) < 0) {
        Py_DECREF(hooks);
        return -1;
    }
    /* Like the interpreter's own list: not one of the objects gc reports. */
    PyObject_GC_UnTrack(hooks);
    Py_SETREF(interp->audit_hooks, hooks);
    return 0;
}

int
accel_audit_runtime_hooks(void)
{
    return _PyRuntime.audit_hook_head != NULL;
}

int
accel_audit_compile_begins(PyThreadState *tstate)
{
    if (take_over_hooks(tstate->interp) < 0) {
        return -1;
    }
    compiling = 1;
    compile_caller = tstate->cframe->current_frame;
    return 0;
}

void
accel_audit_compile_ends(void)
{
    compiling = 0;
    compile_caller = NULL;
}

void
accel_set_own_code(uintptr_t prefixes)
{
    GIL_ENTER();
    Py_INCREF((PyObject *)prefixes);
    Py_XSETREF(own_code, (PyObject *)prefixes);
    GIL_EXIT();
}
