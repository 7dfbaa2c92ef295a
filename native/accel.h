/* What accel/ calls in native/, through cffi.
 *
 * This file is read twice: by the C compiler, and by cffi's cdef parser (the
 * build strips the preprocessor lines), so it holds plain declarations only.
 * Objects cross the boundary as their addresses (id() in CPython); the caller
 * keeps them alive for the duration of the call. */
#ifndef ACCEL_ACCEL_H
#define ACCEL_ACCEL_H

/* One instruction of a program to emit, in execution order: the fall-through
 * successor of an instruction is the next one in the array. */
typedef struct {
    int stencil;        /* an accel_stencil_id */
    int instr;          /* code-unit index of its opcode unit */
    int resume;         /* code-unit index of its first unit (EXTENDED_ARG included) */
    int next;           /* code-unit index of the first unit of the instruction after it */
    int oparg;
    int oparg2;
    int target;         /* array index of the jump target, or -1 */
    int resumes;        /* a generator resumes here: the code unit it was suspended at, or -1 */
    int handler;        /* array index of the UNWIND that handles its exceptions natively, or -1 */
    uint64_t operand;
    uint64_t raw_locals;    /* locals holding a raw (unboxed) value before it, by bit */
    uint64_t raw_stack;     /* stack slots (from the bottom) holding one, by bit */
    uint64_t raw_int_locals;    /* of those, the ints (the others are floats) */
    uint64_t raw_int_stack;
} accel_instr;

/* How many times code whose guard keeps failing is compiled again (native/deopt.c);
 * its last compile keeps out the forms that exit on a class they were not made for
 * (accel/specializer/slots.py), so that no site of it can keep exiting. */
enum { ACCEL_MAX_RECOMPILES = 3 };

enum accel_state {
    ACCEL_STATE_COLD = 0,       /* counting calls */
    ACCEL_STATE_COMPILED = 1,   /* runs native code */
    ACCEL_STATE_FAILED = 2,     /* compiling failed or was refused: stock interpreter for good */
};

/* How the hook treats code it has not seen compiled. */
enum accel_mode {
    ACCEL_MODE_OFF = 0,         /* no hook */
    ACCEL_MODE_MARKED = 1,      /* compile only @accel.jit functions */
    ACCEL_MODE_ALL = 2,         /* compile every code object that gets hot */
};

typedef struct {
    int state;
    int jit_requested;          /* @accel.jit */
    int recompile_requested;    /* a guard kept failing: compile again */
    int recompiles;
    uint64_t calls;
    uint64_t native_entries;
    uint64_t exits;
    uint64_t native_bytes;
    uint64_t native_address;
    int ninstrs;
} accel_code_info;

typedef struct {
    uint64_t native_entries;
    uint64_t native_calls;             /* of those, calls from native code straight in (calls.c) */
    uint64_t native_calls_from_c;      /* of those, made by native/calls.c, not by CALL's stencil */
    uint64_t generators_resumed_from_c; /* compiled generators C code resumed natively (sum(), list()...) */
    uint64_t generators_resumed_at_sites; /* ... that a for loop or a `yield from` resumed as its cache says */
    uint64_t sums_fused;               /* sum() of a generator run as one native loop (native/sum.c) */
    uint64_t items_summed;             /* ... floats its yields added without suspending */
    uint64_t all_any_fused;            /* all() or any() of a generator run as one native loop (native/all_any.c) */
    uint64_t items_tested;             /* ... items its yields tested without suspending */
    uint64_t generators_closed_quietly; /* dropped suspended generators closed without a throw (gen_finalize.c) */
    uint64_t builtins_computed;        /* builtin calls computed natively (max, min: native/builtins.c) */
    uint64_t attribute_misses;         /* attribute and method loads and stores their inline caches missed */
    uint64_t global_misses;            /* global and builtin loads their inline caches missed (caches.c) */
    uint64_t inlined_calls;            /* calls of small pure functions run inlined at their sites (stencils/inline.c) */
    uint64_t site_c_calls;             /* C functions and builtin classes CALL's shared routine called (shared.c) */
    uint64_t operator_calls;           /* Python operator dunders BINARY_OP called from its site's cache (shared.c) */
    uint64_t loop_head_entries;        /* frames that native code entered at a loop's head (deopt.c) */
    uint64_t on_stack_replacements;    /* ... in code compiled again while the frame ran its loop */
    uint64_t back_edge_entries;        /* raw loops that went on natively after the eval breaker (deopt.c) */
    uint64_t resumption_entries;       /* generators' resumptions that went on natively after the eval
                                          breaker at their RESUME (deopt.c) */
    uint64_t exits[ACCEL_EXIT_COUNT];  /* by accel_exit */
    uint64_t functions_compiled;
    uint64_t native_bytes;
} accel_counters;

int accel_init(void);
const char *accel_init_error(void);
int accel_private_layout_ok(void);
const char *accel_stencil_compiler(void);
const char *accel_stencil_name(int stencil);
int accel_stencil_size(int stencil);

void accel_set_mode(int mode);
int accel_get_mode(void);
void accel_set_threshold(uint64_t calls);
void accel_set_compiler(uintptr_t callable);
void accel_set_library(uintptr_t prefixes, uintptr_t packages);
void accel_set_own_code(uintptr_t prefixes);

int accel_emit(uintptr_t code, const accel_instr *program, int n, uintptr_t keepalive);
void accel_set_state(uintptr_t code, int state);
void accel_request_jit(uintptr_t code);
int accel_code_info_get(uintptr_t code, accel_code_info *out);
int accel_code_layout(uintptr_t code, uint32_t *offsets, int n);  /* hot parts, then their end */
int accel_code_bytes(uintptr_t code, unsigned char *out, uint64_t n);
int accel_site_exits(uintptr_t code, uint32_t *out, int nunits, int reason);
int accel_profile_operands(uintptr_t code, uint64_t entries, const int *sites, int n, int learns_callees);
int accel_operand_kinds(uintptr_t code, uint32_t *out, int n);
void accel_counters_get(accel_counters *out);
void accel_counters_reset(void);
uint64_t accel_binary_op_function(int nb_op);
void accel_set_summary(uintptr_t code, uintptr_t summary);
int64_t accel_get_summary(uintptr_t code, char *buf, int64_t n);
int accel_summarized_codes(uintptr_t *out, int n);
void accel_release_objects(uintptr_t *objects, int n);

/* launch.c: python -m accel runs a script in its own process, as python would */
enum accel_run_result {
    ACCEL_RUN_OK = 0,           /* the script ran to its end */
    ACCEL_RUN_FAILED = 1,       /* an uncaught exception, reported as python reports it: exit status 1 */
    ACCEL_RUN_INTERRUPTED = 2,  /* an uncaught KeyboardInterrupt: the process ends by SIGINT, as python's does */
    ACCEL_RUN_NOT_OPENED = 3,   /* the file could not be opened: nothing ran */
};
int accel_run_main_file(uintptr_t filename);

#endif
