/* Unboxed floats and ints: conversions at the edges of unboxed code, and the
 * operations on raw values between them.  The specializer (accel/specializer/
 * unbox.py) decides where values stay raw; these stencils only move bits.
 *
 * A raw local may be unbound: it then holds the kind's UNBOUND pattern, which
 * no operation produces and native/deopt.c boxes back to NULL. */
#include "stencil.h"
#include "float_pow.h"

/* ---- floats ---- */

/* Push a local's float as raw bits; another type exits before anything changes. */
STENCIL(LOAD_FAST_UNBOX_FLOAT)
{
    PyObject *value = LOCAL(OPARG);
    if (value == NULL || !IS_UNBOXABLE_FLOAT(value)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    *sp++ = as_slot(FLOAT_VALUE(value));
    CONTINUE();
}

/* Unbox the stack slot OPARG deep (1 is the top): the operand of what follows. */
STENCIL(UNBOX_FLOAT)
{
    PyObject *value = sp[-OPARG];
    if (!IS_UNBOXABLE_FLOAT(value)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    sp[-OPARG] = as_slot(FLOAT_VALUE(value));
    Py_DECREF(value);
    CONTINUE();
}

STENCIL(BOX_FLOAT)
{
    PyObject *value = PyFloat_FromDouble(raw_float(sp[-1]));
    sp[-1] = value;
    if (value == NULL) {
        ERROR();
    }
    CONTINUE();
}

/* A raw float stored to a local that stays boxed: into the float the local
 * holds when the frame has its only reference (nothing else can see it
 * change), which saves an allocation and a deallocation; else a new float. */
STENCIL(STORE_FAST_BOX_FLOAT)
{
    double value = raw_float(sp[-1]);
    PyObject *old = LOCAL(OPARG);
    sp--;
    if (old != NULL && PyFloat_CheckExact(old) && Py_REFCNT(old) == 1) {
        FLOAT_VALUE(old) = value;
        CONTINUE();
    }
    PyObject *boxed = PyFloat_FromDouble(value);
    if (boxed == NULL) {
        ERROR();
    }
    LOCAL(OPARG) = boxed;
    Py_XDECREF(old);
    CONTINUE();
}

/* The same where locals are raw (accel/specializer/unbox.py): an old value
 * other than a float whose last reference this would release exits before the
 * store (its deallocation could run a finalizer, which could look at the
 * frame), and so does a float that cannot be allocated: the interpreter
 * stores, with the locals boxed, and raises the MemoryError itself. */
STENCIL(STORE_FAST_BOX_FLOAT_PURE)
{
    double value = raw_float(sp[-1]);
    PyObject *old = LOCAL(OPARG);
    if (old != NULL && Py_REFCNT(old) == 1) {
        if (LIKELY(PyFloat_CheckExact(old))) {
            FLOAT_VALUE(old) = value;
            sp--;
            CONTINUE();
        }
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    PyObject *boxed = PyFloat_FromDouble(value);
    if (UNLIKELY(boxed == NULL)) {
        PyErr_Clear();
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    sp--;
    LOCAL(OPARG) = boxed;
    if (old != NULL) {
        Py_DECREF(old);  /* (not the last reference) */
    }
    CONTINUE();
}

/* On entry to a loop that keeps the local raw. */
STENCIL(UNBOX_LOCAL_FLOAT)
{
    PyObject *value = LOCAL(OPARG);
    if (value == NULL) {
        LOCAL(OPARG) = (PyObject *)RAW_FLOAT_UNBOUND;
        CONTINUE();
    }
    if (!IS_UNBOXABLE_FLOAT(value)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    LOCAL(OPARG) = as_slot(FLOAT_VALUE(value));
    Py_DECREF(value);
    CONTINUE();
}

/* On entry at a loop's back edge whose operands are raw on the stack (OPARG: the
 * slot, from the bottom of the stack), where the frame holds objects only. */
STENCIL(UNBOX_STACK_FLOAT)
{
    PyObject **slot = &_PyFrame_Stackbase(frame)[OPARG];
    PyObject *value = *slot;
    if (!IS_UNBOXABLE_FLOAT(value)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    *slot = as_slot(FLOAT_VALUE(value));
    Py_DECREF(value);
    CONTINUE();
}

/* On the way out of such a loop. */
STENCIL(BOX_LOCAL_FLOAT)
{
    PyObject *raw = LOCAL(OPARG);
    if (raw == (PyObject *)RAW_FLOAT_UNBOUND) {
        LOCAL(OPARG) = NULL;
        CONTINUE();
    }
    PyObject *value = PyFloat_FromDouble(raw_float(raw));
    if (value == NULL) {
        LOCAL(OPARG) = NULL;
        ERROR();
    }
    LOCAL(OPARG) = value;
    CONTINUE();
}

/* Before a return from a loop that keeps locals raw (OPERAND: which), when no
 * frame object can outlive the frame: its raw locals die with it, so they are
 * dropped rather than boxed, and the return (the jump target) runs next.  With
 * a frame object, the BOX_LOCAL_* after this box them for it. */
STENCIL(DROP_RAW_LOCALS)
{
    if (frame->frame_obj != NULL) {
        CONTINUE();
    }
    for (uint64_t raw = OPERAND; raw != 0; raw &= raw - 1) {
        LOCAL(__builtin_ctzll(raw)) = NULL;
    }
    JUMP();
}

STENCIL(LOAD_FAST_BOX_FLOAT)
{
    PyObject *value = PyFloat_FromDouble(raw_float(LOCAL(OPARG)));
    if (value == NULL) {
        ERROR();
    }
    *sp++ = value;
    CONTINUE();
}

#define BINARY_OP_FLOAT_RAW(NAME, OP)                           \
    STENCIL(NAME)                                               \
    {                                                           \
        double right = raw_float(sp[-1]);                       \
        double left = raw_float(sp[-2]);                        \
        sp[-2] = as_slot(left OP right);                        \
        sp--;                                                   \
        CONTINUE();                                             \
    }

BINARY_OP_FLOAT_RAW(BINARY_OP_ADD_FLOAT_RAW, +)
BINARY_OP_FLOAT_RAW(BINARY_OP_SUBTRACT_FLOAT_RAW, -)
BINARY_OP_FLOAT_RAW(BINARY_OP_MULTIPLY_FLOAT_RAW, *)

STENCIL(BINARY_OP_TRUE_DIVIDE_FLOAT_RAW)
{
    double right = raw_float(sp[-1]);
    double left = raw_float(sp[-2]);
    if (right == 0.0) {
        sp -= 2;
        PyErr_SetString(PyExc_ZeroDivisionError, "float division by zero");
        ERROR();
    }
    sp[-2] = as_slot(left / right);
    sp--;
    CONTINUE();
}

/* float_pow's own code on boxed operands, for its errors and special values (the
 * caller has excluded a complex result): 0 with the exception set on an error. */
static inline __attribute__((always_inline)) int
float_pow_boxed(double left, double right, double *out)
{
    PyObject *base = PyFloat_FromDouble(left);
    PyObject *exponent = base == NULL ? NULL : PyFloat_FromDouble(right);
    PyObject *res = exponent == NULL ? NULL : PyNumber_Power(base, exponent, Py_None);
    Py_XDECREF(base);
    Py_XDECREF(exponent);
    if (res == NULL) {
        return 0;
    }
    *out = FLOAT_VALUE(res);  /* a float: the complex case is the caller's */
    Py_DECREF(res);
    return 1;
}

/* Outside float_pow's plain case, its own code on boxed operands (its errors
 * and special values); a result it would make complex exits first. */
STENCIL(BINARY_OP_POWER_FLOAT_RAW)
{
    double right = raw_float(sp[-1]);
    double left = raw_float(sp[-2]);
    double result;
    if (!float_pow_plain(left, right, &result)) {
        if (float_pow_is_complex(left, right)) {
            EXIT(ACCEL_EXIT_GUARD_VALUE);
        }
        SYNC_INSTR();
        if (!float_pow_boxed(left, right, &result)) {
            sp -= 2;
            ERROR();
        }
    }
    sp[-2] = as_slot(result);
    sp--;
    CONTINUE();
}

/* The fused LOAD_CONST_RAW 0.5 and BINARY_OP_POWER_FLOAT_RAW: x ** 0.5 from the
 * base alone, the square root first (sqrt_is_pow: bound to be pow's bits), then
 * as BINARY_OP_POWER_FLOAT_RAW without trying the square root again.  Its exit (a negative base) comes before the
 * constant is pushed: the interpreter resumes at the LOAD_CONST. */
STENCIL(BINARY_OP_POWER_FLOAT_RAW_HALF)
{
    double base = raw_float(sp[-1]);
    double result;
    if (!sqrt_is_pow(base, &result) && !float_pow_by_libm(base, 0.5, &result)) {
        if (float_pow_is_complex(base, 0.5)) {
            EXIT(ACCEL_EXIT_GUARD_VALUE);
        }
        SYNC_INSTR();
        if (!float_pow_boxed(base, 0.5, &result)) {
            sp--;
            ERROR();
        }
    }
    sp[-1] = as_slot(result);
    CONTINUE();
}

/* The slot of list[index], a negative index counting from the end; NULL when
 * out of range. */
static inline PyObject **
list_slot(PyObject *list, Py_ssize_t index)
{
    Py_ssize_t size = PyList_GET_SIZE(list);
    if (index < 0) {
        index += size;
    }
    return index < 0 || index >= size ? NULL : &((PyListObject *)list)->ob_item[index];
}

/* A list's float item, raw, for a float operation: any other container, index
 * out of range or item exits before anything changes (at a site that keeps
 * exiting, the recompile leaves the subscript generic). */
STENCIL(BINARY_SUBSCR_LIST_INT_UNBOX_FLOAT)
{
    PyObject *sub = sp[-1], *list = sp[-2];
    if (!PyList_CheckExact(list) || !IS_COMPACT_INT(sub)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    PyObject **slot = list_slot(list, COMPACT_VALUE(sub));
    if (slot == NULL) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    PyObject *item = *slot;
    if (!IS_UNBOXABLE_FLOAT(item)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    sp[-2] = as_slot(FLOAT_VALUE(item));
    sp--;
    Py_DECREF(sub);
    Py_DECREF(list);
    CONTINUE();
}

/* The fused LOAD_FAST of a list, its index and BINARY_SUBSCR_LIST_INT_UNBOX_FLOAT:
 * the float item raw, without a reference count changed, so that it runs
 * nothing else even where locals are raw.  Anything else exits before the
 * LOAD_FAST, where the interpreter does it all.  IS_FLOAT: the floats that will
 * do (IS_UNBOXABLE_FLOAT where the value goes into a raw slot). */
#define LIST_ITEM_FLOAT_IF(LIST, INDEX, OUT, IS_FLOAT) do {     \
    PyObject *list_ = (LIST);                                   \
    if (UNLIKELY(list_ == NULL || !PyList_CheckExact(list_))) { \
        EXIT(ACCEL_EXIT_GUARD_TYPE);                            \
    }                                                           \
    Py_ssize_t index_ = (INDEX), size_ = PyList_GET_SIZE(list_); \
    index_ += index_ < 0 ? size_ : 0;                           \
    if (UNLIKELY((size_t)index_ >= (size_t)size_)) {            \
        EXIT(ACCEL_EXIT_GUARD_VALUE);                           \
    }                                                           \
    PyObject *item_ = ((PyListObject *)list_)->ob_item[index_]; \
    if (UNLIKELY(!IS_FLOAT(item_))) {                           \
        EXIT(ACCEL_EXIT_GUARD_TYPE);                            \
    }                                                           \
    (OUT) = FLOAT_VALUE(item_);                                 \
} while (0)
#define LIST_ITEM_FLOAT(LIST, INDEX, OUT) LIST_ITEM_FLOAT_IF(LIST, INDEX, OUT, IS_UNBOXABLE_FLOAT)

/* The constant index k of the fused item forms (OPARG2), 0 <= k < 2**31: known
 * not negative, it needs no adjustment from the end (accel/specializer/unbox.py
 * gives a negative constant LOAD_FAST_ITEM_FROM_END_UNBOX_FLOAT). */
#define CONST_INDEX ((Py_ssize_t)HOLE32(_JIT_OPARG2))

/* list[k], k a constant (CONST_INDEX). */
STENCIL(LOAD_FAST_ITEM_CONST_UNBOX_FLOAT)
{
    double item;
    LIST_ITEM_FLOAT(LOCAL(OPARG), CONST_INDEX, item);
    *sp++ = as_slot(item);
    CONTINUE();
}

/* LIST_ITEM_FLOAT of a LIST known to be a list, INDEX known not negative. */
#define KNOWN_LIST_ITEM_FLOAT_IF(LIST, INDEX, OUT, IS_FLOAT) do { \
    PyListObject *known_ = (PyListObject *)(LIST);              \
    Py_ssize_t at_ = (INDEX);                                   \
    if (UNLIKELY((size_t)at_ >= (size_t)Py_SIZE(known_))) {     \
        EXIT(ACCEL_EXIT_GUARD_VALUE);                           \
    }                                                           \
    PyObject *item_ = known_->ob_item[at_];                     \
    if (UNLIKELY(!IS_FLOAT(item_))) {                           \
        EXIT(ACCEL_EXIT_GUARD_TYPE);                            \
    }                                                           \
    (OUT) = FLOAT_VALUE(item_);                                 \
} while (0)
#define KNOWN_LIST_ITEM_FLOAT(LIST, INDEX, OUT) KNOWN_LIST_ITEM_FLOAT_IF(LIST, INDEX, OUT, IS_UNBOXABLE_FLOAT)

/* list[k] as LOAD_FAST_ITEM_CONST_UNBOX_FLOAT, where an item load before it, with
 * nothing between that can rebind a local, found the local a list (and a list
 * stays one): only k's range and the item are left to check. */
STENCIL(LOAD_FAST_KNOWN_LIST_ITEM_CONST_UNBOX_FLOAT)
{
    double item;
    KNOWN_LIST_ITEM_FLOAT(LOCAL(OPARG), CONST_INDEX, item);
    *sp++ = as_slot(item);
    CONTINUE();
}

/* list[-m], m a constant (OPARG2), 0 < m <= 2**31. */
STENCIL(LOAD_FAST_ITEM_FROM_END_UNBOX_FLOAT)
{
    double item;
    LIST_ITEM_FLOAT(LOCAL(OPARG), -(Py_ssize_t)HOLE32(_JIT_OPARG2), item);
    *sp++ = as_slot(item);
    CONTINUE();
}

/* list[i], i a local holding an int (OPARG2). */
STENCIL(LOAD_FAST_ITEM_FAST_UNBOX_FLOAT)
{
    PyObject *sub = LOCAL(OPARG2);
    if (UNLIKELY(sub == NULL || !IS_COMPACT_INT(sub))) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    double item;
    LIST_ITEM_FLOAT(LOCAL(OPARG), COMPACT_VALUE(sub), item);
    *sp++ = as_slot(item);
    CONTINUE();
}

/* list[i] as above, the list in the cell OPARG (a closure's or a generator
 * expression's free variable); an empty cell exits, and the interpreter's
 * LOAD_DEREF raises. */
STENCIL(LOAD_DEREF_ITEM_FAST_UNBOX_FLOAT)
{
    PyObject *sub = LOCAL(OPARG2);
    if (UNLIKELY(sub == NULL || !IS_COMPACT_INT(sub))) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    double item;
    LIST_ITEM_FLOAT(PyCell_GET(LOCAL(OPARG)), COMPACT_VALUE(sub), item);
    *sp++ = as_slot(item);
    CONTINUE();
}

/* list[i], i a raw int local (OPARG2); unbound, it is out of any list's range. */
STENCIL(LOAD_FAST_ITEM_RAW_UNBOX_FLOAT)
{
    double item;
    LIST_ITEM_FLOAT(LOCAL(OPARG), (int64_t)LOCAL(OPARG2), item);
    *sp++ = as_slot(item);
    CONTINUE();
}

/* The start of `list[k] op= x` (LOAD_FAST, LOAD_CONST, COPY 2, COPY 2,
 * BINARY_SUBSCR_LIST_INT_UNBOX_FLOAT): the list and the constant k (OPERAND,
 * its value CONST_INDEX) stay on the stack for the store, the item goes on raw. */
STENCIL(LOAD_FAST_CONST_KEEP_ITEM_UNBOX_FLOAT)
{
    PyObject *list = LOCAL(OPARG), *sub = (PyObject *)OPERAND;
    double item;
    LIST_ITEM_FLOAT(list, CONST_INDEX, item);
    Py_INCREF(list);
    Py_INCREF(sub);
    sp[0] = list;
    sp[1] = sub;
    sp[2] = as_slot(item);
    sp += 3;
    CONTINUE();
}

/* A raw float into the list item (a float) at SLOT: into the float itself where
 * the list has the only reference, else a new float (MemoryError: ERROR()). */
#define STORE_INTO_FLOAT_ITEM(SLOT, VALUE) do {                 \
    PyObject **slot_ = (SLOT);                                  \
    PyObject *old_ = *slot_;                                    \
    if (LIKELY(Py_REFCNT(old_) == 1)) {                         \
        FLOAT_VALUE(old_) = (VALUE);                            \
        break;                                                  \
    }                                                           \
    PyObject *boxed_ = PyFloat_FromDouble(VALUE);               \
    if (boxed_ == NULL) {                                       \
        ERROR();                                                \
    }                                                           \
    *slot_ = boxed_;                                            \
    Py_DECREF(old_);  /* not its last reference */              \
} while (0)

/* The end of `list[k] op= x` whose start (LOAD_FAST_ITEM_CONST_UNBOX_FLOAT, local
 * OPARG, k CONST_INDEX) checked the list, k's range and its float item, with
 * nothing between that can fail or run code (accel/specializer/unbox.py makes
 * sure): so the list and k need not wait on the stack nor be checked again, and
 * the item is still that float.  The result goes into it where the list has the
 * only reference, else into a new float. */
STENCIL(STORE_FAST_ITEM_CONST_BOX_FLOAT)
{
    double value = raw_float(*--sp);
    STORE_INTO_FLOAT_ITEM(&((PyListObject *)LOCAL(OPARG))->ob_item[CONST_INDEX], value);
    CONTINUE();
}

/* STORE_SUBSCR_LIST_INT_BOX_FLOAT whose list and index k (CONST_INDEX) were pushed
 * by LOAD_FAST_CONST_KEEP_ITEM_UNBOX_FLOAT, which checked them, with nothing between
 * that can run code (accel/specializer/unbox.py makes sure): k is still in range. */
STENCIL(STORE_SUBSCR_LIST_CONST_BOX_FLOAT)
{
    PyObject *sub = sp[-2], *list = sp[-3];
    double value = raw_float(sp[-1]);
    PyObject **item = &((PyListObject *)list)->ob_item[CONST_INDEX];
    PyObject *old = *item;
    if (UNLIKELY(!PyFloat_CheckExact(old))) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);  /* (as STORE_SUBSCR_LIST_INT_BOX_FLOAT) */
    }
    STORE_INTO_FLOAT_ITEM(item, value);
    sp -= 3;
    Py_DECREF(sub);
    Py_DECREF(list);
    CONTINUE();
}

/* The end of `list[i] op= x` on floats (SWAP 3, SWAP 2, STORE_SUBSCR) with the
 * result raw: stack [list, index, raw].  The result goes into the item's own
 * float when the list has its only reference, else into a new float.  Any
 * other container or index exits before anything changes: the interpreter
 * resumes at the first SWAP (the raw result boxed there by native/deopt.c). */
STENCIL(STORE_SUBSCR_LIST_INT_BOX_FLOAT)
{
    PyObject *sub = sp[-2], *list = sp[-3];
    double value = raw_float(sp[-1]);
    if (!PyList_CheckExact(list) || !IS_COMPACT_INT(sub)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    PyObject **item = list_slot(list, COMPACT_VALUE(sub));
    if (item == NULL) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    PyObject *old = *item;
    if (UNLIKELY(!PyFloat_CheckExact(old))) {
        /* (the item the statement read was a float: only code it called
         * changes it, and releasing another type might run code) */
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    STORE_INTO_FLOAT_ITEM(item, value);
    sp -= 3;
    Py_DECREF(sub);
    Py_DECREF(list);
    CONTINUE();
}

/* As COMPARE_OP_FLOAT_JUMP (stencils/compare.c), on raw operands. */
STENCIL(COMPARE_OP_FLOAT_JUMP_RAW)
{
    double right = raw_float(sp[-1]);
    double left = raw_float(sp[-2]);
    if (OPARG2) {
        CHECK_EVAL_BREAKER();
    }
    sp -= 2;
    int outcome = (left < right) | (left == right) << 1 | (left > right) << 2;
    if (OPARG & (outcome ? outcome : 8)) {
        JUMP();
    }
    CONTINUE();
}

/* ---- fused raw float arithmetic ----
 *
 * An operation on raw floats with its operands taken straight from raw locals
 * (FAST) or a constant (CONST, its bits in OPERAND) rather than pushed first,
 * and its result stored straight into a raw local (_STORE) rather than pushed:
 * the values stay in registers between the steps.  The locals' indexes are
 * packed into OPARG: the left operand's in bits 8-15, the right's in 16-23,
 * the stored one's in 24-31.  None
 * of these can fail (a comparison's eval-breaker exit comes before anything). */
#define FUSED_LOCAL(N) ((OPARG >> (8 * (N))) & 0xFF)

/* The same for raw ints (+, -, *), whose overflow (or the UNBOUND pattern) exits
 * before anything changes, at the first instruction of the run: the left
 * operand from the stack or a raw local, the right one from a raw local or a
 * constant (OPERAND), the result pushed or stored. */
#define INT_FUSED(NAME, BUILTIN, LEFT, RIGHT, POPS, STORES)     \
    STENCIL(NAME)                                               \
    {                                                           \
        int64_t result;                                         \
        if (UNLIKELY(BUILTIN((int64_t)(LEFT), (int64_t)(RIGHT), &result) || !FITS_RAW_INT(result))) { \
            EXIT(ACCEL_EXIT_GUARD_VALUE);                       \
        }                                                       \
        sp -= (POPS);                                           \
        if (STORES) {                                           \
            LOCAL(FUSED_LOCAL(3)) = (PyObject *)result;         \
        }                                                       \
        else {                                                  \
            *sp++ = (PyObject *)result;                         \
        }                                                       \
        CONTINUE();                                             \
    }
#define INT_LOCAL(N) LOCAL(FUSED_LOCAL(N))
#define INT_FUSED_FORMS(OPNAME, BUILTIN)                                                                \
    INT_FUSED(BINARY_OP_##OPNAME##_INT_RAW_STACK_FAST, BUILTIN, sp[-1], INT_LOCAL(2), 1, 0)             \
    INT_FUSED(BINARY_OP_##OPNAME##_INT_RAW_FAST_FAST, BUILTIN, INT_LOCAL(1), INT_LOCAL(2), 0, 0)        \
    INT_FUSED(BINARY_OP_##OPNAME##_INT_RAW_FAST_CONST, BUILTIN, INT_LOCAL(1), OPERAND, 0, 0)            \
    INT_FUSED(BINARY_OP_##OPNAME##_INT_RAW_FAST_FAST_STORE, BUILTIN, INT_LOCAL(1), INT_LOCAL(2), 0, 1)

INT_FUSED_FORMS(ADD, __builtin_add_overflow)
INT_FUSED_FORMS(SUBTRACT, __builtin_sub_overflow)
INT_FUSED_FORMS(MULTIPLY, __builtin_mul_overflow)

#define LEFT_FAST raw_float(LOCAL(FUSED_LOCAL(1)))
#define RIGHT_FAST raw_float(LOCAL(FUSED_LOCAL(2)))
#define FUSED_CONST raw_float((PyObject *)OPERAND)

#define FLOAT_FUSED_PUSH(NAME, OP, LEFT, RIGHT, POPS)           \
    STENCIL(NAME)                                               \
    {                                                           \
        double left = (LEFT), right = (RIGHT);                  \
        sp -= (POPS);                                           \
        *sp++ = as_slot(left OP right);                         \
        CONTINUE();                                             \
    }

#define FLOAT_FUSED_STORE(NAME, OP, LEFT, RIGHT, POPS)          \
    STENCIL(NAME)                                               \
    {                                                           \
        double left = (LEFT), right = (RIGHT);                  \
        sp -= (POPS);                                           \
        LOCAL(FUSED_LOCAL(3)) = as_slot(left OP right);         \
        CONTINUE();                                             \
    }

#define FLOAT_FUSED_FORMS(OPNAME, OP)                                                           \
    FLOAT_FUSED_PUSH(BINARY_OP_##OPNAME##_FLOAT_RAW_STACK_FAST, OP, raw_float(sp[-1]), RIGHT_FAST, 1) \
    FLOAT_FUSED_PUSH(BINARY_OP_##OPNAME##_FLOAT_RAW_STACK_CONST, OP, raw_float(sp[-1]), FUSED_CONST, 1) \
    FLOAT_FUSED_PUSH(BINARY_OP_##OPNAME##_FLOAT_RAW_FAST_FAST, OP, LEFT_FAST, RIGHT_FAST, 0)    \
    FLOAT_FUSED_PUSH(BINARY_OP_##OPNAME##_FLOAT_RAW_FAST_CONST, OP, LEFT_FAST, FUSED_CONST, 0)  \
    FLOAT_FUSED_PUSH(BINARY_OP_##OPNAME##_FLOAT_RAW_CONST_FAST, OP, FUSED_CONST, RIGHT_FAST, 0) \
    FLOAT_FUSED_STORE(BINARY_OP_##OPNAME##_FLOAT_RAW_STACK_STACK_STORE, OP, raw_float(sp[-2]), raw_float(sp[-1]), 2) \
    FLOAT_FUSED_STORE(BINARY_OP_##OPNAME##_FLOAT_RAW_STACK_FAST_STORE, OP, raw_float(sp[-1]), RIGHT_FAST, 1) \
    FLOAT_FUSED_STORE(BINARY_OP_##OPNAME##_FLOAT_RAW_STACK_CONST_STORE, OP, raw_float(sp[-1]), FUSED_CONST, 1) \
    FLOAT_FUSED_STORE(BINARY_OP_##OPNAME##_FLOAT_RAW_FAST_FAST_STORE, OP, LEFT_FAST, RIGHT_FAST, 0) \
    FLOAT_FUSED_STORE(BINARY_OP_##OPNAME##_FLOAT_RAW_FAST_CONST_STORE, OP, LEFT_FAST, FUSED_CONST, 0) \
    FLOAT_FUSED_STORE(BINARY_OP_##OPNAME##_FLOAT_RAW_CONST_FAST_STORE, OP, FUSED_CONST, RIGHT_FAST, 0)

FLOAT_FUSED_FORMS(ADD, +)
FLOAT_FUSED_FORMS(SUBTRACT, -)
FLOAT_FUSED_FORMS(MULTIPLY, *)

/* `list[k] += x * y` and `list[k] -= x * y`, the list a local, k a constant
 * (CONST_INDEX), x a raw local and y another or an item of the same list (its
 * index, j, in OPERAND): the statement's item loads, the product, the operation
 * and the store in one instruction (accel/specializer/unbox.py,
 * _fuse_item_updates), which keeps the values in registers.  The list's, the
 * indexes' and the items' checks exit before anything changes (the interpreter
 * resumes at the statement's first LOAD_FAST); the arithmetic is the separate
 * instructions' (the product rounded, then the sum), the store
 * STORE_FAST_ITEM_CONST_BOX_FLOAT's.  Any exact float will do as an item: its value
 * never lands in a raw slot, so the UNBOUND pattern is a NaN like any other.
 * OPARG: the list local in bits 0-7, x's in 8-15, y's in 16-23.  LIST_KNOWN: an
 * item load before it checked the list. */
#define UPDATE_ITEM_PRODUCT(NAME, OP, LIST_KNOWN, FACTOR_FROM_ITEM)     \
    STENCIL(NAME)                                                       \
    {                                                                   \
        PyObject *list = LOCAL(FUSED_LOCAL(0));                         \
        double item, factor;                                            \
        if (LIST_KNOWN) {                                               \
            KNOWN_LIST_ITEM_FLOAT_IF(list, CONST_INDEX, item, PyFloat_CheckExact); \
        }                                                               \
        else {                                                          \
            LIST_ITEM_FLOAT_IF(list, CONST_INDEX, item, PyFloat_CheckExact); \
        }                                                               \
        if (FACTOR_FROM_ITEM) {                                         \
            KNOWN_LIST_ITEM_FLOAT_IF(list, (Py_ssize_t)OPERAND, factor, PyFloat_CheckExact); \
        }                                                               \
        else {                                                          \
            factor = RIGHT_FAST;                                        \
        }                                                               \
        double product = LEFT_FAST * factor;                            \
        STORE_INTO_FLOAT_ITEM(&((PyListObject *)list)->ob_item[CONST_INDEX], item OP product); \
        CONTINUE();                                                     \
    }

#define UPDATE_ITEM_PRODUCT_FORMS(OPNAME, OP)                                                           \
    UPDATE_ITEM_PRODUCT(LOAD_FAST_ITEM_CONST_##OPNAME##_PRODUCT_FAST_FAST, OP, 0, 0)                     \
    UPDATE_ITEM_PRODUCT(LOAD_FAST_KNOWN_LIST_ITEM_CONST_##OPNAME##_PRODUCT_FAST_FAST, OP, 1, 0)          \
    UPDATE_ITEM_PRODUCT(LOAD_FAST_ITEM_CONST_##OPNAME##_PRODUCT_FAST_ITEM, OP, 0, 1)                     \
    UPDATE_ITEM_PRODUCT(LOAD_FAST_KNOWN_LIST_ITEM_CONST_##OPNAME##_PRODUCT_FAST_ITEM, OP, 1, 1)

UPDATE_ITEM_PRODUCT_FORMS(ADD, +)
UPDATE_ITEM_PRODUCT_FORMS(SUBTRACT, -)

/* COMPARE_OP_FLOAT_JUMP_RAW with fused operands, one form per jump condition
 * (the outcomes it jumps on, as the mask in COMPARE_OP_FLOAT_JUMP_RAW's OPARG:
 * 1 less, 2 equal, 4 greater, 8 unordered), which clang makes one ucomisd and
 * one conditional jump.  The NOT_ forms jump on NaN operands too. */
#define JUMPS_IF_LT(L, R) ((L) < (R))
#define JUMPS_IF_LE(L, R) ((L) <= (R))
#define JUMPS_IF_EQ(L, R) ((L) == (R))
#define JUMPS_IF_NE(L, R) ((L) != (R))
#define JUMPS_IF_GT(L, R) ((L) > (R))
#define JUMPS_IF_GE(L, R) ((L) >= (R))
#define JUMPS_IF_NOT_LT(L, R) (!((L) < (R)))
#define JUMPS_IF_NOT_LE(L, R) (!((L) <= (R)))
#define JUMPS_IF_NOT_GT(L, R) (!((L) > (R)))
#define JUMPS_IF_NOT_GE(L, R) (!((L) >= (R)))

#define COMPARE_FUSED(NAME, CONDITION, LEFT, RIGHT, POPS)       \
    STENCIL(NAME)                                               \
    {                                                           \
        if (OPARG2) {                                           \
            CHECK_EVAL_BREAKER();                               \
        }                                                       \
        double left = (LEFT), right = (RIGHT);                  \
        sp -= (POPS);                                           \
        if (CONDITION(left, right)) {                           \
            JUMP();                                             \
        }                                                       \
        CONTINUE();                                             \
    }

#define COMPARE_FUSED_FORMS(COND)                                                                \
    COMPARE_FUSED(COMPARE_OP_FLOAT_JUMP_RAW_##COND##_STACK_STACK, JUMPS_IF_##COND, raw_float(sp[-2]), raw_float(sp[-1]), 2) \
    COMPARE_FUSED(COMPARE_OP_FLOAT_JUMP_RAW_##COND##_STACK_FAST, JUMPS_IF_##COND, raw_float(sp[-1]), RIGHT_FAST, 1) \
    COMPARE_FUSED(COMPARE_OP_FLOAT_JUMP_RAW_##COND##_STACK_CONST, JUMPS_IF_##COND, raw_float(sp[-1]), FUSED_CONST, 1) \
    COMPARE_FUSED(COMPARE_OP_FLOAT_JUMP_RAW_##COND##_FAST_FAST, JUMPS_IF_##COND, LEFT_FAST, RIGHT_FAST, 0) \
    COMPARE_FUSED(COMPARE_OP_FLOAT_JUMP_RAW_##COND##_FAST_CONST, JUMPS_IF_##COND, LEFT_FAST, FUSED_CONST, 0) \
    COMPARE_FUSED(COMPARE_OP_FLOAT_JUMP_RAW_##COND##_CONST_FAST, JUMPS_IF_##COND, FUSED_CONST, RIGHT_FAST, 0)

COMPARE_FUSED_FORMS(LT)
COMPARE_FUSED_FORMS(LE)
COMPARE_FUSED_FORMS(EQ)
COMPARE_FUSED_FORMS(NE)
COMPARE_FUSED_FORMS(GT)
COMPARE_FUSED_FORMS(GE)
COMPARE_FUSED_FORMS(NOT_LT)
COMPARE_FUSED_FORMS(NOT_LE)
COMPARE_FUSED_FORMS(NOT_GT)
COMPARE_FUSED_FORMS(NOT_GE)

/* ---- ints ---- */

STENCIL(LOAD_FAST_UNBOX_INT)
{
    PyObject *value = LOCAL(OPARG);
    int64_t raw;
    if (value == NULL || !unbox_int(value, &raw)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    *sp++ = (PyObject *)raw;
    CONTINUE();
}

STENCIL(UNBOX_INT)
{
    PyObject *value = sp[-OPARG];
    int64_t raw;
    if (!unbox_int(value, &raw)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    sp[-OPARG] = (PyObject *)raw;
    Py_DECREF(value);
    CONTINUE();
}

STENCIL(BOX_INT)
{
    PyObject *value = box_int((int64_t)sp[-1]);
    sp[-1] = value;
    if (value == NULL) {
        ERROR();
    }
    CONTINUE();
}

STENCIL(UNBOX_LOCAL_INT)
{
    PyObject *value = LOCAL(OPARG);
    int64_t raw;
    if (value == NULL) {
        LOCAL(OPARG) = (PyObject *)RAW_INT_UNBOUND;
        CONTINUE();
    }
    if (!unbox_int(value, &raw)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    LOCAL(OPARG) = (PyObject *)raw;
    Py_DECREF(value);
    CONTINUE();
}

STENCIL(UNBOX_STACK_INT)
{
    PyObject **slot = &_PyFrame_Stackbase(frame)[OPARG];
    int64_t raw;
    if (!unbox_int(*slot, &raw)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    Py_DECREF(*slot);
    *slot = (PyObject *)raw;
    CONTINUE();
}

STENCIL(BOX_LOCAL_INT)
{
    int64_t raw = (int64_t)LOCAL(OPARG);
    if (raw == RAW_INT_UNBOUND) {
        LOCAL(OPARG) = NULL;
        CONTINUE();
    }
    PyObject *value = box_int(raw);
    if (value == NULL) {
        LOCAL(OPARG) = NULL;
        ERROR();
    }
    LOCAL(OPARG) = value;
    CONTINUE();
}

STENCIL(LOAD_FAST_BOX_INT)
{
    PyObject *value = box_int((int64_t)LOCAL(OPARG));
    if (value == NULL) {
        ERROR();
    }
    *sp++ = value;
    CONTINUE();
}

/* Overflow (or the UNBOUND pattern) exits before anything changes: the
 * interpreter computes the big int. */
#define BINARY_OP_INT_RAW(NAME, BUILTIN)                        \
    STENCIL(NAME)                                               \
    {                                                           \
        int64_t right = (int64_t)sp[-1];                        \
        int64_t left = (int64_t)sp[-2];                         \
        int64_t result;                                         \
        if (BUILTIN(left, right, &result) || !FITS_RAW_INT(result)) { \
            EXIT(ACCEL_EXIT_GUARD_VALUE);                       \
        }                                                       \
        sp[-2] = (PyObject *)result;                            \
        sp--;                                                   \
        CONTINUE();                                             \
    }

BINARY_OP_INT_RAW(BINARY_OP_ADD_INT_RAW, __builtin_add_overflow)
BINARY_OP_INT_RAW(BINARY_OP_SUBTRACT_INT_RAW, __builtin_sub_overflow)
BINARY_OP_INT_RAW(BINARY_OP_MULTIPLY_INT_RAW, __builtin_mul_overflow)

/* The same with a constant right operand (OPERAND, its raw bits), fused with the
 * LOAD_CONST_RAW that would push it (accel/specializer/unbox.py): an exit
 * resumes the interpreter at that LOAD_CONST, nothing changed. */
#define BINARY_OP_INT_RAW_CONST(NAME, BUILTIN)                  \
    STENCIL(NAME)                                               \
    {                                                           \
        int64_t left = (int64_t)sp[-1];                         \
        int64_t result;                                         \
        if (UNLIKELY(BUILTIN(left, (int64_t)OPERAND, &result) || !FITS_RAW_INT(result))) { \
            EXIT(ACCEL_EXIT_GUARD_VALUE);                       \
        }                                                       \
        sp[-1] = (PyObject *)result;                            \
        CONTINUE();                                             \
    }

BINARY_OP_INT_RAW_CONST(BINARY_OP_ADD_INT_RAW_STACK_CONST, __builtin_add_overflow)
BINARY_OP_INT_RAW_CONST(BINARY_OP_SUBTRACT_INT_RAW_STACK_CONST, __builtin_sub_overflow)
BINARY_OP_INT_RAW_CONST(BINARY_OP_MULTIPLY_INT_RAW_STACK_CONST, __builtin_mul_overflow)

/* x // 2**OPARG for a constant power of two (fused as above): an arithmetic
 * shift, which rounds toward minus infinity as // does, and cannot overflow. */
STENCIL(BINARY_OP_FLOOR_DIVIDE_INT_RAW_STACK_POWER_OF_TWO)
{
    sp[-1] = (PyObject *)((int64_t)sp[-1] >> OPARG);
    CONTINUE();
}

/* The UNBOUND pattern (INT64_MIN, which & and ^ can make) exits before anything
 * changes: the interpreter computes it as an object. */
#define BINARY_OP_INT_BITWISE_RAW(NAME, OP)                     \
    STENCIL(NAME)                                               \
    {                                                           \
        int64_t result = (int64_t)sp[-2] OP (int64_t)sp[-1];    \
        if (!FITS_RAW_INT(result)) {                            \
            EXIT(ACCEL_EXIT_GUARD_VALUE);                       \
        }                                                       \
        sp[-2] = (PyObject *)result;                            \
        sp--;                                                   \
        CONTINUE();                                             \
    }

BINARY_OP_INT_BITWISE_RAW(BINARY_OP_AND_INT_RAW, &)
BINARY_OP_INT_BITWISE_RAW(BINARY_OP_OR_INT_RAW, |)
BINARY_OP_INT_BITWISE_RAW(BINARY_OP_XOR_INT_RAW, ^)

/* A negative count (ValueError) exits before anything changes, and so does a
 * result that would lose bits: the interpreter raises, or makes the big int. */
STENCIL(BINARY_OP_LSHIFT_INT_RAW)
{
    int64_t right = (int64_t)sp[-1];
    int64_t left = (int64_t)sp[-2];
    if ((uint64_t)right > 63 && !(right > 0 && left == 0)) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    int64_t result = right > 63 ? 0 : shift_left(left, right);
    if (shift_right(result, right) != left || !FITS_RAW_INT(result)) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    sp[-2] = (PyObject *)result;
    sp--;
    CONTINUE();
}

/* A right operand ACCEPTS refuses (a zero divisor, a negative count) exits
 * before anything changes: the interpreter raises. */
#define BINARY_OP_INT_CALL_RAW(NAME, FUNCTION, ACCEPTS)         \
    STENCIL(NAME)                                               \
    {                                                           \
        int64_t right = (int64_t)sp[-1];                        \
        int64_t left = (int64_t)sp[-2];                         \
        if (!ACCEPTS(right)) {                                  \
            EXIT(ACCEL_EXIT_GUARD_VALUE);                       \
        }                                                       \
        sp[-2] = (PyObject *)FUNCTION(left, right);             \
        sp--;                                                   \
        CONTINUE();                                             \
    }

BINARY_OP_INT_CALL_RAW(BINARY_OP_FLOOR_DIVIDE_INT_RAW, floor_divide, NONZERO_DIVISOR)
BINARY_OP_INT_CALL_RAW(BINARY_OP_REMAINDER_INT_RAW, floor_remainder, NONZERO_DIVISOR)
BINARY_OP_INT_CALL_RAW(BINARY_OP_RSHIFT_INT_RAW, shift_right, NONNEGATIVE_COUNT)

/* The raw int OPARG deep as a raw float, as float arithmetic converts an int
 * operand (PyLong_AsDouble: the nearest double, ties to even). */
STENCIL(INT_TO_FLOAT)
{
    sp[-OPARG] = as_slot((double)(int64_t)sp[-OPARG]);
    CONTINUE();
}

STENCIL(COMPARE_OP_INT_JUMP_RAW)
{
    int64_t right = (int64_t)sp[-1];
    int64_t left = (int64_t)sp[-2];
    if (OPARG2) {
        CHECK_EVAL_BREAKER();
    }
    sp -= 2;
    if (OPARG & (1 << ((left >= right) + (left > right)))) {
        JUMP();
    }
    CONTINUE();
}

/* COMPARE_OP_INT_JUMP_RAW that jumps forward, one form per jump condition (the
 * low three bits of its mask: 1 less, 2 equal, 4 greater), which clang makes
 * one cmp and one conditional jump (accel/specializer/unbox.py,
 * INT_JUMP_CONDITIONS); a forward jump checks no eval breaker. */
#define COMPARE_INT_BY_CONDITION(COND)                          \
    STENCIL(COMPARE_OP_INT_JUMP_RAW_##COND)                     \
    {                                                           \
        int64_t right = (int64_t)sp[-1];                        \
        int64_t left = (int64_t)sp[-2];                         \
        sp -= 2;                                                \
        if (JUMPS_IF_##COND(left, right)) {                     \
            JUMP();                                             \
        }                                                       \
        CONTINUE();                                             \
    }

COMPARE_INT_BY_CONDITION(LT)
COMPARE_INT_BY_CONDITION(LE)
COMPARE_INT_BY_CONDITION(EQ)
COMPARE_INT_BY_CONDITION(NE)
COMPARE_INT_BY_CONDITION(GT)
COMPARE_INT_BY_CONDITION(GE)

/* ... fused with the loads of its operands (accel/specializer/unbox.py,
 * fuse_int_comparisons): nothing pushed, the values in registers.  An operand
 * comes from a boxed local, unboxed in place (LOCAL: one that is unbound, or
 * not an int that fits a raw int, exits before anything, the interpreter
 * resuming at the first LOAD_FAST), from a raw local (FAST) or from a constant
 * (CONST, its raw value in OPERAND).  The locals' indexes are in OPARG's bits
 * 8-15 (left) and 16-23 (right), as the fused float operations have them. */
#define INT_OPERAND_LOCAL(SIDE, OUT) do {                       \
    PyObject *boxed_ = LOCAL(FUSED_LOCAL(SIDE));                \
    if (UNLIKELY(boxed_ == NULL || !unbox_int(boxed_, &(OUT)))) { \
        EXIT(ACCEL_EXIT_GUARD_TYPE);                            \
    }                                                           \
} while (0)
#define INT_OPERAND_FAST(SIDE, OUT) ((OUT) = (int64_t)LOCAL(FUSED_LOCAL(SIDE)))
#define INT_OPERAND_CONST(SIDE, OUT) ((OUT) = (int64_t)OPERAND)

#define COMPARE_INT_FUSED(COND, LEFT, RIGHT)                    \
    STENCIL(COMPARE_OP_INT_JUMP_##COND##_##LEFT##_##RIGHT)      \
    {                                                           \
        int64_t left, right;                                    \
        INT_OPERAND_##LEFT(1, left);                            \
        INT_OPERAND_##RIGHT(2, right);                          \
        if (JUMPS_IF_##COND(left, right)) {                     \
            JUMP();                                             \
        }                                                       \
        CONTINUE();                                             \
    }

#define COMPARE_INT_FUSED_FORMS(COND)                           \
    COMPARE_INT_FUSED(COND, LOCAL, LOCAL)                       \
    COMPARE_INT_FUSED(COND, LOCAL, FAST)                        \
    COMPARE_INT_FUSED(COND, LOCAL, CONST)                       \
    COMPARE_INT_FUSED(COND, FAST, LOCAL)                        \
    COMPARE_INT_FUSED(COND, FAST, FAST)                         \
    COMPARE_INT_FUSED(COND, FAST, CONST)

COMPARE_INT_FUSED_FORMS(LT)
COMPARE_INT_FUSED_FORMS(LE)
COMPARE_INT_FUSED_FORMS(EQ)
COMPARE_INT_FUSED_FORMS(NE)
COMPARE_INT_FUSED_FORMS(GT)
COMPARE_INT_FUSED_FORMS(GE)

/* Both raw and boxed forms share the raw-only-on-a-range-iterator rule: any
 * other iterator exits, since the generic path may run Python code. */
STENCIL(FOR_ITER_RANGE_RAW)
{
    PyObject *iter = sp[-1];
    if (Py_TYPE(iter) != &PyRangeIter_Type) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    accel_rangeiter *r = (accel_rangeiter *)iter;
    if (r->index >= r->len) {
        sp--;
        Py_DECREF(iter);
        JUMP();
    }
    int64_t next = (int64_t)(r->start + (unsigned long)r->index * r->step);
    if (!FITS_RAW_INT(next)) {
        EXIT(ACCEL_EXIT_GUARD_VALUE);
    }
    r->index++;
    *sp++ = (PyObject *)next;
    CONTINUE();
}

/* ---- loops that keep locals raw: forms that run no Python code ---- */

/* FOR_ITER_LIST where locals are raw: an iterator of neither a list nor a tuple
 * exits, and so does the end of a sequence that would die with it (its items'
 * finalizers might run). */
STENCIL(FOR_ITER_LIST_GUARDED)
{
    PyObject *iter = sp[-1];
    if (UNLIKELY(Py_TYPE(iter) != &PyListIter_Type)) {
        if (UNLIKELY(Py_TYPE(iter) != &PyTupleIter_Type)) {
            EXIT(ACCEL_EXIT_GUARD_TYPE);
        }
        TUPLE_ITER_NEXT(iter, 1);
    }
    LIST_ITER_NEXT(iter, 1);
}

/* GET_ITER where locals are raw (an outer loop around list loops): an exact list's
 * or tuple's iterator, made where that can run no code: the stack's reference to
 * the sequence is not its last, and the iterator's allocation cannot start a
 * garbage collection (whose finalizers and callbacks could look at the frame).
 * Anything else jumps to the generic GET_ITER, the raw locals boxed before it and
 * unboxed after it (accel/specializer/unbox.py, _box_around_get_iter). */
STENCIL(GET_ITER_RAW_LOOP)
{
    PyObject *iterable = sp[-1];
    struct _gc_runtime_state *gc = &tstate->interp->gc;
    if (LIKELY((PyList_CheckExact(iterable) || PyTuple_CheckExact(iterable)) && Py_REFCNT(iterable) > 1
               && (!gc->enabled || gc->generations[0].count < gc->generations[0].threshold))) {
        PyObject *iter = Py_TYPE(iterable)->tp_iter(iterable);
        Py_DECREF(iterable);  /* not its last reference */
        if (iter == NULL) {
            sp--;
            ERROR();
        }
        sp[-1] = iter;
        CONTINUE();
    }
    JUMP();
}

/* `for a, b in pairs` where locals are raw: FOR_ITER_LIST_GUARDED over a list,
 * UNPACK_SEQUENCE_TWO_GUARDED and the two STORE_FASTs after it (their locals in
 * OPERAND's low two bytes) in one, the next item's two items straight into the
 * locals.  An iterator of another kind exits before anything.  An item that is
 * not an exact tuple or list of two, or a local's old value that would be
 * released for the last time (its finalizer could look at the frame), exits
 * after the FOR_ITER, the item pushed: the interpreter unpacks and stores it,
 * the raw locals boxed. */
STENCIL(FOR_ITER_LIST_UNPACK_TWO_TO_LOCALS)
{
    PyObject *iter = sp[-1];
    if (UNLIKELY(Py_TYPE(iter) != &PyListIter_Type)) {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    accel_listiter *it = (accel_listiter *)iter;
    PyListObject *seq = it->it_seq;
    if (UNLIKELY(seq == NULL || it->it_index >= PyList_GET_SIZE(seq))) {
        SEQUENCE_ITER_END(iter, accel_listiter, seq, 1);
    }
    PyObject *pair = seq->ob_item[it->it_index++];
    PyObject **items;
    if (LIKELY(PyTuple_CheckExact(pair) && PyTuple_GET_SIZE(pair) == 2)) {
        items = ((PyTupleObject *)pair)->ob_item;
    }
    else if (PyList_CheckExact(pair) && PyList_GET_SIZE(pair) == 2) {
        items = ((PyListObject *)pair)->ob_item;
    }
    else {
        goto unpack_in_interpreter;
    }
    PyObject **first_local = &LOCAL(OPERAND & 0xFF), **second_local = &LOCAL((OPERAND >> 8) & 0xFF);
    PyObject *first_old = *first_local, *second_old = *second_local;
    if (UNLIKELY((first_old != NULL && Py_REFCNT(first_old) == 1)
                 || (second_old != NULL && Py_REFCNT(second_old) <= 1 + (second_old == first_old)))) {
        goto unpack_in_interpreter;
    }
    PyObject *first = items[0], *second = items[1];
    Py_INCREF(first);
    Py_INCREF(second);
    *first_local = first;
    *second_local = second;
    Py_XDECREF(first_old);  /* neither release is the last */
    Py_XDECREF(second_old);
    CONTINUE();
unpack_in_interpreter:
    Py_INCREF(pair);
    *sp++ = pair;
    frame->prev_instr = INSTR;  /* the FOR_ITER's unit: the UNPACK_SEQUENCE runs next */
    _PyFrame_SetStackPointer(frame, sp);
    return EXIT_VALUE(ACCEL_EXIT_GUARD_TYPE);
}

/* UNPACK_SEQUENCE where locals are raw: an exact tuple or list of OPARG items
 * (its release cannot free them, they are on the stack now); anything else,
 * which the interpreter iterates, exits. */
STENCIL(UNPACK_SEQUENCE_GUARDED)
{
    int n = OPARG;
    PyObject *seq = sp[-1];
    PyObject **items;
    if (PyTuple_CheckExact(seq) && PyTuple_GET_SIZE(seq) == n) {
        items = ((PyTupleObject *)seq)->ob_item;
    }
    else if (PyList_CheckExact(seq) && PyList_GET_SIZE(seq) == n) {
        items = ((PyListObject *)seq)->ob_item;
    }
    else {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    sp--;
    while (n--) {
        PyObject *item = items[n];
        Py_INCREF(item);
        *sp++ = item;
    }
    Py_DECREF(seq);
    CONTINUE();
}

/* UNPACK_SEQUENCE_GUARDED of two items (where CPython chose UNPACK_SEQUENCE_TWO_TUPLE),
 * unrolled. */
STENCIL(UNPACK_SEQUENCE_TWO_GUARDED)
{
    PyObject *seq = sp[-1];
    PyObject **items;
    if (LIKELY(PyTuple_CheckExact(seq) && PyTuple_GET_SIZE(seq) == 2)) {
        items = ((PyTupleObject *)seq)->ob_item;
    }
    else if (PyList_CheckExact(seq) && PyList_GET_SIZE(seq) == 2) {
        items = ((PyListObject *)seq)->ob_item;
    }
    else {
        EXIT(ACCEL_EXIT_GUARD_TYPE);
    }
    PyObject *first = items[0], *second = items[1];
    Py_INCREF(first);
    Py_INCREF(second);
    sp[-1] = second;
    sp[0] = first;
    sp++;
    Py_DECREF(seq);
    CONTINUE();
}

/* The operand holds the constant's bits. */
STENCIL(LOAD_CONST_RAW)
{
    *sp++ = (PyObject *)OPERAND;
    CONTINUE();
}

STENCIL(LOAD_FAST_RAW)
{
    *sp++ = LOCAL(OPARG);
    CONTINUE();
}

STENCIL(STORE_FAST_RAW)
{
    LOCAL(OPARG) = *--sp;
    CONTINUE();
}

/* x += k and x -= k for an int local kept boxed and an int constant k (OPERAND, its
 * raw bits), fused from LOAD_FAST_UNBOX_INT x, the raw operation with its constant,
 * BOX_INT and STORE_FAST x (accel/specializer/int_updates.py).  Anything but an int
 * in x, or a result that does not fit a raw int, exits before the statement, nothing
 * changed.  The int replaced is released last (an int's deallocation runs no code). */
#define INT_LOCAL_UPDATE(NAME, BUILTIN)                         \
    STENCIL(NAME)                                               \
    {                                                           \
        PyObject *old = LOCAL(OPARG);                           \
        int64_t raw, result;                                    \
        if (UNLIKELY(old == NULL || !unbox_int(old, &raw))) {   \
            EXIT(ACCEL_EXIT_GUARD_TYPE);                        \
        }                                                       \
        if (UNLIKELY(BUILTIN(raw, (int64_t)OPERAND, &result) || !FITS_RAW_INT(result))) { \
            EXIT(ACCEL_EXIT_GUARD_VALUE);                       \
        }                                                       \
        PyObject *value = box_int(result);                      \
        if (UNLIKELY(value == NULL)) {                          \
            ERROR();                                            \
        }                                                       \
        LOCAL(OPARG) = value;                                   \
        Py_DECREF(old);                                         \
        CONTINUE();                                             \
    }

INT_LOCAL_UPDATE(INT_LOCAL_ADD_CONST, __builtin_add_overflow)
INT_LOCAL_UPDATE(INT_LOCAL_SUBTRACT_CONST, __builtin_sub_overflow)
