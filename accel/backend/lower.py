"""From specialized instructions to the program native/jit.c emits.

Only what native code can reach is emitted: control enters at the first instruction (or,
in a generator, where it resumes) and follows fall-throughs, jumps, and the UNWIND steps
that take exceptions to their handlers; an exit to the interpreter ends a path.
"""
from __future__ import annotations

import types

from ..runtime import native
from ..specializer.ir import ENDS_PATH, NOTHING, QInstr


# A generator is suspended at these; it resumes at the instruction after.
SUSPENDS = frozenset({"YIELD_VALUE", "RETURN_GENERATOR"})


def resume_points(program: list[QInstr]) -> dict[int, int]:
    """Where a generator resumes: program index -> the code unit it was suspended at."""
    suspended_at = {i.next: i.unit for q in program for i in q.covers if i.name in SUSPENDS}
    points = {}
    for index, instr in enumerate(program):
        if instr.start in suspended_at:
            points[index] = suspended_at.pop(instr.start)
    return points


def reachable(program: list[QInstr]) -> list[QInstr]:
    """The instructions native code can reach, in program order."""
    position = {id(q): i for i, q in enumerate(program)}
    seen = [False] * len(program)
    work = ([0] if program else []) + list(resume_points(program))
    while work:
        i = work.pop()
        while not seen[i]:  # along fall-throughs; the worklist holds the jumps not yet followed
            seen[i] = True
            instr = program[i]
            if instr.target_instr is not None:
                work.append(position[id(instr.target_instr)])
            if instr.unwind is not None:
                work.append(position[id(instr.unwind)])
            if instr.name in ENDS_PATH or i + 1 == len(program):
                break
            i += 1
    return [instr for instr, reached in zip(program, seen) if reached]


def lower(code: types.CodeType, program: list[QInstr]):
    """The cffi array of accel_instr, its length, and the objects it refers to."""
    position = {id(q): i for i, q in enumerate(program)}
    resumes = resume_points(program)
    keepalive = []
    rows = []
    for i, instr in enumerate(program):
        first = instr.covers[0]
        rows.append((native.stencil_id(instr.name), instr.unit, first.start, instr.covers[-1].next, instr.oparg,
                     instr.oparg2, -1 if instr.target_instr is None else position[id(instr.target_instr)],
                     resumes.get(i, -1), -1 if instr.unwind is None else position.get(id(instr.unwind), -1),
                     _operand(instr, keepalive), instr.raw_locals, instr.raw_stack, instr.raw_int_locals,
                     instr.raw_int_stack))
    return native.program(rows), len(rows), tuple(keepalive)


def _operand(instr: QInstr, keepalive: list) -> int:
    if instr.name == "BINARY_OP" or instr.name.endswith("_INT_OR_FLOAT"):
        return native.binary_op_function(instr.oparg)  # the generic path
    if instr.operand is not NOTHING:
        keepalive.append(instr.operand)
        return id(instr.operand)
    return instr.raw_operand
