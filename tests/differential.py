"""Run the same program under stock CPython and under accel, and compare what they do.

Both run in fresh subprocesses: accel with ACCEL_THRESHOLD=0 (every function compiled on
its first call, the hardest setting) and ACCEL_STATS=json, whose counters are returned
so that tests can assert that native code actually ran.
"""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass
class Run:
    stdout: str
    stderr: str
    returncode: int
    stats: dict
    # per-function facts read with accel.explain() at exit, for the names passed as `functions=`
    functions: dict = dataclasses.field(default_factory=dict)

    def function(self, name: str) -> dict:
        """What accel did with one of the probed functions (see `compare(functions=...)`)."""
        assert name in self.functions, f"no probe report for {name!r}: {self.functions or self.stderr[-2000:]}"
        return self.functions[name]

    def deopts(self, reason: str) -> int:
        return self.stats.get("deopts", {}).get(reason, 0)


def _environment(extra: dict[str, str] | None) -> dict[str, str]:
    """The inherited environment without ACCEL_*, ROOT on PYTHONPATH, then `extra`; a PYTHONPATH
    in `extra` goes in front of ROOT rather than replacing it."""
    extra = dict(extra or {})
    # ACCEL=1 would accelerate the stock run too (accel.pth); ACCEL_* would change the accel run.
    env = {k: v for k, v in os.environ.items() if k != "ACCEL" and not k.startswith("ACCEL_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [extra.pop("PYTHONPATH", None), str(ROOT),
                                                      env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def run_stock(path: Path, args: list[str] = (), env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    done = subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True,
                          env=_environment(env), timeout=timeout, cwd=path.parent)
    return Run(done.stdout, done.stderr, done.returncode, {})


def run_accel(path: Path, args: list[str] = (), env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    settings = {"ACCEL_THRESHOLD": "0", "ACCEL_STATS": "json", **(env or {})}
    done = subprocess.run([sys.executable, "-m", "accel", str(path), *args], capture_output=True, text=True,
                          env=_environment(settings), timeout=timeout, cwd=path.parent)
    stderr, stats = _split_stats(done.stderr)
    _assert_no_internal_error(stats)
    return Run(done.stdout, stderr, done.returncode, stats)


def _assert_no_internal_error(stats: dict) -> None:
    """accel refuses to compile code it cannot (and the program goes on unaccelerated), but an
    exception inside accel's own compiler is a bug, whatever the program printed."""
    failures = stats.get("compile_failures", {})
    assert "internal error" not in failures, f"accel's compiler raised (ACCEL_LOG=compile shows where): {failures}"


def _split_stats(stderr: str) -> tuple[str, dict]:
    """ACCEL_STATS=json prints one JSON line, last, on stderr."""
    lines = stderr.splitlines(keepends=True)
    if lines and lines[-1].startswith("{"):
        return "".join(lines[:-1]), json.loads(lines[-1])
    return stderr, {}


# A sitecustomize put on PYTHONPATH of both runs when `functions=` is given.  Under stock
# Python it does nothing; under `python -m accel` it registers, before accel's own exit
# hook, a hook that runs after accel has printed its statistics (atexit is LIFO) and
# writes what accel.explain() says about the named functions of __main__ to a JSON file.
# The program itself is left unchanged, so stock and accel run the very same source.
PROBE_SITECUSTOMIZE = """
import atexit, json, os, sys

def _difftest_probe():
    accel = sys.modules.get("accel")
    main = sys.modules.get("__main__")
    path = os.environ.get("DIFFTEST_PROBE")
    if accel is None or main is None or not path:
        return
    report = {}
    for name in os.environ.get("DIFFTEST_PROBE_NAMES", "").split(","):
        try:
            target = main
            for part in name.split("."):
                target = getattr(target, part)
            explanation = accel.explain(target)
            info = explanation.info
            rows = explanation.rows
            report[name] = {
                "state": explanation.state,
                "reason": explanation.reason,
                "text": str(explanation),
                "calls": info.calls if info else 0,
                "native_entries": info.native_entries if info else 0,
                "exits": info.exits if info else 0,
                "recompiles": info.recompiles if info else 0,
                "native_bytes": info.native_bytes if info else 0,
                "specialized": [row.specialized for row in rows],
                "guards": [guard for row in rows for guard in row.guards],
                "notes": [row.note for row in rows if row.note],
                "site_exits": {reason: sum(row.exits.get(reason, 0) for row in rows)
                               for reason in {r for row in rows for r in row.exits}},
            }
        except Exception as error:
            report[name] = {"error": f"{type(error).__name__}: {error}"}
    with open(path, "w") as file:
        json.dump(report, file)

atexit.register(_difftest_probe)
"""


def probe_env(tmp_path: Path, functions, env: dict[str, str] | None) -> tuple[dict[str, str] | None, Path | None]:
    """`env` with the probe added for the named functions of __main__ (none: unchanged), and the
    JSON file the probe writes what accel.explain() says of them to (PROBE_SITECUSTOMIZE)."""
    if not functions:
        return env, None
    site = tmp_path / "_difftest_site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(PROBE_SITECUSTOMIZE)
    report = tmp_path / "_difftest_probe.json"
    extra = dict(env or {})
    extra["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), extra.get("PYTHONPATH")]))
    extra["DIFFTEST_PROBE"] = str(report)
    extra["DIFFTEST_PROBE_NAMES"] = ",".join(functions)
    return extra, report


def assert_same(stock: Run, accel: Run) -> None:
    assert accel.stdout == stock.stdout, f"stdout differs\n--- stock\n{stock.stdout}\n--- accel\n{accel.stdout}"
    assert accel.stderr == stock.stderr, f"stderr differs\n--- stock\n{stock.stderr}\n--- accel\n{accel.stderr}"
    assert accel.returncode == stock.returncode, (stock.returncode, accel.returncode, accel.stderr)


def compare(source: str, tmp_path: Path, args: list[str] = (), env: dict[str, str] | None = None,
            functions: tuple[str, ...] | list[str] = (), name: str = "program.py") -> Run:
    """Run `source` both ways; assert identical stdout, stderr and exit code; return accel's run.

    `functions`: names (dotted from __main__) of functions whose accel.explain() facts the
    accel run reports at exit, in the returned run's `.functions`."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    env, report = probe_env(tmp_path, functions, env)
    stock = run_stock(path, args, env)
    accel = run_accel(path, args, env)
    if report is not None and report.exists():
        accel.functions = json.loads(report.read_text())
    assert_same(stock, accel)
    return accel


def run_python(argv: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 120,
               stdin: str | None = None) -> Run:
    """`python *argv` in `cwd`, with ROOT on PYTHONPATH; a JSON stats line ending stderr is split off."""
    done = subprocess.run([sys.executable, *argv], capture_output=True, text=True, env=_environment(env),
                          timeout=timeout, cwd=cwd, input=stdin)
    stderr, stats = _split_stats(done.stderr)
    _assert_no_internal_error(stats)
    return Run(done.stdout, stderr, done.returncode, stats)


def assert_native(run: Run, *names: str, min_entries: int = 1) -> None:
    """Native code ran: in this process at all, and for each named (probed) function."""
    assert run.stats, f"no ACCEL_STATS=json line on stderr:\n{run.stderr[-3000:]}"
    assert run.stats["native_entries"] > 0 and run.stats["functions_compiled"] > 0, run.stats
    for name in names:
        facts = run.function(name)
        assert facts.get("state") == "compiled", (name, facts)
        assert facts["native_entries"] >= min_entries, (name, facts)
