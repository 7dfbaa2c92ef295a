"""accel.stats(): what the JIT did in this process, and the summary printed at exit."""
from __future__ import annotations

import json
import sys

from . import compiler, native


def stats() -> dict:
    counters = native.counters()
    compiled = [c for c in compiler.registry.values() if isinstance(c, compiler.Compiled)]
    return {
        "functions_compiled": counters["functions_compiled"],
        "compile_failures": dict(compiler.failures),
        "native_entries": counters["native_entries"],
        "deopts": counters["exits"],
        "native_code_bytes": counters["native_code_bytes"],
        "compile_seconds": round(compiler.compile_seconds, 6),
        "recompiles": sum(c.attempts - 1 for c in compiled),
    }


def top_functions(key: str, count: int = 5) -> list[tuple[str, int]]:
    rows = []
    for code, entry in list(compiler.registry.items()):
        info = native.code_info(code)
        if isinstance(entry, compiler.Compiled) and info is not None:
            rows.append((f"{code.co_qualname} ({code.co_filename}:{code.co_firstlineno})", getattr(info, key)))
    return sorted((r for r in rows if r[1]), key=lambda r: -r[1])[:count]


def table(data: dict) -> str:
    lines = ["accel statistics", "-" * 40]
    for key in ("functions_compiled", "native_entries", "native_code_bytes", "compile_seconds", "recompiles"):
        lines.append(f"{key:<24}{data[key]:>16}")
    for title, key in (("deopts", "deopts"), ("compile failures", "compile_failures")):
        lines.append(f"{title}:" + ("" if data[key] else " none"))
        lines += [f"  {reason:<34}{count:>8}" for reason, count in sorted(data[key].items(), key=lambda kv: -kv[1])]
    for title, key in (("top functions by native entries", "native_entries"), ("top functions by deopts", "exits")):
        rows = top_functions(key)
        if rows:
            lines.append(f"{title}:")
            lines += [f"  {count:>10}  {name}" for name, count in rows]
    return "\n".join(lines)


def print_at_exit(form: str) -> None:
    data = stats()
    print(json.dumps(data) if form == "json" else table(data), file=sys.stderr)
