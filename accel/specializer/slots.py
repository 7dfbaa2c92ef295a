"""__slots__ members where CPython found them: attribute accesses at a known offset.

A function that warmed up in the interpreter has its attribute sites specialized by
CPython 3.11 itself: a site that read or wrote a __slots__ member became LOAD_ATTR_SLOT or
STORE_ATTR_SLOT, whose inline cache holds the owner's type version tag and the member's
byte offset.  The forms of stencils/slots.c take those two as constants: one compare of
the owner's type's tag, then the member at its offset, with no inline cache to read and
no kind of attribute to tell apart.  A tag is never reused and changes with any change to
the class, so it alone vouches for the offset, as it does for CPython's own forms.  An
owner of another type, or an empty member, exits before the instruction; once a site keeps
exiting, the code is compiled again with every access in its cached form.
"""
from __future__ import annotations

import dis
import re
import types

from .ir import NOTHING, QInstr

# CPython 3.11's attribute cache after the opcode's unit (_PyAttrCache in
# Include/internal/pycore_code.h): a counter, the type version in two units (the low
# one first), the index (a member's byte offset).
_VERSION_LOW, _VERSION_HIGH, _INDEX = 2, 3, 4
SLOT_SPECIALIZATIONS = {"LOAD_ATTR": "LOAD_ATTR_SLOT", "STORE_ATTR": "STORE_ATTR_SLOT"}
# The oparg the version goes in is an int (native/accel.h): a tag above it stays cached.
_LARGEST_VERSION = 2**31 - 1
_OPNAMES = dis._all_opname  # 3.11: names of the specialized opcodes too
SLOT_GUARD = "owner's type is the class CPython found the member in"
SLOT_NOTE = "a __slots__ member at a known offset; another type or an empty member exits"
KNOWN_NOTE = "a __slots__ member at a known offset, of an owner checked before (one check per owner)"


def code_units(code: types.CodeType) -> memoryview:
    """The code's adaptive copy, as CPython runs it: its code units (_Py_CODEUNIT, in
    the machine's byte order, the opcode in the low byte)."""
    return memoryview(code._co_code_adaptive).cast("H")


def slot_member(units: memoryview, unit: int) -> tuple[int, int] | None:
    """(version, offset) if CPython specialized the attribute access at `unit` as a slot's."""
    if _OPNAMES[units[unit] & 0xFF] not in SLOT_SPECIALIZATIONS.values():
        return None
    version = units[unit + _VERSION_LOW] | units[unit + _VERSION_HIGH] << 16
    return (version, units[unit + _INDEX]) if 0 < version <= _LARGEST_VERSION else None


def slot_form(name: str) -> str:
    """The slot form's name of an attribute access's cached form."""
    return name.replace("ATTR_CACHED", "ATTR_SLOT")


def use_known_slots(program: list[QInstr], code: types.CodeType, generic: frozenset[int], may_recompile: bool,
                    stencils: frozenset[str]) -> list[QInstr]:
    """Each cached attribute access with a slot form, whose attribute CPython found in a
    member (all of them, for a form that reads it twice), takes that form, in place.  Runs
    after the fusing passes, whose forms it renames.  Where one of those sites was made
    generic (its guard kept failing: an owner of another class, an empty member), none of
    the code's sites takes a slot form: a site that sees several classes is the rule in
    object code, and the others would otherwise fail one recompile at a time.  Nor where
    the code may not be compiled again (`may_recompile`): a site that kept exiting would
    stay so."""
    accesses = [(instr, slot_form(instr.name)) for instr in program]
    accesses = [(instr, form) for instr, form in accesses if form != instr.name and form in stencils]
    if not may_recompile or not accesses or any(instr.start in generic for instr, _ in accesses):
        return program
    units = code_units(code)
    chosen = []
    for instr, form in accesses:
        found = {slot_member(units, i.unit) for i in instr.covers if i.name in SLOT_SPECIALIZATIONS}
        if len(found) == 1 and None not in found:
            chosen.append((instr, form, found.pop()))
    for instr, form, (version, offset) in chosen:
        instr.name, instr.oparg2, instr.operand, instr.raw_operand = form, version, NOTHING, offset
        instr.guards = (SLOT_GUARD,) + instr.guards
        instr.note = SLOT_NOTE
    return program


# ---- one type check per owner: the KNOWN_OWNER forms ----

# What a slot form borrowing its owner from a local becomes where that owner is known.
KNOWN_OWNER = "_KNOWN_OWNER"
# Slot forms whose store may release an object of any type (its finalizer may run code).
_RELEASES_ANY = frozenset({"LOAD_FAST__STORE_ATTR_SLOT", "LOAD_FAST__STORE_ATTR_SLOT_BOX_FLOAT",
                           "STORE_ATTR_SLOT_BOX_FLOAT", "STORE_ATTR_SLOT_SWAPPED_BOX_FLOAT"})
# Instructions that run no code, bind no local and change no class: raw float arithmetic
# and comparisons (not their forms that store into a local), libm calls, constants and
# plain local loads; an exception or an exit they raise leaves this path.
_HARMLESS = re.compile(r"BINARY_OP_\w+_FLOAT_RAW(_(CONST|FAST|STACK)_(CONST|FAST|STACK))?|BINARY_OP_POWER_FLOAT_RAW_HALF"
                       r"|COMPARE_OP_FLOAT_JUMP_RAW\w*|CALL_MATH_\w+_RAW|LOAD_CONST_RAW|LOAD_FAST_RAW|LOAD_CONST"
                       r"|LOAD_FAST|JUMP_FORWARD|NOP")


def know_owners(program: list[QInstr], handler_targets: frozenset[int], stencils: frozenset[str]) -> list[QInstr]:
    """A slot form on a local whose owner an earlier slot form checked against the same
    version tag, on every path to it, with nothing since that could run code (a finalizer,
    a signal handler), bind the local or change a class, skips the check: its
    KNOWN_OWNER form, in place.  What is known flows forward along fall-throughs and
    jumps and meets at joins; nothing is known at the start, at an exception handler, at
    the entry points of loops (a loop's head, a backward jump: native code may go on
    there after the interpreter or an eval breaker's handlers ran) or after anything
    else."""
    position = {id(instr): i for i, instr in enumerate(program)}
    predecessors: list[list[int]] = [[] for _ in program]
    for i, instr in enumerate(program):
        if instr.falls_through and i + 1 < len(program):
            predecessors[i + 1].append(i)
        if instr.target_instr is not None:
            if id(instr.target_instr) not in position:
                return program
            predecessors[position[id(instr.target_instr)]].append(i)
    known_after: list[dict[int, int]] = []
    for i, instr in enumerate(program):
        before = predecessors[i]
        jumps_back = instr.target_instr is not None and position[id(instr.target_instr)] <= i
        if not before or instr.start in handler_targets or jumps_back or any(j >= i for j in before):
            known: dict[int, int] = {}
        else:
            known = dict(set.intersection(*(set(known_after[j].items()) for j in before)))
        known_after.append(_after(instr, known, stencils))
    return program


def _after(instr: QInstr, known: dict[int, int], stencils: frozenset[str]) -> dict[int, int]:
    """What is known after `instr` (renamed to its KNOWN_OWNER form where it may)."""
    name = instr.name
    if "_ATTR_SLOT" in name:
        if name.startswith("LOAD_FAST__"):
            local, version = instr.oparg, instr.oparg2
            if known.get(local) == version and name + KNOWN_OWNER in stencils:
                instr.name = name + KNOWN_OWNER
                instr.guards = tuple(g for g in instr.guards if g != SLOT_GUARD)
                instr.note = KNOWN_NOTE
            known = {**known, local: version}
        return {} if name in _RELEASES_ANY else known
    if name == "STORE_FAST_RAW":
        return {local: version for local, version in known.items() if local != instr.oparg}
    return known if _HARMLESS.fullmatch(name) else {}
