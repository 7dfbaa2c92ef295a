"""Differential tests with the real tools that trace a program: pdb stepping through a
compiled loop from a breakpoint(), coverage.py run over a whole accelerated program, and
coverage started in the middle of one.  They must see exactly what they see under stock
CPython; native code never runs while they trace, and runs again once they stop."""
import json
import textwrap

from differential import probe_env, run_python

ACCEL = {"ACCEL_THRESHOLD": "0", "ACCEL_STATS": "json"}

LOOP_WITH_BREAKPOINT = """
def helper(i):
    doubled = i * 2
    return doubled

def loop(n, stop_at):
    total = 0
    for i in range(n):
        total += helper(i)
        if i == stop_at:
            breakpoint()
        total -= 1
    return total

def main():
    r = loop(5000, -1)          # compiled, runs natively, no debugger
    r += loop(3000, 2500)       # stops at i == 2500 in the middle of the loop
    r += loop(3000, -1)         # after `continue`: no tracing left
    print(r)

main()
"""

# Step over, print, step into a callee, return from it, show the stack, run to a line, go on.
PDB_COMMANDS = "n\nn\np i, total\ns\nn\np doubled\nr\nn\nw\nunt 12\np i\nc\n"


def write(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def explained(report):
    return json.loads(report.read_text())


def test_pdb_steps_through_a_compiled_loop(tmp_path):
    program = write(tmp_path, "stepping.py", LOOP_WITH_BREAKPOINT)
    env, report = probe_env(tmp_path, ["loop", "helper"], ACCEL)
    stock = run_python([str(program)], tmp_path, stdin=PDB_COMMANDS)
    accel = run_python(["-m", "accel", str(program)], tmp_path, env=env, stdin=PDB_COMMANDS)
    assert "(Pdb)" in stock.stdout and "doubled" in stock.stdout, stock.stdout
    assert accel.stdout == stock.stdout
    assert accel.returncode == stock.returncode == 0, accel.stderr
    # loop() and helper() ran natively before the breakpoint and after `continue`.
    facts = explained(report)
    assert set(facts) == {"loop", "helper"}, facts
    for name, facts in facts.items():
        assert facts["state"] == "compiled" and facts["native_entries"] >= 1, (name, facts)


COVERED = """
import sys

def classify(i):
    if i % 3 == 0:
        return "three"
    elif i % 7 == 0:
        return "seven"
    return "other"

def never_called():
    return 1

class Point:
    def __init__(self, x):
        self.x = x

    def norm(self):
        if self.x > 10:
            return self.x
        return -self.x

def main():
    counts = {}
    for i in range(2000):
        kind = classify(i)
        counts[kind] = counts.get(kind, 0) + 1
    total = sum(Point(i).norm() for i in range(20))
    try:
        1 / (total - total)
    except ZeroDivisionError:
        total = -1
    print(sorted(counts.items()), total)

main()
"""
PROGRAM_FUNCTIONS = ["classify", "Point.norm", "main"]


def coverage_report(tmp_path, side, program, accel):
    """`coverage run --branch` of `program` (through `-m accel` if `accel`), as coverage's JSON
    report of the program's file: executed and missing lines and branches."""
    data, report = tmp_path / f".coverage-{side}", tmp_path / f"coverage-{side}.json"
    env = {"COVERAGE_FILE": str(data)}
    if accel:
        env, _ = probe_env(tmp_path, PROGRAM_FUNCTIONS, {**env, **ACCEL})
    target = ["-m", "accel", str(program)] if accel else [str(program)]
    run = run_python(["-m", "coverage", "run", "--branch", f"--include={program}", *target], tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    done = run_python(["-m", "coverage", "json", "-o", str(report), f"--include={program}"], tmp_path, env=env)
    assert done.returncode == 0, done.stderr + done.stdout
    facts = json.loads(report.read_text())["files"]
    (measured,) = facts.values()
    keep = ("executed_lines", "missing_lines", "executed_branches", "missing_branches")
    return run, {key: measured[key] for key in keep}


def test_coverage_of_an_accelerated_program_is_the_stock_one(tmp_path):
    program = write(tmp_path, "covered.py", COVERED)
    stock_run, stock = coverage_report(tmp_path, "stock", program, accel=False)
    accel_run, accel = coverage_report(tmp_path, "accel", program, accel=True)
    assert stock["missing_lines"], stock  # never_called() is reported as not run
    assert accel == stock
    assert accel_run.stdout == stock_run.stdout
    # The tracer was on from the start: nothing of the program ran natively (coverage's own
    # code, which its tracer calls with tracing suspended, may).
    facts = explained(tmp_path / "_difftest_probe.json")
    assert set(facts) == set(PROGRAM_FUNCTIONS), facts
    assert all(fact["native_entries"] == 0 for fact in facts.values()), facts


STARTED_MIDWAY = """
import os
import coverage

cov = coverage.Coverage(branch=True, include=[os.path.abspath(__file__)], data_file=None)

def helper(i):
    if i % 2:
        return 5
    return 6

def work(n, start_at):
    total = 0
    for i in range(n):
        if i == start_at:
            cov.start()
        if i % 3 == 0:
            total += helper(i)
        elif i % 7 == 0:
            total -= 1
    return total

def after():
    t = 0
    for k in range(3):
        t += helper(k)
    return t

print(work(3000, -1), work(2000, 1500))
print(after())
cov.stop()
print(work(3000, -1))
data = cov.get_data()
path = os.path.abspath(__file__)
print(sorted(data.lines(path)))
print(sorted(data.arcs(path)))
"""


def test_coverage_started_while_compiled_code_runs(tmp_path):
    """coverage.start() from inside a compiled loop: the frames already running are not
    measured (as under stock), the calls that follow are, and native code runs again
    after coverage.stop()."""
    program = write(tmp_path, "midway.py", STARTED_MIDWAY)
    stock = run_python([str(program)], tmp_path)
    accel = run_python(["-m", "accel", str(program)], tmp_path, env=ACCEL)
    assert stock.returncode == 0, stock.stderr
    assert "[(-" in stock.stdout, stock.stdout  # arcs were recorded
    assert accel.stdout == stock.stdout
    assert accel.returncode == 0, accel.stderr
    assert accel.stats["native_entries"] >= 3, accel.stats
