/* Calls of small pure functions inlined at their call sites (stencils/inline.c,
 * accel/specializer/inline.py).  A plain enum: the build feeds this file to
 * cffi's cdef parser, so the specializer reads the same number. */
#ifndef ACCEL_INLINE_H
#define ACCEL_INLINE_H
enum accel_inline {
    /* Slots of the scratch frame an inlined body runs in: the callee's locals
     * and its value stack (co_nlocalsplus + co_stacksize) must fit. */
    ACCEL_INLINE_SLOTS = 24,
    /* Arguments an inlined call may pass (CALL_INLINED moves them unrolled). */
    ACCEL_INLINE_MAX_ARGS = 4
};

#endif
