"""accel.explain(fn): what the JIT made of a function, beside its bytecode."""
from __future__ import annotations

import dataclasses
import dis
import inspect
import types
import typing

if typing.TYPE_CHECKING:  # imported where used: `import accel` stays cheap (accel/_startup.py)
    from .runtime import native

# Steps added around the main one: by the unboxing pass, and the entry to an exception handler.
CONVERSIONS = ("UNBOX_", "BOX_", "JUMP_FORWARD", "UNWIND")
# Steps a row shows after its instruction's own: conversions, and the prologue that
# unbinds the locals past the parameters (accel/backend/lower.py), at the first row.
NOT_MAIN = CONVERSIONS + ("UNBIND_LOCAL",)


@dataclasses.dataclass
class Row:
    offset: int  # byte offset, as dis shows it
    bytecode: str  # the original instruction
    line: int | None
    specialized: str  # what accel made of it ("" when folded into the row above)
    guards: tuple[str, ...]
    note: str
    exits: dict[str, int]  # exits to the interpreter that resumed here, by reason
    native_bytes: int | None  # of all its steps
    steps: tuple[str, ...] = ()  # every instruction accel emits for it, in order (conversions too)


@dataclasses.dataclass
class Explanation:
    code: types.CodeType
    state: str
    reason: str | None
    info: native.CodeInfo | None
    rows: list[Row]
    asm: dict[int, list[str]]  # row offset -> disassembly lines

    def __str__(self) -> str:
        return format_explanation(self)

    __repr__ = __str__


def explain(target, asm: bool = False) -> Explanation:
    from .runtime import native, records

    code = _code_of(target)
    entry = records.load(code) if native.lib is not None else None
    info = native.code_info(code) if native.lib is not None else None
    state, reason = _state(entry, info)
    rows = _rows(code, entry)
    disassembly = {}
    if asm:
        disassembly = (_disassemble(code, entry, info) if isinstance(entry, records.Compiled) and info is not None
                       and info.native_bytes else {-1: [f"no native code to disassemble: {state}"]})
    return Explanation(code, state, reason, info, rows, disassembly)


def _code_of(target) -> types.CodeType:
    target = getattr(target, "__func__", target)
    target = getattr(target, "__wrapped__", target) if not hasattr(target, "__code__") else target
    code = getattr(target, "__code__", target)
    if not isinstance(code, types.CodeType):
        raise TypeError(f"explain() needs a function, method or code object, not {type(target).__name__}")
    return code


def _state(entry, info) -> tuple[str, str | None]:
    from .runtime import records

    if isinstance(entry, records.Failure):
        return "failed", entry.reason
    if info is not None and info.state == "failed":
        return "failed", None  # compiled once; compiling it again was refused (native/hook.c)
    if info is None or info.state == "cold":
        return "cold", None
    if info.exits:
        return "compiled", f"resumed in the interpreter {info.exits} times"
    return info.state, None


def _rows(code: types.CodeType, entry) -> list[Row]:
    from .runtime import native, records

    steps: dict[int, list[records.Step]] = {}
    if isinstance(entry, records.Compiled):
        for step in entry.steps:
            steps.setdefault(step.start, []).append(step)
    exits: dict[str, dict[int, int]] = native.site_exits(code) if native.lib is not None else {}
    rows = []
    for instr in dis.get_instructions(code):
        unit = instr.offset // 2
        here = steps.get(unit, [])
        main = next((s for s in here if not s.name.startswith(NOT_MAIN)), here[0] if here else None)
        if main is None:
            name = "" if not steps or _folded(unit, entry) else "(not reached natively)"
        else:
            name = main.name if main.emitted else f"({main.name}: not reached natively)"
        emitted = [s for s in here if s.emitted]
        size = sum(native.stencil_size(s.name) for s in emitted) if emitted else None
        site = {reason: sites[unit] for reason, sites in exits.items() if unit in sites}
        guards = tuple(g for s in here for g in s.guards)
        note = "; ".join(dict.fromkeys(s.note for s in here if s.note))
        rows.append(Row(instr.offset, f"{instr.opname} {instr.argrepr}".strip(), instr.positions.lineno,
                        name, guards, note, site, size, tuple(s.name for s in emitted)))
    return rows


def _folded(unit: int, entry) -> bool:
    """Whether the instruction at `unit` is the second half of a fused one (it has no step
    of its own, but lies between a step's start and the next step's, or after the last)."""
    starts = sorted({s.start for s in entry.steps})
    return any(a < unit < b for a, b in zip(starts, starts[1:] + [unit + 1]))  # the last step's too


def _disassemble(code: types.CodeType, entry, info) -> dict[int, list[str]]:
    """Row offset -> x86-64 listing of its stencil copy's hot part (-2: the entry code before
    the first one; -4: the instructions appended after the last row's; -3: the cold parts
    after all hot ones, stencils/split.py).
    Addresses are offsets into the function's native code, which starts at info.native_address."""
    from .runtime import native

    try:
        import capstone
    except ImportError:
        return {-1: ["cannot disassemble: capstone is not installed; pip install 'accel[asm]' (or capstone) "
                     "to see the native code"]}
    data = native.code_bytes(code, info.native_bytes)
    emitted = [s for s in entry.steps if s.emitted]
    offsets = native.code_layout(code, info.ninstrs)  # each instruction's hot part, then their end
    if not offsets:
        return {-1: ["no native code to disassemble: it was replaced meanwhile"]}
    hot_end = offsets[-1]
    disassembler = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)

    def listing(start: int, end: int) -> list[str]:
        return [f"{i.address:#06x}  {i.mnemonic} {i.op_str}".rstrip()
                for i in disassembler.disasm(data[start:end], start)]

    result = {-2: listing(0, offsets[0])} if offsets[0] > 0 else {}
    for step, start, end in zip(emitted, offsets, offsets[1:]):
        result.setdefault(step.start * 2, []).extend(listing(start, end))
    if len(offsets) - 1 > len(emitted):  # the instructions lowering appended (lower.with_entry_stubs)
        result[-4] = listing(offsets[len(emitted)], hot_end)
    if hot_end < len(data):
        result[-3] = listing(hot_end, len(data))
    return result


def _generator_kind(code: types.CodeType) -> str | None:
    """What a call of the code makes, if it is resumed rather than run once."""
    for flag, kind in ((inspect.CO_ASYNC_GENERATOR, "async generator"), (inspect.CO_COROUTINE, "coroutine"),
                       (inspect.CO_GENERATOR, "generator")):
        if code.co_flags & flag:
            return kind
    return None


def format_explanation(e: Explanation) -> str:
    from .runtime import native

    code = e.code
    lines = [f"{code.co_qualname} ({code.co_filename}:{code.co_firstlineno}): {e.state}"
             + (f" — {e.reason}" if e.reason else "")]
    if e.info is not None:
        lines.append(f"  calls {e.info.calls}, native entries {e.info.native_entries}, "
                     f"exits to interpreter {e.info.exits}, native code {e.info.native_bytes} bytes"
                     + (f" at {e.info.native_address:#x}" if e.info.native_address else "") + ", "
                     f"recompiles {e.info.recompiles}")
    kind = _generator_kind(code)
    if e.state == "compiled" and kind:
        yields = sum(i.opname == "YIELD_VALUE" for i in dis.get_instructions(code))
        lines.append(f"  {kind}: compiled with {yields + 1} resume points, its start and after each of its "
                     f"{yields} suspensions (YIELD_VALUE, which every `await` has); RETURN_GENERATOR makes it, "
                     f"native code resumes it (native entries count calls and resumptions)")
    lines += [f"  {message}" for message in e.asm.get(-1, [])]
    if e.state == "compiled":  # (a generator's loops have back-edge entries only)
        from .backend.lower import BACK_EDGE_ENTRY_NOTE, LOOP_ENTRY_NOTE

        heads = [str(row.offset) for row in e.rows if LOOP_ENTRY_NOTE in row.note]
        if heads:
            lines.append(f"  entry points: its start, and the loop heads at offsets {', '.join(heads)} (a frame "
                         f"running an earlier version of the code goes on there: on-stack replacement)")
        back_edges = [str(row.offset) for row in e.rows if BACK_EDGE_ENTRY_NOTE in row.note]
        if back_edges:
            lines.append(f"  and the back edges at offsets {', '.join(back_edges)} (a loop that left its raw "
                         f"locals boxed for the eval breaker goes on there)")
    lines.append(f"  {'offset':>6}  {'line':>4}  {'bytecode':<32}{'accel':<32}bytes")
    if e.asm.get(-2):
        lines.append("  (entry)")
        lines += [f"{'':>52}{asm_line}" for asm_line in e.asm[-2]]
    for row in e.rows:
        line = "" if row.line is None else str(row.line)
        size = "" if row.native_bytes is None else str(row.native_bytes)
        lines.append(f"  {row.offset:>6}  {line:>4}  {row.bytecode[:31]:<32}{row.specialized[:31]:<32}{size}")
        if len(row.steps) > 1:
            lines.append(f"{'':>48}steps: {' → '.join(row.steps)}")
        for guard in row.guards:
            lines.append(f"{'':>48}guard: {guard}")
        if row.note:
            lines.append(f"{'':>48}{row.note}")
        for reason, count in row.exits.items():
            lines.append(f"{'':>48}exits here: {count} × {native.EXIT_REASONS.get(reason, reason)}")
        for asm_line in e.asm.get(row.offset, []):
            lines.append(f"{'':>52}{asm_line}")
    if e.asm.get(-4):
        lines.append("  (entries: unboxing stubs at loop heads and back edges, back-edge counters)")
        lines += [f"{'':>52}{asm_line}" for asm_line in e.asm[-4]]
    if e.asm.get(-3):
        lines.append("  (cold parts: exits, error paths, deallocations)")
        lines += [f"{'':>52}{asm_line}" for asm_line in e.asm[-3]]
    return "\n".join(lines)
