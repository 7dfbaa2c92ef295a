"""From specialized instructions to the program native/jit.c emits.

Only what native code can reach is emitted: control enters at the first instruction (or,
in a generator, where it resumes) and follows fall-throughs and jumps; an exit to the
interpreter ends a path, and exception handlers are entered by the interpreter, never by
native code.
"""
from __future__ import annotations

import types

from ..runtime import native
from ..specializer.ir import NOTHING, QInstr


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
    seen: set[int] = set()
    work = ([0] if program else []) + list(resume_points(program))
    while work:
        i = work.pop()
        if i in seen:
            continue
        seen.add(i)
        instr = program[i]
        if instr.jumps:
            work.append(position[id(instr.target_instr)])
        if instr.falls_through and i + 1 < len(program):
            work.append(i + 1)
    return [program[i] for i in sorted(seen)]


def lower(code: types.CodeType, program: list[QInstr]):
    """The cffi array of accel_instr, its length, and the objects it refers to."""
    position = {id(q): i for i, q in enumerate(program)}
    out = native.new_program(len(program))
    resumes = resume_points(program)
    keepalive = []
    for i, instr in enumerate(program):
        record = out[i]
        record.stencil = native.stencil_id(instr.name)
        record.instr = instr.first.unit
        record.resume = instr.start
        record.next = instr.last.next
        record.oparg = instr.oparg
        record.oparg2 = instr.oparg2
        record.target = position[id(instr.target_instr)] if instr.jumps else -1
        record.resumes = resumes.get(i, -1)
        record.operand = _operand(instr, keepalive)
        record.raw_locals = instr.raw_locals
        record.raw_stack = instr.raw_stack
        record.raw_int_locals = instr.raw_int_locals
        record.raw_int_stack = instr.raw_int_stack
    return out, len(program), tuple(keepalive)


def _operand(instr: QInstr, keepalive: list) -> int:
    if instr.name == "BINARY_OP" or instr.name.endswith("_INT_OR_FLOAT"):
        return native.binary_op_function(instr.oparg)  # the generic path
    if instr.operand is not NOTHING:
        keepalive.append(instr.operand)
        return id(instr.operand)
    return instr.raw_operand
