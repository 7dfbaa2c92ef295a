"""Audit hooks (sys.addaudithook, PEP 578) see exactly the events stock CPython raises.

accel's compiler is Python code, and what it calls raises audit events of its own
(builtins.id, marshal.dumps), which stock CPython never raises.  native/audit.c keeps them
from the hooks, and only them: the program's own events reach every hook, from any thread,
and from program code that runs in the middle of a compile (another thread's).  regrtest installs
a hook in every test process, so the programs under a hook must still run natively.
CPython's test_audit checks the same through Lib/test/audit-tests.py.
"""
from differential import assert_native, compare

PROGRAM = """
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

# A thread's events while the main thread compiles (a short switch interval hands it the
# GIL in the middle of compiles): they are the program's.
main_id = threading.get_ident()
stop = threading.Event()
while_compiling = []

def main_is_compiling():
    frame = sys._current_frames().get(main_id)
    while frame is not None:
        if "accel" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False

def chatter():
    while not stop.is_set():
        while_compiling.append(main_is_compiling())
        sys.audit("program.chatter")

for k in range(200):
    exec(f"def fresh{k}(a):\\n    return [a * j for j in range({k % 20})]")
sys.setswitchinterval(1e-5)
talker = threading.Thread(target=chatter)
talker.start()
results = []
for k in range(200):  # (on a busy machine the thread may need more compiles to get in)
    results.append(globals()[f"fresh{k}"](2)[-1:])
    if k >= 19 and any(while_compiling):
        break
print(results[:20])
stop.set()
talker.join()
sys.setswitchinterval(0.005)
sys.audit("program.end")
chatter_events = len([e for e in seen if e[0] == "program.chatter"])
print(sorted(set(seen), key=str), chatter_events == len(while_compiling))
with open("events_during_compile.txt", "w") as out:
    out.write(str(sum(while_compiling)))
"""


def test_audit_hooks_see_only_the_programs_events(tmp_path):
    run = compare(PROGRAM, tmp_path, functions=["before", "after", "scale", "in_thread"])
    assert "('program.start', (1, 2))" in run.stdout and "('program.end', ())" in run.stdout
    assert "('builtins.id', '...')" in run.stdout, run.stdout  # the program's own call
    assert "marshal" not in run.stdout, run.stdout
    assert run.stdout.endswith("] True\n"), run.stdout  # every event of the thread
    # Native code ran under the hook, compiled before it and after it.
    assert_native(run, "before", "after", "scale", "in_thread")
    # Some of the thread's events came in the middle of a compile, and still came through.
    assert int((tmp_path / "events_during_compile.txt").read_text()) > 0


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
