"""What the compiler made of each code object, kept for explain(), stats() and the logs.

Kept inside native/'s per-code record, as marshalled bytes: it lives exactly as long as the
code object, holds no reference to it, and adds no object the garbage collector tracks
(programs that count gc.get_objects() see the same numbers as without accel).
"""
from __future__ import annotations

import collections
import marshal
import types

from . import native

# One specialized instruction, attributed to the bytecode instruction at `start` (a code unit):
# its name, guards, note, and whether native code reaches it (so it was emitted, in this order).
Step = collections.namedtuple("Step", ("start", "name", "guards", "note", "emitted"))
# What the compiler made of a code object, or why it made nothing (operand_kinds: code
# unit -> the operand kinds its site saw, native/operand_kinds.h; argument_kinds: the name
# of each argument's type, of GUESSES' (accel/specializer/inline.py), at the call that
# compiled it, else "").  Named tuples, not
# dataclasses: the compiler loads this module, and dataclasses costs more than the module.
Compiled = collections.namedtuple("Compiled", ("steps", "attempts", "generic_sites", "operand_kinds",
                                                 "argument_kinds"))
Failure = collections.namedtuple("Failure", ("reason",))


def save_compiled(code: types.CodeType, steps: tuple[tuple, ...], attempts: int,
                  generic_sites: frozenset[int], operand_kinds: dict[int, int],
                  argument_kinds: tuple[str, ...]) -> None:
    """steps: each one's fields in Step's order, as plain tuples (what marshal stores; the
    compiler makes one per instruction, and a Step costs several times more to make)."""
    _save(code, ("compiled", steps, attempts, tuple(sorted(generic_sites)), operand_kinds, argument_kinds))


def save_failure(code: types.CodeType, reason: str) -> None:
    _save(code, ("failed", reason))


def _save(code: types.CodeType, data: tuple) -> None:
    native.set_summary(code, marshal.dumps(data))


def load(code: types.CodeType) -> Compiled | Failure | None:
    blob = native.get_summary(code)
    if blob is None:
        return None
    data = marshal.loads(blob)
    if data[0] == "failed":
        return Failure(data[1])
    _, steps, attempts, generic, operand_kinds, argument_kinds = data
    return Compiled(tuple(map(Step._make, steps)), attempts, frozenset(generic), operand_kinds, argument_kinds)


def codes() -> list[types.CodeType]:
    """Every live code object the compiler has seen."""
    return native.summarized_codes()
