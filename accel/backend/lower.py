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
UNBOXES = frozenset({"UNBOX_LOCAL_FLOAT", "UNBOX_LOCAL_INT", "UNBOX_STACK_FLOAT", "UNBOX_STACK_INT"})
# co_flags of code whose *args or **kwargs take a local each after the parameters
# (CO_VARARGS, CO_VARKEYWORDS).
STAR_PARAMETERS = (0x04, 0x08)
# The notes explain() shows at a loop head and at a back edge that are entry points
# (loop_entries).
LOOP_ENTRY_NOTE = "loop head: an entry point for a frame already running (on-stack replacement)"
BACK_EDGE_ENTRY_NOTE = ("back edge: an entry point where the loop goes on natively after the eval breaker "
                        "made it box its locals")


def resume_points(program: list[QInstr]) -> dict[int, int]:
    """Where a generator resumes: program index -> the code unit it was suspended at."""
    suspended_at = {i.next: i.unit for q in program for i in q.covers if i.name in SUSPENDS}
    points = {}
    for index, instr in enumerate(program):
        if instr.start in suspended_at:
            points[index] = suspended_at.pop(instr.start)
    return points


def loop_heads(program: list[QInstr]) -> set[int]:
    """The code units that backward jumps go to."""
    return {q.covers[-1].target for q in program if _jumps_back(q)}


def back_edges(program: list[QInstr]) -> set[int]:
    """The code units where backward jumps (with what is fused before them) start."""
    return {q.start for q in program if _jumps_back(q)}


def _jumps_back(instr: QInstr) -> bool:
    target = instr.covers[-1].target
    return instr.jumps and target is not None and target <= instr.start


def _boxed_here(instr: QInstr) -> bool:
    return instr.raw_locals == 0 and instr.raw_stack == 0


def _entry_units(program: list[QInstr], generator: bool) -> set[int]:
    """The code units where a frame already running may enter: a function's loop heads
    and back edges; a generator's back edges only (its code does not profile, so its
    frames are never replaced at a loop's head)."""
    return back_edges(program) if generator else loop_heads(program) | back_edges(program)


def loop_entries(program: list[QInstr], generator: bool) -> dict[int, int]:
    """Where a frame that ran an earlier program, or left this one, may enter at a loop's
    head or at its back edge (_entry_units): program index -> the code unit before it
    (prev_instr's unit when the interpreter would run it next).  On-stack replacement
    enters at heads (native/deopt.c); a loop whose locals are raw leaves at its back edge
    when the eval breaker is set (its handlers may run Python code and the GC), and goes
    on there once they ran.  The frame holds objects only, so the entry is an instruction
    attributed to the unit before which nothing is raw: the first one (where the loop is
    entered from before it, its raw locals unboxed from there on), or, for a unit of a
    loop that keeps locals raw, an unboxing of them that then goes there
    (with_entry_stubs, or the way back from a GET_ITER that had to box them)."""
    units = _entry_units(program, generator)
    first: dict[int, QInstr] = {}
    entries = {}
    for index, instr in enumerate(program):
        if instr.start not in units:
            continue
        head = first.setdefault(instr.start, instr)
        if _boxed_here(instr) and (instr is head or instr.name in UNBOXES):
            units.discard(instr.start)
            entries[index] = instr.start - 1
    return entries


def with_entry_stubs(program: list[QInstr], generator: bool) -> list[QInstr]:
    """The program with, at its end, an entry for each loop head (of an inner loop of one
    that keeps them raw) and back edge (_entry_units) where locals or stack slots are
    raw: each raw local and slot unboxed, with its guard (one that fails exits there,
    before the head or the back edge), then a jump to it."""
    units = _entry_units(program, generator)
    stubs: list[QInstr] = []
    for instr in program:
        if instr.start not in units:
            continue
        units.discard(instr.start)
        if _boxed_here(instr):
            continue
        done = QInstr("JUMP_FORWARD", instr.covers[:1])  # what is raw so far
        for where, raw, ints in (("LOCAL", instr.raw_locals, instr.raw_int_locals),
                                 ("STACK", instr.raw_stack, instr.raw_int_stack)):
            for slot in range(raw.bit_length()):
                if raw >> slot & 1:
                    kind = "INT" if ints >> slot & 1 else "FLOAT"
                    unbox = QInstr(f"UNBOX_{where}_{kind}", instr.covers[:1], slot)
                    unbox.raw_locals, unbox.raw_int_locals = done.raw_locals, done.raw_int_locals
                    unbox.raw_stack, unbox.raw_int_stack = done.raw_stack, done.raw_int_stack
                    stubs.append(unbox)
                    if where == "LOCAL":
                        done.raw_locals |= 1 << slot
                        done.raw_int_locals |= ints & 1 << slot
                    else:
                        done.raw_stack |= 1 << slot
                        done.raw_int_stack |= ints & 1 << slot
        done.target_instr, done.note = instr, "enters the unboxed loop"
        stubs.append(done)
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


def entry_points(program: list[QInstr], generator: bool) -> dict[int, int]:
    """Where native code is entered other than at its start: program index -> the code
    unit before it (native/jit.c's resume_of_unit is its inverse).  A function's loop
    entries; a generator's resume points, and where it goes on after the eval breaker
    within one resumption: its RESUMEs (the one at its start too: one that finds the
    breaker set leaves before anything ran, native/deopt.c) and its loops' back edges.
    All say how the interpreter would find the frame (it runs the unit after next), so a
    unit that is more than one (a yield's RESUME, or a back edge right after it, fused)
    is entered at the resume point, as a resumption finds it."""
    entries = loop_entries(program, generator)
    if not generator:
        return entries
    entries.update({index: instr.start - 1 for index, instr in enumerate(program) if instr.name == "RESUME"})
    points = resume_points(program)
    taken = set(points.values())
    return {**{index: unit for index, unit in entries.items() if unit not in taken}, **points}


def _takes_binary_op_function(name: str) -> bool:
    """Whether the stencil's operand is the generic path's function (native.binary_op_function)."""
    return name == "BINARY_OP" or name.endswith(("_INT_OR_FLOAT", "_INT_OR_OTHER")) or name == "BINARY_OP_INPLACE_ADD_UNICODE"


# Per stencil name, what lower() needs of it (its id, whether _takes_binary_op_function):
# asked for every instruction, there are a few hundred names.
_stencils: dict[str, tuple[int, bool]] = {}


def held_by_code(code: types.CodeType) -> set[int]:
    """The ids of the objects the code object holds itself: its native code dies
    with it (the record is freed by co_extra's free function, before the code's
    tuples), so these need no reference of their own.  One would show: a program
    that compiles mid-loop would see sys.getrefcount(None) move as it never does
    under stock."""
    held = code.co_consts + code.co_names + code.co_varnames + code.co_cellvars + code.co_freevars
    return {id(item) for item in held}


def lower(code: types.CodeType, program: list[QInstr]):
    """The cffi array of accel_instr, its length, and the objects it refers to
    that need a reference of their own."""
    position = {id(q): i for i, q in enumerate(program)}
    resumes = entry_points(program, bool(code.co_flags & GENERATOR))
    held = held_by_code(code)
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
            operand = id(instr.operand)
            if operand not in held:
                keepalive.append(instr.operand)
        else:
            operand = instr.raw_operand
        pack_into(buffer, i * size, stencil[0], covers[instr.acts_at].unit, covers[0].start, covers[-1].next, instr.oparg,
                  instr.oparg2, -1 if target is None else position[id(target)], resumes.get(i, -1),
                  -1 if unwind is None else position.get(id(unwind), -1), operand, instr.raw_locals, instr.raw_stack,
                  instr.raw_int_locals, instr.raw_int_stack)
    return native.program(buffer), len(program), tuple(keepalive)
