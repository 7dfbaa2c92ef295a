"""The compiler the hook calls: decode -> quicken -> specialize -> lower -> emit.

It either installs native code for the code object or records why not; either way the
hook never asks again for that code (unless a guard keeps failing and it asks to
recompile).  It never raises into the program: a failure is a reason, counted and logged.
"""
from __future__ import annotations

import dis
import time
import types

from ..backend import lower
from ..frontend.decode import decode
from ..specializer.borrow import borrow_locals
from ..specializer.handlers import add_unwinds
from ..specializer.inline import Inliner, argument_kinds
from ..specializer.ir import QInstr, link
from ..specializer.int_updates import fuse_local_int_updates
from ..specializer.quicken import quicken, superinstructions, unpack_to_locals
from ..specializer.slots import know_owners, use_known_slots
from ..specializer.specialize import PROFILES_OPERANDS, Feedback, specialize
from ..specializer.types import infer
from ..specializer.unbox import fuse_int_comparisons, unbox
from . import costs, log, native, perfmap, pristine, records
from .own_code import ACCEL_PREFIX, OWN_CODE

GUARD_EXITS = ("GUARD_TYPE", "GUARD_VALUE")
# Native entries of a first compile's code after which (once the last of them has
# returned) it is compiled again with the operand kinds its sites saw, if one saw only
# floats or only ints (native/operand_kinds.h).  One: code with a loop is compiled on
# its first call, and a function called a few times should run the specialized code
# from its second call on.
PROFILE_ENTRIES = 1
ALL_OPNAMES = dis._all_opname  # 3.11: names of the specialized opcodes too


# A site whose operands were only ever of one of these kinds is specialized for it.
SITE_KINDS = {"FLOAT": float, "INT": int}
_stencils = frozenset(native.stencil_names())


def compile_code(code: types.CodeType, argument_types: tuple, globals_: dict) -> None:
    """Called by the hook, with the hook bypassed, when `code` is due to be compiled."""
    began = time.perf_counter()
    try:
        with pristine.builtins_restored():
            reason = _refusal(code)
            if reason is None:
                reason = _compile(code, argument_types, globals_)
    except Exception as error:
        if not _raised_by_accel(error):
            raise  # a signal handler or a finalizer of the program's own ran and raised
        reason = f"internal error: {type(error).__name__}: {error}"  # the program must not see it
    costs.totals.seconds += time.perf_counter() - began
    if reason is not None:
        _fail(code, reason)


def _raised_by_accel(error: Exception) -> bool:
    """Whether the innermost frame of the error's traceback is accel's (or the libraries
    it reads code objects with), rather than program code that ran during compiling."""
    tb = error.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_filename.startswith(OWN_CODE)


def _refusal(code: types.CodeType) -> str | None:
    if code.co_filename.startswith(ACCEL_PREFIX):
        return "accel's own code"
    return None


def _compile(code: types.CodeType, argument_types: tuple, globals_: dict) -> str | None:
    previous = records.load(code)
    generic: frozenset[int] = frozenset()
    kinds: dict[int, int] = {}
    recompile = isinstance(previous, records.Compiled)
    if recompile:  # only native code has exits and operand kinds to learn from
        failing = _failing_guard_sites(code)
        kinds = _operand_kinds(code, previous)
        speculated = frozenset(_site_kinds(previous.operand_kinds, previous.generic_sites))
        if failing & speculated:
            # The profile was not what the code sees: none of its sites trusts it any
            # more (one at a time would take a recompile each, as only the first failing
            # guard of a call exits), and they go back to the forms for unknown types.
            mixed = native.operand_kind_bits()["OTHER"]
            kinds.update({unit: kinds.get(unit, 0) | mixed for unit in speculated})
            failing -= speculated
        generic = previous.generic_sites | failing
    site_kinds = _site_kinds(kinds, generic)
    decoded = decode(code)
    costs.totals.instructions += len(decoded.instructions)
    feedback = Feedback(
        states=infer(decoded, argument_types, globals_, site_kinds),
        adaptive=_cpython_specializations(code),
        generic_sites=generic,
        stencils=_stencils,
        private_layout_ok=native.private_layout_ok(),
        site_kinds=site_kinds,
    )
    generator = bool(code.co_flags & lower.GENERATOR)
    # (A generator's code is never compiled again for a profile: it guesses at once.)
    inliner = Inliner(decoded, feedback, globals_, native.inline_limits(), _cpython_specializations,
                      _argument_kinds_seen, recompile or generator)
    specialized = inliner.inline_calls(link(specialize(decoded, quicken(decoded), feedback)))
    specialized = fuse_local_int_updates(fuse_int_comparisons(unbox(specialized, decoded, feedback.states, generic)),
                                         generic)
    specialized = unpack_to_locals(specialized)
    specialized = superinstructions(borrow_locals(specialized, decoded, _stencils))
    handler_targets = frozenset(handler.target for handler in decoded.handlers)
    attempts = previous.attempts + 1 if recompile else 1
    # (After this compile at most attempts - 1 recompiles count, native/deopt.c: while
    # that is below max_recompiles(), a guard that keeps failing still gets one.)
    may_recompile = attempts <= native.max_recompiles()
    specialized = use_known_slots(specialized, code, generic, may_recompile, _stencils)
    specialized = know_owners(specialized, handler_targets, _stencils)
    specialized = lower.with_unbinding_prologue(code, inliner.append_bodies(add_unwinds(specialized, decoded)))
    program = lower.reachable(specialized, generator)
    useless = _exits_at_once(program, generator)
    if useless:
        return useless
    # Not a generator's: a recompile request sends the rest of a running generator to the
    # interpreter (its resumptions), and a long-lived one would never come back.
    profiles = not recompile and not generator
    profiled = [i for i, q in enumerate(program) if q.name in PROFILES_OPERANDS]
    learns_callees = inliner.guesses_withheld
    program = _add_loop_entries(program, generator, profiles and (bool(profiled) or learns_callees))
    array, n, keepalive = lower.lower(code, program)
    size = native.emit(code, array, n, keepalive)
    if size < 0:
        return "emitting native code failed"
    costs.totals.native_instructions += len(decoded.instructions)
    native.profile_operands(code, PROFILE_ENTRIES if profiles else 0, profiled, learns_callees)
    perfmap.emitted(code)
    emitted = {id(q) for q in program}
    steps = tuple([(q.covers[0].start, q.name, q.guards, q.note, id(q) in emitted) for q in specialized])
    records.save_compiled(code, steps, attempts, generic, kinds, argument_kinds(argument_types))
    if log.enabled("compile"):
        log.log("compile", f"compiled {log.where(code)}: {n} instructions, {size} bytes"
                           + (f", attempt {attempts}" if attempts > 1 else ""))
    return None


def _argument_kinds_seen(code: types.CodeType) -> tuple[str, ...] | None:
    """The argument kinds of the call that compiled `code` (records.Compiled), if it was."""
    previous = records.load(code)
    return previous.argument_kinds if isinstance(previous, records.Compiled) else None


def _site_kinds(kinds: dict[int, int], generic: frozenset[int]) -> dict[int, type]:
    """The sites (not made generic) whose operands were only ever of one of SITE_KINDS."""
    one_kind = {bits: kind for kind, bits in native.operand_kind_bits().items() if kind in SITE_KINDS}
    return {unit: SITE_KINDS[one_kind[seen]] for unit, seen in kinds.items()
            if seen in one_kind and unit not in generic}


def _failing_guard_sites(code: types.CodeType) -> frozenset[int]:
    exits = native.site_exits(code)
    return frozenset(unit for reason in GUARD_EXITS for unit in exits.get(reason, ()))


def _operand_kinds(code: types.CodeType, previous: records.Compiled) -> dict[int, int]:
    """What the sites that profile their operands saw, by code unit: in the code being
    replaced, and in the code before it (whose sites may be specialized now)."""
    emitted = [step for step in previous.steps if step.emitted]  # in program order
    kinds = dict(previous.operand_kinds)
    for step, seen in zip(emitted, native.operand_kinds(code, len(emitted))):
        if step.name in PROFILES_OPERANDS and seen:
            kinds[step.start] = kinds.get(step.start, 0) | seen
    return kinds


def _cpython_specializations(code: types.CodeType) -> dict[int, str]:
    """What CPython's adaptive interpreter made of each instruction so far, by code unit:
    where the adaptive copy holds an opcode the plain bytecode does not."""
    plain, adaptive = code.co_code[::2], code._co_code_adaptive[::2]  # the opcodes
    if plain == adaptive:
        return {}
    return {unit: ALL_OPNAMES[op] for unit, (op, was) in enumerate(zip(adaptive, plain))
            if op != was and ALL_OPNAMES[op] not in dis.opmap}


def _add_loop_entries(program: list[QInstr], generator: bool, profiling: bool) -> list[QInstr]:
    """A function's loop heads and back edges are entry points, a generator's back edges
    (lower.loop_entries); while the code profiles its operands (never a generator's),
    its loops' back edges count, and a hot one has the frame compiled again and entered
    at its head (on-stack replacement, native/deopt.c)."""
    counters = _back_edge_counters(program) if profiling else []
    program = lower.with_entry_stubs(program, generator) + counters
    entries = {unit + 1 for unit in lower.loop_entries(program, generator).values()}
    notes = {**{unit: lower.BACK_EDGE_ENTRY_NOTE for unit in lower.back_edges(program) & entries},
             **{unit: lower.LOOP_ENTRY_NOTE for unit in lower.loop_heads(program) & entries if not generator}}
    for instr in program:  # (the first instruction of each: the one explain() shows)
        note = notes.pop(instr.start, None)
        if note is not None:
            instr.note += ("; " if instr.note else "") + note
    return program


def _back_edge_counters(program: list[QInstr]) -> list[QInstr]:
    """A LOOP_BACK_EDGE_PROFILING for each backward jump (whatever its form: a
    JUMP_BACKWARD, a `while` loop's conditional jump, fused or not), which the jump
    now goes through: it stands for the loop's head, raw where the head is."""
    counters = []
    for instr in program:
        jump = instr.covers[-1]
        head = instr.target_instr
        if head is None or jump.target is None or jump.target > instr.start:
            continue
        counter = QInstr("LOOP_BACK_EDGE_PROFILING", head.covers[:1], jump.unit, target_instr=head,
                         note="counts the loop's iterations: a hot loop is compiled again from its profile")
        counter.raw_locals, counter.raw_int_locals = head.raw_locals, head.raw_int_locals
        counter.raw_stack, counter.raw_int_stack = head.raw_stack, head.raw_int_stack
        instr.target_instr = counter
        counters.append(counter)
    return counters


def _exits_at_once(program: list[QInstr], generator: bool) -> str | None:
    """Native code that would only ever hand over to the interpreter is not worth entering
    (a generator's, where it first resumes)."""
    first = min(lower.resume_points(program), default=len(program)) if generator else 0
    for instr in program[first:]:
        if instr.name == "EXIT_INTERPRETER":
            return f"exits at once: {instr.note}"
        if instr.name not in ("RESUME", "NOP", "UNBIND_LOCAL"):
            return None
    return "no instructions"


def _fail(code: types.CodeType, reason: str) -> None:
    costs.count_failure(reason)
    records.save_failure(code, reason)
    native.set_state(code, "failed")
    log.log("compile", f"not compiled {log.where(code)}: {reason}")
