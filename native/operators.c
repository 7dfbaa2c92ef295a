/* Binary operators whose left operand is an instance of a Python class that
 * defines the operator in Python, and whose right operand is of that class, or
 * an exact int or float (`a - b` on two Vecs, `v * 2.0`): the class's dunder is
 * called the way native code calls a Python function (native/calls.c), not
 * through the type slot, _PyEval_Vector and the PEP 523 hook.
 *
 * For such operands, CPython's binary_op1 (abstract.c) calls the left type's
 * slot first, and the slot CPython gives a class that defines the dunder in
 * Python (slot_nb_subtract...) calls only that dunder, found by _PyType_Lookup,
 * with both operands (an int or a float has no such slot, so the reflected
 * dunder is not tried).  If it returns NotImplemented, binary_op1 tries the
 * right type's slot (for an int or a float), and then the operator raises the
 * TypeError of binop_type_error, unless the left type has the sequence slots
 * that + and * fall back to; such types (and in-place operators whose class
 * defines the in-place dunder) take the generic path. */
#include "runtime.h"
#include "opcode.h"  /* NB_* */

/* What each binary NB_* operator is, for the non-in-place ones. */
typedef struct {
    size_t slot;          /* offset of its slot in PyNumberMethods */
    size_t inplace_slot;  /* ... of the in-place slot */
    PyObject *dunder;     /* the method's name */
    const char *symbol;   /* as binop_type_error names it */
    const char *inplace_symbol;
} operator_info;

#define NUMBER_SLOT(NAME) offsetof(PyNumberMethods, NAME)

/* The slot a class that defines every operator in Python gets, by NB_* (the
 * same function for every such class): read at start-up from a probe class. */
static binaryfunc python_slot[NB_INPLACE_ADD];
static operator_info operators[NB_INPLACE_ADD];

static const struct {
    int op;
    size_t slot, inplace_slot;
    const char *dunder, *symbol, *inplace_symbol;
} OPERATOR_TABLE[] = {
    {NB_ADD, NUMBER_SLOT(nb_add), NUMBER_SLOT(nb_inplace_add), "__add__", "+", "+="},
    {NB_AND, NUMBER_SLOT(nb_and), NUMBER_SLOT(nb_inplace_and), "__and__", "&", "&="},
    {NB_FLOOR_DIVIDE, NUMBER_SLOT(nb_floor_divide), NUMBER_SLOT(nb_inplace_floor_divide), "__floordiv__", "//", "//="},
    {NB_LSHIFT, NUMBER_SLOT(nb_lshift), NUMBER_SLOT(nb_inplace_lshift), "__lshift__", "<<", "<<="},
    {NB_MATRIX_MULTIPLY, NUMBER_SLOT(nb_matrix_multiply), NUMBER_SLOT(nb_inplace_matrix_multiply), "__matmul__",
     "@", "@="},
    {NB_MULTIPLY, NUMBER_SLOT(nb_multiply), NUMBER_SLOT(nb_inplace_multiply), "__mul__", "*", "*="},
    {NB_REMAINDER, NUMBER_SLOT(nb_remainder), NUMBER_SLOT(nb_inplace_remainder), "__mod__", "%", "%="},
    {NB_OR, NUMBER_SLOT(nb_or), NUMBER_SLOT(nb_inplace_or), "__or__", "|", "|="},
    {NB_RSHIFT, NUMBER_SLOT(nb_rshift), NUMBER_SLOT(nb_inplace_rshift), "__rshift__", ">>", ">>="},
    {NB_SUBTRACT, NUMBER_SLOT(nb_subtract), NUMBER_SLOT(nb_inplace_subtract), "__sub__", "-", "-="},
    {NB_TRUE_DIVIDE, NUMBER_SLOT(nb_true_divide), NUMBER_SLOT(nb_inplace_true_divide), "__truediv__", "/", "/="},
    {NB_XOR, NUMBER_SLOT(nb_xor), NUMBER_SLOT(nb_inplace_xor), "__xor__", "^", "^="},
};

static inline binaryfunc
number_slot(PyTypeObject *type, size_t offset)
{
    return *(binaryfunc *)((char *)type->tp_as_number + offset);
}

/* + and * on a type with these fall back to them after NotImplemented. */
static inline int
has_sequence_fallback(PyTypeObject *type)
{
    PySequenceMethods *sq = type->tp_as_sequence;
    return sq != NULL && (sq->sq_concat != NULL || sq->sq_repeat != NULL || sq->sq_inplace_concat != NULL
                          || sq->sq_inplace_repeat != NULL);
}

/* The dunder of `left`'s class that CPython's slot would call for `nb_op`
 * with these operands, when that is all it would call (see above), borrowed;
 * NULL if the generic path must do it. */
static inline PyObject *
python_dunder(PyObject *left, PyObject *right, int nb_op)
{
    PyTypeObject *type = Py_TYPE(left), *right_type = Py_TYPE(right);
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE)
        || (right_type != type && right_type != &PyFloat_Type && right_type != &PyLong_Type)) {
        return NULL;
    }
    int inplace = nb_op >= NB_INPLACE_ADD;
    const operator_info *info = &operators[inplace ? nb_op - NB_INPLACE_ADD : nb_op];
    if (info->dunder == NULL || type->tp_as_number == NULL
        || number_slot(type, info->slot) != python_slot[inplace ? nb_op - NB_INPLACE_ADD : nb_op]
        || (inplace && number_slot(type, info->inplace_slot) != NULL) || has_sequence_fallback(type)) {
        return NULL;
    }
    PyObject *dunder = _PyType_Lookup(type, info->dunder);
    if (dunder == NULL || !PyFunction_Check(dunder)) {
        return NULL;  /* the slot would bind a descriptor, or find nothing */
    }
    return dunder;
}

PyObject *
accel_operator_not_implemented(PyObject *left, PyObject *right, int nb_op, PyObject *res)
{
    PyTypeObject *type = Py_TYPE(left), *right_type = Py_TYPE(right);
    int inplace = nb_op >= NB_INPLACE_ADD;
    const operator_info *info = &operators[inplace ? nb_op - NB_INPLACE_ADD : nb_op];
    if (right_type != type && number_slot(right_type, info->slot) != NULL) {
        Py_DECREF(res);
        res = number_slot(right_type, info->slot)(left, right);  /* the int's or float's own */
    }
    if (res == Py_NotImplemented) {
        Py_DECREF(res);
        PyErr_Format(PyExc_TypeError, "unsupported operand type(s) for %.100s: '%.100s' and '%.100s'",
                     inplace ? info->inplace_symbol : info->symbol, type->tp_name, right_type->tp_name);
        res = NULL;
    }
    return res;
}

/* left OP right by the Python dunder of their common class: 1 with *result
 * set (NULL: raised), or 0 if the generic path must do it.  A BINARY_OP
 * site's `cache` (or NULL) learns the dunder under the class's version tag,
 * for SHARED_BINARY_OP_PYTHON to call it from the site next time. */
static inline int
python_operator(PyObject *left, PyObject *right, int nb_op, PyObject **result, accel_cache *cache)
{
    PyObject *dunder = python_dunder(left, right, nb_op);
    if (dunder == NULL) {
        return 0;
    }
    PyTypeObject *type = Py_TYPE(left);
    if (cache != NULL && (type->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG) && type->tp_version_tag != 0) {
        /* (_PyType_Lookup gave the class its tag, where it can have one.) */
        cache->operator_class_version = type->tp_version_tag;
        cache->operator_dunder = dunder;
        accel_fill_call_shape(&cache->operator_call, (PyCodeObject *)((PyFunctionObject *)dunder)->func_code, 2);
    }
    PyThreadState *tstate = _PyThreadState_GET();
    Py_INCREF(dunder);  /* the class may drop it while it runs */
    PyObject *args[2] = {left, right};
    PyObject *res = accel_call_python(tstate, dunder, args, 2);
    Py_DECREF(dunder);
    if (res == Py_NotImplemented) {
        res = accel_operator_not_implemented(left, right, nb_op, res);
    }
    *result = res;
    return 1;
}

PyObject *
accel_binary_op_miss(PyObject *left, PyObject *right, int nb_op, accel_cache *cache, binaryfunc generic)
{
    PyObject *res;
    if (python_operator(left, right, nb_op, &res, cache)) {
        return res;
    }
    return generic(left, right);
}

/* The functions BINARY_OP's generic path calls (native/jit.c picks them): the
 * Python dunder natively where python_operator applies, else PyNumber_*. */
#define OPERATOR(NAME, NB_OP, GENERIC)                               \
    PyObject *NAME(PyObject *left, PyObject *right)                  \
    {                                                                \
        PyObject *res;                                               \
        if (python_operator(left, right, NB_OP, &res, NULL)) {       \
            return res;                                              \
        }                                                            \
        return GENERIC(left, right);                                 \
    }

OPERATOR(accel_number_add, NB_ADD, PyNumber_Add)
OPERATOR(accel_number_and, NB_AND, PyNumber_And)
OPERATOR(accel_number_floor_divide, NB_FLOOR_DIVIDE, PyNumber_FloorDivide)
OPERATOR(accel_number_lshift, NB_LSHIFT, PyNumber_Lshift)
OPERATOR(accel_number_matrix_multiply, NB_MATRIX_MULTIPLY, PyNumber_MatrixMultiply)
OPERATOR(accel_number_multiply, NB_MULTIPLY, PyNumber_Multiply)
OPERATOR(accel_number_remainder, NB_REMAINDER, PyNumber_Remainder)
OPERATOR(accel_number_or, NB_OR, PyNumber_Or)
OPERATOR(accel_number_rshift, NB_RSHIFT, PyNumber_Rshift)
OPERATOR(accel_number_subtract, NB_SUBTRACT, PyNumber_Subtract)
OPERATOR(accel_number_true_divide, NB_TRUE_DIVIDE, PyNumber_TrueDivide)
OPERATOR(accel_number_xor, NB_XOR, PyNumber_Xor)
OPERATOR(accel_number_inplace_add, NB_INPLACE_ADD, PyNumber_InPlaceAdd)
OPERATOR(accel_number_inplace_and, NB_INPLACE_AND, PyNumber_InPlaceAnd)
OPERATOR(accel_number_inplace_floor_divide, NB_INPLACE_FLOOR_DIVIDE, PyNumber_InPlaceFloorDivide)
OPERATOR(accel_number_inplace_lshift, NB_INPLACE_LSHIFT, PyNumber_InPlaceLshift)
OPERATOR(accel_number_inplace_matrix_multiply, NB_INPLACE_MATRIX_MULTIPLY, PyNumber_InPlaceMatrixMultiply)
OPERATOR(accel_number_inplace_multiply, NB_INPLACE_MULTIPLY, PyNumber_InPlaceMultiply)
OPERATOR(accel_number_inplace_remainder, NB_INPLACE_REMAINDER, PyNumber_InPlaceRemainder)
OPERATOR(accel_number_inplace_or, NB_INPLACE_OR, PyNumber_InPlaceOr)
OPERATOR(accel_number_inplace_rshift, NB_INPLACE_RSHIFT, PyNumber_InPlaceRshift)
OPERATOR(accel_number_inplace_subtract, NB_INPLACE_SUBTRACT, PyNumber_InPlaceSubtract)
OPERATOR(accel_number_inplace_true_divide, NB_INPLACE_TRUE_DIVIDE, PyNumber_InPlaceTrueDivide)
OPERATOR(accel_number_inplace_xor, NB_INPLACE_XOR, PyNumber_InPlaceXor)

int
accel_operators_init(void)
{
    PyObject *source = PyUnicode_FromString("class Probe:\n");
    for (size_t i = 0; source != NULL && i < sizeof OPERATOR_TABLE / sizeof OPERATOR_TABLE[0]; i++) {
        PyUnicode_AppendAndDel(&source, PyUnicode_FromFormat("    def %s(self, other): pass\n",
                                                               OPERATOR_TABLE[i].dunder));
    }
    PyObject *globals = source != NULL ? Py_BuildValue("{sO}", "__builtins__", PyEval_GetBuiltins()) : NULL;
    PyObject *done = globals != NULL ? PyRun_String(PyUnicode_AsUTF8(source), Py_file_input, globals, globals) : NULL;
    PyObject *probe = done != NULL ? PyDict_GetItemString(globals, "Probe") : NULL;
    int ok = probe != NULL && PyType_Check(probe);
    for (size_t i = 0; ok && i < sizeof OPERATOR_TABLE / sizeof OPERATOR_TABLE[0]; i++) {
        int op = OPERATOR_TABLE[i].op;
        python_slot[op] = number_slot((PyTypeObject *)probe, OPERATOR_TABLE[i].slot);
        operators[op] = (operator_info){OPERATOR_TABLE[i].slot, OPERATOR_TABLE[i].inplace_slot,
                                        PyUnicode_InternFromString(OPERATOR_TABLE[i].dunder),
                                        OPERATOR_TABLE[i].symbol, OPERATOR_TABLE[i].inplace_symbol};
        ok = python_slot[op] != NULL && operators[op].dunder != NULL;
    }
    if (!ok) {
        memset(operators, 0, sizeof operators);  /* every operator takes the generic path */
    }
    Py_XDECREF(done);
    Py_XDECREF(globals);
    Py_XDECREF(source);
    PyErr_Clear();
    return ok ? 0 : -1;
}
