"""Run every kernel under stock CPython and under accel, interleaved, and report speedups.

    python benchmarks/run.py [--reps R] [--inner N] [--only a,b]
                             [--stock-cmd "python"] [--accel-cmd "python -m accel"]
                             [--out benchmarks/results]

For each kernel and repetition it runs, in this order: stock and accel as whole
processes (`cmd kernel.py`), then stock and accel warm (`cmd kernel.py --inner N`,
whose per-repetition `TIME` lines give the steady-state time: median after
dropping the first). Before that, accel's package and the kernels are byte-compiled, as an
installed package is, so that no process pays for compiling them (PYTHONDONTWRITEBYTECODE
would otherwise make every one do so). All stdouts must be identical, or the kernel is reported as
a MISMATCH and the exit status is 1. Results go to OUT/results.md (and
OUT/ratios.png when matplotlib is installed); the table is also printed.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from benchlib import (BenchError, Ratio, Run, command, compare, environment_lines, first_mismatch,
                      format_range, format_speedup, run_script, warm_time)

HERE = Path(__file__).resolve().parent
KERNELS = HERE / "kernels"
SIDES = ("stock", "accel")


@dataclass(frozen=True)
class Speedups:
    warm: Ratio
    process: Ratio


@dataclass(frozen=True)
class CompileCost:
    """What compiling cost in a kernel's accelerated warm processes (medians over the
    repetitions), from the accel.stats() each printed at exit."""

    functions: int  # native programs emitted, recompiles included
    instructions: int  # bytecode instructions decoded by the compiler
    seconds: float  # time in the compiler
    native_instructions: int  # bytecode instructions of the code that got native code
    native_bytes: int

    @property
    def us_per_instruction(self) -> float:
        return self.seconds * 1e6 / self.instructions if self.instructions else 0.0

    @property
    def bytes_per_instruction(self) -> float:
        return self.native_bytes / self.native_instructions if self.native_instructions else 0.0


@dataclass(frozen=True)
class Outcome:
    """A kernel's speedups (and what compiling cost), or the problem that prevented them."""

    name: str
    speedups: Speedups | None = None
    problem: str | None = None
    compile_cost: CompileCost | None = None

    @property
    def status(self) -> str:
        """Return "ok", or the problem's first word: "MISMATCH" or "FAILED"."""
        return self.problem.split(":", 1)[0] if self.problem else "ok"


def available_kernels() -> list[str]:
    return sorted(p.stem for p in KERNELS.glob("*.py") if not p.stem.startswith("_"))


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark accel against stock CPython.")
    parser.add_argument("--reps", type=int, default=5,
                        help="interleaved stock/accel repetitions per kernel (default 5)")
    parser.add_argument("--inner", type=int, default=5,
                        help="work repetitions inside each warm process; the first is dropped (default 5)")
    parser.add_argument("--only", default="", help="comma-separated kernel names (default: all)")
    parser.add_argument("--stock-cmd", default="python", help='stock interpreter (default "python")')
    parser.add_argument("--accel-cmd", default="python -m accel",
                        help='accelerated command (default "python -m accel")')
    parser.add_argument("--out", type=Path, default=HERE / "results",
                        help="directory for results.md and ratios.png (default benchmarks/results)")
    args = parser.parse_args(argv)
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    if args.inner < 2:
        parser.error("--inner must be at least 2 (the first repetition is dropped)")
    known = available_kernels()
    args.kernels = [name.strip() for name in args.only.split(",") if name.strip()] or known
    unknown = sorted(set(args.kernels) - set(known))
    if unknown:
        parser.error(f"unknown kernels {', '.join(unknown)}; choose from {', '.join(known)}")
    return args


def measure(name: str, commands: dict[str, list[str]], reps: int, inner: int) -> Outcome:
    """Interleave stock and accel runs of one kernel and compare them."""
    script = KERNELS / f"{name}.py"
    whole: dict[str, list[Run]] = {side: [] for side in SIDES}
    warm: dict[str, list[Run]] = {side: [] for side in SIDES}
    # The warm accel processes print accel.stats() at exit, after their last TIME line: the
    # whole-process times stay free of that report.
    warm_env = {"stock": None, "accel": {**os.environ, "ACCEL_STATS": "json"}}
    try:
        for _ in range(reps):
            for side in SIDES:
                whole[side].append(run_script(commands[side], script))
            for side in SIDES:
                warm[side].append(run_script(commands[side], script, ["--inner", str(inner)], env=warm_env[side]))
        warm_times = {side: [warm_time(run) for run in warm[side]] for side in SIDES}
    except BenchError as error:
        return Outcome(name, problem=f"FAILED: {error}")
    labelled = [(f"{side} run {i + 1}{kind}", run)
                for kind, runs in (("", whole), (" (warm)", warm))
                for side in SIDES for i, run in enumerate(runs[side])]
    mismatch = first_mismatch(labelled)
    if mismatch is not None:
        return Outcome(name, problem=f"MISMATCH: {mismatch}")
    return Outcome(name, Speedups(
        warm=compare(warm_times["stock"], warm_times["accel"]),
        process=compare([r.wall for r in whole["stock"]], [r.wall for r in whole["accel"]])),
        compile_cost=compile_cost(warm["accel"]))


def compile_cost(runs: Sequence[Run]) -> CompileCost | None:
    """Medians of the compile statistics of accelerated runs (None: the command printed none)."""
    stats = [run.accel_stats for run in runs]
    if not stats or any(s is None or "instructions_compiled" not in s for s in stats):
        return None

    def median(key: str):
        return statistics.median(s[key] for s in stats)

    return CompileCost(median("functions_compiled"), median("instructions_compiled"), median("compile_seconds"),
                       median("native_instructions"), median("native_code_bytes"))


def successes(outcomes: Sequence[Outcome]) -> list[tuple[str, Speedups]]:
    return [(o.name, o.speedups) for o in outcomes if o.speedups is not None]


def geomean(ratios: Sequence[Ratio]) -> float:
    return statistics.geometric_mean([r.speedup for r in ratios])


def table(outcomes: Sequence[Outcome]) -> list[str]:
    lines = [
        "| benchmark | warm stock (s) | warm accel (s) | warm speedup | warm range "
        "| process stock (s) | process accel (s) | process speedup | process range |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for outcome in outcomes:
        if outcome.speedups is None:
            lines.append(f"| {outcome.name} | **{outcome.status}** | | | | | | | |")
            continue
        cells = [outcome.name]
        for ratio in (outcome.speedups.warm, outcome.speedups.process):
            cells += [f"{ratio.base:.4f}", f"{ratio.other:.4f}", format_speedup(ratio), format_range(ratio)]
        lines.append("| " + " | ".join(cells) + " |")
    good = [speedups for _, speedups in successes(outcomes)]
    if good:
        warm_mean = geomean([s.warm for s in good])
        process_mean = geomean([s.process for s in good])
        lines.append(f"| **geometric mean** | | | **{warm_mean:.3f}x** | | | | **{process_mean:.3f}x** | |")
    return lines


def compile_table(outcomes: Sequence[Outcome]) -> list[str]:
    """Compile time and native code size per bytecode instruction, and compile time
    against the whole accelerated process."""
    lines = [
        "| benchmark | functions compiled | bytecode instructions | compile time (ms) | µs / instruction "
        "| native code (KiB) | bytes / instruction | compile time / process time |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    costs = [(o, o.compile_cost) for o in outcomes if o.compile_cost is not None and o.speedups is not None]
    for outcome, cost in costs:
        share = cost.seconds / outcome.speedups.process.other
        lines.append(f"| {outcome.name} | {cost.functions:g} | {cost.instructions:g} | {cost.seconds * 1e3:.1f} "
                     f"| {cost.us_per_instruction:.2f} | {cost.native_bytes / 1024:.0f} "
                     f"| {cost.bytes_per_instruction:.0f} | {share:.1%} |")
    if costs:
        total = CompileCost(*(sum(getattr(c, field) for _, c in costs) for field in
                              ("functions", "instructions", "seconds", "native_instructions", "native_bytes")))
        lines.append(f"| **all** | {total.functions:g} | {total.instructions:g} | {total.seconds * 1e3:.1f} "
                     f"| **{total.us_per_instruction:.2f}** | {total.native_bytes / 1024:.0f} "
                     f"| **{total.bytes_per_instruction:.0f}** | |")
    return lines


def report(outcomes: Sequence[Outcome], header: list[str], reps: int, inner: int) -> str:
    lines = ["# accel benchmark results", "", *header, "",
             f"- Repetitions: {reps} per kernel and side (stock and accel interleaved); "
             f"each warm process repeats the work {inner} times.", "",
             *table(outcomes), "",
             "- *speedup* = median stock time / median accel time: above 1 means accel is faster.",
             "- *range* = min–max of the per-repetition ratios (each stock run against the accel "
             "run right after it).",
             "- *warm*: median in-process time of one repetition of the work, first repetition "
             "dropped (steady state, after compilation).",
             "- *process*: wall time of the whole `cmd kernel.py` process (startup, import, "
             "compilation and work)."]
    if any(o.compile_cost for o in outcomes):
        lines += ["", "## Compile cost", "", *compile_table(outcomes), "",
                  "- From `accel.stats()` of the warm accel processes (median over the repetitions): "
                  "*bytecode instructions* were decoded by the compiler (recompiles count again), "
                  "*µs / instruction* is compile time (front end and emission) per such instruction, "
                  "*bytes / instruction* is native code per bytecode instruction of the code that got some.",
                  "- *compile time / process time*: compile time against the median wall time of the "
                  "whole accel process."]
    problems = [o for o in outcomes if o.problem]
    if problems:
        lines += ["", "## Problems"]
        for o in problems:
            lines += ["", f"### {o.name}: {o.status}", "", "```", str(o.problem), "```"]
    return "\n".join(lines) + "\n"


def plot(outcomes: Sequence[Outcome], path: Path) -> str:
    """Draw warm and whole-process speedups per kernel; return a one-line status."""
    try:
        import matplotlib
    except ImportError:
        path.unlink(missing_ok=True)
        return f"matplotlib is not installed: skipped {path.name} (pip install matplotlib to get it)"
    matplotlib.use("Agg")
    from matplotlib import pyplot

    good = successes(outcomes)
    if not good:
        path.unlink(missing_ok=True)
        return f"no successful kernel: skipped {path.name}"
    names = [name for name, _ in good] + ["geomean"]
    series = {
        "warm": [s.warm for _, s in good],
        "whole process": [s.process for _, s in good],
    }
    figure, axes = pyplot.subplots(figsize=(max(8.0, 0.6 * len(names) + 2), 5))
    width = 0.4
    for offset, (label, ratios) in zip((-width / 2, width / 2), series.items()):
        heights = [r.speedup for r in ratios] + [geomean(ratios)]
        errors = [[r.speedup - r.low for r in ratios] + [0.0], [r.high - r.speedup for r in ratios] + [0.0]]
        axes.bar([i + offset for i in range(len(names))], heights, width, yerr=errors,
                 capsize=2, label=label)
    axes.axhline(1.0, color="black", linewidth=1, linestyle="--")
    axes.set_xticks(range(len(names)), names, rotation=45, ha="right")
    axes.set_ylabel("speedup (stock / accel), >1 = accel faster")
    axes.set_title("accel speedup per benchmark (bars: median, whiskers: per-pair min–max)")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    pyplot.close(figure)
    return f"wrote {path}"


def byte_compile() -> None:
    """Write the .pyc files an installed accel and a second run of a kernel would find."""
    import accel

    for folder in (Path(accel.__file__).parent, KERNELS):
        compileall.compile_dir(folder, quiet=1)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    commands = {"stock": command(args.stock_cmd), "accel": command(args.accel_cmd)}
    byte_compile()
    header = environment_lines(commands)
    outcomes = []
    for index, name in enumerate(args.kernels, 1):
        outcome = measure(name, commands, args.reps, args.inner)
        if outcome.speedups is not None:
            warm, process = outcome.speedups.warm, outcome.speedups.process
            status = f"warm {format_speedup(warm)}  process {format_speedup(process)}"
        else:
            status = f"\n{'!' * 60}\n{outcome.problem}\n{'!' * 60}"
        print(f"[{index}/{len(args.kernels)}] {name}: {status}", file=sys.stderr, flush=True)
        outcomes.append(outcome)
    text = report(outcomes, header, args.reps, args.inner)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {args.out / 'results.md'}", file=sys.stderr)
    print(plot(outcomes, args.out / "ratios.png"), file=sys.stderr)
    problems = [o for o in outcomes if o.problem]
    for outcome in problems:
        print(f"{outcome.status}: {outcome.name}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
