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


def code_units(code: types.CodeType) -> list[int]:
    """The code's adaptive copy, as CPython runs it: one int per code unit."""
    adaptive = code._co_code_adaptive
    return [int.from_bytes(adaptive[i:i + 2], "little") for i in range(0, len(adaptive), 2)]


def slot_member(units: list[int], unit: int) -> tuple[int, int] | None:
    """(version, offset) if CPython specialized the attribute access at `unit` as a slot's."""
    if _OPNAMES[units[unit] & 0xFF] not in SLOT_SPECIALIZATIONS.values():
        return None
    version = units[unit + _VERSION_LOW] | units[unit + _VERSION_HIGH] << 16
    return (version, units[unit + _INDEX]) if 0 < version <= _LARGEST_VERSION else None


def slot_form(name: str) -> str:
    """The slot form's name of an attribute access's cached form."""
    return name.replace("ATTR_CACHED", "ATTR_SLOT")


def use_known_slots(program: list[QInstr], code: types.CodeType, generic: frozenset[int],
                    stencils: frozenset[str]) -> list[QInstr]:
    """Each cached attribute access with a slot form, whose attribute CPython found in a
    member (all of them, for a form that reads it twice), takes that form, in place.  Runs
    after the fusing passes, whose forms it renames.  Where one of those sites was made
    generic (its guard kept failing: an owner of another class, an empty member), none of
    the code's sites takes a slot form: a site that sees several classes is the rule in
    object code, and the others would otherwise fail one recompile at a time."""
    accesses = [(instr, slot_form(instr.name)) for instr in program]
    accesses = [(instr, form) for instr, form in accesses if form != instr.name and form in stencils]
    if any(instr.start in generic for instr, _ in accesses):
        return program
    units = code_units(code)
    chosen = []
    for instr, form in accesses:
        found = {slot_member(units, i.unit) for i in instr.covers if i.name in SLOT_SPECIALIZATIONS}
        if len(found) == 1 and None not in found:
            chosen.append((instr, form, found.pop()))
    for instr, form, (version, offset) in chosen:
        instr.name, instr.oparg2, instr.operand, instr.raw_operand = form, version, NOTHING, offset
        instr.guards = ("owner's type is the class CPython found the member in",) + instr.guards
        instr.note = "a __slots__ member at a known offset; another type or an empty member exits"
    return program
