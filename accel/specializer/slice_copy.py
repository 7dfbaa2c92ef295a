"""`dst[a:b] = src[c:d(:e)]` as one instruction, SLICE_COPY (stencils/slices.c,
native/containers.c): the items go from one list into the other (or within one list:
fannkuch's `perm[:k + 1] = perm[k::-1]`, a rotation's `p[:r] = p[1:r + 1]`) without the
intermediate list the two subscripts make.

The statement fuses when its containers are locals and each bound is None, an int
constant, a local, or a local plus or minus an int constant: then nothing between the
read and the store can run Python code, once the stencil has checked that both
containers are exact lists and the locals ints or None.  Anything else exits to the
interpreter before the statement (a guard: one that keeps failing makes the site
generic, and the two subscripts are compiled as they are).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..frontend.decode import Decoded
from .ir import QInstr
from .types import may_be_list

if TYPE_CHECKING:
    from .specialize import Feedback

NAME = "SLICE_COPY"
ADD, SUBTRACT = 0, 10  # BINARY_OP's opargs for + and -
# A bound in 16 bits: its kind in the low two, then a constant (14 bits, signed) or a
# local (8 bits) and a constant added to it (6 bits, signed).  native/containers.c reads them.
BOUND_NONE, BOUND_CONST, BOUND_LOCAL, BOUND_LOCAL_PLUS = range(4)
CONST_BITS, LOCAL_BITS, ADDEND_BITS = 14, 8, 6
MAX_STEP = 2 ** 31 - 1


def _fits(value: int, bits: int) -> bool:
    return -(1 << (bits - 1)) <= value < 1 << (bits - 1)


def _int_constant(instr: QInstr) -> int | None:
    value = instr.operand if instr.name == "LOAD_CONST" else None
    return value if type(value) is int else None


def _bound(program: list[QInstr], at: int) -> tuple[int, int] | None:
    """The bound the instructions from `at` compute: (its 16 bits, how many instructions)."""
    first = program[at]
    if first.name == "LOAD_CONST" and first.operand is None:
        return BOUND_NONE, 1
    constant = _int_constant(first)
    if constant is not None:
        return (BOUND_CONST | (constant & (1 << CONST_BITS) - 1) << 2, 1) if _fits(constant, CONST_BITS) else None
    if first.name != "LOAD_FAST" or first.oparg >= 1 << LOCAL_BITS:
        return None
    local = BOUND_LOCAL | first.oparg << 2
    if at + 2 >= len(program):
        return local, 1
    addend, operation = _int_constant(program[at + 1]), program[at + 2]
    if addend is None or operation.name != "BINARY_OP" or operation.oparg not in (ADD, SUBTRACT):
        return local, 1
    addend = addend if operation.oparg == ADD else -addend
    if not _fits(addend, ADDEND_BITS):
        return None
    return BOUND_LOCAL_PLUS | first.oparg << 2 | (addend & (1 << ADDEND_BITS) - 1) << 10, 3


def _bounds(program: list[QInstr], at: int, count: int) -> tuple[list[int], int] | None:
    """`count` bounds from `at`: their bits and where the instruction after them is."""
    found = []
    for _ in range(count):
        if at >= len(program):
            return None
        bound = _bound(program, at)
        if bound is None:
            return None
        found.append(bound[0])
        at += bound[1]
    return found, at


def _is(program: list[QInstr], at: int, name: str, oparg: int | None = None) -> bool:
    return at < len(program) and program[at].name == name and (oparg is None or program[at].oparg == oparg)


def slice_copy(program: list[QInstr], at: int, decoded: Decoded, feedback: Feedback) -> tuple[QInstr, int] | None:
    """The statement from program[at] as one SLICE_COPY and how many instructions it
    replaces, or None if it is not such a statement (or its containers are known not to
    be lists)."""
    source = program[at]
    if source.name != "LOAD_FAST" or NAME not in feedback.stencils or source.start in feedback.generic_sites:
        return None
    read = _bounds(program, at + 1, 2)
    if read is None:
        return None
    (start, stop), after = read
    step = 1
    if _is(program, after, "LOAD_CONST") and _is(program, after + 1, "BUILD_SLICE", 3):
        constant = program[after].operand
        if constant is not None and (type(constant) is not int or constant == 0 or abs(constant) > MAX_STEP):
            return None
        step = 1 if constant is None else constant
        after += 1
    elif not _is(program, after, "BUILD_SLICE", 2):
        return None
    if not _is(program, after + 1, "BINARY_SUBSCR") or not _is(program, after + 2, "LOAD_FAST"):
        return None
    target = program[after + 2]
    written = _bounds(program, after + 3, 2)
    if written is None or source.oparg >= 1 << 16 or target.oparg >= 1 << 16:
        return None
    (to_start, to_stop), end = written
    if not _is(program, end, "BUILD_SLICE", 2) or not _is(program, end + 1, "STORE_SUBSCR"):
        return None
    covered = program[at:end + 2]
    if any(instr.start in decoded.jump_targets for instr in covered[1:]):
        return None
    inferred = feedback.states.get(source.start, ((), ()))
    if not (may_be_list(inferred, source.oparg) and may_be_list(inferred, target.oparg)):
        return None
    covers = tuple(i for instr in covered for i in instr.covers)
    fused = QInstr(NAME, covers, source.oparg | target.oparg << 16, step,
                   raw_operand=start | stop << 16 | to_start << 32 | to_stop << 48,
                   acts_at=len(covers) - 1, guards=("both lists exact, bounds ints or None",),
                   note="the items move from list to list, no intermediate list; other operands exit")
    return fused, len(covered)
