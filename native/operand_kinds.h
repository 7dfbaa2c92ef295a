/* What the operands of an arithmetic or comparison site of unknown types turned
 * out to be, as bits that its stencil ORs into its inline cache entry while the
 * code runs (the first compiled version of code whose types inference could
 * not tell).  The recompile that follows (accel/specializer/specialize.py)
 * makes a site that only ever saw floats (ints) a float (int) operation, which
 * then stays unboxed.  A plain enum: the build feeds this file to cffi's cdef parser. */
enum accel_operand_kind {
    ACCEL_OPERANDS_FLOAT = 1,       /* both exact floats */
    ACCEL_OPERANDS_INT = 2,         /* both ints of one digit (of two, at the int-only
                                       sites: stencils/arith.c) */
    ACCEL_OPERANDS_OTHER = 4,       /* anything else (mixed, big ints, other types) */
};

/* A loop of such code whose back edge (JUMP_BACKWARD) is taken this many times
 * in the profiling version leaves it (ACCEL_EXIT_LOOP_HOT), and the frame goes on
 * in the code compiled again from what the sites saw by then, entered at the
 * loop's head (native/deopt.c).  Measured on a float loop of a small function
 * (tests/test_diff_osr.py's first one): compiling it again costs 0.5-1 ms (about
 * 35 us per bytecode instruction), and each iteration then saves about 60 ns, so
 * the replacement pays for itself after roughly 10k more iterations.  A loop that
 * has run n times tends to run about as many more, which argues for n near that;
 * a lower count makes every long loop specialized sooner, and the compile is not
 * wasted for code called again (it would be compiled again at its next call).
 * 4096 also leaves the profile thousands of operations per site to see. */
enum accel_loop_profile {
    ACCEL_LOOP_HOT_BACK_EDGES = 4096,
};
