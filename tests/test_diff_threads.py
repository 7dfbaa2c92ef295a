"""Differential tests with threads: compiled loops running in several threads at once,
with frequent GIL switches (exits for the eval breaker), compiles and recompiles racing,
and exceptions raised by native code in threads."""
from differential import assert_native, compare


def test_two_threads_running_compiled_loops(tmp_path):
    run = compare("""
import sys
import threading

sys.setswitchinterval(1e-5)

def float_loop(n):
    x = 0.0
    for i in range(n):
        x = x * 0.999 + 1.5
    return x

def int_loop(n):
    s = 0
    i = 0
    while i < n:
        s = s + i * 3 - 1
        i = i + 1
    return s

results = {}

def worker(name, fn, n, rounds):
    out = list()
    for r in range(rounds):
        out.append(fn(n + r))
    results[name] = out

worker("warm float", float_loop, 10, 1)   # compiled before the threads start: compiles
worker("warm int", int_loop, 10, 1)       # racing with other threads are another test's matter
threads = [threading.Thread(target=worker, args=("float", float_loop, 20000, 20)),
           threading.Thread(target=worker, args=("int", int_loop, 20000, 20))]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(results["float"][-1], results["int"][-1])
print(results["float"] == [float_loop(20000 + r) for r in range(20)])
print(results["int"] == [int_loop(20000 + r) for r in range(20)])
""", tmp_path, functions=["float_loop", "int_loop", "worker"])
    assert run.stdout.endswith("True\nTrue\n")
    assert_native(run, "float_loop", "int_loop", "worker")


def test_threads_sharing_one_function_with_different_types(tmp_path):
    """Several threads call one compiled function with ints, floats and objects: guards
    fail, recompiles happen while other threads run the older native code."""
    run = compare("""
import sys
import threading
from fractions import Fraction

sys.setswitchinterval(1e-5)

def combine(a, b, n):
    acc = a
    for i in range(n):
        acc = acc * b + a
        if acc > 1000:
            acc = acc - 1000
    return acc

inputs = {"ints": (3, 2), "floats": (1.5, 0.5), "fractions": (Fraction(1, 3), Fraction(2, 3)),
          "mixed": (2, 0.25), "bools": (True, True)}
results = {}

def worker(name):
    a, b = inputs[name]
    results[name] = [combine(a, b, n) for n in range(0, 300, 7)]

combine(1, 1, 1)   # compiled before the threads start
threads = [threading.Thread(target=worker, args=(name,)) for name in inputs for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for name in sorted(inputs):
    a, b = inputs[name]
    print(name, results[name][-1], results[name] == [combine(a, b, n) for n in range(0, 300, 7)])
""", tmp_path, functions=["combine"])
    assert run.stdout.count("True") == 5
    assert_native(run, "combine")


def test_threads_compiling_concurrently(tmp_path):
    """Each thread makes and calls its own new functions: compiles happen in every thread."""
    run = compare("""
import sys
import threading

sys.setswitchinterval(1e-5)
results = {}

def worker(t):
    out = list()
    for k in range(60):
        namespace = {}
        exec(f"def f(x):\\n    s = 0\\n    for i in range(x):\\n        s = s + i * {k} + {t}\\n    return s\\n",
             namespace)
        out.append(namespace["f"](50))
    results[t] = out

threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
expected = {t: [sum(i * k + t for i in range(50)) for k in range(60)] for t in range(4)}
print(results == expected, sum(map(sum, results.values())))
""", tmp_path, functions=["worker"])
    assert run.stdout.startswith("True ")
    # ACCEL_THRESHOLD=0: each of the 240 functions is compiled on its first (and only) call,
    # whatever the other threads are doing at that moment
    assert run.stats["functions_compiled"] >= 240, run.stats


def test_exception_in_a_thread_is_reported_identically(tmp_path):
    """An uncaught exception raised by native code in a thread: threading's excepthook
    prints the same traceback; the main thread goes on."""
    run = compare("""
import threading

def divide_all(values):
    total = 0.0
    for v in values:
        total = total + 1.0 / v
    return total

def worker():
    print("worker result", divide_all([1.0, 2.0]))
    divide_all([1.0, 0.0])

t = threading.Thread(target=worker, name="worker-1")
t.start()
t.join()
print("main continues", divide_all([4.0]))
""", tmp_path, functions=["divide_all", "worker"])
    assert "ZeroDivisionError: float division by zero" in run.stderr
    assert "Exception in thread worker-1" in run.stderr
    assert_native(run, "divide_all")


def test_thread_switches_inside_long_native_loops(tmp_path):
    """A thread spinning in a native loop must let the other threads run (the eval breaker
    is honoured), and a flag set by another thread must be seen."""
    run = compare("""
import threading
import time

state = {"stop": False}
ready = threading.Event()

def spin(flags):
    n = 0
    while not flags["stop"]:
        n = n + 1
    return n > 0

def stopper(delay):
    ready.set()
    time.sleep(delay)
    state["stop"] = True

# compile what runs here, and the thread machinery, before threads run concurrently
warm = threading.Thread(target=stopper, args=(0,))
warm.start()
warm.join()
state["stop"] = False
ready.clear()
print(spin({"stop": True}))
t = threading.Thread(target=stopper, args=(0.05,))
t.start()
ready.wait()        # the other thread sleeps now: nothing is being compiled
print(spin(state))
t.join()
""", tmp_path, functions=["spin"])
    assert run.stdout == "False\nTrue\n"
    assert_native(run, "spin", min_entries=2)


def test_raw_loops_go_on_natively_after_thread_switches(tmp_path):
    """Loops whose locals are raw leave at their back edge when the eval breaker is set
    (a thread asks for the GIL): deopt.c lets the other thread run, and the loop goes on
    natively at the back edge, for a `for` loop and for a `while` loop (whose back edge
    is a comparison with raw operands on the stack): never the rest of the call in the
    interpreter."""
    run = compare("""
import sys
import threading
import time

sys.setswitchinterval(1e-4)

def for_loop(n):
    x = 0.0
    for i in range(n):
        x = x * 0.999 + i * 0.5
    return x

def while_loop(n):
    s = 0.0
    i = 0
    while i < n:
        s = s + i * 0.25
        i = i + 1
    return s

print(for_loop(10), while_loop(10))   # compiled before the other thread runs
stop = threading.Event()
ticks = []
def ticker():
    while not stop.is_set():
        ticks.append(1)
        time.sleep(0.0005)

t = threading.Thread(target=ticker)
t.start()
print(for_loop(2_000_000), while_loop(2_000_000))
stop.set()
t.join()
print(len(ticks) > 1)
""", tmp_path, functions=["for_loop", "while_loop"])
    assert run.stdout.endswith("True\n")
    assert_native(run, "for_loop", "while_loop")
    for name in ("for_loop", "while_loop"):
        info = run.function(name)
        exits = info["site_exits"]
        assert set(exits) == {"EVAL_BREAKER_LOOP"}, info["text"]
        # every exit went on natively: native entries are the 2 calls and one per exit
        assert info["native_entries"] == 2 + exits["EVAL_BREAKER_LOOP"], info["text"]
    assert run.stats["back_edge_entries"] == run.deopts("EVAL_BREAKER_LOOP") >= 2, run.stats
    assert "back edges at offsets" in run.function("while_loop")["text"]
