"""Decode a code object: instructions with code-unit indices, basic blocks, stack depths,
and the exception table.  Reads with the `bytecode` library; never re-assembles."""
from __future__ import annotations

import dataclasses
import dis
import opcode
import types

from bytecode import ConcreteBytecode

UNIT = 2  # bytes per code unit

UNCONDITIONAL_JUMPS = frozenset({"JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT"})
TERMINATORS = frozenset({"RETURN_VALUE", "RAISE_VARARGS", "RERAISE"}) | UNCONDITIONAL_JUMPS
JUMPS = frozenset(opcode.opname[op] for op in opcode.hasjrel)


@dataclasses.dataclass(frozen=True)
class Instruction:
    """One bytecode instruction, EXTENDED_ARG prefixes folded in, CACHE entries skipped."""

    name: str
    arg: int
    start: int  # its first code unit (EXTENDED_ARG included): where the interpreter resumes it
    unit: int  # its opcode's code unit: what prev_instr holds while it runs
    next: int  # the code unit after it and its inline caches
    lineno: int | None
    target: int | None  # the first code unit of its jump target

    @property
    def opcode(self) -> int:
        return opcode.opmap[self.name]

    @property
    def falls_through(self) -> bool:
        return self.name not in TERMINATORS

    @property
    def is_backward_jump(self) -> bool:
        return "BACKWARD" in self.name


@dataclasses.dataclass(frozen=True)
class Handler:
    """An exception-table entry: instructions in [start, end) unwind to target."""

    start: int
    end: int
    target: int
    depth: int
    lasti: bool


@dataclasses.dataclass
class Block:
    start: int
    instructions: list[Instruction]
    successors: list[int]


@dataclasses.dataclass
class Decoded:
    code: types.CodeType
    instructions: list[Instruction]
    at: dict[int, Instruction]  # by start unit
    blocks: list[Block]
    depths: dict[int, int]  # stack depth before each instruction, by start unit
    handlers: list[Handler]
    jump_targets: frozenset[int]


def decode(code: types.CodeType) -> Decoded:
    concrete = ConcreteBytecode.from_code(code)
    instructions = _instructions(concrete)
    at = {i.start: i for i in instructions}
    handlers = [_handler(e) for e in concrete.exception_table]
    targets = frozenset(i.target for i in instructions if i.target is not None)
    blocks = _blocks(instructions, targets | {h.target for h in handlers})
    return Decoded(code, instructions, at, blocks, _depths(instructions, at, handlers), handlers, targets)


def _instructions(concrete: ConcreteBytecode) -> list[Instruction]:
    result = []
    unit = 0
    for instr in concrete:
        if instr.name == "CACHE":
            continue
        size = instr.size // UNIT
        op_unit = unit + size - 1
        after = op_unit + 1 + opcode._inline_cache_entries[instr.opcode]
        arg = instr.arg if instr.opcode >= opcode.HAVE_ARGUMENT else 0
        result.append(Instruction(instr.name, arg, unit, op_unit, after, instr.lineno, _target(instr.name, arg, after)))
        unit = after
    return result


def _target(name: str, arg: int, after: int) -> int | None:
    if name not in JUMPS:
        return None
    return after - arg if "BACKWARD" in name else after + arg


def stack_effect(instr: Instruction, jump: bool) -> int:
    """dis.stack_effect, except for RETURN_GENERATOR: the generator it makes is resumed
    with the sent value pushed, which the POP_TOP after it takes."""
    if instr.name == "RETURN_GENERATOR":
        return 1
    arg = instr.arg if instr.opcode >= opcode.HAVE_ARGUMENT else None
    return dis.stack_effect(instr.opcode, arg, jump=jump)


def _handler(entry) -> Handler:
    return Handler(entry.start_offset, entry.stop_offset + 1, entry.target, entry.stack_depth, entry.push_lasti)


def _blocks(instructions: list[Instruction], leaders: frozenset[int]) -> list[Block]:
    blocks: list[Block] = []
    for instr in instructions:
        if not blocks or instr.start in leaders or not blocks[-1].instructions[-1].falls_through \
                or blocks[-1].instructions[-1].target is not None:
            blocks.append(Block(instr.start, [], []))
        blocks[-1].instructions.append(instr)
    for block, following in zip(blocks, blocks[1:] + [None]):
        last = block.instructions[-1]
        if last.target is not None:
            block.successors.append(last.target)
        if last.falls_through and following is not None:
            block.successors.append(following.start)
    return blocks


def _depths(instructions: list[Instruction], at: dict[int, Instruction], handlers: list[Handler]) -> dict[int, int]:
    """Stack depth before each instruction, propagated from the entry and the handlers."""
    depths: dict[int, int] = {}
    work = [(instructions[0].start, 0)] if instructions else []
    work += [(h.target, h.depth + h.lasti + 1) for h in handlers]
    order = {i.start: n for n, i in enumerate(instructions)}
    while work:
        start, depth = work.pop()
        if start in depths or start not in at:
            continue
        depths[start] = depth
        instr = at[start]
        if instr.target is not None:
            work.append((instr.target, depth + stack_effect(instr, jump=True)))
        if instr.falls_through and order[start] + 1 < len(instructions):
            work.append((instructions[order[start] + 1].start, depth + stack_effect(instr, jump=False)))
    return depths
