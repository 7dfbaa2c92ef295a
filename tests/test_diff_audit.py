"""Audit hooks (sys.addaudithook, PEP 578) see exactly the events stock CPython raises.

accel's compiler is Python code, and what it calls raises audit events of its own
(builtins.id, marshal.dumps), which stock CPython never raises.  Once a hook is installed,
code not compiled yet stays with the stock interpreter (native/hook.c, compile), while code
compiled before keeps running natively.  CPython's test_audit checks the same through
Lib/test/audit-tests.py, in subprocesses of its own.
"""
from differential import assert_native, compare

PROGRAM = """
import sys

def before(n):
    # compiled on its first call, before any hook exists
    total = 0
    for i in range(n):
        total += i
    return total

def scale(x, k):
    return x * k

print(before(10), scale(3, 4))

seen = []

def hook(event, args):
    seen.append((event, args))

sys.addaudithook(hook)

def after(xs):
    # first called once the hook is in: never compiled
    return [x * 2 for x in xs]

sys.audit("program.start", 1, 2)
print(before(20))             # native code, as before the hook
print(after([1, 2, 3]))
# its guards fail, call after call: compiling it again is refused
print([scale(i + 0.5, 2.0) for i in range(200)][-3:])
sys.audit("program.end")
print(seen)
"""


def test_audit_hooks_see_only_the_programs_events(tmp_path):
    run = compare(PROGRAM, tmp_path, functions=["before", "after", "scale"])
    assert "[('program.start', (1, 2)), ('program.end', ())]" in run.stdout
    assert_native(run, "before", min_entries=2)
    assert run.function("after")["state"] == "failed", run.function("after")
    assert run.function("after")["native_entries"] == 0, run.function("after")
    # native before the hook, then back to the interpreter for good
    assert run.function("scale")["state"] == "failed", run.function("scale")
    assert run.function("scale")["native_entries"] >= 2, run.function("scale")
