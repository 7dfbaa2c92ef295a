"""Exception handlers that native code runs.

An instruction inside a try block gets, as its `unwind`, the step that takes an exception
it raises to the handler the exception table names (stencils/exceptions.c does what
ceval.c does there): UNWIND, which adds this frame's traceback entry first, or, for the
instructions that re-raise (RERAISE, a bare `raise`), UNWIND_RERAISED, which does not.
Not where locals are unboxed or unboxed stack slots stay below the handler's level (the
handler would see them raw), nor for a fused pair split by the edge of a try block: those
exceptions go to the interpreter, as any exception did before.  Unboxed stack slots that
unwinding pops (`total += d[key]` with `total` unboxed) are forgotten, not released.  A re-raising instruction that native code cannot take to its handler is left to
the interpreter whole (handing over its exception would add the traceback entry); outside
any try block it leaves the frame natively.
"""
from __future__ import annotations

from ..frontend.decode import Decoded, Handler
from .ir import QInstr

STEPS = frozenset({"EXIT_INTERPRETER", "UNWIND", "UNWIND_RERAISED"})


def add_unwinds(program: list[QInstr], decoded: Decoded) -> list[QInstr]:
    """The program, with an unwinding step per handler that some instruction unwinds to."""
    if not decoded.handlers:
        return program  # no try block (most code): nothing to look up per instruction
    starting = {}
    for instr in program:
        starting.setdefault(instr.start, instr)
    unwinds: dict[tuple[int, int, bool, bool], QInstr] = {}  # by where the handler starts, and how
    handler_at = _covering_each_unit(decoded.handlers)
    for instr in program:
        if instr.name in STEPS:
            continue
        reraises = _reraises(instr)
        handler = handler_at.get(instr.covers[0].unit)
        popped_raw = _raw_slots_popped(instr, handler)
        natively = not instr.raw_locals and instr.raw_stack == popped_raw and (handler is None or (
            handler == handler_at.get(instr.covers[-1].unit) and handler.target in starting))
        if not natively:
            if reraises:
                _leave_to_interpreter(instr)
            continue
        if handler is None:
            continue  # out of the frame: a re-raise natively, any other exception through the interpreter
        key = (handler.target, handler.depth, handler.lasti, reraises, popped_raw, instr.raw_int_stack)
        if key not in unwinds:
            target = starting[handler.target]
            unwind = QInstr("UNWIND_RERAISED" if reraises else "UNWIND", target.covers[:1], handler.depth,
                            int(handler.lasti), target_instr=target, raw_operand=popped_raw,
                            note="an exception " + ("re-raised" if reraises else "raised")
                                 + " in the try block lands here")
            # (An exit from it, tracing switched on, boxes them for the interpreter.)
            unwind.raw_stack, unwind.raw_int_stack = popped_raw, instr.raw_int_stack
            unwinds[key] = unwind
        instr.unwind = unwinds[key]
    return program + list(unwinds.values())


def _raw_slots_popped(instr: QInstr, handler: Handler | None) -> int:
    """The raw stack slots below `instr` that unwinding to the handler pops (they are not
    objects: UNWIND forgets them rather than releasing them).  Raw slots the handler keeps
    would reach it raw, and a re-raise's unwinding (UNWIND_RERAISED) pops objects only."""
    if handler is None or _reraises(instr):
        return 0
    return instr.raw_stack & ~((1 << handler.depth) - 1)


def _reraises(instr: QInstr) -> bool:
    return instr.name == "RERAISE" or instr.name == "RAISE_VARARGS" and instr.oparg == 0


def _leave_to_interpreter(instr: QInstr) -> None:
    instr.name = "EXIT_INTERPRETER"
    instr.note = f"{instr.first.name} re-raises to a handler that the interpreter runs here"


def _covering_each_unit(handlers: list[Handler]) -> dict[int, Handler]:
    """covering() of every unit some entry covers, made at once: asking covering() for each
    instruction would scan the table for each (code with many try blocks)."""
    table = {}
    for handler in reversed(handlers):  # the first entry that covers a unit wins
        for unit in range(handler.start, handler.end):
            table[unit] = handler
    return table


def covering(handlers: list[Handler], unit: int) -> Handler | None:
    """The exception-table entry for an exception raised at `unit`, as CPython looks it up."""
    return next((h for h in handlers if h.start <= unit < h.end), None)
