/* Closing dropped generators without throwing into them, where nothing could
 * tell the difference (native/gen_finalize.c). */
#ifndef ACCEL_GEN_FINALIZE_H
#define ACCEL_GEN_FINALIZE_H

/* With `on`, generators' tp_finalize is accel's; without, CPython's again
 * (installed with the hook). */
void accel_gen_finalize_install(int on);

#endif
