"""Debug log of compile decisions and exits to the interpreter (ACCEL_LOG).

    ACCEL_LOG=compile   one line per compile decision (compiled, or not and why)
    ACCEL_LOG=deopt     recompiles as they are requested and performed, and at exit one line
                        per site where native code handed the frame to the interpreter:
                        function, file:line of the site, reason, count
    ACCEL_LOG=all       both
"""
from __future__ import annotations

import collections
import sys
import types
import weakref

from . import config, native

_categories = config.log_categories()

# Exits counted before a recompile, which resets native/'s per-site counters:
# code -> {(reason, code unit): count}.
_earlier: "weakref.WeakKeyDictionary[types.CodeType, collections.Counter]" = weakref.WeakKeyDictionary()


def configure() -> None:
    global _categories
    _categories = config.log_categories()


def enabled(category: str) -> bool:
    return category in _categories


def where(code: types.CodeType) -> str:
    return f"{code.co_qualname} ({code.co_filename}:{code.co_firstlineno})"


def log(category: str, message: str) -> None:
    if category in _categories:
        print(f"accel[{category}] {message}", file=sys.stderr)


# -- deopt ------------------------------------------------------------------------------------

def site_line(code: types.CodeType, unit: int) -> int | None:
    """The source line of the instruction at code unit `unit` (an EXTENDED_ARG or cache unit
    without a line of its own takes the line of the instruction it belongs to)."""
    positions = list(code.co_positions())
    for index in [*range(unit, len(positions)), *range(min(unit, len(positions)) - 1, -1, -1)]:
        line = positions[index][0]
        if line is not None:
            return line
    return None


def site_instruction(code: types.CodeType, unit: int) -> str:
    """The name of the instruction the interpreter resumed at (past its EXTENDED_ARGs)."""
    import dis  # only for the report at exit: this module loads at start-up

    for instr in dis.get_instructions(code):
        if instr.offset >= unit * 2 and instr.opname != "EXTENDED_ARG":
            return instr.opname
    return "?"


def site(code: types.CodeType, unit: int) -> str:
    line = site_line(code, unit)
    return f"{code.co_filename}:{line if line is not None else '?'} ({site_instruction(code, unit)}, offset {unit * 2})"


def exits_by_site(code: types.CodeType) -> collections.Counter:
    """Every exit to the interpreter since `code` was first compiled: (reason, unit) -> count."""
    counts = collections.Counter(_earlier.get(code, {}))
    for reason, sites in native.site_exits(code).items():
        for unit, count in sites.items():
            counts[reason, unit] += count
    return counts


def _describe(counts: collections.Counter) -> str:
    return ", ".join(f"{count} × {native.EXIT_REASONS.get(reason, reason)} at offset {unit * 2}"
                     for (reason, unit), count in counts.most_common())


def observing(compile_code):
    """The compiler the hook calls, wrapped to log recompiles (ACCEL_LOG=deopt)."""

    def compile_observed(code: types.CodeType, argument_types: tuple, globals_: dict) -> None:
        before = native.code_info(code)
        if before is None or not before.recompile_requested:
            return compile_code(code, argument_types, globals_)
        counts = exits_by_site(code)
        guards = collections.Counter({(reason, unit): n for reason, sites in native.site_exits(code).items()
                                      if reason.startswith("GUARD_") for unit, n in sites.items()})
        why = (f"after guard failures: {_describe(guards)}" if guards
               else "with the operand kinds its sites saw (one kind only at some)")
        log("deopt", f"recompile requested for {where(code)} {why}")
        compile_code(code, argument_types, globals_)
        after = native.code_info(code)
        from . import records

        entry = records.load(code)
        if after is not None and after.recompiles > before.recompiles:
            _earlier[code] = counts  # native/ has reset its counters for the new code
            generic = ", ".join(f"offset {unit * 2}" for unit in sorted(getattr(entry, "generic_sites", ())))
            log("deopt", f"recompiled {where(code)}: recompile {after.recompiles}, "
                         f"{after.native_bytes} bytes" + (f"; generic at {generic}" if generic else ""))
        else:
            reason = getattr(entry, "reason", "the compiler installed nothing")
            log("deopt", f"recompile of {where(code)} failed: {reason}")

    compile_observed.__wrapped__ = compile_code
    return compile_observed


def deopt_report() -> list[str]:
    """One line per exit site, most frequent first."""
    from . import records

    rows = []
    pending = []
    for code in records.codes():
        for (reason, unit), count in exits_by_site(code).items():
            rows.append((count, code.co_qualname, site(code, unit), native.EXIT_REASONS.get(reason, reason), reason))
        info = native.code_info(code)
        if info is not None and info.recompile_requested:
            pending.append(f"recompile requested for {where(code)}, not performed: it was not called again")
    rows.sort(key=lambda row: (-row[0], row[1], row[2]))
    lines = [f"exits to the interpreter by site: {len(rows) or 'none'}"]
    lines += [f"deopt {name} at {place}: {description} [{reason}] × {count}"
              for count, name, place, description, reason in rows]
    return lines + pending


def report_at_exit() -> None:
    if "deopt" in _categories:
        for line in deopt_report():
            log("deopt", line)
