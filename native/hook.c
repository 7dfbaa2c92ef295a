/* The PEP 523 hook: per-code records, hotness, and the decision procedure
 * of DESIGN.md §1, in order:
 *   1. throwflag, or tracing or profiling on              -> stock interpreter
 *   2. a generator resumed where its native code can resume it -> native code;
 *      any other frame that is not fresh                  -> stock interpreter
 *   3. compiled                                           -> native code
 *   4. count; hot (or @accel.jit) -> compile, then native; failed -> stock for good
 * A generator's (a coroutine's, an async generator's) code is entered natively
 * at its start too: RETURN_GENERATOR makes the generator object there.
 * accel's compiler runs with the hook bypassed (re-entrancy guard). */
#include "runtime.h"
#include "private_layout.h"

#include <pthread.h>

/* _PyOpcode_Deopt is not exported; the header defines a copy for us. */
#define NEED_OPCODE_TABLES
#define Py_BUILD_CORE 1
#include "internal/pycore_opcode.h"
/* pycore_object.h redeclares a function Python.h declared without
 * Py_BUILD_CORE; only its inline functions are wanted here. */
#define _PyObject_LookupSpecialId accel_shadowed_LookupSpecialId
#include "internal/pycore_object.h"
#undef _PyObject_LookupSpecialId
#undef Py_BUILD_CORE

accel_counters accel_totals;

Py_ssize_t accel_extra_index = -1;
static int mode = ACCEL_MODE_OFF;
static uint64_t threshold = 1000;
static PyObject *compiler;          /* accel.runtime.compiler.compile_code(code, argtypes, globals) */
static _Thread_local int compiling;  /* re-entrancy guard: this thread runs the compiler */
static _PyFrameEvalFunction previous_hook;
PyInterpreterState *accel_hooked_interp;  /* where the compiler's objects live */
static int private_layout_ok;

static PyObject *
stock(PyThreadState *tstate, _PyInterpreterFrame *frame, int throwflag)
{
    if (previous_hook != NULL) {
        return previous_hook(tstate, frame, throwflag);
    }
    return _PyEval_EvalFrameDefault(tstate, frame, throwflag);
}

static accel_code records;  /* the list head */
uint64_t accel_records_freed;
static uint64_t direct_calls_of_freed;  /* the direct_calls of records that died */
static uint64_t direct_calls_at_reset;  /* all records' direct_calls when the counters were reset */

/* Called for every code object that has extra slots, ours set or not. */
static void
free_record(void *data)
{
    accel_code *rec = data;
    if (rec == NULL) {
        return;
    }
    accel_records_freed++;
    direct_calls_of_freed += rec->direct_calls;
    rec->prev->next = rec->next;
    rec->next->prev = rec->prev;
    Py_XDECREF(rec->summary);
    accel_native_free(rec->native);
    PyMem_Free(rec->site_exits);
    PyMem_Free(rec);
}

/* Loops are what get hot: code with one is compiled on its first call, so that a
 * loop in a function called once (a main(), a module body) runs natively too.
 * Not in the standard library, whose loops (imports, start-up) mostly run a few
 * times: its code waits for the call threshold like any other. */
static int
has_loop(PyCodeObject *co)
{
    _Py_CODEUNIT *code = _PyCode_CODE(co);
    for (Py_ssize_t i = 0; i < Py_SIZE(co); i++) {
        int op = _PyOpcode_Deopt[_Py_OPCODE(code[i])];
        if (accel_jumps_backward(op)) {
            return 1;
        }
        i += _PyOpcode_Caches[op];
    }
    return 0;
}

static PyObject *library_prefixes;  /* tuple of str: where the standard library's code comes from */
static PyObject *package_prefixes;  /* tuple of str: where, inside it, installed packages live */
int accel_extra_layout_ok;

static int
starts_with_any(PyObject *filename, PyObject *prefixes)
{
    Py_ssize_t n = prefixes != NULL ? PyTuple_GET_SIZE(prefixes) : 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyUnicode_Tailmatch(filename, PyTuple_GET_ITEM(prefixes, i), 0, PY_SSIZE_T_MAX, -1) == 1) {
            return 1;
        }
    }
    return 0;
}

static int
is_library_code(PyCodeObject *co)
{
    return starts_with_any(co->co_filename, library_prefixes) && !starts_with_any(co->co_filename, package_prefixes);
}

/* code_dealloc calls the free function of every index below the code's ce_size,
 * whether that slot was set or not, and _PyCode_SetExtra sizes a new array for
 * every index requested so far.  Through it, each code object accel records would
 * hand its death to the free functions of extensions that requested an index
 * after accel (test_code's ctypes one runs Python code, and crashes when the code
 * object dying is that function's own).  So a code object without extra slots
 * gets an array that ends at accel's index, as if accel were the only user. */
static int
store_record(PyCodeObject *co, accel_code *rec)
{
    if (!accel_extra_layout_ok || co->co_extra != NULL) {
        return _PyCode_SetExtra((PyObject *)co, accel_extra_index, rec);
    }
    /* code_dealloc releases it with PyMem_Free, _PyCode_SetExtra grows it with PyMem_Realloc. */
    accel_code_extra *extra = PyMem_Calloc(1, sizeof(accel_code_extra) + (size_t)accel_extra_index * sizeof(void *));
    if (extra == NULL) {
        return -1;
    }
    extra->ce_size = accel_extra_index + 1;
    extra->ce_extras[accel_extra_index] = rec;
    co->co_extra = extra;
    return 0;
}

accel_code *
accel_record(PyCodeObject *co, int create)
{
    void *data = accel_lookup_record(co);
    if (data != NULL || !create) {
        return data;
    }
    accel_code *rec = PyMem_Calloc(1, sizeof *rec);
    if (rec == NULL) {
        return NULL;
    }
    rec->nunits = (int)Py_SIZE(co);  /* code units */
    rec->has_loop = has_loop(co) && !is_library_code(co);
    rec->positional_only_call = co->co_kwonlyargcount == 0
        && !(co->co_flags & (CO_VARARGS | CO_VARKEYWORDS | CO_COROUTINE | CO_ASYNC_GENERATOR));
    rec->site_exits = PyMem_Calloc((size_t)ACCEL_EXIT_COUNT * rec->nunits + 1, sizeof(uint32_t));
    if (rec->site_exits == NULL || store_record(co, rec) < 0) {
        PyErr_Clear();
        PyMem_Free(rec->site_exits);
        PyMem_Free(rec);
        return NULL;
    }
    if (records.next == NULL) {
        records.next = records.prev = &records;
    }
    rec->code = co;
    rec->next = records.next;
    rec->prev = &records;
    records.next->prev = rec;
    records.next = rec;
    return rec;
}

/* The types of the arguments this call brought: the specializer's first feedback. */
static PyObject *
argument_types(_PyInterpreterFrame *frame)
{
    PyCodeObject *co = frame->f_code;
    int n = co->co_argcount + co->co_kwonlyargcount
            + !!(co->co_flags & CO_VARARGS) + !!(co->co_flags & CO_VARKEYWORDS);
    PyObject *types = PyTuple_New(n);
    if (types == NULL) {
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        PyObject *value = frame->localsplus[i];
        PyObject *type = value != NULL ? (PyObject *)Py_TYPE(value) : Py_None;
        Py_INCREF(type);
        PyTuple_SET_ITEM(types, i, type);
    }
    return types;
}

/* The compiler is Python code on the program's stack, its frames counted against
 * the program's recursion limit: with fewer than this many frames left before
 * it, a compile could meet the limit (and recording that failure would raise in
 * the program), so the code runs in the interpreter this time, as stock runs it,
 * and compiles on a later call. */
#define COMPILER_FRAMES 100

/* The compiler's own allocations would bring the program's next garbage
 * collection forward (its cyclic garbage freed, its finalizers and weakref
 * callbacks run, at other points than under stock).  While it compiles, no
 * collection starts by itself (a zero threshold stops _PyObject_GC_Link's), and
 * afterwards the young generation counts as many allocations as before. */
typedef struct {
    int count;
    int threshold;
} held_collections;

static held_collections
hold_collections(PyInterpreterState *interp)
{
    struct gc_generation *young = &interp->gc.generations[0];
    held_collections held = {young->count, young->threshold};
    young->threshold = 0;
    return held;
}

static void
release_collections(PyInterpreterState *interp, held_collections held)
{
    struct gc_generation *young = &interp->gc.generations[0];
    if (young->threshold == 0) {  /* (unless a handler called gc.set_threshold meanwhile) */
        young->threshold = held.threshold;
    }
    young->count = held.count;
}

/* Run the compiler on this code.  Returns -1 when the compiler was stopped by an
 * exception the program must see. */
static int
compile(_PyInterpreterFrame *frame, accel_code *rec)
{
    PyThreadState *tstate = _PyThreadState_GET();
    if (tstate->recursion_remaining < COMPILER_FRAMES) {
        return 0;  /* (the code's state is unchanged: not compiled yet) */
    }
    if (accel_audit_runtime_hooks()) {
        /* A hook added from C would see the audit events the compiler's own code
         * raises (native/audit.c), and it stays for good: this code stays with the
         * stock interpreter (compiled code keeps running natively until it asks to
         * be compiled again). */
        rec->state = ACCEL_STATE_FAILED;
        rec->recompile_requested = 0;
        accel_direct_start_refresh(rec);
        return 0;
    }
    PyObject *types = argument_types(frame);
    if (types == NULL || accel_audit_compile_begins(tstate) < 0) {
        Py_XDECREF(types);
        return -1;
    }
    held_collections held = hold_collections(tstate->interp);
    compiling = 1;
    PyObject *result = PyObject_CallFunctionObjArgs(compiler, (PyObject *)frame->f_code, types,
                                                    frame->f_globals, NULL);
    compiling = 0;
    release_collections(tstate->interp, held);
    accel_audit_compile_ends();
    Py_DECREF(types);
    if (result == NULL) {
        /* The compiler reports its own failures; what it lets through is the program's
         * (a signal handler's exception, KeyboardInterrupt): the call raises it. */
        return -1;
    }
    Py_DECREF(result);
    if (rec->state == ACCEL_STATE_COLD) {
        rec->state = ACCEL_STATE_FAILED;   /* the compiler neither installed nor refused */
    }
    return 0;
}

/* See accel_c_stack_exhausted (runtime.h). */
#define C_STACK_MARGIN (256 * 1024)
PyThreadState *accel_c_stack_thread;
char *accel_c_stack_limit;

void
accel_c_stack_measure(PyThreadState *tstate)
{
    pthread_attr_t attr;
    void *low;
    size_t size;
    accel_c_stack_thread = tstate;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) {
        accel_c_stack_limit = NULL;  /* unknown: never exhausted */
        return;
    }
    pthread_attr_getstack(&attr, &low, &size);
    pthread_attr_destroy(&attr);
    /* Threads may be given small stacks (threading.stack_size()). */
    accel_c_stack_limit = (char *)low + (size / 8 < C_STACK_MARGIN ? size / 8 : C_STACK_MARGIN);
}

static int
wants_compile(accel_code *rec)
{
    if (rec->state == ACCEL_STATE_COMPILED) {
        return rec->recompile_requested;  /* (a generator's code comes here compiled) */
    }
    if (rec->recompile_requested || rec->jit_requested) {
        return 1;
    }
    return mode == ACCEL_MODE_ALL && (rec->calls + rec->direct_calls > threshold || rec->has_loop);
}

PyObject *
accel_eval_frame(PyThreadState *tstate, _PyInterpreterFrame *frame, int throwflag)
{
    PyCodeObject *co = frame->f_code;
    if (tstate->interp != accel_hooked_interp || _PyRuntimeState_GetFinalizing(&_PyRuntime) != NULL) {
        return stock(tstate, frame, throwflag);  /* accel's modules may be gone already */
    }
    if (accel_c_stack_exhausted(tstate)) {
        PyErr_SetString(PyExc_RecursionError, "maximum recursion depth exceeded (the C stack is nearly exhausted)");
        return NULL;
    }
    if (throwflag || tstate->cframe->use_tracing) {
        return stock(tstate, frame, throwflag);
    }
    accel_code *rec = accel_lookup_record(co);
    int compiled = rec != NULL && rec->state == ACCEL_STATE_COMPILED;
    if (frame->prev_instr != _PyCode_CODE(co) - 1) {
        int at = compiled && frame->owner == FRAME_OWNED_BY_GENERATOR && !rec->recompile_requested
                 ? accel_resume_index(rec->native, (int)(frame->prev_instr - _PyCode_CODE(co))) : -1;
        return at >= 0 ? accel_run_native(tstate, frame, rec, at) : stock(tstate, frame, throwflag);
    }
    if (compiled && !rec->recompile_requested) {
        return accel_run_native(tstate, frame, rec, 0);
    }
    /* Colder paths from here: the compiling thread's own frames are neither counted nor
     * compiled, though code compiled earlier runs natively there too. */
    if (compiling) {
        return compiled ? accel_run_native(tstate, frame, rec, 0) : stock(tstate, frame, throwflag);
    }
    if (rec == NULL && mode == ACCEL_MODE_ALL) {
        rec = accel_record(co, 1);
    }
    if (rec == NULL || rec->state == ACCEL_STATE_FAILED) {
        return stock(tstate, frame, throwflag);
    }
    rec->calls++;
    if (compiler != NULL && wants_compile(rec)) {
        if (compile(frame, rec) < 0) {
            return NULL;
        }
        if (rec->state == ACCEL_STATE_COMPILED) {
            return accel_run_native(tstate, frame, rec, 0);
        }
    }
    return stock(tstate, frame, throwflag);
}

/* Compile the code of a frame that is running its profiling version, from what
 * the sites saw so far (native/deopt.c): not on the compiler's own thread while
 * it compiles.  Returns -1 when the compiler was stopped by an exception the
 * program must see, else 0 (compiled, or refused: see rec->state). */
int
accel_compile_running(_PyInterpreterFrame *frame, accel_code *rec)
{
    if (compiling || compiler == NULL) {
        return 0;
    }
    rec->recompile_requested = 1;  /* counted as a recompile once installed (jit.c) */
    accel_direct_start_refresh(rec);
    return compile(frame, rec);
}

/* An instance of a plain class: where its values live, by CPython's own
 * inline function and by the one stencils use. */
static int
values_pointer_agrees(void)
{
    PyObject *cls = PyObject_CallFunction((PyObject *)&PyType_Type, "s()N", "probe", PyDict_New());
    PyObject *obj = cls ? PyObject_CallNoArgs(cls) : NULL;
    int ok = obj != NULL && (Py_TYPE(obj)->tp_flags & Py_TPFLAGS_MANAGED_DICT)
             && ACCEL_VALUES_POINTER(obj) == _PyObject_ValuesPointer(obj)
             && ACCEL_DICT_POINTER(obj) == _PyObject_ManagedDictPointer(obj);
    Py_XDECREF(obj);
    Py_XDECREF(cls);
    PyErr_Clear();
    return ok;
}

/* Give a fresh code object a record through the API, and read it back the way
 * accel_lookup_record does. */
static int
check_extra_layout(void)
{
    PyCodeObject *co = PyCode_NewEmpty("probe", "probe", 1);
    accel_code *rec = co != NULL ? accel_record(co, 1) : NULL;
    int ok = 0;
    if (rec != NULL) {
        accel_code_extra *extra = co->co_extra;
        ok = extra != NULL && accel_extra_index < extra->ce_size && extra->ce_extras[accel_extra_index] == rec;
    }
    Py_XDECREF(co);  /* frees the record */
    PyErr_Clear();
    return ok;
}

/* super(int, True): what it binds, where private_layout.h says. */
static int
super_layout_agrees(void)
{
    PyObject *su = PyObject_CallFunction((PyObject *)&PySuper_Type, "OO", &PyLong_Type, Py_True);
    int ok = su != NULL && Py_TYPE(su) == &PySuper_Type && PySuper_Type.tp_basicsize == sizeof(accel_super)
             && ((accel_super *)su)->type == &PyLong_Type && ((accel_super *)su)->obj == Py_True
             && ((accel_super *)su)->obj_type == &PyBool_Type;
    Py_XDECREF(su);
    PyErr_Clear();
    return ok;
}

/* CPython 3.11 keeps these structs private; read live objects to check that
 * private_layout.h still describes them. */
static int
check_private_layout(void)
{
    PyObject *range = PyObject_CallFunction((PyObject *)&PyRange_Type, "iii", 3, 100, 7);
    PyObject *list = Py_BuildValue("[ii]", 1, 2);
    PyObject *tuple = Py_BuildValue("(ii)", 1, 2);
    PyObject *range_iter = range ? PyObject_GetIter(range) : NULL;
    PyObject *list_iter = list ? PyObject_GetIter(list) : NULL;
    PyObject *tuple_iter = tuple ? PyObject_GetIter(tuple) : NULL;
    PyObject *first = tuple_iter ? PyIter_Next(tuple_iter) : NULL;
    int ok = 0;
    if (range_iter != NULL && list_iter != NULL && tuple_iter != NULL && Py_TYPE(range_iter) == &PyRangeIter_Type
        && Py_TYPE(tuple_iter) == &PyTupleIter_Type && PyTupleIter_Type.tp_basicsize == sizeof(accel_tupleiter)) {
        accel_rangeiter *r = (accel_rangeiter *)range_iter;
        accel_listiter *l = (accel_listiter *)list_iter;
        accel_tupleiter *t = (accel_tupleiter *)tuple_iter;
        ok = r->index == 0 && r->start == 3 && r->step == 7 && r->len == 14
             && l->it_index == 0 && (PyObject *)l->it_seq == list
             && t->it_index == 1 && (PyObject *)t->it_seq == tuple;
    }
    Py_XDECREF(first);
    Py_XDECREF(tuple_iter);
    Py_XDECREF(tuple);
    Py_XDECREF(range_iter);
    Py_XDECREF(list_iter);
    Py_XDECREF(range);
    Py_XDECREF(list);
    PyErr_Clear();
    return ok && values_pointer_agrees() && super_layout_agrees()
           && _PyAsyncGenWrappedValue_Type.tp_basicsize == sizeof(accel_async_gen_wrapped);
}

int
accel_init(void)
{
    GIL_ENTER();
    int result = 0;
    if (accel_extra_index < 0) {
        accel_extra_index = _PyEval_RequestCodeExtraIndex(free_record);
        result = accel_extra_index < 0 || accel_calls_init() < 0 || accel_operators_init() < 0
                 || accel_builtins_init() < 0 ? -1 : accel_jit_init();
        private_layout_ok = check_private_layout();
        accel_extra_layout_ok = check_extra_layout();
    }
    GIL_EXIT();
    return result;
}

int
accel_private_layout_ok(void)
{
    return private_layout_ok;
}

void
accel_set_mode(int new_mode)
{
    GIL_ENTER();
    PyInterpreterState *interp = PyInterpreterState_Get();
    _PyFrameEvalFunction current = _PyInterpreterState_GetEvalFrameFunc(interp);
    if (new_mode != ACCEL_MODE_OFF && current != accel_eval_frame) {
        accel_hooked_interp = interp;
        previous_hook = current == _PyEval_EvalFrameDefault ? NULL : current;
        _PyInterpreterState_SetEvalFrameFunc(interp, accel_eval_frame);
        accel_gen_iternext_install(1);
        accel_gen_finalize_install(1);
    }
    else if (new_mode == ACCEL_MODE_OFF && current == accel_eval_frame) {
        _PyInterpreterState_SetEvalFrameFunc(interp, previous_hook ? previous_hook : _PyEval_EvalFrameDefault);
        previous_hook = NULL;
        accel_gen_iternext_install(0);
        accel_gen_finalize_install(0);
    }
    mode = new_mode;
    GIL_EXIT();
}

int
accel_get_mode(void)
{
    return mode;
}

void
accel_set_library(uintptr_t prefixes, uintptr_t packages)
{
    GIL_ENTER();
    Py_INCREF((PyObject *)prefixes);
    Py_INCREF((PyObject *)packages);
    Py_XSETREF(library_prefixes, (PyObject *)prefixes);
    Py_XSETREF(package_prefixes, (PyObject *)packages);
    GIL_EXIT();
}

void
accel_set_threshold(uint64_t calls)
{
    threshold = calls;
}

void
accel_set_compiler(uintptr_t callable)
{
    GIL_ENTER();
    Py_XINCREF((PyObject *)callable);
    Py_XSETREF(compiler, (PyObject *)callable);
    GIL_EXIT();
}

void
accel_set_state(uintptr_t code, int state)
{
    GIL_ENTER();
    accel_code *rec = accel_record((PyCodeObject *)code, 1);
    if (rec != NULL) {
        rec->state = state;
        rec->recompile_requested = 0;
        accel_direct_start_refresh(rec);
    }
    GIL_EXIT();
}

void
accel_request_jit(uintptr_t code)
{
    GIL_ENTER();
    accel_code *rec = accel_record((PyCodeObject *)code, 1);
    if (rec != NULL) {
        rec->jit_requested = 1;
    }
    GIL_EXIT();
}

int
accel_code_info_get(uintptr_t code, accel_code_info *out)
{
    GIL_ENTER();
    accel_code *rec = accel_record((PyCodeObject *)code, 0);
    if (rec != NULL) {
        out->state = rec->state;
        out->jit_requested = rec->jit_requested;
        out->recompile_requested = rec->recompile_requested;
        out->recompiles = rec->recompiles;
        out->calls = rec->calls + rec->direct_calls;
        out->native_entries = rec->native_entries + rec->direct_calls;
        out->exits = rec->exits;
        out->native_bytes = rec->native ? rec->native->size : 0;
        out->native_address = rec->native ? (uintptr_t)rec->native->memory : 0;
        out->ninstrs = rec->native ? rec->native->ninstrs : 0;
    }
    GIL_EXIT();
    return rec != NULL;
}

int
accel_site_exits(uintptr_t code, uint32_t *out, int nunits, int reason)
{
    GIL_ENTER();
    accel_code *rec = accel_record((PyCodeObject *)code, 0);
    int n = -1;
    if (rec != NULL && reason >= 0 && reason < ACCEL_EXIT_COUNT) {
        n = rec->nunits;
        if (out != NULL && nunits > 0) {
            memcpy(out, rec->site_exits + (size_t)reason * n, sizeof(uint32_t) * (size_t)(nunits < n ? nunits : n));
        }
    }
    GIL_EXIT();
    return n;
}

/* Compile the code again once native code has been entered `entries` more
 * times, if one of the `sites` (positions of instructions that profile their
 * operands) has seen floats only by then; 0 entries: never.  Returns -1 when
 * out of memory (then it does not profile), else 0. */
int
accel_profile_operands(uintptr_t code, uint64_t entries, const int *sites, int n, int learns_callees)
{
    GIL_ENTER();
    int result = 0;
    accel_code *rec = accel_record((PyCodeObject *)code, 0);
    if (rec != NULL && rec->native != NULL) {
        accel_native *native = rec->native;
        rec->profile_until = 0;
        PyMem_Free(native->profiled);
        native->profiled = NULL;
        native->nprofiled = 0;
        native->learns_callees = entries != 0 && learns_callees;
        if (native->learns_callees && n == 0) {
            rec->profile_until = rec->native_entries + entries;
        }
        else if (entries != 0 && n > 0) {
            native->profiled = PyMem_Calloc((size_t)n, sizeof(int));
            if (native->profiled == NULL) {
                result = -1;
            }
            else {
                memcpy(native->profiled, sites, sizeof(int) * (size_t)n);
                native->nprofiled = n;
                rec->profile_until = rec->native_entries + entries;
            }
        }
        accel_direct_start_refresh(rec);
    }
    GIL_EXIT();
    return result;
}

/* The operand kinds each instruction of the current program has seen (meaningful
 * for the instructions that profile them only: the cache entry is a union);
 * returns the number of instructions, or -1. */
int
accel_operand_kinds(uintptr_t code, uint32_t *out, int n)
{
    GIL_ENTER();
    accel_code *rec = accel_record((PyCodeObject *)code, 0);
    int count = -1;
    if (rec != NULL && rec->native != NULL) {
        count = rec->native->ninstrs;
        for (int i = 0; i < n && i < count; i++) {
            out[i] = rec->native->caches[i].operand_kinds;
        }
    }
    GIL_EXIT();
    return count;
}

/* The direct calls (stencils/shared.c) of every record, dead ones included:
 * counted per record only, which keeps a global counter off the call path. */
static uint64_t
direct_calls_ever(void)
{
    uint64_t sum = direct_calls_of_freed;
    for (accel_code *rec = records.next; rec != NULL && rec != &records; rec = rec->next) {
        sum += rec->direct_calls;
    }
    return sum;
}

void
accel_counters_get(accel_counters *out)
{
    GIL_ENTER();
    uint64_t direct = direct_calls_ever() - direct_calls_at_reset;
    *out = accel_totals;
    out->native_calls += direct;
    out->native_entries += direct;
    GIL_EXIT();
}

void
accel_counters_reset(void)
{
    GIL_ENTER();
    memset(&accel_totals, 0, sizeof accel_totals);
    direct_calls_at_reset = direct_calls_ever();
    GIL_EXIT();
}

void
accel_set_summary(uintptr_t code, uintptr_t summary)
{
    GIL_ENTER();
    accel_code *rec = accel_record((PyCodeObject *)code, 1);
    if (rec != NULL) {
        Py_INCREF((PyObject *)summary);
        Py_XSETREF(rec->summary, (PyObject *)summary);
    }
    GIL_EXIT();
}

/* Copies the summary into buf if it fits; returns its size, or -1 if there is none. */
int64_t
accel_get_summary(uintptr_t code, char *buf, int64_t n)
{
    GIL_ENTER();
    accel_code *rec = accel_record((PyCodeObject *)code, 0);
    int64_t size = -1;
    if (rec != NULL && rec->summary != NULL) {
        size = PyBytes_GET_SIZE(rec->summary);
        if (size <= n) {
            memcpy(buf, PyBytes_AS_STRING(rec->summary), (size_t)size);
        }
    }
    GIL_EXIT();
    return size;
}

/* The code objects that have a summary, up to n of them, each address written
 * to out a new reference (accel_release_objects drops them: another thread may
 * free a code object once the GIL is released); returns how many there are. */
int
accel_summarized_codes(uintptr_t *out, int n)
{
    GIL_ENTER();
    int count = 0;
    for (accel_code *rec = records.next; rec != NULL && rec != &records; rec = rec->next) {
        if (rec->summary != NULL) {
            if (count < n) {
                out[count] = (uintptr_t)Py_NewRef(rec->code);
            }
            count++;
        }
    }
    GIL_EXIT();
    return count;
}

void
accel_release_objects(uintptr_t *objects, int n)
{
    GIL_ENTER();
    for (int i = 0; i < n; i++) {
        Py_DECREF((PyObject *)objects[i]);
    }
    GIL_EXIT();
}
