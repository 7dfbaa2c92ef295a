"""Quickening: static rewrites that need no type information.

- KW_NAMES is folded into the CALL it names arguments for (the CALL's operand).
- Pairs of instructions become CPython's superinstructions, unless the second one is a
  jump target (a jump must land on an instruction of its own).
"""
from __future__ import annotations

from ..frontend.decode import Decoded, Instruction
from .ir import QInstr

SUPERINSTRUCTIONS = {
    ("LOAD_FAST", "LOAD_FAST"): "LOAD_FAST__LOAD_FAST",
    ("LOAD_FAST", "LOAD_CONST"): "LOAD_FAST__LOAD_CONST",
    ("LOAD_CONST", "LOAD_FAST"): "LOAD_CONST__LOAD_FAST",
    ("STORE_FAST", "LOAD_FAST"): "STORE_FAST__LOAD_FAST",
    ("STORE_FAST", "STORE_FAST"): "STORE_FAST__STORE_FAST",
}


def quicken(decoded: Decoded) -> list[QInstr]:
    return _fold_kw_names(decoded, [_plain(decoded, i) for i in decoded.instructions])


def superinstructions(program: list[QInstr], jump_targets: frozenset[int]) -> list[QInstr]:
    """Fuse plain pairs; runs after specialization, which wants them apart."""
    result: list[QInstr] = []
    for instr in program:
        prev = result[-1] if result else None
        name = SUPERINSTRUCTIONS.get((prev.name, instr.name)) if prev else None
        if name is None or instr.start in jump_targets:
            result.append(instr)
            continue
        result[-1] = QInstr(name, prev.covers + instr.covers, prev.oparg, instr.oparg,
                            operand=prev.operand if prev.name == "LOAD_CONST" else instr.operand)
    return result


def _plain(decoded: Decoded, instr: Instruction) -> QInstr:
    """The instruction as it is, with its argument resolved where the stencil wants the object."""
    code = decoded.code
    if instr.name == "LOAD_CONST":
        return QInstr(instr.name, (instr,), instr.arg, operand=code.co_consts[instr.arg])
    if instr.name == "LOAD_GLOBAL":
        return QInstr(instr.name, (instr,), instr.arg, operand=code.co_names[instr.arg >> 1])
    if instr.name in ("LOAD_ATTR", "STORE_ATTR", "LOAD_METHOD"):
        return QInstr(instr.name, (instr,), instr.arg, operand=code.co_names[instr.arg])
    return QInstr(instr.name, (instr,), instr.arg)


def _fold_kw_names(decoded: Decoded, program: list[QInstr]) -> list[QInstr]:
    result = []
    kwnames = None
    for instr in program:
        if instr.name == "KW_NAMES":
            kwnames = decoded.code.co_consts[instr.oparg]
            pending = instr
            continue
        if instr.name == "PRECALL" and kwnames is not None:
            # An exit here would lose the names: the interpreter keeps them in a C local.
            instr.covers = pending.covers + instr.covers
        if instr.name == "CALL" and kwnames is not None:
            instr.operand, kwnames = kwnames, None
        result.append(instr)
    return result
