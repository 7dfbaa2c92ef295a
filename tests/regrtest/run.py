#!/usr/bin/env python3
"""Differential runner: CPython's regression suite under stock python vs accel.

Each regression-test module runs twice in fresh processes, once under the
stock interpreter and once under the accel command (by default with
ACCEL_THRESHOLD=0, so every function is compiled on its first call).  The
per-test-case outcomes are compared, and every disagreement is reported.

    python tests/regrtest/run.py                         # modules.txt, accel
    python tests/regrtest/run.py --modules test_grammar,test_scope
    python tests/regrtest/run.py --accel-cmd python -j 2 # develop vs stock
    python tests/regrtest/run.py --env ACCEL_THRESHOLD=10 --rerun
    python tests/regrtest/run.py --list tests/regrtest/modules_slow.txt

Outcomes are recorded by running regrtest through this very file in "child
mode" (``<cmd> -m run --regrtest-child EVENTS -- <regrtest args>``, found
through PYTHONPATH), which hooks regrtest's result class and appends one
JSON line per test event to EVENTS.  Writing each event straight to a file
(rather than parsing verbose output at the end) keeps every outcome up to a
crash and names the test that was running when a process died or hung.

Exit status: 0 if no differences, 1 if any (flaky ones excluded when
--rerun is given), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_LIST = HERE / "modules.txt"
CHILD_FLAG = "--regrtest-child"
CHILD_MODULE = Path(__file__).stem
STOCK, ACCEL = "stock", "accel"
SIDES = (STOCK, ACCEL)
DEFAULT_ACCEL_ENV = {"ACCEL_THRESHOLD": "0"}
DEFAULT_TIMEOUT = 600.0
# Time allowed for faulthandler to dump a hung process's tracebacks.
TRACEBACK_GRACE_SECONDS = 5.0
MODULE_KEY = "<module>"
NOT_RUN = "not run"
CRASHED = "CRASHED"
HUNG = "HUNG"
# How bad an outcome is; a test with several outcomes (subtests) keeps the
# worst.  A skipped subtest must not hide a passing or failing parent.
SEVERITY = {
    "skipped": 0,
    "expected failure": 1,
    "ok": 2,
    "unexpected success": 3,
    "FAIL": 4,
    "ERROR": 5,
    HUNG: 6,
    CRASHED: 6,
}
PASSED = frozenset({"ok", "expected failure"})
SKIPPED = frozenset({"skipped"})
DETAIL_LIMIT = 300
DIFFS_SHOWN_PER_MODULE = 25
NOT_RUN_SHOWN = 5


# --------------------------------------------------------------------------
# Child mode: runs inside the interpreter under test.
# --------------------------------------------------------------------------

def _exception_summary(err: Any) -> str:
    """First line of 'Type: message' for an exc_info triple, bounded."""
    exc_type, exc_value = err[0], err[1]
    try:
        message = str(exc_value).strip().splitlines()
    except Exception:  # a broken __str__ must not lose the outcome
        message = ["<unprintable>"]
    name = getattr(exc_type, "__name__", repr(exc_type))
    text = f"{name}: {message[0]}" if message else name
    return text[:DETAIL_LIMIT]


def _test_id(test: Any) -> str:
    """unittest id of a test; a subtest is folded into its parent test."""
    parent = getattr(test, "test_case", None)
    target = parent if parent is not None else test
    try:
        return str(target.id())
    except Exception:
        return str(target)


class _EventWriter:
    """Appends JSON lines to the events file, unbuffered, so a crash loses
    nothing already written."""

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._owner_pid = os.getpid()

    def write(self, event: dict[str, Any]) -> None:
        # Tests that fork must not report the child's copy of a test.
        if os.getpid() == self._owner_pid:
            line = json.dumps(event, default=str) + "\n"
            os.write(self._fd, line.encode())


def _install_event_recorder(writer: _EventWriter) -> None:
    """Make regrtest's result class report every test event to writer."""
    # regrtest internals are only needed (and only imported) in the child.
    from test.libregrtest.testresult import (  # type: ignore[import-not-found]
        RegressionTestResult,
    )

    def emit(kind: str, test: Any, outcome: str = "", detail: str = "") -> None:
        event = {"event": kind, "id": _test_id(test)}
        if outcome:
            event["outcome"] = outcome
        if detail:
            event["detail"] = detail
        writer.write(event)

    def failure_kind(test: Any, err: Any) -> str:
        failure_exception = getattr(test, "failureException", AssertionError)
        return "FAIL" if issubclass(err[0], failure_exception) else "ERROR"

    def on_sub_test(test: Any, subtest: Any, err: Any) -> None:
        if err is not None:
            emit("outcome", test, failure_kind(test, err),
                 f"{subtest._subDescription()}: {_exception_summary(err)}")

    hooks = {
        "startTest": lambda test: emit("start", test),
        "stopTest": lambda test: emit("stop", test),
        "addSuccess": lambda test: emit("outcome", test, "ok"),
        "addFailure": lambda test, err: emit(
            "outcome", test, "FAIL", _exception_summary(err)),
        "addError": lambda test, err: emit(
            "outcome", test, "ERROR", _exception_summary(err)),
        "addSkip": lambda test, reason: emit(
            "outcome", test, "skipped", str(reason)[:DETAIL_LIMIT]),
        "addExpectedFailure": lambda test, err: emit(
            "outcome", test, "expected failure"),
        "addUnexpectedSuccess": lambda test: emit(
            "outcome", test, "unexpected success"),
        "addSubTest": on_sub_test,
    }
    for name, hook in hooks.items():
        _chain_method(RegressionTestResult, name, hook)


def _chain_method(cls: type, name: str, hook: Any) -> None:
    """Replace cls.name by a method that calls hook, then the original."""
    original = getattr(cls, name)

    def method(self: Any, *args: Any) -> Any:
        hook(*args)
        return original(self, *args)

    setattr(cls, name, method)


def _record_accel_stats(writer: _EventWriter) -> None:
    """accel's counters for this process, if accel runs in it.

    Read through accel.stats() rather than ACCEL_STATS=json: that variable
    reaches the tests' own python subprocesses, which accel accelerates too,
    and their extra stderr output would fail tests under accel only."""
    accel = sys.modules.get("accel")
    if accel is None or not hasattr(accel, "stats"):
        return
    try:
        stats = accel.stats()
    except Exception as error:  # still report the tests' outcomes
        stats = {"error": repr(error)}
    writer.write({"event": "accel_stats", "stats": stats})


def child_main(argv: Sequence[str]) -> None:
    """``run.py --regrtest-child EVENTS -- REGRTEST_ARGS...``"""
    events_path, separator, *regrtest_args = argv
    if separator != "--":
        raise SystemExit(f"usage: {CHILD_FLAG} EVENTS -- REGRTEST_ARGS...")
    writer = _EventWriter(events_path)
    _install_event_recorder(writer)
    from test.libregrtest.main import (  # type: ignore[import-not-found]
        main as regrtest_main,
    )

    sys.argv[1:] = regrtest_args
    try:
        regrtest_main()
    finally:  # regrtest always ends with sys.exit()
        _record_accel_stats(writer)


# --------------------------------------------------------------------------
# Parent side: configuration, running one module on one side.
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class RunConfig:
    """How to run both sides of the comparison."""

    accel_cmd: tuple[str, ...]
    work_dir: Path
    stock_cmd: tuple[str, ...] = (sys.executable,)
    accel_env: Mapping[str, str] = field(
        default_factory=lambda: dict(DEFAULT_ACCEL_ENV))
    timeout: float = DEFAULT_TIMEOUT
    regrtest_args: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseOutcome:
    outcome: str
    detail: str = ""


@dataclass
class ModuleRun:
    """What one regrtest process did with one module on one side."""

    module: str
    side: str
    returncode: int | None
    timed_out: bool
    seconds: float
    outcomes: dict[str, CaseOutcome]
    in_flight: str | None
    log_path: Path
    result_line: str | None
    stats: dict[str, Any] | None = None  # accel.stats() of the regrtest process
    start_error: str | None = None
    hint: str = ""  # the log line most likely to explain an abnormal exit
    last_started: str | None = None

    @property
    def status(self) -> str:
        """Process-level result: regrtest's own verdict when it gave one."""
        if self.start_error is not None:
            return f"NOT STARTED ({self.start_error})"
        if self.timed_out:
            return "TIMEOUT"
        if self.returncode is not None and self.returncode < 0:
            return f"KILLED BY {_signal_name(-self.returncode)}"
        if self.result_line is None:
            return f"EXIT {self.returncode} (no regrtest result)"
        return self.result_line

    @property
    def abnormal(self) -> bool:
        """True if the process did not finish regrtest on its own."""
        return (self.start_error is not None or self.timed_out
                or self.result_line is None
                or (self.returncode is not None and self.returncode < 0))

    def counts(self) -> tuple[int, int, int]:
        """(passed, failed, skipped) test cases."""
        passed = failed = skipped = 0
        for result in self.outcomes.values():
            if result.outcome in PASSED:
                passed += 1
            elif result.outcome in SKIPPED:
                skipped += 1
            else:
                failed += 1
        return passed, failed, skipped


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class _ProcessRegistry:
    """Live child process groups, so an interrupted run can end them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._processes: set[subprocess.Popen[bytes]] = set()

    def add(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._processes.add(process)

    def discard(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._processes.discard(process)

    def kill_all(self) -> None:
        with self._lock:
            processes = list(self._processes)
        for process in processes:
            _signal_group(process, signal.SIGKILL)


_LIVE = _ProcessRegistry()


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    # The group may already be gone, which is what we want anyway.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def side_environment(side: str, config: RunConfig) -> dict[str, str]:
    """Same environment for both sides, except accel's own variables."""
    # ACCEL=1 (inherited when this harness itself runs under accel) would
    # make accel's startup hook accelerate the stock side too.
    env = {key: value for key, value in os.environ.items()
           if key != "ACCEL" and not key.startswith("ACCEL_")}
    # The child imports this file as a module named CHILD_MODULE.
    existing = env.get("PYTHONPATH")
    env["PYTHONPATH"] = (str(HERE) if not existing
                         else f"{HERE}{os.pathsep}{existing}")
    if side == ACCEL:
        env.update(config.accel_env)
    return env


def side_command(side: str, config: RunConfig, events_path: Path,
                 module: str, match_file: Path | None) -> list[str]:
    interpreter = config.stock_cmd if side == STOCK else config.accel_cmd
    regrtest_args = [module, "-v", *config.regrtest_args]
    if match_file is not None:
        regrtest_args += ["--matchfile", str(match_file)]
    return [*interpreter, "-m", CHILD_MODULE, CHILD_FLAG, str(events_path),
            "--", *regrtest_args]


def _wait_or_kill(process: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait for process; on timeout dump its tracebacks, kill it, True."""
    try:
        process.wait(timeout=timeout)
        return False
    except subprocess.TimeoutExpired:
        pass
    # regrtest registers faulthandler on SIGUSR1: the log then shows where
    # the process was stuck.
    _signal_group(process, signal.SIGUSR1)
    try:
        process.wait(timeout=TRACEBACK_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait()
    return True


def run_side(module: str, side: str, config: RunConfig,
             match_ids: Iterable[str] | None = None,
             label: str = "") -> ModuleRun:
    """Run one regrtest module in a fresh process on one side."""
    run_dir = config.work_dir / module / (side + label)
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    events_path = run_dir / "events.jsonl"
    log_path = run_dir / "output.log"
    match_file = None
    if match_ids is not None:
        match_file = run_dir / "match.txt"
        match_file.write_text("".join(f"{test_id}\n" for test_id in match_ids))
    command = side_command(side, config, events_path, module, match_file)
    env = side_environment(side, config)
    started = time.monotonic()
    # Some tests use fixed names in the temporary directory (test_filecmp's
    # /tmp/dir-same), so the two sides, running at once, each get their own.
    # It is short because tests put AF_UNIX sockets (108-byte paths) there.
    with (open(log_path, "wb") as log,
          tempfile.TemporaryDirectory(prefix="accel-rt-",
                                      ignore_cleanup_errors=True) as tmp_dir):
        env["TMPDIR"] = tmp_dir
        log.write(f"$ {shlex.join(command)}\n".encode())
        log.flush()
        try:
            process = subprocess.Popen(
                command, cwd=run_dir, env=env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as error:
            return ModuleRun(module, side, None, False, 0.0, {}, None,
                             log_path, None, start_error=str(error))
        _LIVE.add(process)
        try:
            timed_out = _wait_or_kill(process, config.timeout)
        finally:
            # Tests may leave helpers behind in the session; end them too.
            _signal_group(process, signal.SIGKILL)
            _LIVE.discard(process)
    seconds = time.monotonic() - started
    events = parse_events(events_path)
    if events.in_flight is not None:
        events.outcomes[events.in_flight] = (
            CaseOutcome(HUNG, "the run timed out here") if timed_out
            else CaseOutcome(CRASHED, "the process died here"))
    log_text = log_path.read_text(errors="replace")
    return ModuleRun(module, side, process.returncode, timed_out, seconds,
                     events.outcomes, events.in_flight, log_path,
                     parse_result_line(log_text), events.accel_stats,
                     hint=failure_hint(log_text),
                     last_started=events.last_started)


# --------------------------------------------------------------------------
# Parsing what a run left behind.
# --------------------------------------------------------------------------

def _worse(old: CaseOutcome | None, new: CaseOutcome) -> CaseOutcome:
    if old is None or SEVERITY[new.outcome] > SEVERITY[old.outcome]:
        return new
    return old


@dataclass
class ParsedEvents:
    outcomes: dict[str, CaseOutcome] = field(default_factory=dict)
    in_flight: str | None = None  # started but never stopped
    last_started: str | None = None
    accel_stats: dict[str, Any] | None = None


def parse_events(path: Path) -> ParsedEvents:
    """Outcome per test id, the test in flight at the end, accel's stats."""
    parsed = ParsedEvents()
    if not path.exists():
        return parsed
    for line in path.read_text(errors="replace").splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue  # the last line of a killed process may be cut short
        kind = event["event"]
        if kind == "accel_stats":
            parsed.accel_stats = event["stats"]
        elif kind == "start":
            parsed.in_flight = parsed.last_started = event["id"]
        elif kind == "stop":
            parsed.in_flight = None
        elif event.get("outcome") in SEVERITY:
            result = CaseOutcome(event["outcome"], event.get("detail", ""))
            parsed.outcomes[event["id"]] = _worse(
                parsed.outcomes.get(event["id"]), result)
    return parsed


def parse_result_line(log_text: str) -> str | None:
    """regrtest's final 'Result: ...' verdict, if it got that far."""
    for line in reversed(log_text.splitlines()):
        if line.startswith("Result: "):
            return line.removeprefix("Result: ").strip()
    return None


def failure_hint(log_text: str) -> str:
    """A fatal-error line if there is one, else the last line of output."""
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    for line in lines:
        # Verbose output may precede it on the same line: "test_x ... Fatal".
        start = line.find("Fatal Python error")
        if start >= 0:
            return line[start:start + DETAIL_LIMIT]
    return lines[-1][:DETAIL_LIMIT] if lines else ""


def read_module_list(path: Path) -> list[str]:
    """Module names from a list file; '#' starts a comment."""
    modules = []
    for line in path.read_text().splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            modules.append(name)
    return modules


# --------------------------------------------------------------------------
# Comparing the two sides.
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Difference:
    key: str  # a test id, or MODULE_KEY for the process as a whole
    stock: str
    accel: str
    detail: str = ""

    def describe(self) -> str:
        text = f"{self.key}: {self.stock} -> {self.accel}"
        return f"{text}  [{self.detail}]" if self.detail else text


@dataclass
class ModuleComparison:
    module: str
    stock: ModuleRun
    accel: ModuleRun
    differences: list[Difference]
    flaky: list[Difference] = field(default_factory=list)


def _module_difference(stock: ModuleRun, accel: ModuleRun,
                       explained: bool) -> Difference | None:
    """Process-level difference, unless test differences explain it."""
    # A hang or crash is a finding even when both sides do it.
    finished = not (stock.abnormal or accel.abnormal)
    if finished and (explained or stock.status == accel.status):
        return None
    worse = accel if accel.abnormal or not stock.abnormal else stock
    if worse.in_flight:
        where = f"while running {worse.in_flight}"
    elif worse.abnormal and worse.last_started:
        where = f"after {worse.last_started}"
    else:
        where = ""
    # A hung process's last output is its faulthandler traceback: no hint.
    hint = worse.hint if worse.abnormal and not worse.timed_out else ""
    details = [where, hint]
    return Difference(MODULE_KEY, stock.status, accel.status,
                      "; ".join(detail for detail in details if detail))


def diff_runs(stock: ModuleRun, accel: ModuleRun) -> list[Difference]:
    """Every test id whose outcome differs, plus process-level trouble."""
    differences = []
    for test_id in sorted(stock.outcomes.keys() | accel.outcomes.keys()):
        stock_result = stock.outcomes.get(test_id)
        accel_result = accel.outcomes.get(test_id)
        stock_outcome = stock_result.outcome if stock_result else NOT_RUN
        accel_outcome = accel_result.outcome if accel_result else NOT_RUN
        if stock_outcome == accel_outcome:
            continue
        # Explain the side that went wrong; usually accel.
        explaining = accel_result if accel_outcome not in PASSED else stock_result
        detail = explaining.detail if explaining else ""
        differences.append(
            Difference(test_id, stock_outcome, accel_outcome, detail))
    module_difference = _module_difference(stock, accel, bool(differences))
    if module_difference is not None:
        differences.insert(0, module_difference)
    return differences


def _rerun_targets(comparison: ModuleComparison) -> list[str] | None:
    """Test ids to rerun, or None when the whole module must be rerun."""
    keys = [difference.key for difference in comparison.differences]
    # Process-level differences and fixture errors ("setUpClass (test.x.C)")
    # cannot be reproduced by selecting test ids with --matchfile.
    if MODULE_KEY in keys or any(" " in key for key in keys):
        return None
    return keys


class Runner:
    """Runs modules on both sides with a bounded pool of processes."""

    def __init__(self, config: RunConfig, jobs: int,
                 progress: bool = False) -> None:
        self.config = config
        self.jobs = max(1, jobs)
        self.progress = progress

    def compare(self, modules: Sequence[str], rerun: bool = False
                ) -> list[ModuleComparison]:
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            try:
                comparisons = self._compare_all(pool, modules)
                if rerun:
                    self._rerun_differences(pool, comparisons)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                _LIVE.kill_all()
                raise
        return comparisons

    def _submit_pair(self, pool: ThreadPoolExecutor, module: str,
                     match_ids: list[str] | None = None, label: str = ""
                     ) -> tuple[Future[ModuleRun], Future[ModuleRun]]:
        stock, accel = (pool.submit(run_side, module, side, self.config,
                                    match_ids, label) for side in SIDES)
        return stock, accel

    def _compare_all(self, pool: ThreadPoolExecutor, modules: Sequence[str]
                     ) -> list[ModuleComparison]:
        pending = [(module, self._submit_pair(pool, module))
                   for module in modules]
        comparisons = []
        for index, (module, (stock_future, accel_future)) in enumerate(pending):
            stock, accel = stock_future.result(), accel_future.result()
            comparison = ModuleComparison(module, stock, accel,
                                          diff_runs(stock, accel))
            comparisons.append(comparison)
            self._report_progress(index + 1, len(pending), comparison)
        return comparisons

    def _rerun_differences(self, pool: ThreadPoolExecutor,
                           comparisons: Sequence[ModuleComparison]) -> None:
        """Move differences that do not reproduce on a rerun to .flaky."""
        pending = [
            (comparison, self._submit_pair(
                pool, comparison.module, _rerun_targets(comparison),
                label="-rerun"))
            for comparison in comparisons if comparison.differences]
        for comparison, (stock_future, accel_future) in pending:
            again = diff_runs(stock_future.result(), accel_future.result())
            persistent = {difference.key for difference in again}
            comparison.flaky = [difference
                                for difference in comparison.differences
                                if difference.key not in persistent]
            comparison.differences = [difference
                                      for difference in comparison.differences
                                      if difference.key in persistent]

    def _report_progress(self, done: int, total: int,
                         comparison: ModuleComparison) -> None:
        if not self.progress:
            return
        print(f"[{done}/{total}] {comparison.module}: "
              f"{len(comparison.differences)} differences "
              f"(stock {comparison.stock.seconds:.1f}s, "
              f"accel {comparison.accel.seconds:.1f}s)",
              file=sys.stderr, flush=True)


def compare_module(module: str, config: RunConfig, rerun: bool = False,
                   jobs: int = 1) -> ModuleComparison:
    """Run one module on both sides and compare; for tests and scripts."""
    return Runner(config, jobs).compare([module], rerun=rerun)[0]


# --------------------------------------------------------------------------
# Reporting.
# --------------------------------------------------------------------------

def _format_counts(run: ModuleRun) -> str:
    passed, failed, skipped = run.counts()
    return f"{passed}/{failed}/{skipped}"


def _stat(run: ModuleRun, key: str) -> str:
    value = run.stats.get(key) if run.stats else None
    if isinstance(value, dict):  # counts by reason, e.g. deopts
        value = sum(value.values())
    return "-" if value is None else str(value)


def format_table(comparisons: Sequence[ModuleComparison]) -> str:
    """One row per module: outcome counts, times, number of differences."""
    show_stats = any(comparison.accel.stats for comparison in comparisons)
    header = ["module", "stock ok/fail/skip", "accel ok/fail/skip",
              "stock s", "accel s", "diffs", "flaky"]
    if show_stats:
        header += ["compiled", "native", "deopts"]
    rows = [header]
    for comparison in comparisons:
        row = [comparison.module,
               _format_counts(comparison.stock),
               _format_counts(comparison.accel),
               f"{comparison.stock.seconds:.1f}",
               f"{comparison.accel.seconds:.1f}",
               str(len(comparison.differences)),
               str(len(comparison.flaky))]
        if show_stats:
            row += [_stat(comparison.accel, key) for key in
                    ("functions_compiled", "native_entries", "deopts")]
        rows.append(row)
    widths = [max(len(row[column]) for row in rows)
              for column in range(len(header))]
    lines = ["  ".join(cell.ljust(width) if column == 0 else cell.rjust(width)
                       for column, (cell, width)
                       in enumerate(zip(row, widths, strict=True)))
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _format_difference_list(title: str, differences: Sequence[Difference],
                            log_paths: Sequence[Path]) -> list[str]:
    # Tests that never ran after a crash add no information one by one.
    ran = [d for d in differences if NOT_RUN not in (d.stock, d.accel)]
    not_run = [d for d in differences if NOT_RUN in (d.stock, d.accel)]
    lines = [title]
    lines += [f"    {d.describe()}" for d in ran[:DIFFS_SHOWN_PER_MODULE]]
    if len(ran) > DIFFS_SHOWN_PER_MODULE:
        lines.append(f"    ... and {len(ran) - DIFFS_SHOWN_PER_MODULE} more")
    if len(not_run) > NOT_RUN_SHOWN:
        missing_on_accel = sum(d.accel == NOT_RUN for d in not_run)
        lines.append(f"    {len(not_run)} tests ran on one side only "
                     f"({missing_on_accel} not run under accel, "
                     f"{len(not_run) - missing_on_accel} not run under stock)")
    else:
        lines += [f"    {d.describe()}" for d in not_run]
    lines += [f"    log: {path}" for path in log_paths]
    return lines


def format_differences(comparisons: Sequence[ModuleComparison]) -> str:
    """Every difference (and flaky one), grouped by module, with logs."""
    lines: list[str] = []
    for comparison in comparisons:
        logs = (comparison.stock.log_path, comparison.accel.log_path)
        if comparison.differences:
            lines += _format_difference_list(
                f"{comparison.module}: {len(comparison.differences)} "
                f"differences (stock -> accel)", comparison.differences, logs)
        if comparison.flaky:
            lines += _format_difference_list(
                f"{comparison.module}: {len(comparison.flaky)} flaky "
                f"(did not reproduce on rerun)", comparison.flaky, ())
    return "\n".join(lines)


def format_report(comparisons: Sequence[ModuleComparison],
                  total_seconds: float) -> str:
    differences = sum(len(c.differences) for c in comparisons)
    flaky = sum(len(c.flaky) for c in comparisons)
    stock_seconds = sum(c.stock.seconds for c in comparisons)
    accel_seconds = sum(c.accel.seconds for c in comparisons)
    parts = [format_table(comparisons)]
    details = format_differences(comparisons)
    if details:
        parts.append(details)
    parts.append(
        f"{len(comparisons)} modules, {differences} differences, "
        f"{flaky} flaky; stock {stock_seconds:.0f}s, accel "
        f"{accel_seconds:.0f}s, wall {total_seconds:.0f}s")
    return "\n\n".join(parts)


# --------------------------------------------------------------------------
# Command line.
# --------------------------------------------------------------------------

def _parse_env(assignments: Sequence[str]) -> dict[str, str]:
    env = dict(DEFAULT_ACCEL_ENV)
    for assignment in assignments:
        name, equals, value = assignment.partition("=")
        if not equals or not name:
            raise argparse.ArgumentTypeError(
                f"--env expects NAME=VALUE, got {assignment!r}")
        env[name] = value
    return env


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Compare CPython regression-test outcomes between "
                    "stock python and accel.")
    selection = parser.add_mutually_exclusive_group()
    selection.add_argument("--list", type=Path, default=DEFAULT_LIST,
                           help="module list file (default: %(default)s)")
    selection.add_argument("--modules",
                           help="comma-separated module names instead")
    parser.add_argument("--accel-cmd", default=f"{sys.executable} -m accel",
                        help="command that runs python under accel "
                             "(default: %(default)s)")
    parser.add_argument("--stock-cmd", default=sys.executable,
                        help="stock interpreter command (default: %(default)s)")
    parser.add_argument("-j", "--jobs", type=int, default=2,
                        help="processes at once (default: %(default)s)")
    parser.add_argument("--env", action="append", default=[],
                        metavar="NAME=VALUE",
                        help="extra accel-side environment, repeatable "
                             "(ACCEL_THRESHOLD=0 unless overridden)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="seconds per module per side "
                             "(default: %(default)s)")
    parser.add_argument("--rerun", action="store_true",
                        help="rerun differing tests; report those that do "
                             "not reproduce as flaky instead of failing")
    parser.add_argument("--regrtest-args", default="",
                        help="extra regrtest options for both sides, "
                             "e.g. '-u cpu'")
    parser.add_argument("--work-dir", type=Path,
                        help="keep logs here (default: a temporary "
                             "directory, removed unless there are "
                             "differences)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no per-module progress on stderr")
    return parser


def _selected_modules(args: argparse.Namespace) -> list[str]:
    if args.modules:
        return [name.strip() for name in args.modules.split(",")
                if name.strip()]
    return read_module_list(args.list)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        accel_env = _parse_env(args.env)
    except argparse.ArgumentTypeError as error:
        parser.error(str(error))
    modules = _selected_modules(args)
    if not modules:
        parser.error("no modules selected")
    keep_logs = args.work_dir is not None
    work_dir = (args.work_dir.resolve() if keep_logs
                else Path(tempfile.mkdtemp(prefix="accel-regrtest-")))
    config = RunConfig(
        accel_cmd=tuple(shlex.split(args.accel_cmd)),
        stock_cmd=tuple(shlex.split(args.stock_cmd)),
        work_dir=work_dir, accel_env=accel_env, timeout=args.timeout,
        regrtest_args=tuple(shlex.split(args.regrtest_args)))
    started = time.monotonic()
    comparisons = Runner(config, args.jobs, progress=not args.quiet).compare(
        modules, rerun=args.rerun)
    print(format_report(comparisons, time.monotonic() - started))
    failed = any(comparison.differences for comparison in comparisons)
    if failed or keep_logs:
        print(f"logs: {work_dir}")
    else:
        shutil.rmtree(work_dir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == [CHILD_FLAG]:
        child_main(sys.argv[2:])
    else:
        sys.exit(main())
