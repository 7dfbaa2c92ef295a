"""The intermediate form: quickened and specialized instructions (DESIGN.md §2).

Each instruction is named in CPython's vocabulary where one exists (LOAD_FAST__LOAD_FAST,
BINARY_OP_MULTIPLY_FLOAT, COMPARE_OP_INT_JUMP) and in ours where none does; the backend
emits the stencil of the same name.  It keeps the original instructions it stands for,
so that every native exit knows where the interpreter resumes.
"""
from __future__ import annotations

import dataclasses

from ..frontend.decode import Instruction


class _Nothing:
    """No operand object (None is a constant like any other)."""

    def __repr__(self) -> str:
        return "NOTHING"


NOTHING = _Nothing()


@dataclasses.dataclass
class QInstr:
    name: str
    covers: tuple[Instruction, ...]  # the original instructions, in order
    oparg: int = 0
    oparg2: int = 0
    operand: object = NOTHING  # an object the stencil uses (a constant, a name), kept alive with the code
    raw_operand: int = 0  # or a raw value (a function address, a mask)
    guards: tuple[str, ...] = ()  # what must hold, or the code exits to the interpreter
    note: str = ""  # why it stays generic, or why it exits

    @property
    def first(self) -> Instruction:
        return self.covers[0]

    @property
    def last(self) -> Instruction:
        return self.covers[-1]

    @property
    def start(self) -> int:
        return self.first.start

    @property
    def target(self) -> int | None:
        return self.last.target

    @property
    def falls_through(self) -> bool:
        return self.name != "EXIT_INTERPRETER" and self.last.falls_through
