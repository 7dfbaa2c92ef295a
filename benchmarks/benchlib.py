"""Process timing and reporting helpers shared by run.py and hook_tax.py."""

from __future__ import annotations

import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping, Sequence

BARE_PYTHONS = frozenset({"python", "python3", f"python3.{sys.version_info.minor}"})


class BenchError(Exception):
    """A benchmark process failed or did not follow the kernel protocol."""


@dataclass(frozen=True)
class Run:
    """One benchmark process: wall time, its `TIME` lines, its stdout, and the
    accel.stats() it printed as a JSON line at exit (ACCEL_STATS=json), if any."""

    wall: float
    times: tuple[float, ...]
    stdout: str
    accel_stats: dict | None = None


@dataclass(frozen=True)
class Ratio:
    """Base-vs-other comparison of paired samples (ratio > 1: other is faster)."""

    base: float
    other: float
    speedup: float
    low: float
    high: float


def command(text: str) -> list[str]:
    """Split a command line; a bare `python` first word means the running interpreter.

    Both sides then start the same binary directly, so a wrapper such as a
    pyenv shim (tens of milliseconds) is not charged to one side only.
    """
    words = shlex.split(text)
    if not words:
        raise BenchError("empty command")
    if words[0] in BARE_PYTHONS:
        words[0] = sys.executable
    return words


def run_script(cmd: Sequence[str], script: Path, args: Sequence[str] = (),
               env: Mapping[str, str] | None = None) -> Run:
    """Run `cmd script args`, timing the whole process; raise BenchError if it fails."""
    argv = [*cmd, str(script), *args]
    start = time.perf_counter()
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    except OSError as error:
        raise BenchError(f"`{shlex.join(argv)}` could not start: {error}") from error
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = proc.stderr.strip()[-3000:]
        raise BenchError(f"`{shlex.join(argv)}` exited with status {proc.returncode}:\n{tail}")
    lines = proc.stderr.splitlines()
    times = tuple(float(line.split()[1]) for line in lines if line.startswith("TIME "))
    return Run(wall, times, proc.stdout, accel_stats(lines[-1]) if lines else None)


def accel_stats(line: str) -> dict | None:
    """The statistics accel prints as the last line on stderr with ACCEL_STATS=json."""
    if not line.startswith("{"):
        return None
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data if isinstance(data, dict) and "compile_seconds" in data else None


def warm_time(run: Run) -> float:
    """Median of the per-repetition times, dropping the first (warm-up) repetition."""
    if len(run.times) < 2:
        raise BenchError(f"expected at least 2 TIME lines on stderr, got {len(run.times)}")
    return statistics.median(run.times[1:])


def compare(base: Sequence[float], other: Sequence[float]) -> Ratio:
    """Median-to-median speedup plus the min and max of the per-pair ratios."""
    pairs = [b / o for b, o in zip(base, other, strict=True)]
    base_median = statistics.median(base)
    other_median = statistics.median(other)
    return Ratio(base_median, other_median, base_median / other_median, min(pairs), max(pairs))


def first_mismatch(runs: Sequence[tuple[str, Run]]) -> str | None:
    """Describe the first run whose stdout differs from the first run's, if any."""
    reference_label, reference = runs[0]
    for label, run in runs[1:]:
        if run.stdout != reference.stdout:
            return (f"{label} printed {run.stdout.strip()!r} but "
                    f"{reference_label} printed {reference.stdout.strip()!r}")
    return None


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def nproc() -> int:
    """CPUs this process may run on, as `nproc` reports."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def interpreter_version(cmd: Sequence[str]) -> str:
    proc = subprocess.run([*cmd, "-c", "import sys; print(sys.version)"],
                          capture_output=True, text=True, check=False)
    return proc.stdout.strip() or f"unknown (`{shlex.join(cmd)}` did not report a version)"


def environment_lines(commands: Mapping[str, Sequence[str]]) -> list[str]:
    """Markdown bullet lines describing the run: Python, date, machine, command lines."""
    stock = next(iter(commands.values()))
    lines = [
        f"- Python: {interpreter_version(stock)}",
        f"- Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M:%S UTC')}",
        f"- Machine: nproc={nproc()}, {cpu_model()}, {platform.platform()}",
        f"- Command: `{shlex.join(sys.orig_argv)}` (in `{os.getcwd()}`)",
    ]
    lines += [f"- {label} command: `{shlex.join(cmd)}`" for label, cmd in commands.items()]
    return lines


def format_speedup(ratio: Ratio) -> str:
    return f"{ratio.speedup:.3f}x"


def format_range(ratio: Ratio) -> str:
    return f"{ratio.low:.3f}–{ratio.high:.3f}"
