/* The eval breaker, handled by native code at backward jumps (native/eval_breaker.c). */
#ifndef ACCEL_EVAL_BREAKER_H
#define ACCEL_EVAL_BREAKER_H

#include "Python.h"

/* 0: handled, go on; -1: an exception is set (a signal handler raised);
 * 1: only the interpreter can handle it (an asynchronous exception). */
int accel_handle_eval_breaker(PyThreadState *tstate);

#endif
