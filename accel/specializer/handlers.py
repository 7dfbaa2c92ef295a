"""Exception handlers that native code runs.

An instruction inside a try block gets, as its `unwind`, the UNWIND step that takes an
exception it raises to the handler the exception table names (stencils/exceptions.c does
what ceval.c does there).  Not where values are unboxed (the handler would see them raw),
nor for a fused pair split by the edge of a try block: those exceptions go to the
interpreter, as any exception did before.
"""
from __future__ import annotations

from ..frontend.decode import Decoded, Handler
from .ir import QInstr


def add_unwinds(program: list[QInstr], decoded: Decoded) -> list[QInstr]:
    """The program, with an UNWIND step per handler that some instruction unwinds to."""
    if not decoded.handlers:
        return program  # no try block (most code): nothing to look up per instruction
    starting = {}
    for instr in program:
        starting.setdefault(instr.start, instr)
    unwinds: dict[tuple[int, int, bool], QInstr] = {}  # by where the handler starts, and how
    for instr in program:
        if instr.name in ("EXIT_INTERPRETER", "UNWIND") or instr.raw_locals or instr.raw_stack:
            continue
        handler = _covering(decoded.handlers, instr.covers[0].unit)
        if handler is None or handler != _covering(decoded.handlers, instr.covers[-1].unit) \
                or handler.target not in starting:
            continue
        key = (handler.target, handler.depth, handler.lasti)
        if key not in unwinds:
            target = starting[handler.target]
            unwinds[key] = QInstr("UNWIND", target.covers[:1], handler.depth, int(handler.lasti),
                                  target_instr=target, note="an exception raised in the try block lands here")
        instr.unwind = unwinds[key]
    return program + list(unwinds.values())


def _covering(handlers: list[Handler], unit: int) -> Handler | None:
    """The exception-table entry for an exception raised at `unit`, as CPython looks it up."""
    return next((h for h in handlers if h.start <= unit < h.end), None)
