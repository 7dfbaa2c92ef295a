"""Quickening: static rewrites that need no type information.

- KW_NAMES is folded into the CALL it names arguments for (the CALL's operand).
- Pairs of instructions become CPython's superinstructions, unless the second one is a
  jump target (a jump must land on an instruction of its own).
"""
from __future__ import annotations

from ..frontend.decode import Decoded, Instruction
from .ir import QInstr, jump_targets

SUPERINSTRUCTIONS = {
    ("LOAD_FAST", "LOAD_FAST"): "LOAD_FAST__LOAD_FAST",
    ("LOAD_FAST", "LOAD_CONST"): "LOAD_FAST__LOAD_CONST",
    ("LOAD_CONST", "LOAD_FAST"): "LOAD_CONST__LOAD_FAST",
    ("STORE_FAST", "LOAD_FAST"): "STORE_FAST__LOAD_FAST",
    ("STORE_FAST", "STORE_FAST"): "STORE_FAST__STORE_FAST",
}


def quicken(decoded: Decoded) -> list[QInstr]:
    return _fold_kw_names(decoded, [_plain(decoded, i) for i in decoded.instructions])


def superinstructions(program: list[QInstr]) -> list[QInstr]:
    """Fuse plain pairs; runs last, after the passes that want them apart.  The first
    instruction of a pair becomes the fused one, so jumps to it stay valid."""
    targets = jump_targets(program)
    result: list[QInstr] = []
    for instr in program:
        prev = result[-1] if result else None
        name = SUPERINSTRUCTIONS.get((prev.name, instr.name)) if prev else None
        if name is None or id(instr) in targets:
            result.append(instr)
            continue
        if prev.name != "LOAD_CONST":
            prev.operand = instr.operand
        prev.name, prev.covers, prev.oparg2 = name, prev.covers + instr.covers, instr.oparg
    return result


# Instructions whose stencil takes an object from the code object as its operand:
# name -> (code attribute, how the oparg indexes it).
OPERAND_OBJECTS = {
    "LOAD_CONST": ("co_consts", lambda arg: arg),
    "LOAD_GLOBAL": ("co_names", lambda arg: arg >> 1),
    "LOAD_ATTR": ("co_names", lambda arg: arg),
    "STORE_ATTR": ("co_names", lambda arg: arg),
    "LOAD_METHOD": ("co_names", lambda arg: arg),
    "STORE_GLOBAL": ("co_names", lambda arg: arg),
    "DELETE_GLOBAL": ("co_names", lambda arg: arg),
    "IMPORT_NAME": ("co_names", lambda arg: arg),
    "IMPORT_FROM": ("co_names", lambda arg: arg),
}


def _plain(decoded: Decoded, instr: Instruction) -> QInstr:
    """The instruction as it is, with its operand object resolved where the stencil wants it."""
    source = OPERAND_OBJECTS.get(instr.name)
    if source is None:
        return QInstr(instr.name, (instr,), instr.arg)
    table, index = source
    return QInstr(instr.name, (instr,), instr.arg, operand=getattr(decoded.code, table)[index(instr.arg)])


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
