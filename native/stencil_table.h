/* The types of the generated stencil table (stencils/table.py writes its values). */
#ifndef ACCEL_STENCIL_TABLE_H
#define ACCEL_STENCIL_TABLE_H

#include <stdint.h>

/* What a hole receives; the names follow the _JIT_* symbols in stencils/stencil.h. */
typedef enum {
    ACCEL_HOLE_NONE,
    ACCEL_HOLE_CONTINUE,     /* the next instruction's code */
    ACCEL_HOLE_CONTINUE_COLD, /* the same, from paths that must stay out of the hot part (stencil.h) */
    ACCEL_HOLE_JUMP_TARGET,  /* the jump target's code */
    ACCEL_HOLE_OPARG,
    ACCEL_HOLE_OPARG2,       /* the second instruction's oparg, in a superinstruction */
    ACCEL_HOLE_OPERAND,      /* an object, a function, a mask: what the specializer chose */
    ACCEL_HOLE_INSTR,        /* the instruction's code unit in _PyCode_CODE(co) */
    ACCEL_HOLE_RESUME,       /* the unit before its first unit: where the interpreter resumes */
    ACCEL_HOLE_RESUME_NEXT,  /* the unit before the next instruction's first unit */
    ACCEL_HOLE_SITE,         /* the instruction's position in the program */
    ACCEL_HOLE_CACHE,        /* the instruction's inline cache entry (writable) */
    ACCEL_HOLE_RAW_LOCALS,   /* which locals are unboxed before it (0: none) */
    ACCEL_HOLE_HOT,          /* this copy of the stencil's hot part */
    ACCEL_HOLE_COLD,         /* ... and of its cold part (stencils/split.py), data appended */
    ACCEL_HOLE_SYMBOL,       /* a C symbol of the running process */
    ACCEL_HOLE_HANDLED,      /* 1 if its exceptions are handled natively (accel_instr.handler), else 0 */
    ACCEL_HOLE_ERROR_TARGET, /* the code of the UNWIND that handles them */
} accel_hole_kind;

/* How a hole is written (stencils/elf.py names them after the ELF relocations). */
typedef enum {
    ACCEL_PATCH_ABS64,  /* 8 bytes: the value */
    ACCEL_PATCH_ABS32,  /* 4 bytes: the value, which must fit in 32 bits */
    ACCEL_PATCH_REL32,  /* 4 bytes: the value less the hole's own address (calls, jumps) */
} accel_patch;

typedef struct {
    uint32_t offset;         /* into body: the cold part's holes come after `size` */
    accel_hole_kind kind;
    accel_patch patch;
    int64_t addend;
    int symbol;              /* an accel_symbol, for ACCEL_HOLE_SYMBOL */
} accel_hole;

typedef struct {
    const char *name;
    const unsigned char *body;  /* the hot part, then the cold part */
    uint32_t size;              /* of the hot part: the instruction's code in program order */
    uint32_t cold_size;         /* laid out after all hot parts of the program */
    const accel_hole *holes;
    uint32_t nholes;
    /* Its code ends where the next instruction's begins (its tail call to
     * CONTINUE was dropped): it must not be the last instruction. */
    uint8_t falls_through;
} accel_stencil;

#endif
