"""Quickening: static rewrites that need no type information.

- PRECALL is folded into the CALL after it (native/calls.c does both), and KW_NAMES into
  the CALL it names arguments for (the CALL's operand).
- Pairs of instructions become CPython's superinstructions, unless the second one is a
  jump target (a jump must land on an instruction of its own).
- An unpacking of a tuple or list whose items all go to locals (a, b = pair; for x, y in
  points) is fused with those STORE_FASTs: the items go straight into the locals.
"""
from __future__ import annotations

from ..frontend.decode import Decoded, Instruction
from .ir import NOTHING, QInstr, jump_targets

SUPERINSTRUCTIONS = {
    ("LOAD_FAST", "LOAD_FAST"): "LOAD_FAST__LOAD_FAST",
    ("LOAD_FAST", "LOAD_CONST"): "LOAD_FAST__LOAD_CONST",
    ("LOAD_CONST", "LOAD_FAST"): "LOAD_CONST__LOAD_FAST",
    ("STORE_FAST", "LOAD_FAST"): "STORE_FAST__LOAD_FAST",
    ("STORE_FAST", "STORE_FAST"): "STORE_FAST__STORE_FAST",
}

# Instructions whose stencil takes an object from the code object as its operand:
# name -> (code attribute, how far to shift the oparg right to index it).
OPERAND_OBJECTS = {
    "LOAD_CONST": ("co_consts", 0),
    "LOAD_GLOBAL": ("co_names", 1),
    "LOAD_ATTR": ("co_names", 0),
    "STORE_ATTR": ("co_names", 0),
    "LOAD_METHOD": ("co_names", 0),
    "STORE_GLOBAL": ("co_names", 0),
    "DELETE_GLOBAL": ("co_names", 0),
    "IMPORT_NAME": ("co_names", 0),
    "IMPORT_FROM": ("co_names", 0),
}


def quicken(decoded: Decoded) -> list[QInstr]:
    """Each instruction as it is, with its operand object resolved where the stencil wants
    it, and KW_NAMES and PRECALL folded into the CALL after them."""
    code = decoded.code
    result = []
    folded: list[Instruction] = []  # KW_NAMES and PRECALL, until the CALL after them
    kw_names: Instruction | None = None  # until the CALL it names arguments for
    for instr in decoded.instructions:
        name = instr.name
        if name == "KW_NAMES":
            # An exit before the CALL would lose the names: the interpreter keeps them in a C local.
            kw_names = instr
            folded.append(instr)
            continue
        if name == "PRECALL":
            folded.append(instr)
            continue
        source = OPERAND_OBJECTS.get(name)
        if source is not None:
            table, shift = source
            result.append(QInstr(name, (instr,), instr.arg, operand=getattr(code, table)[instr.arg >> shift]))
        elif name == "CALL" and folded:
            # Native code stands at the CALL while the call runs: tracebacks name it.
            operand = code.co_consts[kw_names.arg] if kw_names is not None else NOTHING
            result.append(QInstr(name, (*folded, instr), instr.arg, operand=operand, acts_at=len(folded)))
            folded, kw_names = [], None
        else:
            result.append(QInstr(name, (instr,), instr.arg))
    return result


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


# Unpacking forms that can store their items straight into locals, and the fused form.
UNPACK_TO_LOCALS = {"UNPACK_SEQUENCE_TUPLE": "UNPACK_SEQUENCE_TUPLE_TO_LOCALS",
                    "UNPACK_SEQUENCE_TWO_TUPLE": "UNPACK_SEQUENCE_TUPLE_TO_LOCALS",
                    "UNPACK_SEQUENCE_LIST": "UNPACK_SEQUENCE_LIST_TO_LOCALS"}
# The fused form's operand holds each target local's index in a byte.
MAX_UNPACK_TO_LOCALS = 8
# Code units from an UNPACK_SEQUENCE to the instruction after it (its inline cache).
UNPACK_SEQUENCE_UNITS = 2


def unpack_to_locals(program: list[QInstr]) -> list[QInstr]:
    """Fuse each specialized unpacking with the STORE_FASTs of all its items where they
    directly follow it, one code unit each (the stencil names each store's unit), none a
    jump target; runs before `superinstructions`, which would pair the stores."""
    if {instr.name for instr in program}.isdisjoint(UNPACK_TO_LOCALS):
        return program  # (most code unpacks nothing: no walk over it)
    targets = jump_targets(program)
    result: list[QInstr] = []
    index = 0
    while index < len(program):
        instr = program[index]
        result.append(instr)
        index += 1
        fused = UNPACK_TO_LOCALS.get(instr.name)
        count = instr.oparg
        if fused is None or not 0 < count <= MAX_UNPACK_TO_LOCALS or len(instr.covers) != 1:
            continue
        stores = program[index:index + count]
        first_store = instr.first.unit + UNPACK_SEQUENCE_UNITS
        if len(stores) == count and all(
                store.name == "STORE_FAST" and len(store.covers) == 1 and store.first.unit == first_store + k
                and store.oparg < 256 and id(store) not in targets for k, store in enumerate(stores)):
            instr.name = fused
            instr.covers += tuple(store.first for store in stores)
            instr.raw_operand = sum(store.oparg << (8 * k) for k, store in enumerate(stores))
            index += count
    return result
