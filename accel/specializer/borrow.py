"""Borrowed operands: a LOAD_FAST fused with the instruction that consumes what it pushed.

The fused form reads the operand straight from the local's slot, where the frame keeps it
alive, instead of pushing a new reference that the consumer releases again: no reference
count traffic, no value-stack store and load (the commonest pairs of object code:
`self.x`, `self.x = v`, `if x:`, `if x is None:`, `return x`; and `return None`, from the
code's constants).  The stencils live beside the consumer's own (stencils/cached.c,
control.c) and take the local's index, or the constant, as the loader's OPARG (OPERAND).

What stays as the interpreter expects:
- an exit before the pair resumes at the LOAD_FAST, with nothing of the pair pushed (an
  unbound local exits there too: the interpreter raises its UnboundLocalError);
- the consumer's work (prev_instr, tracebacks, exceptions) is at its own instruction;
- where Python code may run during the consumer (a descriptor, `__getattr__`,
  `__setattr__`, `__bool__`), the stencil holds its own reference, as the value stack
  would.
Not fused: a consumer something jumps to, a local that holds a raw value, and a pair split
by the edge of a try block (the handler's stack depth could then include the operand).
An attribute loaded from a borrowed owner and only tested by a jump is borrowed too.
"""
from __future__ import annotations

from ..frontend.decode import Decoded
from .handlers import covering
from .ir import QInstr, jump_targets

# (loader, consumer) -> the fused form
BORROWS = {
    ("LOAD_FAST", "LOAD_ATTR_CACHED"): "LOAD_FAST__LOAD_ATTR_CACHED",
    ("LOAD_FAST", "STORE_ATTR_CACHED"): "LOAD_FAST__STORE_ATTR_CACHED",
    ("LOAD_FAST", "RETURN_VALUE"): "LOAD_FAST__RETURN_VALUE",
    ("LOAD_CONST", "RETURN_VALUE"): "LOAD_CONST__RETURN_VALUE",
    **{("LOAD_FAST", jump): f"LOAD_FAST__{jump}"
       for jump in ("POP_JUMP_FORWARD_IF_TRUE", "POP_JUMP_FORWARD_IF_FALSE", "POP_JUMP_BACKWARD_IF_TRUE",
                    "POP_JUMP_BACKWARD_IF_FALSE", "POP_JUMP_FORWARD_IF_NONE", "POP_JUMP_FORWARD_IF_NOT_NONE",
                    "POP_JUMP_BACKWARD_IF_NONE", "POP_JUMP_BACKWARD_IF_NOT_NONE")},
    # and a forward jump on the attribute loaded (`if self.x:`, `if node.next is None:`)
    **{("LOAD_FAST__LOAD_ATTR_CACHED", jump): f"LOAD_FAST__LOAD_ATTR_CACHED__{jump}"
       for jump in ("POP_JUMP_FORWARD_IF_TRUE", "POP_JUMP_FORWARD_IF_FALSE", "POP_JUMP_FORWARD_IF_NONE",
                    "POP_JUMP_FORWARD_IF_NOT_NONE")},
}
# Fused forms that stand at their attribute access (prev_instr names it, as in the pair);
# they name the jump's own unit where its truth test runs.
STAND_AT_ATTRIBUTE = "LOAD_FAST__LOAD_ATTR_CACHED"


def borrow_locals(program: list[QInstr], decoded: Decoded, stencils: frozenset[str]) -> list[QInstr]:
    """Fuse each loader with the consumer after it where a fused form exists.  Runs after
    unboxing and before the plain superinstructions (which would take the LOAD_FAST)."""
    targets = jump_targets(program)
    result: list[QInstr] = []
    for instr in program:
        load = result[-1] if result else None
        fused = BORROWS.get((load.name, instr.name)) if load is not None else None
        if (fused not in stencils or id(instr) in targets
                or load.name == "LOAD_FAST" and load.raw_locals >> load.oparg & 1
                or covering(decoded.handlers, load.first.unit) != covering(decoded.handlers, instr.first.unit)):
            result.append(instr)
            continue
        if load.name == "LOAD_FAST":  # a constant's fused form keeps the constant as its operand
            load.operand, load.raw_operand = instr.operand, instr.raw_operand
        if load.name != STAND_AT_ATTRIBUTE:
            load.acts_at = len(load.covers) + instr.acts_at
        load.name, load.covers, load.oparg2 = fused, load.covers + instr.covers, instr.oparg
        load.target_instr, load.guards, load.note = instr.target_instr, load.guards + instr.guards, instr.note or load.note
    return result
