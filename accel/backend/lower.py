"""From specialized instructions to the program native/jit.c emits.

Only what native code can reach is emitted: control enters at the first instruction (or,
in a generator, where it resumes) and follows fall-throughs, jumps, and the UNWIND steps
that take exceptions to their handlers; an exit to the interpreter ends a path.  Other
code may also be entered at the head of a reachable loop, by a frame that was running an
earlier version of it (on-stack replacement, native/deopt.c).
"""
from __future__ import annotations

import types

from ..runtime import native
from ..specializer.ir import ENDS_PATH, NOTHING, QInstr


# co_flags of code whose call makes a generator, a coroutine or an async generator
# (CO_GENERATOR, CO_COROUTINE, CO_ASYNC_GENERATOR): resumed where it yielded or awaited.
GENERATOR = 0x20 | 0x80 | 0x200
# A generator is suspended at these; it resumes at the instruction after.
SUSPENDS = frozenset({"YIELD_VALUE", "RETURN_GENERATOR"})
UNBOXES_LOCAL = frozenset({"UNBOX_LOCAL_FLOAT", "UNBOX_LOCAL_INT"})
# co_flags of code whose *args or **kwargs take a local each after the parameters
# (CO_VARARGS, CO_VARKEYWORDS).
STAR_PARAMETERS = (0x04, 0x08)
# The note explain() shows at a loop head that is an entry point (loop_entries).
LOOP_ENTRY_NOTE = "loop head: an entry point for a frame already running (on-stack replacement)"


def resume_points(program: list[QInstr]) -> dict[int, int]:
    """Where a generator resumes: program index -> the code unit it was suspended at."""
    suspended_at = {i.next: i.unit for q in program for i in q.covers if i.name in SUSPENDS}
    points = {}
    for index, instr in enumerate(program):
        if instr.start in suspended_at:
            points[index] = suspended_at.pop(instr.start)
    return points


def _loop_heads(program: list[QInstr]) -> set[int]:
    """The code units that backward jumps go to."""
    return {q.covers[-1].target for q in program if q.jumps and q.covers[-1].target is not None
            and q.covers[-1].target <= q.start}


def _boxed_here(instr: QInstr) -> bool:
    return instr.raw_locals == 0 and instr.raw_stack == 0


def loop_entries(program: list[QInstr]) -> dict[int, int]:
    """Where a frame that ran an earlier program may enter at a loop's head: program index
    -> the code unit before the head (prev_instr's unit when the interpreter would run the
    head next).  The frame holds objects only, so the entry is an instruction attributed
    to the head before which nothing is raw: the first one (where the loop is entered from
    before it, its raw locals unboxed from there on), or, for the head of a loop inside one
    that keeps locals raw, an unboxing of them that then goes to the head (with_entry_stubs,
    or the way back from a GET_ITER that had to box them)."""
    heads = _loop_heads(program)
    first: dict[int, QInstr] = {}
    entries = {}
    for index, instr in enumerate(program):
        if instr.start not in heads:
            continue
        head = first.setdefault(instr.start, instr)
        if _boxed_here(instr) and (instr is head or instr.name in UNBOXES_LOCAL):
            heads.discard(instr.start)
            entries[index] = instr.start - 1
    return entries


def with_entry_stubs(program: list[QInstr]) -> list[QInstr]:
    """The program with, at its end, an entry for each loop head where locals are raw
    (an inner loop of one that keeps them raw): each raw local unboxed, with its guard
    (one that fails exits there, at the head), then a jump to the head."""
    heads = _loop_heads(program)
    stubs: list[QInstr] = []
    for instr in program:
        if instr.start not in heads:
            continue
        heads.discard(instr.start)
        if instr.raw_stack != 0 or instr.raw_locals == 0:
            continue
        done = 0
        for local in range(instr.raw_locals.bit_length()):
            if instr.raw_locals >> local & 1:
                kind = "INT" if instr.raw_int_locals >> local & 1 else "FLOAT"
                unbox = QInstr(f"UNBOX_LOCAL_{kind}", instr.covers[:1], local)
                unbox.raw_locals, unbox.raw_int_locals = done, done & instr.raw_int_locals
                done |= 1 << local
                stubs.append(unbox)
        enter = QInstr("JUMP_FORWARD", instr.covers[:1], target_instr=instr, note="enters the unboxed loop")
        enter.raw_locals, enter.raw_int_locals = instr.raw_locals, instr.raw_int_locals
        stubs.append(enter)
    return program + stubs


def with_unbinding_prologue(code: types.CodeType, program: list[QInstr]) -> list[QInstr]:
    """The program after a prologue that unbinds each local past the parameters
    (UNBIND_LOCAL), as a new frame has them: a direct call (stencils/shared.c) pushes the
    callee's frame with its arguments only, and the program's start does the rest, with a
    store per local and no loop.  Any other frame that starts there has them unbound
    already; nothing can look at the frame before the prologue has run."""
    if not program:
        return program
    parameters = code.co_argcount + code.co_kwonlyargcount + sum(1 for flag in STAR_PARAMETERS
                                                                   if code.co_flags & flag)
    nlocalsplus = len(code.co_varnames) + len(code.co_cellvars) + len(code.co_freevars) - _cell_parameters(code)
    first = program[0].covers[:1]
    return [QInstr("UNBIND_LOCAL", first, local) for local in range(parameters, nlocalsplus)] + program


def _cell_parameters(code: types.CodeType) -> int:
    """Parameters that are cells too: one local each in co_nlocalsplus, named in both
    co_varnames and co_cellvars."""
    return len(set(code.co_varnames) & set(code.co_cellvars))


def reachable(program: list[QInstr], generator: bool) -> list[QInstr]:
    """The instructions native code can reach, in program order."""
    position = {id(q): i for i, q in enumerate(program)}
    seen = [False] * len(program)
    work = ([0] if program else []) + (list(resume_points(program)) if generator else [])
    last = len(program) - 1
    while work:
        i = work.pop()
        while not seen[i]:  # along fall-throughs; the worklist holds the jumps not yet followed
            seen[i] = True
            instr = program[i]
            if instr.target_instr is not None:
                work.append(position[id(instr.target_instr)])
            if instr.unwind is not None:
                work.append(position[id(instr.unwind)])
            if i == last or instr.name in ENDS_PATH:
                break
            i += 1
    return [instr for instr, reached in zip(program, seen) if reached]


def _takes_binary_op_function(name: str) -> bool:
    """Whether the stencil's operand is the generic path's function (native.binary_op_function)."""
    return name == "BINARY_OP" or name.endswith(("_INT_OR_FLOAT", "_INT_OR_OTHER")) or name == "BINARY_OP_INPLACE_ADD_UNICODE"


# Per stencil name, what lower() needs of it (its id, whether _takes_binary_op_function):
# asked for every instruction, there are a few hundred names.
_stencils: dict[str, tuple[int, bool]] = {}


def lower(code: types.CodeType, program: list[QInstr]):
    """The cffi array of accel_instr, its length, and the objects it refers to."""
    position = {id(q): i for i, q in enumerate(program)}
    resumes = resume_points(program) if code.co_flags & GENERATOR else loop_entries(program)
    keepalive = []
    stencils = _stencils
    layout = native.instr_layout()
    size, pack_into = layout.size, layout.pack_into
    buffer = bytearray(size * len(program))
    for i, instr in enumerate(program):
        covers, target, unwind, name = instr.covers, instr.target_instr, instr.unwind, instr.name
        stencil = stencils.get(name)
        if stencil is None:
            stencil = stencils[name] = (native.stencil_id(name), _takes_binary_op_function(name))
        if stencil[1]:
            operand = native.binary_op_function(instr.oparg)  # the generic path
        elif instr.operand is not NOTHING:
            keepalive.append(instr.operand)
            operand = id(instr.operand)
        else:
            operand = instr.raw_operand
        pack_into(buffer, i * size, stencil[0], covers[instr.acts_at].unit, covers[0].start, covers[-1].next, instr.oparg,
                  instr.oparg2, -1 if target is None else position[id(target)], resumes.get(i, -1),
                  -1 if unwind is None else position.get(id(unwind), -1), operand, instr.raw_locals, instr.raw_stack,
                  instr.raw_int_locals, instr.raw_int_stack)
    return native.program(buffer), len(program), tuple(keepalive)
