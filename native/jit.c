/* Copy-and-patch: allocate, copy each stencil, patch its holes, protect. */
#include "runtime.h"
#include "stencil_table.h"
#include "stencils.h"

#include "opcode.h"  /* NB_* */

#include <dlfcn.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uintptr_t symbol_addresses[ACCEL_SYMBOL_COUNT];
static char init_error[256];
/* ACCEL_FAR_CALLS=1: every call to a C function goes through a trampoline, as
 * when libpython is loaded beyond a rel32's reach (which the tests cannot
 * arrange otherwise). */
static int far_calls;

/* accel's own functions and data that stencils use: this module is loaded RTLD_LOCAL,
 * so dlsym would not find them. */
static const struct {
    const char *name;
    void *address;
} own_symbols[] = {
    {"accel_load_global", (void *)accel_load_global},
    {"accel_load_global_pure_miss", (void *)accel_load_global_pure_miss},
    {"accel_remember_name_index", (void *)accel_remember_name_index},
    {"accel_load_attr", (void *)accel_load_attr},
    {"accel_load_attr_unboxed", (void *)accel_load_attr_unboxed},
    {"accel_store_attr_miss", (void *)accel_store_attr_miss},
    {"accel_attr_pure_where", (void *)accel_attr_pure_where},
    {"accel_load_raw_float_pure", (void *)accel_load_raw_float_pure},
    {"accel_store_raw_float_pure", (void *)accel_store_raw_float_pure},
    {"accel_load_method", (void *)accel_load_method},
    {"accel_instance_lacks", (void *)accel_instance_lacks},
    {"accel_handle_eval_breaker", (void *)accel_handle_eval_breaker},
    {"accel_call_instruction", (void *)accel_call_instruction},
    {"accel_check_except_star_type", (void *)accel_check_except_star_type},
    {"accel_exception_group_match", (void *)accel_exception_group_match},
    {"accel_prep_reraise_star", (void *)accel_prep_reraise_star},
    {"accel_gen_resume", (void *)accel_gen_resume},
    {"accel_gen_next", (void *)accel_gen_next},
    {"accel_gen_finished", (void *)accel_gen_finished},
    {"accel_sum", (void *)accel_sum},
    {"accel_all_any", (void *)accel_all_any},
    {"accel_call_c_function", (void *)accel_call_c_function},
    {"accel_folding", (void *)&accel_folding},
    {"accel_slice_inline", (void *)accel_slice_inline},
    {"accel_slice_assign_inline", (void *)accel_slice_assign_inline},
    {"accel_slice_copy", (void *)accel_slice_copy},
    {"accel_unpack_ex_inline", (void *)accel_unpack_ex_inline},
    {"accel_join_pieces", (void *)accel_join_pieces},
    {"accel_clear_frame", (void *)accel_clear_frame},
    {"accel_finish_in_interpreter", (void *)accel_finish_in_interpreter},
    {"accel_eval_frame", (void *)accel_eval_frame},
    {"accel_totals", (void *)&accel_totals},
    {"accel_records_freed", (void *)&accel_records_freed},
    {"accel_c_stack_thread", (void *)&accel_c_stack_thread},
    {"accel_c_stack_limit", (void *)&accel_c_stack_limit},
    {"accel_python_init", (void *)&accel_python_init},
    {"accel_empty_tuple", (void *)&accel_empty_tuple},
    {"accel_call_python", (void *)accel_call_python},
    {"accel_binary_op_miss", (void *)accel_binary_op_miss},
    {"accel_operator_not_implemented", (void *)accel_operator_not_implemented},
};

static void *
resolve(const char *name)
{
    for (size_t i = 0; i < sizeof own_symbols / sizeof own_symbols[0]; i++) {
        if (strcmp(own_symbols[i].name, name) == 0) {
            return own_symbols[i].address;
        }
    }
    return dlsym(RTLD_DEFAULT, name);
}

const char *
accel_init_error(void)
{
    return init_error;
}

const char *
accel_stencil_compiler(void)
{
    return ACCEL_STENCIL_COMPILER;
}

const char *
accel_stencil_name(int stencil)
{
    return stencil >= 0 && stencil < ACCEL_STENCIL_COUNT ? accel_stencils[stencil].name : NULL;
}

int
accel_stencil_size(int stencil)
{
    return stencil >= 0 && stencil < ACCEL_STENCIL_COUNT ? (int)accel_stencils[stencil].size : -1;
}

static PyObject *
power(PyObject *base, PyObject *exponent)
{
    return PyNumber_Power(base, exponent, Py_None);
}

static PyObject *
inplace_power(PyObject *base, PyObject *exponent)
{
    return PyNumber_InPlacePower(base, exponent, Py_None);
}

/* The function the generic BINARY_OP stencil calls for an oparg (the generic
 * paths of the specialized forms too): PyNumber_*, or native/operators.c's. */
uint64_t
accel_binary_op_function(int nb_op)
{
    static const binaryfunc functions[] = {
        [NB_ADD] = accel_number_add,
        [NB_AND] = accel_number_and,
        [NB_FLOOR_DIVIDE] = accel_number_floor_divide,
        [NB_LSHIFT] = accel_number_lshift,
        [NB_MATRIX_MULTIPLY] = accel_number_matrix_multiply,
        [NB_MULTIPLY] = accel_number_multiply,
        [NB_REMAINDER] = accel_number_remainder,
        [NB_OR] = accel_number_or,
        [NB_POWER] = power,
        [NB_RSHIFT] = accel_number_rshift,
        [NB_SUBTRACT] = accel_number_subtract,
        [NB_TRUE_DIVIDE] = accel_number_true_divide,
        [NB_XOR] = accel_number_xor,
        [NB_INPLACE_ADD] = accel_number_inplace_add,
        [NB_INPLACE_AND] = accel_number_inplace_and,
        [NB_INPLACE_FLOOR_DIVIDE] = accel_number_inplace_floor_divide,
        [NB_INPLACE_LSHIFT] = accel_number_inplace_lshift,
        [NB_INPLACE_MATRIX_MULTIPLY] = accel_number_inplace_matrix_multiply,
        [NB_INPLACE_MULTIPLY] = accel_number_inplace_multiply,
        [NB_INPLACE_REMAINDER] = accel_number_inplace_remainder,
        [NB_INPLACE_OR] = accel_number_inplace_or,
        [NB_INPLACE_POWER] = inplace_power,
        [NB_INPLACE_RSHIFT] = accel_number_inplace_rshift,
        [NB_INPLACE_SUBTRACT] = accel_number_inplace_subtract,
        [NB_INPLACE_TRUE_DIVIDE] = accel_number_inplace_true_divide,
        [NB_INPLACE_XOR] = accel_number_inplace_xor,
    };
    if (nb_op < 0 || nb_op >= (int)(sizeof functions / sizeof functions[0])) {
        return 0;
    }
    return (uint64_t)(uintptr_t)functions[nb_op];
}

/* Where one program is being emitted. */
typedef struct {
    const accel_instr *program;
    int n;
    unsigned char *memory;
    const uint32_t *offsets;       /* each instruction's hot part */
    const uint32_t *cold_offsets;  /* ... and its cold part */
    accel_cache *caches;
    PyCodeObject *co;
    uint64_t trampolines;  /* where they start in memory */
    const int16_t *slots;  /* each C symbol's trampoline, or -1 */
} emission;

/* The value a hole of instruction i receives, or 0 with *ok cleared. */
static uint64_t
hole_value(const accel_hole *hole, const emission *e, int i, int *ok)
{
    const accel_instr *program = e->program;
    const unsigned char *memory = e->memory;
    const uint32_t *offsets = e->offsets;
    PyCodeObject *co = e->co;
    int n = e->n;
    const accel_instr *instr = &program[i];
    switch (hole->kind) {
    case ACCEL_HOLE_CONTINUE:
    case ACCEL_HOLE_CONTINUE_COLD:
        if (i + 1 < n) {
            return (uintptr_t)(memory + offsets[i + 1]);
        }
        break;
    case ACCEL_HOLE_JUMP_TARGET:
        if (instr->target >= 0 && instr->target < n) {
            return (uintptr_t)(memory + offsets[instr->target]);
        }
        break;
    case ACCEL_HOLE_OPARG:
        return (uint64_t)instr->oparg;
    case ACCEL_HOLE_OPARG2:
        return (uint64_t)instr->oparg2;
    case ACCEL_HOLE_OPERAND:
        return instr->operand;
    case ACCEL_HOLE_INSTR:
        return (uintptr_t)(_PyCode_CODE(co) + instr->instr);
    case ACCEL_HOLE_RESUME:
        return (uintptr_t)(_PyCode_CODE(co) + instr->resume - 1);
    case ACCEL_HOLE_RESUME_NEXT:
        return (uintptr_t)(_PyCode_CODE(co) + instr->next - 1);
    case ACCEL_HOLE_SITE:
        return (uint64_t)i;
    case ACCEL_HOLE_CACHE:
        return (uintptr_t)&e->caches[i];
    case ACCEL_HOLE_RAW_LOCALS:  /* raw stack slots too: a GC the eval breaker runs would see them */
        return instr->raw_locals | instr->raw_stack;
    case ACCEL_HOLE_HOT:
        return (uintptr_t)(memory + offsets[i]);
    case ACCEL_HOLE_COLD:
        return (uintptr_t)(memory + e->cold_offsets[i]);
    case ACCEL_HOLE_SYMBOL:
        return symbol_addresses[hole->symbol];
    case ACCEL_HOLE_HANDLED:
        return instr->handler >= 0 && instr->handler < n;
    case ACCEL_HOLE_ERROR_TARGET:
        /* Never jumped to without a handler (ACCEL_HOLE_HANDLED is 0 then): the
         * instruction itself stands in, as an address a rel32 jump reaches. */
        return (uintptr_t)(memory + offsets[instr->handler >= 0 && instr->handler < n ? instr->handler : i]);
    case ACCEL_HOLE_NONE:
        return 0;
    }
    *ok = 0;
    return 0;
}

/* A C function farther than a rel32 call reaches (libpython is loaded
 * anywhere) is called through the program's own trampoline for it, after the
 * code: jmp *0(%rip) and the function's address. */
#define TRAMPOLINE_SIZE 16
static const unsigned char trampoline_code[6] = {0xff, 0x25, 0, 0, 0, 0};

static int
fits_rel32(int64_t displacement)
{
    return displacement >= INT32_MIN && displacement <= INT32_MAX;
}

/* The low 32 bits carry the value (HOLE32 in stencils/stencil.h reads them back
 * as an int or a uint32_t): it must be one of those. */
static int
fits_32(uint64_t value)
{
    return value <= UINT32_MAX || ((int64_t)value < 0 && (int64_t)value >= INT32_MIN);
}

static void
copy_and_patch(const emission *e, int i, int *ok)
{
    const accel_stencil *stencil = &accel_stencils[e->program[i].stencil];
    unsigned char *hot = e->memory + e->offsets[i];
    unsigned char *cold = e->memory + e->cold_offsets[i];
    memcpy(hot, stencil->body, stencil->size);
    memcpy(cold, stencil->body + stencil->size, stencil->cold_size);
    for (uint32_t h = 0; h < stencil->nholes && *ok; h++) {
        const accel_hole *hole = &stencil->holes[h];
        if (hole->kind == ACCEL_HOLE_NONE) {
            continue;
        }
        uint64_t value = hole_value(hole, e, i, ok);
        unsigned char *where = hole->offset < stencil->size ? hot + hole->offset
                                                            : cold + (hole->offset - stencil->size);
        if (hole->patch == ACCEL_PATCH_REL32) {
            int64_t displacement = (int64_t)(value - (uintptr_t)where) + hole->addend;
            if ((far_calls || !fits_rel32(displacement)) && hole->kind == ACCEL_HOLE_SYMBOL) {
                unsigned char *trampoline = e->memory + e->trampolines + TRAMPOLINE_SIZE * e->slots[hole->symbol];
                displacement = (int64_t)((uintptr_t)trampoline - (uintptr_t)where) + hole->addend;
            }
            *ok &= fits_rel32(displacement);
            int32_t rel = (int32_t)displacement;
            memcpy(where, &rel, sizeof rel);
        }
        else if (hole->patch == ACCEL_PATCH_ABS32) {
            value += (uint64_t)hole->addend;
            *ok &= fits_32(value);
            uint32_t low = (uint32_t)value;
            memcpy(where, &low, sizeof low);
        }
        else {
            value += (uint64_t)hole->addend;
            memcpy(where, &value, sizeof value);
        }
    }
}

/* Give each C function that some instruction calls (a rel32 hole) a trampoline
 * slot; returns how many. */
static int
assign_trampolines(const accel_instr *program, int n, int16_t *slots)
{
    int count = 0;
    for (int s = 0; s < ACCEL_SYMBOL_COUNT; s++) {
        slots[s] = -1;
    }
    for (int i = 0; i < n; i++) {
        const accel_stencil *stencil = &accel_stencils[program[i].stencil];
        for (uint32_t h = 0; h < stencil->nholes; h++) {
            const accel_hole *hole = &stencil->holes[h];
            if (hole->kind == ACCEL_HOLE_SYMBOL && hole->patch == ACCEL_PATCH_REL32 && slots[hole->symbol] < 0) {
                slots[hole->symbol] = (int16_t)count++;
            }
        }
    }
    return count;
}

static void
write_trampolines(const emission *e)
{
    for (int s = 0; s < ACCEL_SYMBOL_COUNT; s++) {
        if (e->slots[s] >= 0) {
            unsigned char *trampoline = e->memory + e->trampolines + TRAMPOLINE_SIZE * e->slots[s];
            memcpy(trampoline, trampoline_code, sizeof trampoline_code);
            memcpy(trampoline + sizeof trampoline_code, &symbol_addresses[s], sizeof symbol_addresses[s]);
        }
    }
}

/* The shared routines (stencils/shared.c): stencils whose names start so are
 * emitted once, at start-up, and called by other stencils as C symbols. */
#define SHARED_PREFIX "SHARED_"

static int
is_shared(const char *name)
{
    return strncmp(name, SHARED_PREFIX, sizeof SHARED_PREFIX - 1) == 0;
}

/* A shared routine's holes: the C symbols it calls (through a trampoline of its
 * own, at `trampolines`, where a rel32 does not reach) and its own parts. */
static int
patch_shared(const accel_stencil *stencil, unsigned char *code, unsigned char *trampolines, int *ntrampolines)
{
    for (uint32_t h = 0; h < stencil->nholes; h++) {
        const accel_hole *hole = &stencil->holes[h];
        uint64_t value;
        switch (hole->kind) {
        case ACCEL_HOLE_NONE:
            continue;
        case ACCEL_HOLE_SYMBOL:
            if (is_shared(accel_symbol_names[hole->symbol])) {
                return -1;  /* not emitted yet */
            }
            value = symbol_addresses[hole->symbol];
            break;
        case ACCEL_HOLE_HOT:
            value = (uintptr_t)code;
            break;
        case ACCEL_HOLE_COLD:
            value = (uintptr_t)code + stencil->size;
            break;
        default:
            return -1;  /* a per-instruction hole: no shared routine has one */
        }
        unsigned char *where = code + hole->offset;
        if (hole->patch == ACCEL_PATCH_REL32) {
            int64_t displacement = (int64_t)(value - (uintptr_t)where) + hole->addend;
            if ((far_calls || !fits_rel32(displacement)) && hole->kind == ACCEL_HOLE_SYMBOL) {
                unsigned char *trampoline = trampolines + TRAMPOLINE_SIZE * (*ntrampolines)++;
                memcpy(trampoline, trampoline_code, sizeof trampoline_code);
                memcpy(trampoline + sizeof trampoline_code, &value, sizeof value);
                displacement = (int64_t)((uintptr_t)trampoline - (uintptr_t)where) + hole->addend;
            }
            if (!fits_rel32(displacement)) {
                return -1;
            }
            int32_t rel = (int32_t)displacement;
            memcpy(where, &rel, sizeof rel);
        }
        else if (hole->patch == ACCEL_PATCH_ABS32) {
            value += (uint64_t)hole->addend;
            if (!fits_32(value)) {
                return -1;
            }
            uint32_t low = (uint32_t)value;
            memcpy(where, &low, sizeof low);
        }
        else {
            value += (uint64_t)hole->addend;
            memcpy(where, &value, sizeof value);
        }
    }
    return 0;
}

/* Emit the shared routines into memory of their own (never freed) and make
 * their symbols point there. */
static int
emit_shared_routines(void)
{
    uint64_t size = 0, nholes = 0;
    for (int s = 0; s < ACCEL_STENCIL_COUNT; s++) {
        if (is_shared(accel_stencils[s].name)) {
            size += (accel_stencils[s].size + accel_stencils[s].cold_size + 15) / 16 * 16;
            nholes += accel_stencils[s].nholes;
        }
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t mapped = (size + TRAMPOLINE_SIZE * nholes + page - 1) / page * page;
    if (mapped == 0) {
        return 0;
    }
    /* (populated at once: one fault per page costs more than the copying) */
    unsigned char *memory = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (memory == MAP_FAILED) {
        snprintf(init_error, sizeof init_error, "no memory for the shared routines");
        return -1;
    }
    memset(memory, 0xcc, mapped);
    unsigned char *trampolines = memory + size;
    int ntrampolines = 0;
    uint64_t at = 0;
    for (int s = 0; s < ACCEL_STENCIL_COUNT; s++) {
        const accel_stencil *stencil = &accel_stencils[s];
        if (!is_shared(stencil->name)) {
            continue;
        }
        unsigned char *code = memory + at;
        memcpy(code, stencil->body, stencil->size + stencil->cold_size);
        if (patch_shared(stencil, code, trampolines, &ntrampolines) < 0) {
            munmap(memory, mapped);
            snprintf(init_error, sizeof init_error, "the shared routine %s cannot be emitted", stencil->name);
            return -1;
        }
        for (int i = 0; i < ACCEL_SYMBOL_COUNT; i++) {
            if (strcmp(accel_symbol_names[i], stencil->name) == 0) {
                symbol_addresses[i] = (uintptr_t)code;
            }
        }
        at += (stencil->size + stencil->cold_size + 15) / 16 * 16;
    }
    if (mprotect(memory, mapped, PROT_READ | PROT_EXEC) != 0) {
        munmap(memory, mapped);
        snprintf(init_error, sizeof init_error, "the shared routines cannot be made executable");
        return -1;
    }
    return 0;
}

/* Resolve every C symbol the stencils use, once, in the running process, and
 * emit the shared routines. */
int
accel_jit_init(void)
{
    const char *far = getenv("ACCEL_FAR_CALLS");
    far_calls = far != NULL && strcmp(far, "1") == 0;
    for (int i = 0; i < ACCEL_SYMBOL_COUNT; i++) {
        if (is_shared(accel_symbol_names[i])) {
            continue;  /* emit_shared_routines knows where */
        }
        void *address = resolve(accel_symbol_names[i]);
        if (address == NULL) {
            snprintf(init_error, sizeof init_error,
                     "this Python does not export %s, which the stencils call", accel_symbol_names[i]);
            return -1;
        }
        symbol_addresses[i] = (uintptr_t)address;
    }
    return emit_shared_routines();
}

/* Emit: ENTER, then each instruction's stencil in program order, then the
 * trampolines.  Returns the native program, or NULL with a Python exception set. */
static accel_native *
emit(PyCodeObject *co, const accel_instr *program, int n)
{
    uint32_t *offsets = PyMem_Calloc(2 * (size_t)n + 1, sizeof *offsets);
    if (offsets == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    uint64_t size = accel_stencils[ACCEL_STENCIL_ENTER].size;
    for (int i = 0; i < n; i++) {
        if (program[i].stencil < 0 || program[i].stencil >= ACCEL_STENCIL_COUNT) {
            PyMem_Free(offsets);
            PyErr_Format(PyExc_ValueError, "instruction %d: no stencil %d", i, program[i].stencil);
            return NULL;
        }
        offsets[i] = (uint32_t)size;
        size += accel_stencils[program[i].stencil].size;
    }
    offsets[n] = (uint32_t)size;  /* where the hot parts end */
    /* The cold parts after all hot ones, each 16-byte aligned (they may end in data). */
    uint32_t *cold_offsets = offsets + n + 1;
    size = (size + 15) / 16 * 16;
    for (int i = 0; i < n; i++) {
        cold_offsets[i] = (uint32_t)size;
        size += (accel_stencils[program[i].stencil].cold_size + 15) / 16 * 16;
    }
    if (accel_stencils[program[n - 1].stencil].falls_through) {
        PyMem_Free(offsets);
        PyErr_Format(PyExc_ValueError, "instruction %d (%s): the last instruction falls through",
                     n - 1, accel_stencils[program[n - 1].stencil].name);
        return NULL;
    }
    int16_t slots[ACCEL_SYMBOL_COUNT + 1];
    uint64_t trampolines = (size + TRAMPOLINE_SIZE - 1) / TRAMPOLINE_SIZE * TRAMPOLINE_SIZE;
    uint64_t total = trampolines + TRAMPOLINE_SIZE * (uint64_t)assign_trampolines(program, n, slots);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t mapped = (total + page - 1) / page * page;
    /* (populated at once: one fault per page costs more than the copying) */
    unsigned char *memory = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (memory == MAP_FAILED) {
        PyMem_Free(offsets);
        PyErr_SetFromErrno(PyExc_OSError);
        return NULL;
    }
    memset(memory, 0xcc, mapped);  /* int3 between the parts: a stray jump traps */
    accel_cache *caches = PyMem_Calloc(n, sizeof *caches);
    if (caches == NULL) {
        munmap(memory, mapped);
        PyMem_Free(offsets);
        PyErr_NoMemory();
        return NULL;
    }
    emission e = {program, n, memory, offsets, cold_offsets, caches, co, trampolines, slots};
    write_trampolines(&e);
    int ok = 1;
    /* ENTER calls the instruction it is given: nothing to patch. */
    const accel_stencil *enter = &accel_stencils[ACCEL_STENCIL_ENTER];
    memcpy(memory, enter->body, enter->size);
    for (uint32_t h = 0; h < enter->nholes; h++) {
        ok &= enter->holes[h].kind == ACCEL_HOLE_NONE;
    }
    for (int i = 0; i < n && ok; i++) {
        copy_and_patch(&e, i, &ok);
        if (!ok) {
            PyErr_Format(PyExc_ValueError, "instruction %d (%s): a jump or fall-through leads nowhere, "
                         "or a hole's value does not fit",
                         i, accel_stencils[program[i].stencil].name);
        }
    }
    if (!ok || mprotect(memory, mapped, PROT_READ | PROT_EXEC) != 0) {
        if (ok) {
            PyErr_SetFromErrno(PyExc_OSError);
        }
        munmap(memory, mapped);
        PyMem_Free(offsets);
        PyMem_Free(caches);
        return NULL;
    }
    int nunits = (int)Py_SIZE(co);
    int resumable = 0;
    for (int i = 0; i < n; i++) {
        resumable |= program[i].resumes >= 0 && program[i].resumes < nunits;
    }
    accel_native *native = PyMem_Calloc(1, sizeof *native);
    uint64_t *raw = PyMem_Calloc(4 * (size_t)n, sizeof *raw);
    int32_t *resume_of_unit = resumable ? PyMem_Malloc(nunits * sizeof *resume_of_unit) : NULL;
    if (native == NULL || raw == NULL || (resumable && resume_of_unit == NULL)) {
        munmap(memory, mapped);
        PyMem_Free(offsets);
        PyMem_Free(native);
        PyMem_Free(raw);
        PyMem_Free(caches);
        PyMem_Free(resume_of_unit);
        PyErr_NoMemory();
        return NULL;
    }
    for (int unit = 0; resumable && unit < nunits; unit++) {
        resume_of_unit[unit] = -1;
    }
    for (int i = 0; i < n; i++) {
        if (program[i].resumes >= 0 && program[i].resumes < nunits) {
            resume_of_unit[program[i].resumes] = i;
        }
    }
    native->nunits = nunits;
    native->resume_of_unit = resume_of_unit;
    for (int i = 0; i < n; i++) {
        raw[4 * i] = program[i].raw_locals;
        raw[4 * i + 1] = program[i].raw_stack;
        raw[4 * i + 2] = program[i].raw_int_locals;
        raw[4 * i + 3] = program[i].raw_int_stack;
    }
    native->raw = raw;
    native->caches = caches;
    native->memory = memory;
    native->mapped = mapped;
    native->size = size;
    native->entry = (accel_entry)(void *)memory;
    native->start = memory + offsets[0];
    native->ninstrs = n;
    native->offsets = offsets;
    return native;
}

void
accel_native_free(accel_native *native)
{
    while (native != NULL) {
        accel_native *older = native->older;
        munmap(native->memory, native->mapped);
        for (Py_ssize_t i = 0; i < native->nkeepalive; i++) {
            Py_DECREF(native->keepalive[i]);
        }
        PyMem_Free(native->keepalive);
        PyMem_Free(native->offsets);
        PyMem_Free(native->raw);
        PyMem_Free(native->caches);
        PyMem_Free(native->resume_of_unit);
        PyMem_Free(native->profiled);
        PyMem_Free(native);
        native = older;
    }
}

/* Install a program as the code object's native code.  Returns its size in
 * bytes, or -1 (the reason is written to stderr through sys.unraisablehook). */
int
accel_emit(uintptr_t code, const accel_instr *program, int n, uintptr_t keepalive)
{
    GIL_ENTER();
    int result = -1;
    PyCodeObject *co = (PyCodeObject *)code;
    accel_code *rec = accel_record(co, 1);
    accel_native *native = rec == NULL || n <= 0 ? NULL : emit(co, program, n);
    if (native == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "empty program");
        }
        PyErr_WriteUnraisable((PyObject *)co);
        goto done;
    }
    /* Each object held by itself: a container would be one more object for the
     * garbage collector to track (programs that count gc.get_objects() notice). */
    PyObject *objects = (PyObject *)keepalive;
    Py_ssize_t count = objects != NULL ? PyTuple_GET_SIZE(objects) : 0;
    native->keepalive = PyMem_Calloc(count + 1, sizeof(PyObject *));
    if (native->keepalive == NULL) {
        accel_native_free(native);
        PyErr_NoMemory();
        PyErr_WriteUnraisable((PyObject *)co);
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        native->keepalive[i] = Py_NewRef(PyTuple_GET_ITEM(objects, i));
    }
    native->nkeepalive = count;
    native->older = rec->native;
    rec->native = native;
    rec->state = ACCEL_STATE_COMPILED;
    if (rec->recompile_requested) {
        rec->recompile_requested = 0;
        rec->recompiles++;
    }
    accel_direct_start_refresh(rec);
    memset(rec->site_exits, 0, sizeof(uint32_t) * ACCEL_EXIT_COUNT * rec->nunits);
    accel_totals.functions_compiled++;
    accel_totals.native_bytes += native->size;
    result = (int)native->size;
done:
    GIL_EXIT();
    return result;
}

int
accel_code_layout(uintptr_t code, uint32_t *offsets, int n)
{
    GIL_ENTER();
    accel_code *rec = accel_record((PyCodeObject *)code, 0);
    int count = -1;
    if (rec != NULL && rec->native != NULL) {
        count = rec->native->ninstrs;
        memcpy(offsets, rec->native->offsets, sizeof(uint32_t) * (n < count + 1 ? n : count + 1));
    }
    GIL_EXIT();
    return count;
}

int
accel_code_bytes(uintptr_t code, unsigned char *out, uint64_t n)
{
    GIL_ENTER();
    accel_code *rec = accel_record((PyCodeObject *)code, 0);
    int size = -1;
    if (rec != NULL && rec->native != NULL) {
        size = (int)rec->native->size;
        memcpy(out, rec->native->memory, n < rec->native->size ? n : rec->native->size);
    }
    GIL_EXIT();
    return size;
}
