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

/* A loop of such code whose back edge (JUMP_BACKWARD) is taken this many times
 * in the profiling version leaves it (ACCEL_EXIT_LOOP_HOT), and the frame goes on
 * in the code compiled again from what the sites saw by then, entered at the
 * loop's head (native/deopt.c).  Compiling a function again costs about as much
 * as a few thousand iterations of a generic loop body, and a loop that has run n
 * times usually runs as many more: at this count the profile is settled (one
 * float or int site rarely sees another kind after a thousand operations), and
 * the loops that gain least (a few thousand iterations) are left alone. */
enum accel_loop_profile {
    ACCEL_LOOP_HOT_BACK_EDGES = 4096,
};
