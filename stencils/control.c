/* Entry, exits and control flow. */
#include "stencil.h"

/* The only C-ABI stencil: native/deopt.c calls it with the instruction to start
 * at (the first, or where a generator resumes), and it calls that instruction.
 * clang saves the registers the C ABI wants preserved around that call. */
PyObject *
ENTER(_PyInterpreterFrame *frame, PyObject **sp, PyThreadState *tstate, accel_continuation at)
{
    return at(frame, sp, tstate);
}

/* An instruction the backend does not compile: the interpreter runs it. */
STENCIL(EXIT_INTERPRETER)
{
    EXIT(ACCEL_EXIT_UNSUPPORTED);
}

STENCIL(RESUME)
{
    /* At or past _co_firsttraceable, so that sys._getframe() sees the frame. */
    SYNC_INSTR();
    if (EVAL_BREAKER_SET() && OPARG < 2) {
        EXIT(ACCEL_EXIT_EVAL_BREAKER);
    }
    CONTINUE();
}

STENCIL(NOP)
{
    CONTINUE();
}

STENCIL(JUMP_FORWARD)
{
    JUMP();
}

STENCIL(JUMP_BACKWARD_NO_INTERRUPT)
{
    JUMP();
}

STENCIL(JUMP_BACKWARD)
{
    CHECK_EVAL_BREAKER();
    JUMP();
}

/* The back edge of a loop in code still profiling its operands, taken: every
 * backward jump of such code goes here on its way to the loop's head, after
 * what the jump itself does (its eval breaker check, its condition), so loops
 * of every shape count alike: `for`, `while` (a conditional jump back),
 * `continue`.  Once the loop is hot, the frame leaves as at the head (this
 * instruction stands for it), to be compiled again and entered there
 * (native/deopt.c); OPARG, the jump's code unit, is where the interpreter
 * would raise what a signal handler raises meanwhile.  Once only: other frames
 * running this program (recursion) go on here. */
STENCIL(LOOP_BACK_EDGE_PROFILING)
{
    accel_cache *cache = (accel_cache *)HOLE(_JIT_CACHE);
    if (UNLIKELY(++cache->back_edge.taken == ACCEL_LOOP_HOT_BACK_EDGES)) {
        cache->back_edge.jump_unit = (int)OPARG;
        EXIT(ACCEL_EXIT_LOOP_HOT);
    }
    JUMP();
}

STENCIL(RETURN_VALUE)
{
    /* A frame object that outlives the call reports this line as its f_lineno. */
    SYNC_INSTR();
    PyObject *retval = *--sp;
    _PyFrame_SetStackPointer(frame, sp);
    return retval;
}

/* A local or a constant returned straight from where it is (fused by
 * accel/specializer/borrow.py): no trip through the value stack.  An unbound
 * local exits before the pair, for the interpreter to raise. */
STENCIL(LOAD_FAST__RETURN_VALUE)
{
    PyObject *retval = LOCAL(OPARG);
    if (UNLIKELY(retval == NULL)) {
        EXIT(ACCEL_EXIT_RAISE);
    }
    SYNC_INSTR();
    Py_INCREF(retval);
    _PyFrame_SetStackPointer(frame, sp);
    return retval;
}

STENCIL(LOAD_CONST__RETURN_VALUE)
{
    PyObject *retval = (PyObject *)OPERAND;
    SYNC_INSTR();
    Py_INCREF(retval);
    _PyFrame_SetStackPointer(frame, sp);
    return retval;
}

/* Truth of a popped condition: 1, 0, or -1 with an exception set. */
static inline __attribute__((always_inline)) int
pop_truth(_PyInterpreterFrame *frame, PyObject *cond)
{
    int truth = truth_of(frame, cond);
    Py_DECREF(cond);
    return truth;
}

#define POP_JUMP_IF(NAME, JUMP_WHEN, BACKWARD)                  \
    STENCIL(NAME)                                               \
    {                                                           \
        if (BACKWARD) {                                         \
            CHECK_EVAL_BREAKER();                               \
        }                                                       \
        int truth = pop_truth(frame, *--sp);                    \
        if (truth < 0) {                                        \
            ERROR();                                            \
        }                                                       \
        if (truth == (JUMP_WHEN)) {                             \
            JUMP();                                             \
        }                                                       \
        CONTINUE();                                             \
    }

POP_JUMP_IF(POP_JUMP_FORWARD_IF_TRUE, 1, 0)
POP_JUMP_IF(POP_JUMP_FORWARD_IF_FALSE, 0, 0)
POP_JUMP_IF(POP_JUMP_BACKWARD_IF_TRUE, 1, 1)
POP_JUMP_IF(POP_JUMP_BACKWARD_IF_FALSE, 0, 1)

#define POP_JUMP_IF_NONE(NAME, JUMP_WHEN_NONE, BACKWARD)        \
    STENCIL(NAME)                                               \
    {                                                           \
        if (BACKWARD) {                                         \
            CHECK_EVAL_BREAKER();                               \
        }                                                       \
        PyObject *value = *--sp;                                \
        int none = Py_IsNone(value);                            \
        Py_DECREF(value);                                       \
        if (none == (JUMP_WHEN_NONE)) {                         \
            JUMP();                                             \
        }                                                       \
        CONTINUE();                                             \
    }

POP_JUMP_IF_NONE(POP_JUMP_FORWARD_IF_NONE, 1, 0)
POP_JUMP_IF_NONE(POP_JUMP_FORWARD_IF_NOT_NONE, 0, 0)
POP_JUMP_IF_NONE(POP_JUMP_BACKWARD_IF_NONE, 1, 1)
POP_JUMP_IF_NONE(POP_JUMP_BACKWARD_IF_NOT_NONE, 0, 1)

/* LOAD_FAST fused with the conditional jump on what it loads: the condition is
 * borrowed from its local slot (accel/specializer/borrow.py), OPARG names it.
 * An unbound local, or the eval breaker before a backward jump, exits before
 * the pair. */
#define BORROWED_CONDITION(BACKWARD) ({                         \
    PyObject *cond_ = LOCAL(OPARG);                             \
    if (UNLIKELY(cond_ == NULL)) {                              \
        EXIT(ACCEL_EXIT_RAISE);                                 \
    }                                                           \
    if (BACKWARD) {                                             \
        CHECK_EVAL_BREAKER();                                   \
    }                                                           \
    cond_;                                                      \
})

/* __bool__ or __len__ may run: the condition is held meanwhile, as the value
 * stack would hold it. */
#define LOAD_FAST_JUMP_IF(NAME, JUMP_WHEN, BACKWARD)            \
    STENCIL(NAME)                                               \
    {                                                           \
        PyObject *cond = BORROWED_CONDITION(BACKWARD);          \
        int truth;                                              \
        if (LIKELY(Py_IsTrue(cond) || Py_IsFalse(cond))) {      \
            truth = Py_IsTrue(cond);                            \
        }                                                       \
        else if (PyLong_CheckExact(cond)) {                     \
            truth = Py_SIZE(cond) != 0;                         \
        }                                                       \
        else {                                                  \
            Py_INCREF(cond);                                    \
            truth = pop_truth(frame, cond);                     \
            if (truth < 0) {                                    \
                ERROR();                                        \
            }                                                   \
        }                                                       \
        if (truth == (JUMP_WHEN)) {                             \
            JUMP();                                             \
        }                                                       \
        CONTINUE();                                             \
    }

LOAD_FAST_JUMP_IF(LOAD_FAST__POP_JUMP_FORWARD_IF_TRUE, 1, 0)
LOAD_FAST_JUMP_IF(LOAD_FAST__POP_JUMP_FORWARD_IF_FALSE, 0, 0)
LOAD_FAST_JUMP_IF(LOAD_FAST__POP_JUMP_BACKWARD_IF_TRUE, 1, 1)
LOAD_FAST_JUMP_IF(LOAD_FAST__POP_JUMP_BACKWARD_IF_FALSE, 0, 1)

#define LOAD_FAST_JUMP_IF_NONE(NAME, JUMP_WHEN_NONE, BACKWARD)  \
    STENCIL(NAME)                                               \
    {                                                           \
        PyObject *value = BORROWED_CONDITION(BACKWARD);         \
        if (Py_IsNone(value) == (JUMP_WHEN_NONE)) {             \
            JUMP();                                             \
        }                                                       \
        CONTINUE();                                             \
    }

LOAD_FAST_JUMP_IF_NONE(LOAD_FAST__POP_JUMP_FORWARD_IF_NONE, 1, 0)
LOAD_FAST_JUMP_IF_NONE(LOAD_FAST__POP_JUMP_FORWARD_IF_NOT_NONE, 0, 0)
LOAD_FAST_JUMP_IF_NONE(LOAD_FAST__POP_JUMP_BACKWARD_IF_NONE, 1, 1)
LOAD_FAST_JUMP_IF_NONE(LOAD_FAST__POP_JUMP_BACKWARD_IF_NOT_NONE, 0, 1)

/* The call of a generator's, coroutine's or async generator's function ends
 * here, as in ceval.c for a frame the interpreter was entered with: the frame
 * moves into a new generator object (made as the unexported _Py_MakeCoro makes
 * it), which is returned; the frame left behind holds nothing but references
 * to the function and code for whoever pops it.  A coroutine made while
 * origins are tracked (sys.set_coroutine_origin_tracking_depth) is left to the
 * interpreter, which records its origin. */
STENCIL(RETURN_GENERATOR)
{
    PyCodeObject *code = frame->f_code;
    PyFunctionObject *func = frame->f_func;
    int kind = code->co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR);
    PyTypeObject *type = kind == CO_GENERATOR ? &PyGen_Type : kind == CO_COROUTINE ? &PyCoro_Type : &PyAsyncGen_Type;
    if (kind == CO_COROUTINE && tstate->coroutine_origin_tracking_depth != 0) {
        EXIT(ACCEL_EXIT_UNSUPPORTED);
    }
    SYNC_INSTR();
    PyGenObject *gen = (PyGenObject *)_PyObject_GC_NewVar(type, code->co_nlocalsplus + code->co_stacksize);
    if (gen == NULL) {
        ERROR();
    }
    gen->gi_frame_state = FRAME_CLEARED;
    gen->gi_code = (PyCodeObject *)Py_NewRef(code);
    gen->gi_weakreflist = NULL;
    gen->gi_exc_state.exc_value = NULL;
    gen->gi_exc_state.previous_item = NULL;
    gen->gi_name = Py_NewRef(func->func_name);
    gen->gi_qualname = Py_NewRef(func->func_qualname);
    gen->gi_origin_or_finalizer = NULL;
    gen->gi_hooks_inited = 0;
    gen->gi_closed = 0;
    gen->gi_running_async = 0;
    PyObject_GC_Track(gen);
    _PyFrame_SetStackPointer(frame, sp);
    _PyInterpreterFrame *gen_frame = (_PyInterpreterFrame *)gen->gi_iframe;
    __builtin_memcpy(gen_frame, frame, (char *)sp - (char *)frame);
    gen_frame->previous = NULL;
    gen->gi_frame_state = FRAME_CREATED;
    gen_frame->owner = FRAME_OWNED_BY_GENERATOR;
    frame->stacktop = 0;
    frame->f_locals = NULL;
    Py_INCREF(frame->f_func);
    Py_INCREF(frame->f_code);
    return (PyObject *)gen;
}

/* A generator suspends: its frame keeps the stack (`value` popped), prev_instr
 * names this instruction (where the hook finds the native code to resume at),
 * and the value goes to gen_send_ex, which called the hook. */
static inline __attribute__((always_inline)) PyObject *
suspend(_PyInterpreterFrame *frame, PyObject **sp, PyObject *value)
{
    PyGenObject *gen = (PyGenObject *)((char *)frame - offsetof(PyGenObject, gi_iframe));
    gen->gi_frame_state = FRAME_SUSPENDED;
    frame->prev_instr = INSTR;
    _PyFrame_SetStackPointer(frame, sp);
    return value;
}

STENCIL(YIELD_VALUE)
{
    if (TRACING_ON()) {
        EXIT(ACCEL_EXIT_TRACING);  /* switched on by a `yield from`: the interpreter reports the yield */
    }
    PyObject *value = *--sp;
    return suspend(frame, sp, value);
}

/* The driver of a builtin that consumes this generator (native/fold.h), if
 * the innermost driver is this generator's: its yield may go on without
 * suspending. */
static inline __attribute__((always_inline)) accel_fold_state *
folded_here(_PyInterpreterFrame *frame)
{
    accel_fold_state *folding = accel_folding;
    return folding != NULL && folding->frame == frame ? folding : NULL;
}

/* Whether the driver takes a raw float right at the yield, where the builtin
 * would take it without deciding anything: sum() adds it, all() and any() go
 * on past a float of the truth that leaves them undecided. */
static inline __attribute__((always_inline)) int
fold_takes_float(accel_fold_state *fold, double value)
{
    if (fold->kind == ACCEL_FOLD_SUM) {
        fold->total += value;
    }
    else if ((value != 0.0) != fold->kind) {
        return 0;
    }
    fold->items++;
    return 1;
}

/* The same for an object: an exact float for sum(); for all() and any(), an
 * exact bool, int, float or None (accel_plain_truth; any other object's truth
 * may run code, which runs where the builtin runs it, in the driver). */
static inline __attribute__((always_inline)) int
fold_takes(accel_fold_state *fold, PyObject *value)
{
    if (fold->kind == ACCEL_FOLD_SUM) {
        return PyFloat_CheckExact(value) && fold_takes_float(fold, FLOAT_VALUE(value));
    }
    if (accel_plain_truth(value) != fold->kind) {
        return 0;
    }
    fold->items++;
    return 1;
}

/* A generator's yield (not a coroutine's or an async generator's): while
 * sum(), all() or any() consumes this generator (native/fold.h), an item the
 * builtin takes without deciding anything is taken there and then, and the
 * generator goes on as if the builtin had asked for its next item (None sent);
 * anything else suspends as YIELD_VALUE does. */
STENCIL(YIELD_VALUE_FOLDABLE)
{
    if (TRACING_ON()) {
        EXIT(ACCEL_EXIT_TRACING);
    }
    PyObject *value = sp[-1];
    accel_fold_state *fold = folded_here(frame);
    if (fold != NULL && fold_takes(fold, value)) {
        sp[-1] = Py_NewRef(Py_None);
        Py_DECREF(value);  /* a float, an int, a bool or None: freeing it runs no code */
        CONTINUE();
    }
    return suspend(frame, sp - 1, value);
}

/* The same for a raw float (accel/specializer/unbox.py), boxed only to suspend. */
STENCIL(YIELD_VALUE_FOLDABLE_BOX_FLOAT)
{
    if (TRACING_ON()) {
        EXIT(ACCEL_EXIT_TRACING);  /* (deopt boxes the value) */
    }
    double value = raw_float(sp[-1]);
    accel_fold_state *fold = folded_here(frame);
    if (fold != NULL && fold_takes_float(fold, value)) {
        sp[-1] = Py_NewRef(Py_None);
        CONTINUE();
    }
    PyObject *boxed = PyFloat_FromDouble(value);
    sp--;
    if (UNLIKELY(boxed == NULL)) {
        ERROR();
    }
    return suspend(frame, sp, boxed);
}

/* [receiver, value] -> [receiver, yielded] to go on to YIELD_VALUE, or
 * [returned] and a jump past the delegation: one step of `yield from` or
 * `await`.  A generator or coroutine with native code is resumed straight in
 * it (stencils/resume.c, native/generators.c).  The interpreter's tracing variant reports
 * StopIteration to the trace function, so with tracing on, it runs the
 * instruction. */
STENCIL(SEND)
{
    if (TRACING_ON()) {
        EXIT(ACCEL_EXIT_TRACING);
    }
    PyObject *value = *--sp;
    PyObject *receiver = sp[-1];
    PyObject *result;
    SYNC_INSTR();
    int status = ACCEL_GEN_NOT_NATIVE;
    if (Py_TYPE(receiver) == &PyGen_Type || Py_TYPE(receiver) == &PyCoro_Type) {
        status = SHARED_GEN_SEND(frame, sp, tstate, receiver, value, &result,
                                 &((accel_cache *)FRESH_HOLE(_JIT_CACHE))->resume);
    }
    if (status == ACCEL_GEN_NOT_NATIVE) {
        status = PyIter_Send(receiver, value, &result);
    }
    Py_DECREF(value);
    if (status == PYGEN_ERROR) {
        ERROR();
    }
    if (status == PYGEN_RETURN) {
        sp[-1] = result;
        Py_DECREF(receiver);
        JUMP();
    }
    *sp++ = result;
    CONTINUE();
}
