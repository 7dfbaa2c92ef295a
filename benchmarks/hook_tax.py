"""Measure the bare PEP 523 hook tax of accel on call-heavy code.

    python benchmarks/hook_tax.py [--reps R] [--inner N]
                                  [--stock-cmd "python"] [--accel-cmd "python -m accel"]

Runs kernels/_fib.py (naive recursive fib(25), one call per Python frame) with
`--inner N`, interleaving three configurations per repetition:

- stock:     the stock interpreter;
- hook only: accel with ACCEL_THRESHOLD=1000000000, so nothing compiles and
             every call only pays for the frame-evaluation hook;
- compiled:  accel with ACCEL_THRESHOLD=0, compiling on the first call.

It prints each configuration's median warm time per fib(25) (first repetition
dropped) and whole-process time, and the ratio stock/config (below 1: slower
than stock, so 1 - ratio is the tax). Exit status 1 if a run fails or prints
a different result.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path
from typing import Sequence

from benchlib import (BenchError, Run, command, compare, environment_lines, first_mismatch,
                      format_range, format_speedup, run_script, warm_time)

WORKLOAD = Path(__file__).resolve().parent / "kernels" / "_fib.py"
NO_COMPILE = "1000000000"
CONFIGS = (("stock", "stock", None), ("hook only", "accel", NO_COMPILE), ("compiled", "accel", "0"))


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Measure accel's PEP 523 hook tax on fib(25).")
    parser.add_argument("--reps", type=int, default=5,
                        help="interleaved repetitions of the three configurations (default 5)")
    parser.add_argument("--inner", type=int, default=30,
                        help="fib(25) calls timed inside each process; the first is dropped (default 30)")
    parser.add_argument("--stock-cmd", default="python", help='stock interpreter (default "python")')
    parser.add_argument("--accel-cmd", default="python -m accel",
                        help='accelerated command (default "python -m accel")')
    args = parser.parse_args(argv)
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    if args.inner < 2:
        parser.error("--inner must be at least 2 (the first repetition is dropped)")
    return args


def config_env(threshold: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if threshold is not None:
        env["ACCEL_THRESHOLD"] = threshold
    return env


def collect(commands: dict[str, list[str]], reps: int, inner: int) -> dict[str, list[Run]]:
    runs: dict[str, list[Run]] = {label: [] for label, _, _ in CONFIGS}
    for _ in range(reps):
        for label, side, threshold in CONFIGS:
            runs[label].append(run_script(commands[side], WORKLOAD, ["--inner", str(inner)],
                                          config_env(threshold)))
    return runs


def table(runs: dict[str, list[Run]]) -> list[str]:
    stock = runs["stock"]
    stock_warm = [warm_time(run) for run in stock]
    lines = [
        "| config | warm per fib(25) (ms) | warm stock/config | warm range "
        "| process (s) | process stock/config | process range |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, config_runs in runs.items():
        warm = compare(stock_warm, [warm_time(run) for run in config_runs])
        whole = compare([r.wall for r in stock], [r.wall for r in config_runs])
        lines.append(f"| {label} | {warm.other * 1000:.2f} | {format_speedup(warm)} | {format_range(warm)} "
                     f"| {whole.other:.3f} | {format_speedup(whole)} | {format_range(whole)} |")
    hook = statistics.median(warm_time(run) for run in runs["hook only"])
    tax = hook / statistics.median(stock_warm) - 1.0
    lines += ["", f"Hook tax (hook only vs stock, warm): {tax:+.1%} time per fib(25)."]
    return lines


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    commands = {"stock": command(args.stock_cmd), "accel": command(args.accel_cmd)}
    print("\n".join(environment_lines(commands)))
    print(f"- Repetitions: {args.reps} (configurations interleaved), {args.inner} fib(25) per process\n")
    try:
        runs = collect(commands, args.reps, args.inner)
        mismatch = first_mismatch([(f"{label} run {i + 1}", run)
                                   for label, config_runs in runs.items()
                                   for i, run in enumerate(config_runs)])
        if mismatch is not None:
            raise BenchError(f"MISMATCH: {mismatch}")
        print("\n".join(table(runs)))
    except BenchError as error:
        print(f"{'!' * 60}\n{error}\n{'!' * 60}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
