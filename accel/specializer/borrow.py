"""Borrowed operands: LOAD_FASTs fused with the instruction that consumes what they pushed.

The fused form reads its operands straight from the locals' slots, where the frame keeps
them alive, instead of pushing new references that the consumer releases again: no
reference count traffic, no value-stack store and load.  These are the commonest
sequences of object code: `self.x`, `self.x = v`, `if x:`, `if x is None:`, `return x`,
`if self.x:`, `a[i]`, `a[i] = v`, `t[1]`, `a[0]`; and `return None`, from the code's constants.  The
stencils live beside the consumer's own (stencils/cached.c, control.c, call.c); they take
the first local's index, or the constant, as OPARG (OPERAND), a second local's as OPARG2.

What stays as the interpreter expects:
- an exit before the fused instruction resumes at its first LOAD_FAST, with nothing of it
  pushed (an unbound local exits there too: the interpreter raises its UnboundLocalError);
- the consumer's work (prev_instr, tracebacks, exceptions) is at its own instruction;
- where Python code may run during the consumer (a descriptor, `__getattr__`,
  `__setattr__`, `__bool__`, `__getitem__`), the stencil holds its own references, as the
  value stack would.
Not fused: an instruction something jumps to (other than the first), a local that holds a
raw value, and instructions split by the edge of a try block (the handler's stack depth
could then include a borrowed operand).  An attribute loaded from a borrowed owner and only
tested by a jump is borrowed too.
"""
from __future__ import annotations

from ..frontend.decode import Decoded
from .handlers import covering
from .ir import QInstr, jump_targets

_JUMPS = ("POP_JUMP_FORWARD_IF_TRUE", "POP_JUMP_FORWARD_IF_FALSE", "POP_JUMP_BACKWARD_IF_TRUE",
          "POP_JUMP_BACKWARD_IF_FALSE", "POP_JUMP_FORWARD_IF_NONE", "POP_JUMP_FORWARD_IF_NOT_NONE",
          "POP_JUMP_BACKWARD_IF_NONE", "POP_JUMP_BACKWARD_IF_NOT_NONE")
# The instructions fused -> the fused form.  An earlier fusion's result may start a later
# one (the attribute's jump).
FUSED = {
    ("LOAD_FAST", "LOAD_ATTR_CACHED"): "LOAD_FAST__LOAD_ATTR_CACHED",
    ("LOAD_FAST", "STORE_ATTR_CACHED"): "LOAD_FAST__STORE_ATTR_CACHED",
    ("LOAD_FAST", "LOAD_ATTR_CACHED_UNBOX_FLOAT"): "LOAD_FAST__LOAD_ATTR_CACHED_UNBOX_FLOAT",
    # the start of `local.name op= x`: the owner stays on the stack for its store (COPY 1)
    ("LOAD_FAST", "COPY", "LOAD_ATTR_CACHED_UNBOX_FLOAT"): "LOAD_FAST__COPY__LOAD_ATTR_CACHED_UNBOX_FLOAT",
    ("LOAD_FAST", "STORE_ATTR_CACHED_BOX_FLOAT"): "LOAD_FAST__STORE_ATTR_CACHED_BOX_FLOAT",
    # ... and their forms where locals are raw (accel/specializer/unbox.py)
    ("LOAD_FAST", "LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE"): "LOAD_FAST__LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE",
    ("LOAD_FAST", "COPY", "LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE"): "LOAD_FAST__COPY__LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE",
    ("LOAD_FAST", "STORE_ATTR_CACHED_BOX_FLOAT_PURE"): "LOAD_FAST__STORE_ATTR_CACHED_BOX_FLOAT_PURE",
    # `local.name * local.name` there: nothing can run between the two reads (READ_TWICE)
    ("LOAD_FAST__LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE", "LOAD_FAST", "LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE"):
        "LOAD_FAST__LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE_TWICE",
    ("LOAD_FAST", "RETURN_VALUE"): "LOAD_FAST__RETURN_VALUE",
    ("LOAD_CONST", "RETURN_VALUE"): "LOAD_CONST__RETURN_VALUE",
    **{("LOAD_FAST", jump): f"LOAD_FAST__{jump}" for jump in _JUMPS},
    **{("LOAD_FAST__LOAD_ATTR_CACHED", jump): f"LOAD_FAST__LOAD_ATTR_CACHED__{jump}"
       for jump in _JUMPS if "FORWARD" in jump},
    ("LOAD_FAST", "LOAD_FAST", "BINARY_SUBSCR_LIST_INT"): "LOAD_FAST__LOAD_FAST__BINARY_SUBSCR_LIST_INT",
    ("LOAD_FAST", "LOAD_FAST", "STORE_SUBSCR_LIST_INT"): "LOAD_FAST__LOAD_FAST__STORE_SUBSCR_LIST_INT",
    ("LOAD_FAST", "LOAD_CONST", "BINARY_SUBSCR_TUPLE_INT"): "LOAD_FAST__LOAD_CONST__BINARY_SUBSCR_TUPLE_INT",
    ("LOAD_FAST", "LOAD_CONST", "BINARY_SUBSCR_LIST_INT"): "LOAD_FAST__LOAD_CONST__BINARY_SUBSCR_LIST_INT",
}
# Fused forms that read one attribute of one local twice: only for the same local and name.
READ_TWICE = frozenset({"LOAD_FAST__LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE_TWICE"})
LONGEST = max(map(len, FUSED))
CONSUMERS = frozenset(names[-1] for names in FUSED)  # what ends a fusable sequence
# A fused form stands (prev_instr names it while it works) at its consumer; these stand at
# their attribute access, as the pair they extend did, and name the jump's own unit where
# its truth test runs.
STANDS_AT_FIRST_CONSUMER = frozenset(name for name in FUSED.values() if name.startswith("LOAD_FAST__LOAD_ATTR_CACHED__"))


def borrow_locals(program: list[QInstr], decoded: Decoded, stencils: frozenset[str]) -> list[QInstr]:
    """Fuse loaders with the consumer after them where a fused form exists, the longest
    sequence first.  Runs after unboxing and before the plain superinstructions (which
    would take the LOAD_FASTs)."""
    targets = jump_targets(program)
    result: list[QInstr] = []
    for instr in program:
        result.append(instr)
        if instr.name not in CONSUMERS:
            continue
        for length in range(LONGEST, 1, -1):
            group = result[-length:]
            fused = FUSED.get(tuple(q.name for q in group)) if len(group) == length else None
            if fused in stencils and _may_fuse(group, targets, decoded) and (
                    fused not in READ_TWICE or (group[0].oparg, group[0].operand) == (group[1].oparg, group[2].operand)):
                del result[-length + 1:]
                _fuse(group, fused)
                break
    return result


def _may_fuse(group: list[QInstr], targets: set[int], decoded: Decoded) -> bool:
    for k, q in enumerate(group):
        if (k and id(q) in targets or q.name == "COPY" and q.oparg != 1
                or q.name == "LOAD_FAST" and q.raw_locals >> q.oparg & 1):
            return False
    return not decoded.handlers or (covering(decoded.handlers, group[0].first.unit)
                                    == covering(decoded.handlers, group[-1].first.unit))


def _fuse(group: list[QInstr], fused: str) -> None:
    """The first instruction of the group becomes the fused one (jumps to it stay valid)."""
    first, consumer = group[0], group[-1]
    if fused not in STANDS_AT_FIRST_CONSUMER:
        first.acts_at = sum(len(q.covers) for q in group[:-1]) + consumer.acts_at
    if first.name == "LOAD_FAST":  # a constant's fused form keeps the constant as its operand
        source = group[1] if group[1].name == "LOAD_CONST" else consumer
        first.operand, first.raw_operand = source.operand, source.raw_operand
    first.oparg2 = group[1].oparg
    first.name, first.covers = fused, tuple(i for q in group for i in q.covers)
    first.target_instr = consumer.target_instr
    first.guards = tuple(dict.fromkeys(first.guards + consumer.guards))  # (once each, for explain)
    first.note = consumer.note or first.note
