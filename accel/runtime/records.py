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
# What the compiler made of a code object, or why it made nothing.  Named tuples, not
# dataclasses: the compiler loads this module, and dataclasses costs more than the module.
Compiled = collections.namedtuple("Compiled", ("steps", "attempts", "generic_sites"))
Failure = collections.namedtuple("Failure", ("reason",))


def save_compiled(code: types.CodeType, steps: tuple[tuple, ...], attempts: int,
                  generic_sites: frozenset[int]) -> None:
    """steps: each one's fields in Step's order, as plain tuples (what marshal stores; the
    compiler makes one per instruction, and a Step costs several times more to make)."""
    _save(code, ("compiled", steps, attempts, tuple(sorted(generic_sites))))


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
    _, steps, attempts, generic = data
    return Compiled(tuple(map(Step._make, steps)), attempts, frozenset(generic))


def codes() -> list[types.CodeType]:
    """Every live code object the compiler has seen."""
    import ctypes  # only for reports: the compiler itself never needs it

    return [ctypes.cast(address, ctypes.py_object).value for address in native.summarized_codes()]
