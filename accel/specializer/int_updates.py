"""`x += k` and `x -= k` for an int local kept boxed (a counter in a loop that may run
Python code, such as fannkuch's `flips += 1`) as one instruction: what the unboxing pass
leaves for it, LOAD_FAST_UNBOX_INT x, the raw operation with its constant, BOX_INT and
STORE_FAST x, becomes INT_LOCAL_ADD_CONST or INT_LOCAL_SUBTRACT_CONST (stencils/unboxed.c),
which reads the int from the local's slot, computes, and stores the new int object.  Its
guard (the local holds an int, the result fits) exits before the statement, where the
first of the four would; where it kept exiting, the four stay apart.
"""
from __future__ import annotations

from .ir import QInstr, jump_targets

# The raw operation with a constant -> the fused form.
UPDATES = {"BINARY_OP_ADD_INT_RAW_STACK_CONST": "INT_LOCAL_ADD_CONST",
           "BINARY_OP_SUBTRACT_INT_RAW_STACK_CONST": "INT_LOCAL_SUBTRACT_CONST"}


def fuse_local_int_updates(program: list[QInstr], generic_sites: frozenset[int]) -> list[QInstr]:
    """Each run of the four instructions above, on one local, nothing jumping into it,
    as one instruction: the first of the run, which keeps its raw masks and the jumps to it."""
    if not any(instr.name in UPDATES for instr in program):
        return program
    targets = jump_targets(program)
    result: list[QInstr] = []
    i = 0
    while i < len(program):
        load = program[i]
        run = program[i:i + 4]
        if (len(run) == 4 and load.name == "LOAD_FAST_UNBOX_INT" and run[1].name in UPDATES
                and run[2].name == "BOX_INT" and run[3].name == "STORE_FAST" and run[3].oparg == load.oparg
                and not any(id(q) in targets for q in run[1:]) and load.start not in generic_sites):
            operation = run[1]
            load.note = "fused: " + " ".join(q.name for q in run)
            load.name = UPDATES[operation.name]
            load.acts_at = len(load.covers) + operation.acts_at
            load.covers = tuple(c for q in run for c in q.covers)
            load.raw_operand, load.unwind, load.pushes_raw = operation.raw_operand, operation.unwind, None
            load.guards = ("local is an int, the result fits a raw int",)
            result.append(load)
            i += 4
            continue
        result.append(load)
        i += 1
    return result
