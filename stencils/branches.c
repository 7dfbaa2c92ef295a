/* `and` / `or` as values: jump keeping the condition, or pop it and go on. */
#include "stencil.h"

/* On an error the condition stays on the stack, as in ceval.c. */
#define JUMP_IF_OR_POP(NAME, JUMP_WHEN)                         \
    STENCIL(NAME)                                               \
    {                                                           \
        PyObject *cond = sp[-1];                                \
        int truth = truth_of(frame, cond);                      \
        if (truth < 0) {                                        \
            ERROR();                                            \
        }                                                       \
        if (truth == (JUMP_WHEN)) {                             \
            JUMP();                                             \
        }                                                       \
        sp--;                                                   \
        Py_DECREF(cond);                                        \
        CONTINUE();                                             \
    }

JUMP_IF_OR_POP(JUMP_IF_FALSE_OR_POP, 0)
JUMP_IF_OR_POP(JUMP_IF_TRUE_OR_POP, 1)
