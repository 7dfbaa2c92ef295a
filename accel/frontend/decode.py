"""Decode a code object: instructions with code-unit indices, and the exception table;
stack depths on request (only unboxing needs them).

Straight from `co_code` and `co_exceptiontable` with per-opcode tables: compiling runs
this for every function that gets hot, and the `bytecode` library's objects cost several
times more than the whole rest of the front end (tests/test_decode.py checks this
decoder against the library's ConcreteBytecode).
"""
from __future__ import annotations

import dis
import functools
import opcode
import types

from ..datatype import datatype

UNCONDITIONAL_JUMPS = frozenset({"JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT"})
TERMINATORS = frozenset({"RETURN_VALUE", "RAISE_VARARGS", "RERAISE"}) | UNCONDITIONAL_JUMPS

# By opcode: its name, how many CACHE units follow it, whether it takes an argument, and
# how it jumps (+1 forward, -1 backward, 0 not at all: the target is `next ± arg`).
NAMES = opcode.opname
CACHES = opcode._inline_cache_entries
HAS_ARG = [op >= opcode.HAVE_ARGUMENT for op in range(256)]
JUMP_SIGN = [(-1 if "BACKWARD" in NAMES[op] else 1) if op in opcode.hasjrel else 0 for op in range(256)]
FALLS_THROUGH = [NAMES[op] not in TERMINATORS for op in range(256)]
RETURN_GENERATOR = opcode.opmap["RETURN_GENERATOR"]
EXTENDED_ARG = opcode.EXTENDED_ARG


@datatype(slots=True)
class Instruction:
    """One bytecode instruction, EXTENDED_ARG prefixes folded in, CACHE entries skipped."""

    name: str
    opcode: int
    arg: int  # 0 for an opcode without an argument
    start: int  # its first code unit (EXTENDED_ARG included): where the interpreter resumes it
    unit: int  # its opcode's code unit: what prev_instr holds while it runs
    next: int  # the code unit after it and its inline caches
    target: int | None  # the first code unit of its jump target
    falls_through: bool  # whether the instruction after it may run next

    @property
    def stack_arg(self) -> int | None:
        """The argument as dis.stack_effect wants it."""
        return self.arg if HAS_ARG[self.opcode] else None


@datatype(slots=True)
class Handler:
    """An exception-table entry: instructions in [start, end) unwind to target."""

    start: int
    end: int
    target: int
    depth: int
    lasti: bool


@datatype(slots=True)
class Decoded:
    code: types.CodeType
    instructions: list[Instruction]
    index: dict[int, int]  # position in `instructions`, by start unit
    handlers: list[Handler]
    jump_targets: frozenset[int]
    depths: dict[int, int] | None = None  # stack_depths(), once asked for (by unboxing, by inlining)


def decode(code: types.CodeType) -> Decoded:
    instructions, index, targets = _instructions(code.co_code)
    return Decoded(code, instructions, index, _handlers(code.co_exceptiontable), frozenset(targets))


def _instructions(raw: bytes) -> tuple[list[Instruction], dict[int, int], set[int]]:
    """The instructions, their positions by start unit, and the jump targets: one pass, with
    the tables in locals (this runs for every instruction of every compiled function)."""
    names, caches, has_arg, jump_sign, falls_through = NAMES, CACHES, HAS_ARG, JUMP_SIGN, FALLS_THROUGH
    result: list[Instruction] = []
    index: dict[int, int] = {}
    targets: set[int] = set()
    size = len(raw)
    offset = 0
    while offset < size:
        start = offset >> 1
        op, arg = raw[offset], raw[offset + 1]
        while op == EXTENDED_ARG:
            offset += 2
            op, arg = raw[offset], arg << 8 | raw[offset + 1]
        unit = offset >> 1
        after = unit + 1 + caches[op]
        if not has_arg[op]:
            arg = 0
        sign = jump_sign[op]
        target = None
        if sign:
            target = after + sign * arg
            targets.add(target)
        index[start] = len(result)
        result.append(Instruction(names[op], op, arg, start, unit, after, target, falls_through[op]))
        offset = after << 1
    return result, index, targets


def _handlers(table: bytes) -> list[Handler]:
    """The exception table, as CPython's Objects/exception_handling_notes.txt lays it out:
    per entry, four varints (start, length, target, depth << 1 | lasti) of 6-bit groups,
    most significant first, bit 6 set on every group but the last."""
    values = []
    value = 0
    for byte in table:
        value = value << 6 | byte & 63
        if not byte & 64:
            values.append(value)
            value = 0
    return [Handler(start, start + length, target, depth_lasti >> 1, bool(depth_lasti & 1))
            for start, length, target, depth_lasti in zip(*[iter(values)] * 4)]


def stack_effect(instr: Instruction, jump: bool) -> int:
    return _effects(instr.opcode, instr.arg)[not jump]


@functools.cache  # (C-level: stack_depths asks for every instruction, without a Python call)
def _effects(op: int, arg: int) -> tuple[int, int]:
    """The stack effects (on the jump, on the fall-through): dis.stack_effect's, except for
    RETURN_GENERATOR: the generator it makes is resumed with the sent value pushed, which
    the POP_TOP after it takes."""
    if op == RETURN_GENERATOR:
        return 1, 1
    stack_arg = arg if HAS_ARG[op] else None
    return dis.stack_effect(op, stack_arg, jump=True), dis.stack_effect(op, stack_arg, jump=False)


def stack_depths(decoded: Decoded) -> dict[int, int]:
    """Stack depth before each instruction, by start unit, propagated from the entry and
    the handlers (computed once per decoded code)."""
    if decoded.depths is None:
        decoded.depths = _stack_depths(decoded)
    return decoded.depths


def _stack_depths(decoded: Decoded) -> dict[int, int]:
    instructions, index, effects = decoded.instructions, decoded.index, _effects
    depths: dict[int, int] = {}
    work = [(instructions[0].start, 0)] if instructions else []
    work += [(h.target, h.depth + h.lasti + 1) for h in decoded.handlers]
    last = len(instructions) - 1
    while work:
        start, depth = work.pop()
        if start not in index:
            continue
        position = index[start]
        while start not in depths:  # along fall-throughs; the worklist holds the jumps not yet followed
            depths[start] = depth
            instr = instructions[position]
            on_jump, on_fall_through = effects(instr.opcode, instr.arg)
            if instr.target is not None:
                work.append((instr.target, depth + on_jump))
            if not instr.falls_through or position == last:
                break
            position += 1
            start, depth = instructions[position].start, depth + on_fall_through
    return depths
