"""`items[i] += k` and `items[i] -= k` for a list local, an int local index and an int
constant (a histogram's `count[k] += 1`, fannkuch's `count[r] -= 1`) as one instruction,
LIST_ITEM_ADD_INT_CONST (stencils/items.c): the ten instructions of the statement (the
two loads, two COPYs, the subscript, the constant, the operation, two SWAPs and the store)
read the item from the list, compute, and put the new int in its place.  Its guard (an
exact list, an index in range, an int item and a result that fits 64 bits) exits before
the statement; where it kept exiting, the ten stay apart.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .ir import QInstr
from .types import may_be_list

if TYPE_CHECKING:
    from ..frontend.decode import Decoded
    from .specialize import Feedback

NAME = "LIST_ITEM_ADD_INT_CONST"
INPLACE_ADD, INPLACE_SUBTRACT = 13, 23  # BINARY_OP's opargs for += and -=
SHAPE = ("LOAD_FAST", "LOAD_FAST", "COPY", "COPY", "BINARY_SUBSCR", "LOAD_CONST", "BINARY_OP", "SWAP", "SWAP",
         "STORE_SUBSCR")
OPARGS = {2: 2, 3: 2, 7: 3, 8: 2}  # position in SHAPE -> the oparg it must have
MAX_ADDEND = 2 ** 31 - 1


def list_item_update(program: list[QInstr], at: int, decoded: Decoded, feedback: Feedback) -> QInstr | None:
    """The statement from program[at] as one LIST_ITEM_ADD_INT_CONST, or None."""
    run = program[at:at + len(SHAPE)]
    if (len(run) != len(SHAPE) or NAME not in feedback.stencils or run[0].start in feedback.generic_sites
            or any(q.name != name for q, name in zip(run, SHAPE))
            or any(run[k].oparg != oparg for k, oparg in OPARGS.items())
            or any(q.start in decoded.jump_targets for q in run[1:])):
        return None
    container, index, constant, operation = run[0], run[1], run[5].operand, run[6]
    if (type(constant) is not int or abs(constant) > MAX_ADDEND or operation.oparg not in (INPLACE_ADD, INPLACE_SUBTRACT)
            or max(container.oparg, index.oparg) >= 1 << 16
            or not may_be_list(feedback.states.get(container.start, ((), ())), container.oparg)):
        return None
    covers = tuple(c for q in run for c in q.covers)
    acts_at = sum(len(q.covers) for q in run[:6])  # the operation, where no memory for the int is raised
    return QInstr(NAME, covers, container.oparg | index.oparg << 16,
                  constant if operation.oparg == INPLACE_ADD else -constant, acts_at=acts_at,
                  guards=("an exact list, an index in range, an int item and a result that fits",),
                  note="the item read, updated and stored in place; anything else exits")
