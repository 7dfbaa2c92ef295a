/* What the operands of an arithmetic or comparison site of unknown types turned
 * out to be, as bits that its stencil ORs into its inline cache entry while the
 * code runs (the first compiled version of code whose types inference could
 * not tell).  The recompile that follows (accel/specializer/specialize.py)
 * makes a site that only ever saw floats (ints) a float (int) operation, which
 * then stays unboxed.  A plain enum: the build feeds this file to cffi's cdef parser. */
enum accel_operand_kind {
    ACCEL_OPERANDS_FLOAT = 1,       /* both exact floats */
    ACCEL_OPERANDS_INT = 2,         /* both ints of one digit */
    ACCEL_OPERANDS_OTHER = 4,       /* anything else (mixed, big ints, other types) */
};
