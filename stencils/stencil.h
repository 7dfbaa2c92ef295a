/* What every stencil sees.
 *
 * A stencil is one C function per operation.  clang compiles it ahead of time;
 * the generator (stencils/elf.py) keeps its machine code and the places where
 * it refers to holes: extern symbols named _JIT_* whose addresses are patched
 * in when the stencil is copied for one instruction of one code object.
 *
 * Calling convention: preserve_none, three arguments kept in registers across
 * the whole chain: the frame, the value-stack pointer and the thread state.
 * Each stencil ends with a tail call to the next one (musttail), so native
 * code never grows the C stack.  ENTER, the only C-ABI stencil, is how C code
 * calls into the chain.
 *
 * Layout (stencils/toolchain.py, split.py, elf.py; native/jit.c): calls and
 * tail calls are rel32.  Each stencil is split after its first tail call to
 * CONTINUE into a hot part, laid out in program order, and a cold part, laid
 * out after all hot parts; a hot part that ends in that tail call loses it, so
 * the usual path runs straight into the next instruction.  Say which way tests
 * usually go (LIKELY, UNLIKELY) where clang cannot tell: it lays the usual path
 * out first.
 *
 * A stencil leaves the chain by returning either a result object
 * (RETURN_VALUE), or an exit: an odd value that no object pointer can be,
 * (position << 8) | (reason << 1) | 1, with the instruction's position in the
 * program and a reason from exits.h.  frame->stacktop is set, and
 * frame->prev_instr points
 *   - for ACCEL_EXIT_ERROR (an exception is set), at the faulting instruction:
 *     native/deopt.c resumes the interpreter with throwflag = 1;
 *   - for any other reason, before the instruction to run next: native/deopt.c
 *     resumes the interpreter there.
 * Before either, native/deopt.c boxes the values that the program keeps
 * unboxed at that position (the emitter records which).
 */
#ifndef ACCEL_STENCIL_H
#define ACCEL_STENCIL_H

#include "Python.h"
#define Py_BUILD_CORE 1
#include "internal/pycore_frame.h"
#include "internal/pycore_code.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_long.h"
#include "internal/pycore_dict.h"
#include "internal/pycore_moduleobject.h"

#include "exits.h"
#include "private_layout.h"
#include "unboxed.h"
#include "inline_cache.h"
#include "eval_breaker.h"
#include "calls.h"
#include "operators.h"
#include "generators.h"
#include "fold.h"
#include "sum.h"
#include "all_any.h"
#include "containers.h"
#include "fstrings.h"
#include "records.h"

#define CC __attribute__((preserve_none))
typedef CC PyObject *(*accel_continuation)(_PyInterpreterFrame *, PyObject **, PyThreadState *);

#define STENCIL(NAME) \
    CC PyObject *NAME(_PyInterpreterFrame *frame, PyObject **sp, PyThreadState *tstate)

/* A hole used as a value.  The asm keeps clang from reasoning about the
 * address of an extern symbol (it would assume it is non-null and aligned). */
#define HOLE(NAME) ({                                        \
    uintptr_t value_;                                        \
    __asm__("movabsq $" #NAME ", %0" : "=r"(value_));        \
    value_;                                                  \
})
/* The same, read afresh: clang never merges it with another read of the hole,
 * so a value used before a call is not kept (spilled) across the call for the
 * reads after it, which read the hole again. */
#define FRESH_HOLE(NAME) ({                                  \
    uintptr_t value_;                                        \
    __asm__ volatile("movabsq $" #NAME ", %0" : "=r"(value_)); \
    value_;                                                  \
})
/* A hole used as a 32-bit value (movl's immediate, an R_X86_64_32 relocation):
 * 5 bytes instead of movabs's 10.  The emitter checks that the value fits. */
#define HOLE32(NAME) ({                                      \
    uint64_t value_;                                         \
    __asm__("movl $" #NAME ", %k0" : "=r"(value_));          \
    __builtin_assume(value_ <= UINT32_MAX);  /* movl zero-extends: no extension after */ \
    (uint32_t)value_;                                        \
})
/* The same, read afresh (as FRESH_HOLE). */
#define FRESH_HOLE32(NAME) ({                                \
    uint64_t value_;                                         \
    __asm__ volatile("movl $" #NAME ", %k0" : "=r"(value_)); \
    __builtin_assume(value_ <= UINT32_MAX);                  \
    (uint32_t)value_;                                        \
})
#define OPARG ((int)HOLE32(_JIT_OPARG))
#define OPARG2 ((int)HOLE32(_JIT_OPARG2))
#define OPERAND HOLE(_JIT_OPERAND)
/* The instruction's own code unit in _PyCode_CODE(co): what prev_instr holds
 * while it runs, so that tracebacks and f_lineno name its line. */
#define INSTR ((_Py_CODEUNIT *)HOLE(_JIT_INSTR))
/* The code unit before the instruction's first unit (EXTENDED_ARG included):
 * what prev_instr must hold for the interpreter to run the instruction next. */
#define RESUME_AT ((_Py_CODEUNIT *)HOLE(_JIT_RESUME))
/* The instruction's position in the program: exits name their site with it. */
#define SITE ((uintptr_t)HOLE32(_JIT_SITE))
#define EXIT_VALUE(REASON) ((PyObject *)((SITE << 8) | ((REASON) << 1) | 1))

extern CC PyObject *_JIT_CONTINUE(_PyInterpreterFrame *, PyObject **, PyThreadState *);
extern CC PyObject *_JIT_CONTINUE_COLD(_PyInterpreterFrame *, PyObject **, PyThreadState *);
extern CC PyObject *_JIT_JUMP_TARGET(_PyInterpreterFrame *, PyObject **, PyThreadState *);

/* Routines that stencils call instead of carrying them (stencils/shared.c):
 * native/jit.c emits each once per process.  ACCEL_NOT_CALLED: the routine
 * did not make the call, and consumed nothing.  ACCEL_C_RESULT: the bit that
 * tags the result (or NULL) of a call of a C function. */
#define ACCEL_NOT_CALLED ((PyObject *)1)
#define ACCEL_C_RESULT ((uintptr_t)2)
CC PyObject *SHARED_CALL(_PyInterpreterFrame *frame, PyObject **base, PyThreadState *tstate, int oparg,
                         accel_cache *cache, _Py_CODEUNIT *inlined_at, PyObject *kwnames);
CC PyObject *SHARED_BINARY_OP_PYTHON(PyThreadState *tstate, PyObject *left, PyObject *right, accel_cache *cache,
                                     int nb_op);
/* stencils/resume.c */
CC PyObject *SHARED_GEN_NEXT(_PyInterpreterFrame *frame, PyObject **sp, PyThreadState *tstate, PyObject *iter,
                             accel_resume_site *site);
CC int SHARED_GEN_SEND(_PyInterpreterFrame *frame, PyObject **sp, PyThreadState *tstate, PyObject *receiver,
                       PyObject *value, PyObject **presult, accel_resume_site *site);

#define CONTINUE() __attribute__((musttail)) return _JIT_CONTINUE(frame, sp, tstate)
/* The same, for a path that must be laid out cold although it goes on at the
 * next instruction: clang merges the tail calls (and the stack frame's
 * epilogue) of paths that CONTINUE, which would make them all part of the hot
 * part (stencils/split.py ends it at the first tail call to CONTINUE). */
#define CONTINUE_COLD() __attribute__((musttail)) return _JIT_CONTINUE_COLD(frame, sp, tstate)
#define JUMP() __attribute__((musttail)) return _JIT_JUMP_TARGET(frame, sp, tstate)

/* Unsigned: the index is the hole's zero-extended 32 bits, with no sign extension. */
#define LOCAL(I) (frame->localsplus[(unsigned)(I)])

/* Which way a test usually goes: clang keeps the usual path straight, ending in
 * the tail call to the next instruction (which the emitter then drops), and
 * lays the other out of line. */
#define LIKELY(X) __builtin_expect(!!(X), 1)
#define UNLIKELY(X) __builtin_expect(!!(X), 0)

/* Hand the frame to the interpreter before this instruction. */
#define EXIT(REASON) do {                                    \
    frame->prev_instr = RESUME_AT;                           \
    _PyFrame_SetStackPointer(frame, sp);                     \
    return EXIT_VALUE(REASON);                               \
} while (0)

/* Hand the frame to the interpreter after this instruction (its result pushed). */
#define EXIT_AFTER(REASON) do {                              \
    frame->prev_instr = (_Py_CODEUNIT *)HOLE(_JIT_RESUME_NEXT); \
    _PyFrame_SetStackPointer(frame, sp);                     \
    return EXIT_VALUE(REASON);                               \
} while (0)

/* Tracing or profiling switched on by code this instruction ran: the rest of the
 * frame must run where the interpreter reports its events. */
#define TRACING_ON() (tstate->cframe->use_tracing)

/* An exception is set, raised by the instruction at AT (prev_instr from now
 * on); the consumed inputs are already released.  In a try block whose handler
 * runs natively, go on at its UNWIND (stencils/exceptions.c); otherwise the
 * interpreter adds the traceback entry and unwinds. */
extern CC PyObject *_JIT_ERROR_TARGET(_PyInterpreterFrame *, PyObject **, PyThreadState *);
#define ERROR_AT(AT) do {                                    \
    frame->prev_instr = (AT);                                \
    _PyFrame_SetStackPointer(frame, sp);                     \
    if (HOLE32(_JIT_HANDLED)) {                              \
        __attribute__((musttail)) return _JIT_ERROR_TARGET(frame, sp, tstate); \
    }                                                        \
    return EXIT_VALUE(ACCEL_EXIT_ERROR);                     \
} while (0)
#define ERROR() ERROR_AT(INSTR)

/* An exception re-raised (RERAISE, a bare `raise`), set, with prev_instr set:
 * as ceval.c's `goto exception_unwind`, this frame gets no traceback entry for
 * it.  In a try block, go on at the handler's UNWIND_RERAISED (the specializer
 * leaves the instruction to the interpreter where the handler does not run
 * natively); otherwise leave the frame as the interpreter does when no handler
 * is found: the value stack released, NULL returned to the caller. */
#define RERAISE_UNWIND() do {                                \
    if (HOLE(_JIT_HANDLED)) {                                \
        _PyFrame_SetStackPointer(frame, sp);                 \
        __attribute__((musttail)) return _JIT_ERROR_TARGET(frame, sp, tstate); \
    }                                                        \
    PyObject **base_ = _PyFrame_Stackbase(frame);            \
    while (sp > base_) {                                     \
        PyObject *value_ = *--sp;                            \
        Py_XDECREF(value_);                                  \
    }                                                        \
    _PyFrame_SetStackPointer(frame, sp);                     \
    return NULL;                                             \
} while (0)

/* The end of a binary operation: release both operands, push the result, or
 * leave with the exception it raised. */
#define BINARY_RESULT(LEFT, RIGHT, RES) do {                 \
    Py_DECREF(LEFT);                                         \
    Py_DECREF(RIGHT);                                        \
    sp -= 2;                                                 \
    if (UNLIKELY((RES) == NULL)) {                           \
        ERROR();                                             \
    }                                                        \
    *sp++ = (RES);                                           \
    CONTINUE();                                              \
} while (0)

/* A site of operands of unknown types notes what they were, for the recompile
 * that specializes it (native/operand_kinds.h); one OR into its cache entry. */
#define PROFILE_OPERANDS(KIND) (((accel_cache *)HOLE(_JIT_CACHE))->operand_kinds |= (KIND))

/* Anything that may run Python code or look at the frame needs it current. */
#define SYNC_INSTR() (frame->prev_instr = INSTR)

/* Release a reference where only a deallocation can run code (a finalizer,
 * which sees this instruction's line): prev_instr is set on that path alone,
 * laid out of line, so the usual path is a decrement and a test. */
#define DECREF_AT_INSTR(O) do {                              \
    PyObject *decref_ = (O);                                 \
    if (UNLIKELY(--decref_->ob_refcnt == 0)) {               \
        SYNC_INSTR();                                        \
        _Py_Dealloc(decref_);                                \
    }                                                        \
} while (0)


/* LOAD_FAST fused with what uses what it loads: the local OPARG, borrowed from
 * its slot (accel/specializer/borrow.py); an unbound one exits before the pair,
 * for the interpreter to raise its UnboundLocalError. */
#define BORROW_LOCAL(OWNER) do {                                \
    (OWNER) = LOCAL(OPARG);                                     \
    if (UNLIKELY((OWNER) == NULL)) {                            \
        EXIT(ACCEL_EXIT_RAISE);                                 \
    }                                                           \
} while (0)

/* A relaxed load, as the interpreter's own check does. */
#define EVAL_BREAKER_SET() \
    (*(volatile int *)&tstate->interp->ceval.eval_breaker._value)

/* Whether locals (or stack slots) are unboxed here: then the eval breaker's
 * handlers may not run (they may run Python code, and the GC). */
#define RAW_LOCALS_LIVE (HOLE(_JIT_RAW_LOCALS) != 0)

/* What the interpreter does when the eval breaker is set (signal handlers,
 * pending calls, letting other threads run), then go on natively; where locals
 * are unboxed, or for what only the interpreter can do (an asynchronous
 * exception), LEAVE (EXIT or EXIT_AFTER) to the interpreter. */
#define HANDLE_EVAL_BREAKER(LEAVE, RAW_REASON) do {          \
    if (UNLIKELY(EVAL_BREAKER_SET())) {                      \
        if (RAW_LOCALS_LIVE) {                               \
            LEAVE(RAW_REASON);                               \
        }                                                    \
        SYNC_INSTR();                                        \
        _PyFrame_SetStackPointer(frame, sp);                 \
        int handled_ = accel_handle_eval_breaker(tstate);    \
        if (handled_ < 0) {                                  \
            ERROR();                                         \
        }                                                    \
        if (handled_ > 0) {                                  \
            LEAVE(ACCEL_EXIT_EVAL_BREAKER);                  \
        }                                                    \
        frame->stacktop = -1;  /* unset again while native code runs (deopt.c) */ \
    }                                                        \
} while (0)

/* At a backward jump, before anything of the instruction happens.  Where locals
 * are raw, native/deopt.c handles the breaker and the loop goes on natively. */
#define CHECK_EVAL_BREAKER() HANDLE_EVAL_BREAKER(EXIT, ACCEL_EXIT_EVAL_BREAKER_LOOP)

/* After a call, its result pushed, as 3.11's CALL and CALL_FUNCTION_EX do: a
 * signal that arrived during the call has its handler run before the next
 * instruction.  (An asynchronous exception waits for the interpreter's next
 * check, which cannot be made to happen between two instructions.) */
#define CHECK_EVAL_BREAKER_AFTER_CALL() HANDLE_EVAL_BREAKER(EXIT_AFTER, ACCEL_EXIT_EVAL_BREAKER)

#define FLOAT_VALUE(O) (((PyFloatObject *)(O))->ob_fval)

/* Python's // and % on C integers (the quotient rounded toward minus infinity,
 * the remainder with the divisor's sign); the divisor is not 0, and the
 * quotient fits (no INT64_MIN // -1: raw ints never hold INT64_MIN). */
static inline __attribute__((always_inline)) int64_t
floor_divide(int64_t left, int64_t right)
{
    int64_t quotient = left / right;
    return quotient - ((left % right != 0) & ((left < 0) != (right < 0)));
}

static inline __attribute__((always_inline)) int64_t
floor_remainder(int64_t left, int64_t right)
{
    int64_t remainder = left % right;
    return remainder + ((remainder != 0) & ((remainder < 0) != (right < 0))) * right;
}

/* Right operands the C forms of // and % (NONZERO_DIVISOR) and of >>
 * (NONNEGATIVE_COUNT) take; Python raises for the others. */
#define NONZERO_DIVISOR(RIGHT) ((RIGHT) != 0)
#define NONNEGATIVE_COUNT(RIGHT) ((RIGHT) >= 0)

/* Python's << and >> on C integers, for a count from 0 up: << of a count the
 * caller checked keeps every bit; >> rounds toward minus infinity (an arithmetic
 * shift), and a count past 63 leaves 0 or -1, as Python's does. */
static inline __attribute__((always_inline)) int64_t
shift_left(int64_t left, int64_t right)
{
    return (int64_t)((uint64_t)left << right);
}

static inline __attribute__((always_inline)) int64_t
shift_right(int64_t left, int64_t right)
{
    return left >> (right < 63 ? right : 63);
}

/* The next item of a list's or a tuple's iterator (accel_listiter, accel_tupleiter:
 * one layout but for the sequence's type), pushed; or the loop's end, where the
 * iterator drops its sequence and is popped.  KEEP_ALIVE (the forms of loops that
 * keep locals raw): a sequence that would die there exits first, since its items'
 * finalizers might run. */
#define SEQUENCE_ITER_END(ITER, ITER_TYPE, SEQ, KEEP_ALIVE) do {             \
    if ((KEEP_ALIVE) && (SEQ) != NULL && Py_REFCNT(SEQ) == 1) {              \
        EXIT(ACCEL_EXIT_GUARD_VALUE);                                        \
    }                                                                        \
    ((ITER_TYPE *)(ITER))->it_seq = NULL;                                    \
    Py_XDECREF(SEQ);                                                         \
    sp--;                                                                    \
    Py_DECREF(ITER);  /* an iterator without its sequence: freeing it runs nothing */ \
    JUMP();                                                                  \
} while (0)
#define SEQUENCE_ITER_NEXT(ITER, ITER_TYPE, SIZE, ITEM, KEEP_ALIVE) do {     \
    ITER_TYPE *it_ = (ITER_TYPE *)(ITER);                                    \
    __typeof__(it_->it_seq) seq_ = it_->it_seq;                              \
    if (UNLIKELY(seq_ == NULL || it_->it_index >= SIZE(seq_))) {             \
        SEQUENCE_ITER_END(ITER, ITER_TYPE, seq_, KEEP_ALIVE);                \
    }                                                                        \
    PyObject *next_ = ITEM(seq_, it_->it_index++);                           \
    Py_INCREF(next_);                                                        \
    *sp++ = next_;                                                           \
    CONTINUE();                                                              \
} while (0)
#define LIST_ITER_NEXT(ITER, KEEP_ALIVE) \
    SEQUENCE_ITER_NEXT(ITER, accel_listiter, PyList_GET_SIZE, PyList_GET_ITEM, KEEP_ALIVE)
#define TUPLE_ITER_NEXT(ITER, KEEP_ALIVE) \
    SEQUENCE_ITER_NEXT(ITER, accel_tupleiter, PyTuple_GET_SIZE, PyTuple_GET_ITEM, KEEP_ALIVE)

/* Truth of a condition, left where it is: 1, 0, or -1 with an exception set. */
static inline __attribute__((always_inline)) int
truth_of(_PyInterpreterFrame *frame, PyObject *cond)
{
    if (Py_IsTrue(cond)) {
        return 1;
    }
    if (Py_IsFalse(cond)) {
        return 0;
    }
    if (PyLong_CheckExact(cond)) {  /* `while n:`, `if x & 1:`: an int is true unless 0 */
        return Py_SIZE(cond) != 0;
    }
    SYNC_INSTR();
    return PyObject_IsTrue(cond);
}

/* A new reference to the int object for a raw int: CPython's own small-int
 * singletons without a call, as its int arithmetic returns them; an int of one
 * digit made as its arithmetic makes one (longobject.c's _PyLong_FromMedium),
 * without PyLong_FromLongLong's count of digits. */
static inline __attribute__((always_inline)) PyObject *
box_int(int64_t raw)
{
    if (raw >= -_PY_NSMALLNEGINTS && raw < _PY_NSMALLPOSINTS) {
        PyObject *small = (PyObject *)&_PyLong_SMALL_INTS[_PY_NSMALLNEGINTS + raw];
        Py_INCREF(small);
        return small;
    }
    if ((uint64_t)(raw + PyLong_MASK) <= 2 * (uint64_t)PyLong_MASK) {
        PyLongObject *medium = PyObject_Malloc(sizeof(PyLongObject));
        if (UNLIKELY(medium == NULL)) {
            return PyErr_NoMemory();
        }
        Py_SET_TYPE(medium, &PyLong_Type);  /* (a static type: no reference to take) */
        Py_SET_SIZE(medium, raw < 0 ? -1 : 1);
        _Py_NewReference((PyObject *)medium);
        medium->ob_digit[0] = (digit)(raw < 0 ? -raw : raw);
        return (PyObject *)medium;
    }
    return PyLong_FromLongLong(raw);
}

/* Unboxed floats live in the frame's own slots, as raw bits, where the
 * specializer decided so; nothing can observe them there (see
 * accel/specializer/unbox.py), and native/deopt.c boxes them before any exit;
 * IS_UNBOXABLE_FLOAT (unboxed.h) says which floats may go there. */
static inline __attribute__((always_inline)) uint64_t
as_bits(double value)
{
    uint64_t bits;
    __builtin_memcpy(&bits, &value, sizeof bits);
    return bits;
}

static inline __attribute__((always_inline)) double
raw_float(PyObject *slot)
{
    double value;
    __builtin_memcpy(&value, &slot, sizeof value);
    return value;
}

static inline __attribute__((always_inline)) PyObject *
as_slot(double value)
{
    PyObject *slot;
    __builtin_memcpy(&slot, &value, sizeof slot);
    return slot;
}

/* *where = a raw float: into the exact float only *where holds, in place
 * (nothing else can see it change; saves an allocation and a deallocation),
 * else a new float, the old value released (its deallocation may run code, at
 * this instruction).  0, or -1 with an exception set. */
static inline __attribute__((always_inline)) int
store_float_member(_PyInterpreterFrame *frame, PyObject **where, double value)
{
    PyObject *old = *where;
    if (LIKELY(old != NULL && PyFloat_CheckExact(old) && Py_REFCNT(old) == 1)) {
        FLOAT_VALUE(old) = value;
        return 0;
    }
    PyObject *boxed = PyFloat_FromDouble(value);
    if (boxed == NULL) {
        return -1;
    }
    *where = boxed;
    if (old != NULL) {
        DECREF_AT_INSTR(old);
    }
    return 0;
}

#define FITS_RAW_INT(V) ((V) != RAW_INT_UNBOUND)

/* Ints of at most two digits (|value| < 2**60), such as sums kept under a 32-bit
 * mask: read as a C integer, so that arithmetic on them need not go through
 * PyNumber_* and int's generic digit loops.  Zero's digit is not read. */
#define IS_TWO_DIGIT_INT(O) \
    (Py_TYPE(O) == &PyLong_Type && (size_t)(Py_SIZE(O) + 2) < 5)

static inline __attribute__((always_inline)) int64_t
two_digit_value(PyObject *o)
{
    Py_ssize_t size = Py_SIZE(o);
    const digit *digits = ((PyLongObject *)o)->ob_digit;
    int64_t magnitude = 0;
    if (size != 0) {
        magnitude = digits[0];
    }
    if (size == 2 || size == -2) {
        magnitude |= (int64_t)digits[1] << PyLong_SHIFT;
    }
    return size < 0 ? -magnitude : magnitude;
}

/* An exact int whose value fits a raw int, or 0.  Ints of up to two digits are
 * read in place (an lcg's state masked to 31 bits is two digits half the time);
 * larger ones through int's own conversion. */
static inline __attribute__((always_inline)) int
unbox_int(PyObject *value, int64_t *out)
{
    if (!PyLong_CheckExact(value)) {
        return 0;
    }
    if (IS_COMPACT_INT(value)) {
        *out = COMPACT_VALUE(value);
        return 1;
    }
    if (IS_TWO_DIGIT_INT(value)) {
        *out = two_digit_value(value);
        return 1;
    }
    int overflow;
    long long v = PyLong_AsLongLongAndOverflow(value, &overflow);
    *out = v;
    return !overflow && FITS_RAW_INT(v);
}

#endif
