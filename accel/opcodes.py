"""Which of CPython 3.11's opcodes run natively and which exit to the interpreter.

Generated from the opcode vocabulary (dis.opmap) and the stencils that exist, so it cannot
drift from the backend: an opcode runs natively when a stencil implements it (under its
own name, or a specialized form of it such as LOAD_ATTR_CACHED).  The opcodes that exit
say why here.  `python -m accel --opcodes` prints the table.
"""
from __future__ import annotations

import dataclasses
import dis

# Never executed as instructions of their own.
FOLDED = {
    "CACHE": "inline-cache entries after an instruction: skipped",
    "EXTENDED_ARG": "folded into the argument of the instruction it prefixes",
    "KW_NAMES": "folded into the CALL whose keyword names it sets",
    "PRECALL": "folded into the CALL after it, which splits a bound method as PRECALL does",
}

# Why the opcodes without a stencil exit to the interpreter at that instruction (none do
# now; an opcode a later CPython adds, or one whose stencil is taken out, says why here).
EXITS: dict[str, str] = {}


@dataclasses.dataclass(frozen=True)
class Opcode:
    name: str
    status: str  # "native", "folded" or "exits"
    detail: str  # the stencils that implement it, or why it does not run natively


def coverage(stencils: frozenset[str]) -> list[Opcode]:
    """Every 3.11 opcode, in name order."""
    rows = []
    for name in sorted(dis.opmap):
        forms = _forms(name, stencils)
        if forms:
            rows.append(Opcode(name, "native", ", ".join(forms)))
        elif name in FOLDED:
            rows.append(Opcode(name, "folded", FOLDED[name]))
        else:
            rows.append(Opcode(name, "exits", EXITS.get(name, "no stencil (reason not recorded)")))
    return rows


def _forms(name: str, stencils: frozenset[str]) -> list[str]:
    """The stencils implementing `name`: itself, its specialized forms (a longer opcode name
    that shares the prefix, CALL_FUNCTION_EX for CALL, is an opcode of its own), and the
    fused stencils that run it with its neighbours (LOAD_FAST__LOAD_ATTR_CACHED: one part each)."""
    longer = [other for other in dis.opmap if other != name and other.startswith(name + "_")]

    def is_form(part: str) -> bool:
        return part == name or (part.startswith(name + "_") and not any(part.startswith(o) for o in longer))

    return sorted(s for s in stencils if any(is_form(part) for part in s.split("__")))


def helper_stencils(rows: list[Opcode], stencils: frozenset[str]) -> list[str]:
    """The stencils that are no opcode's form: steps the compiler adds around instructions
    (boxing and unboxing, entries, exits, loop counters) and fused runs of several
    instructions named for what they do (INT_LOCAL_ADD_CONST, SLICE_COPY)."""
    forms = {form for row in rows if row.status == "native" for form in row.detail.split(", ")}
    return sorted(stencils - forms)


def markdown(rows: list[Opcode], helpers: list[str]) -> str:
    counts = {status: sum(r.status == status for r in rows) for status in ("native", "folded", "exits")}
    lines = [f"{len(rows)} opcodes: {counts['native']} native, {counts['folded']} folded into others, "
             f"{counts['exits']} exit to the interpreter", "",
             "| opcode | runs | stencils, or why not |", "|---|---|---|"]
    lines += [f"| `{r.name}` | {r.status} | {r.detail} |" for r in rows]
    lines += ["", f"{len(helpers)} stencils are no opcode's form (steps the compiler adds, and fused "
              f"instruction runs named for what they do): {', '.join(helpers)}"]
    return "\n".join(lines)
