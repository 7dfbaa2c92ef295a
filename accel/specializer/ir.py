"""The intermediate form: quickened and specialized instructions (DESIGN.md §2).

Each instruction is named in CPython's vocabulary where one exists (LOAD_FAST__LOAD_FAST,
BINARY_OP_MULTIPLY_FLOAT, COMPARE_OP_INT_JUMP) and in ours where none does
(LOAD_FAST_UNBOX_FLOAT, BOX_FLOAT, EXIT_INTERPRETER); the backend emits the stencil of
the same name.  It keeps the original instructions it stands for, so that every native
exit knows where the interpreter resumes.
"""
from __future__ import annotations

from ..datatype import datatype
from ..frontend.decode import TERMINATORS, Instruction


# No instruction after these runs next (the fused returns: accel/specializer/borrow.py).
ENDS_PATH = TERMINATORS | {"EXIT_INTERPRETER", "UNWIND", "UNWIND_RERAISED",
                           "LOAD_FAST__RETURN_VALUE", "LOAD_CONST__RETURN_VALUE"}


class _Nothing:
    """No operand object (None is a constant like any other)."""

    def __repr__(self) -> str:
        return "NOTHING"


NOTHING = _Nothing()


@datatype(eq=False, slots=True)
class QInstr:
    name: str
    covers: tuple[Instruction, ...]  # the original instructions, in order (exits resume at the first)
    oparg: int = 0
    oparg2: int = 0
    operand: object = NOTHING  # an object the stencil uses (a constant, a name), kept alive with the code
    raw_operand: int = 0  # or a raw value (a function address, a mask, a float's bits)
    guards: tuple[str, ...] = ()  # what must hold, or the code exits to the interpreter
    note: str = ""  # why it stays generic, or why it exits
    target_instr: QInstr | None = None  # where it jumps (set by link())
    raw_locals: int = 0  # locals holding raw (unboxed) values before it, by bit
    raw_stack: int = 0  # stack slots (from the bottom) holding raw values before it, by bit
    raw_int_locals: int = 0  # of the raw locals, the ints (the others are floats)
    raw_int_stack: int = 0  # of the raw stack slots, the ints
    pushes_raw: str | None = None  # "float" or "int" if the value it pushes is raw
    unwind: QInstr | None = None  # where native code handles an exception it raises (UNWIND)
    acts_at: int = 0  # which of `covers` does the work: prev_instr names it while it runs

    @property
    def unit(self) -> int:
        """The code unit of the covered instruction that does the work."""
        return self.covers[self.acts_at].unit

    @property
    def first(self) -> Instruction:
        return self.covers[0]

    @property
    def start(self) -> int:
        return self.covers[0].start

    @property
    def jumps(self) -> bool:
        return self.target_instr is not None

    @property
    def falls_through(self) -> bool:
        return self.name not in ENDS_PATH


def link(program: list[QInstr]) -> list[QInstr]:
    """Point each jump at the instruction that starts at its target code unit."""
    at = {instr.covers[0].start: instr for instr in reversed(program)}  # the first one that starts there
    for instr in program:
        target = instr.covers[-1].target
        if target is not None and instr.name != "EXIT_INTERPRETER" and instr.target_instr is None:
            instr.target_instr = at[target]
    return program


def jump_targets(program: list[QInstr]) -> set[int]:
    """ids of the instructions something jumps to."""
    return {id(i.target_instr) for i in program if i.target_instr is not None}
