"""Audit hooks (sys.addaudithook, PEP 578) see exactly the events stock CPython raises.

accel's compiler is Python code, and what it calls raises audit events of its own
(builtins.id, marshal.dumps), which stock CPython never raises.  native/audit.c keeps them
from the hooks, and only them: the program's own events reach every hook, from any thread,
and from program code that runs in the middle of a compile (a finalizer).  regrtest installs
a hook in every test process, so the programs under a hook must still run natively.
CPython's test_audit checks the same through Lib/test/audit-tests.py.
"""
from differential import assert_native, compare

PROGRAM = """
import gc
import sys
import threading

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
    if event.startswith("program."):
        seen.append((event, args))
    elif event in ("builtins.id", "marshal.dumps", "marshal.loads", "import"):
        seen.append((event, "..."))

sys.addaudithook(hook)

def after(xs):
    # first called once the hook is in: compiled then
    return [x * 2 for x in xs]

sys.audit("program.start", 1, 2)
print(before(20))
print(after([1, 2, 3]))
print([scale(i + 0.5, 2.0) for i in range(200)][-3:])   # floats now
print(id(after) == id(after))                           # the program's own id() is audited

def in_thread(n):
    sys.audit("program.thread", n)
    return sum(i * i for i in range(n))

workers = [threading.Thread(target=in_thread, args=(k,)) for k in range(4)]
for w in workers:
    w.start()
for w in workers:
    w.join()

# Finalizers that run while later functions compile (the collector runs at almost every
# allocation): their events are the program's.
finalizer_frames = []

def filenames_on_the_stack():
    frame = sys._getframe(1)
    while frame is not None:
        yield frame.f_code.co_filename
        frame = frame.f_back

class Cycle:
    def __init__(self):
        self.me = self
    def __del__(self):
        finalizer_frames.append(list(filenames_on_the_stack()))
        sys.audit("program.finalizer")

for k in range(20):
    exec(f"def fresh{k}(a):\\n    return [a * j for j in range({k})]")
gc.set_threshold(1, 1, 1)
for k in range(20):
    fresh = globals()[f"fresh{k}"]
    Cycle(), Cycle(), Cycle()
    print(fresh(2)[-1:])
gc.set_threshold(700, 10, 10)
gc.collect()
sys.audit("program.end")
print(sorted(set(seen), key=str), len([e for e in seen if e[0] == "program.finalizer"]))
during_compile = sum(any("accel" in name for name in frames) for frames in finalizer_frames)
with open("finalizers_during_compile.txt", "w") as out:
    out.write(str(during_compile))
"""


def test_audit_hooks_see_only_the_programs_events(tmp_path):
    run = compare(PROGRAM, tmp_path, functions=["before", "after", "scale", "in_thread"])
    assert "('program.start', (1, 2))" in run.stdout and "('program.end', ())" in run.stdout
    assert "('builtins.id', '...')" in run.stdout, run.stdout  # the program's own call
    assert "marshal" not in run.stdout, run.stdout
    assert run.stdout.endswith("] 60\n"), run.stdout  # every finalizer's event
    # Native code ran under the hook, compiled before it and after it.
    assert_native(run, "before", "after", "scale", "in_thread")
    # Some finalizers ran in the middle of a compile, and their events still came through.
    assert int((tmp_path / "finalizers_during_compile.txt").read_text()) > 0


C_HOOK_PROGRAM = """
import ctypes
import sys

def before(n):
    total = 0
    for i in range(n):
        total += i
    return total

print(before(10))
seen = []

@ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.py_object, ctypes.c_void_p)
def c_hook(event, args, user_data):
    name = event.decode()
    if name.startswith("program.") or name in ("builtins.id", "marshal.dumps"):
        seen.append(name)
    return 0

add_hook = ctypes.pythonapi.PySys_AddAuditHook
add_hook.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
add_hook(ctypes.cast(c_hook, ctypes.c_void_p), None)

def after(xs):
    return [x * 2 for x in xs]

sys.audit("program.start")
print(before(20), after([1, 2]))
sys.audit("program.end")
print(seen)
"""


def test_a_hook_added_from_c_stops_compiling(tmp_path):
    """A hook of PySys_AddAuditHook() is called for every event, before sys.addaudithook()'s,
    and cannot be held off while compiling: code not compiled by then stays with the stock
    interpreter, code compiled before runs natively still."""
    run = compare(C_HOOK_PROGRAM, tmp_path, functions=["before", "after"])
    assert run.stdout.endswith("['program.start', 'program.end']\n"), run.stdout
    assert_native(run, "before", min_entries=2)
    assert run.function("after")["state"] == "failed", run.function("after")
    assert run.function("after")["native_entries"] == 0, run.function("after")
