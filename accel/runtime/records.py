"""What the compiler made of each code object, kept for explain(), stats() and the logs.

Kept inside native/'s per-code record, as marshalled bytes: it lives exactly as long as the
code object, holds no reference to it, and adds no object the garbage collector tracks
(programs that count gc.get_objects() see the same numbers as without accel).
"""
from __future__ import annotations

import ctypes
import dataclasses
import marshal
import types
import typing

from . import native


class Step(typing.NamedTuple):
    """One specialized instruction, attributed to the bytecode instruction at `start`."""

    start: int  # code unit
    name: str
    guards: tuple[str, ...]
    note: str
    emitted: bool  # reached natively, so emitted (in this order)


@dataclasses.dataclass(frozen=True)
class Compiled:
    steps: tuple[Step, ...]
    attempts: int
    generic_sites: frozenset[int]
    operand_kinds: dict[int, int]  # code unit -> the operand kinds its site saw (native/operand_kinds.h)


@dataclasses.dataclass(frozen=True)
class Failure:
    reason: str


def save_compiled(code: types.CodeType, steps: tuple[tuple, ...], attempts: int,
                  generic_sites: frozenset[int], operand_kinds: dict[int, int]) -> None:
    """steps: each one's fields in Step's order, as plain tuples (what marshal stores; the
    compiler makes one per instruction, and a Step costs several times more to make)."""
    _save(code, ("compiled", steps, attempts, tuple(sorted(generic_sites)), operand_kinds))


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
    _, steps, attempts, generic, operand_kinds = data
    return Compiled(tuple(map(Step._make, steps)), attempts, frozenset(generic), operand_kinds)


def codes() -> list[types.CodeType]:
    """Every live code object the compiler has seen."""
    return [ctypes.cast(address, ctypes.py_object).value for address in native.summarized_codes()]
