/* Audit hooks see the events stock CPython raises, none of the compiler's
 * (native/audit.c). */
#ifndef ACCEL_AUDIT_H
#define ACCEL_AUDIT_H

#include "Python.h"

/* Whether a hook added from C (PySys_AddAuditHook) is installed: it cannot be held
 * off while compiling. */
int accel_audit_runtime_hooks(void);

/* Around one compile on this thread (hook.c, compile): events raised meanwhile by
 * the compiler's own code reach no hook of sys.addaudithook()'s.  Begin returns -1
 * with an exception set if it could not arrange that. */
int accel_audit_compile_begins(PyThreadState *tstate);
void accel_audit_compile_ends(void);

#endif
