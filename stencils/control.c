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

/* The back edge of a loop in code still profiling its operands: once the loop
 * is hot, the frame leaves (as the interpreter would run this jump next), to be
 * compiled again and entered at the loop's head (native/deopt.c).  Once only:
 * other frames running this program (recursion) go on here. */
STENCIL(JUMP_BACKWARD_PROFILING)
{
    CHECK_EVAL_BREAKER();
    if (UNLIKELY(++((accel_cache *)HOLE(_JIT_CACHE))->back_edges == ACCEL_LOOP_HOT_BACK_EDGES)) {
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

/* Whether this yield adds its float to a sum() that runs the generator
 * (native/sum.c) instead of suspending. */
static inline __attribute__((always_inline)) accel_sum_state *
summed_here(_PyInterpreterFrame *frame)
{
    accel_sum_state *summing = accel_summing;
    return summing != NULL && summing->frame == frame ? summing : NULL;
}

/* A generator's yield (not a coroutine's or an async generator's): while sum()
 * runs this generator (native/sum.c), an exact float is added to the sum there
 * and then, and the generator goes on as if sum() had asked for its next item
 * (None sent); anything else suspends as YIELD_VALUE does. */
STENCIL(YIELD_VALUE_SUMMABLE)
{
    if (TRACING_ON()) {
        EXIT(ACCEL_EXIT_TRACING);
    }
    PyObject *value = sp[-1];
    accel_sum_state *summing = summed_here(frame);
    if (summing != NULL && PyFloat_CheckExact(value)) {
        summing->total += FLOAT_VALUE(value);
        summing->items++;
        sp[-1] = Py_NewRef(Py_None);
        Py_DECREF(value);  /* a float: freeing it runs no code */
        CONTINUE();
    }
    return suspend(frame, sp - 1, value);
}

/* The same for a raw float (accel/specializer/unbox.py), boxed only to suspend. */
STENCIL(YIELD_VALUE_SUMMABLE_BOX_FLOAT)
{
    if (TRACING_ON()) {
        EXIT(ACCEL_EXIT_TRACING);  /* (deopt boxes the value) */
    }
    double value = raw_float(sp[-1]);
    accel_sum_state *summing = summed_here(frame);
    if (summing != NULL) {
        summing->total += value;
        summing->items++;
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
