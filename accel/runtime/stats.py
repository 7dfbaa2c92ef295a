"""accel.stats(): what the JIT did in this process, and the summary printed at exit.

ACCEL_STATS=1 (`python -m accel --stats`) prints a table to stderr at exit; ACCEL_STATS=json
(`--stats=json`) prints the same facts as one JSON line, the last line on stderr.
"""
from __future__ import annotations

import json
import os
import sys

from . import costs, native, records

TOP = 5


def stats() -> dict:
    counters = native.counters()
    compiled = [c for c in map(records.load, records.codes()) if isinstance(c, records.Compiled)]
    return {
        "pid": os.getpid(),
        "functions_compiled": counters["functions_compiled"],  # native programs emitted, recompiles included
        "compile_failures": dict(costs.failures),
        "native_entries": counters["native_entries"],
        "native_calls": counters["native_calls"],  # of those, native code calling native code directly
        "native_calls_from_c": counters["native_calls_from_c"],  # ... made by native/calls.c, not by CALL's stencil
        "generators_resumed_from_c": counters["generators_resumed_from_c"],  # by sum(), list()... natively
        "generators_resumed_at_sites": counters["generators_resumed_at_sites"],  # by loops, SEND, from their caches
        "sums_fused": counters["sums_fused"],  # sum(generator) run as one native loop (native/sum.c)
        "items_summed": counters["items_summed"],  # ... floats added at the yield, without suspending
        "all_any_fused": counters["all_any_fused"],  # all()/any() of a generator run as one native loop
        "items_tested": counters["items_tested"],  # ... items tested at the yield, without suspending
        "generators_closed_quietly": counters["generators_closed_quietly"],  # dropped without a GeneratorExit thrown
        "builtins_computed": counters["builtins_computed"],  # max() and min() calls computed natively
        "attribute_misses": counters["attribute_misses"],  # inline-cache misses of attribute and method sites
        "global_misses": counters["global_misses"],  # inline-cache misses of LOAD_GLOBAL sites
        "inlined_calls": counters["inlined_calls"],  # calls of small pure functions run inlined (stencils/inline.c)
        "site_c_calls": counters["site_c_calls"],  # C functions and builtin classes called by CALL's shared routine
        "operator_calls": counters["operator_calls"],  # Python operator dunders called from BINARY_OP's site cache
        "loop_head_entries": counters["loop_head_entries"],  # frames entered natively at a hot loop's head
        "on_stack_replacements": counters["on_stack_replacements"],  # ... into code compiled again meanwhile
        "back_edge_entries": counters["back_edge_entries"],  # raw loops going on natively after the eval breaker
        "resumption_entries": counters["resumption_entries"],  # generators' resumptions going on natively after it
        "deopts": counters["exits"],
        "native_code_bytes": counters["native_code_bytes"],
        "compile_seconds": round(costs.totals.seconds, 6),
        "compiler_load_seconds": round(costs.totals.load_seconds, 6),  # once, by the first compile
        "instructions_compiled": costs.totals.instructions,  # bytecode instructions, recompiles included
        "native_instructions": costs.totals.native_instructions,  # ... of the code that got native code
        "compile_us_per_instruction": _ratio(costs.totals.seconds * 1e6, costs.totals.instructions),
        "native_bytes_per_instruction": _ratio(counters["native_code_bytes"], costs.totals.native_instructions),
        "recompiles": sum(c.attempts - 1 for c in compiled),
        "top_native_entries": top_functions("native_entries"),
        "top_deopts": top_functions("exits"),
    }


def _ratio(total: float, count: int) -> float | None:
    return round(total / count, 3) if count else None


def top_functions(key: str, count: int = TOP) -> list[tuple[str, int]]:
    """The functions with the most `key` (a native.CodeInfo counter): [(name (file:line), n)]."""
    rows = []
    for code in records.codes():
        info = native.code_info(code)
        if info is not None and info.state == "compiled":
            rows.append((f"{code.co_qualname} ({code.co_filename}:{code.co_firstlineno})", getattr(info, key)))
    return sorted((r for r in rows if r[1]), key=lambda r: -r[1])[:count]


def table(data: dict) -> str:
    deopts = sum(data["deopts"].values())
    failures = sum(data["compile_failures"].values())
    recompiles = data["recompiles"]
    compiled = data["functions_compiled"] - recompiles
    width = 34
    lines = [f"accel statistics (pid {data['pid']})", "-" * 72]

    def row(label: str, value: str, comment: str = "") -> None:
        lines.append(f"{label:<{width}}{value:>14}{'  ' + comment if comment else ''}")

    row("functions compiled", f"{compiled:,}", f"(+{recompiles} recompiles)" if recompiles else "")
    row("functions not compiled", f"{failures:,}", "(reasons below)" if failures else "")
    row("bytecode instructions compiled", f"{data['instructions_compiled']:,}")
    row("time compiling", f"{data['compile_seconds'] * 1000:,.1f} ms",
        _per_instruction(data["compile_us_per_instruction"], "µs"))
    row("loading the compiler", f"{data['compiler_load_seconds'] * 1000:,.1f} ms",
        "(once, at the first compile)" if data["compiler_load_seconds"] else "(not loaded: nothing compiled)")
    row("native code", f"{data['native_code_bytes']:,} B", _per_instruction(data["native_bytes_per_instruction"], "B"))
    row("native entries", f"{data['native_entries']:,}")
    row("  of which native-to-native calls", f"{data['native_calls']:,}")
    row("    of which not by CALL's stencil", f"{data['native_calls_from_c']:,}")
    row("generators resumed by C code", f"{data['generators_resumed_from_c']:,}")
    row("generators resumed as site caches say", f"{data['generators_resumed_at_sites']:,}")
    row("sums of generators run natively", f"{data['sums_fused']:,}")
    row("  items added without suspending", f"{data['items_summed']:,}")
    row("all()/any() of generators run natively", f"{data['all_any_fused']:,}")
    row("  items tested without suspending", f"{data['items_tested']:,}")
    row("generators closed without a throw", f"{data['generators_closed_quietly']:,}")
    row("builtin calls computed natively", f"{data['builtins_computed']:,}")
    row("attribute cache misses", f"{data['attribute_misses']:,}")
    row("global cache misses", f"{data['global_misses']:,}")
    row("calls inlined", f"{data['inlined_calls']:,}")
    row("C functions called by CALL's routine", f"{data['site_c_calls']:,}")
    row("operator dunders called from site caches", f"{data['operator_calls']:,}")
    row("loop heads entered mid-run", f"{data['loop_head_entries']:,}")
    row("  of which on-stack replacements", f"{data['on_stack_replacements']:,}")
    row("loops going on after the eval breaker", f"{data['back_edge_entries']:,}")
    row("resumptions going on after it", f"{data['resumption_entries']:,}")
    row("deopts (exits to the interpreter)", f"{deopts:,}")
    sections = [
        ("deopts by reason", [(f"{native.EXIT_REASONS.get(reason, reason)} ({reason})", count)
                              for reason, count in data["deopts"].items()]),
        ("not compiled, by reason", list(data["compile_failures"].items())),
    ]
    column = max([width - 2] + [len(label) + 2 for _, items in sections for label, _ in items])
    for title, items in sections:
        if items:
            lines.append(f"{title}:")
            lines += [f"  {label:<{column}}{count:>12,}" for label, count in sorted(items, key=lambda kv: -kv[1])]
    for title, key in (("top functions by native entries", "top_native_entries"),
                       ("top functions by deopts", "top_deopts")):
        if data[key]:
            lines.append(f"{title}:")
            lines += [f"  {count:>12,}  {name}" for name, count in data[key]]
    return "\n".join(lines)


def _per_instruction(value: float | None, unit: str) -> str:
    return "" if value is None else f"({value:,.1f} {unit} per bytecode instruction)"


def print_at_exit(form: str) -> None:
    data = stats()
    print(json.dumps(data) if form == "json" else table(data), file=sys.stderr)
