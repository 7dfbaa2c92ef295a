"""Safety of the emitted code: no memory is ever writable and executable at once, native
code is freed with its code object, and running compiled code (with exits, deopts and
exceptions) neither leaks nor over-releases references.  The checks run inside the
program, under stock CPython and under `python -m accel`, and must agree."""
from differential import assert_native, compare

MAPS = """
def mappings():
    # (start, end, perms, path) of every mapping of this process
    out = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            start, end = (int(x, 16) for x in fields[0].split("-"))
            out.append((start, end, fields[1], fields[5] if len(fields) > 5 else ""))
    return out

def writable_and_executable():
    return [m for m in mappings() if "w" in m[2] and "x" in m[2]]

def anonymous_executable_bytes():
    return sum(end - start for start, end, perms, path in mappings() if perms == "r-xp" and not path)

def rss_kb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
"""


def test_no_mapping_is_writable_and_executable(tmp_path):
    run = compare(MAPS + """
import sys

def inside(n):
    # looked at from native code, while it runs
    total = 0
    for i in range(n):
        total = total + i
    return total, writable_and_executable()

made = []
for k in range(300):
    namespace = {}
    exec(f"def f{k}(x, y):\\n    s = 0.0\\n    for i in range(3):\\n        s = s + x * y + {k}\\n    return s\\n",
         namespace)
    made.append(namespace[f"f{k}"])
    made[-1](1.5, 2.0)
    made[-1](1, 2)   # exits: the guards fail
print(inside(10))
print("writable+executable:", writable_and_executable())
""", tmp_path, functions=["inside"])
    assert "writable+executable: []" in run.stdout
    assert run.stats["functions_compiled"] >= 300, run.stats
    assert_native(run, "inside")


def test_native_code_is_freed_with_its_code_object(tmp_path):
    """Thousands of throwaway functions, each compiled and dropped: the executable memory,
    the code objects and the RSS must stay bounded."""
    run = compare(MAPS + """
import gc
import weakref

def churn(count, keep_refs):
    for k in range(count):
        namespace = {}
        exec(f"def g(x):\\n    return x * {k}.5 + 1.0\\n", namespace)
        g = namespace["g"]
        g(1.0)
        if k % 100 == 0:
            keep_refs.append(weakref.ref(g.__code__))
        del namespace, g

refs = []
churn(200, [])
gc.collect()
exec_before, rss_before = anonymous_executable_bytes(), rss_kb()
churn(1000, refs)
gc.collect()
exec_growth = anonymous_executable_bytes() - exec_before
rss_growth = rss_kb() - rss_before
alive = sum(ref() is not None for ref in refs)
print("code objects still alive:", alive, "of", len(refs))
print("executable memory bounded:", exec_growth < 1_000_000 or exec_growth)
print("rss bounded:", rss_growth < 20_000 or f"{rss_growth} kB")
""", tmp_path)
    assert run.stdout.startswith("code objects still alive: 0 of 10")
    assert run.stats["functions_compiled"] >= 1000, run.stats


def test_reference_counts_stable_across_exits_and_exceptions(tmp_path):
    """10000 calls of compiled code that deopts (guards fail, unsupported instructions),
    raises and catches: the references it handles come back to where they were."""
    run = compare("""
import gc
import sys

class Box:
    def __init__(self, value):
        self.value = value

class Weird(float):
    pass

def kernel(sentinel, x, items, i):
    holder = Box(sentinel)
    total = x * 2.0 + x
    keep = [sentinel, holder]          # BUILD_LIST: an exit to the interpreter
    try:
        total = total + items[i]       # IndexError for some i
    except IndexError:
        total = total - 1.0
    try:
        holder.missing_attribute       # AttributeError
    except AttributeError:
        pass
    for item in items:
        if item is sentinel:
            total = total + 0.5
    if i % 7 == 0:
        raise KeyError(sentinel)
    return total, holder.value is sentinel

def raises_through(sentinel, n):
    return 10 // n, sentinel

sentinel = object()
items = [1.0, 2.0, sentinel, 3]
CONST_FLOAT = 1234.5
values = [1.5, 2, True, Weird(2.5), 2.5, 7]

def run(rounds):
    caught = 0
    for r in range(rounds):
        x = values[r % len(values)]
        try:
            kernel(sentinel, x, items, r % 6)
        except KeyError as error:
            caught = caught + (error.args[0] is sentinel)
        except TypeError:
            caught = caught + 1
        try:
            raises_through(sentinel, r % 3)
        except ZeroDivisionError:
            pass
    return caught

run(1000)                     # warm up: compiles, recompiles
gc.collect()
refs_sentinel = sys.getrefcount(sentinel)
refs_items = sys.getrefcount(items)
refs_values = [sys.getrefcount(v) for v in values]
objects = len(gc.get_objects())
blocks = sys.getallocatedblocks()
caught = run(10000)
gc.collect()
print("caught", caught)
print("sentinel delta", sys.getrefcount(sentinel) - refs_sentinel)
print("items delta", sys.getrefcount(items) - refs_items)
print("values deltas", [sys.getrefcount(v) - r for v, r in zip(values, refs_values)])
print("gc objects bounded", len(gc.get_objects()) - objects < 200)
print("allocated blocks bounded", sys.getallocatedblocks() - blocks < 2000)
""", tmp_path, functions=["kernel", "run"])
    assert "sentinel delta 0\n" in run.stdout
    assert_native(run, "kernel", "run")
    assert sum(run.stats["deopts"].values()) > 0, run.stats


def test_reference_counts_of_constants_and_locals_in_native_loops(tmp_path):
    """Constants pushed and popped by native code, raw floats and ints boxed back at exits,
    iterators finished natively: no reference is lost or leaked."""
    run = compare("""
import sys

KEY = "a-unique-key-string"
data = {KEY: 1}

def loops(n, seq):
    f = 0.5
    k = 1
    s = "a-unique-const"
    for i in range(n):
        f = f * 1.0001 + 0.25
        if k < 1000000:
            k = k * 3 + 1
        else:
            k = k - 999999
        t = s
    for item in seq:
        t = item
    for item in seq:
        if item is KEY:
            break
    got = data[KEY]
    return f, k, t, got

def consts():
    return [c for c in loops.__code__.co_consts if isinstance(c, (str, float))]

seq = [KEY, "other", KEY]
loops(10, seq)
before = [sys.getrefcount(c) for c in consts()] + [sys.getrefcount(KEY), sys.getrefcount(seq)]
for r in range(3000):
    loops(r % 50, seq)
    if r % 100 == 0:
        loops(3, (KEY, 1))      # a tuple: the list fast path exits
        loops(2.5, seq) if False else None
after = [sys.getrefcount(c) for c in consts()] + [sys.getrefcount(KEY), sys.getrefcount(seq)]
print("deltas", [a - b for a, b in zip(after, before)])
print(loops(100, seq))
""", tmp_path, functions=["loops"])
    assert "deltas [0, 0, 0, 0, 0" in run.stdout
    assert_native(run, "loops")


def test_many_compiled_functions_stay_correct_after_collection(tmp_path):
    """Functions compiled, dropped and collected while others keep running: the survivors'
    native code must still be intact (nothing freed too early)."""
    run = compare("""
import gc

survivors = []
for k in range(400):
    namespace = {}
    exec(f"def h(x):\\n    y = x + {k}\\n    return y * 2\\n", namespace)
    h = namespace["h"]
    h(1)
    if k % 40 == 0:
        survivors.append((k, h))
    del namespace, h
    if k % 50 == 0:
        gc.collect()
gc.collect()
print([h(10) == (10 + k) * 2 for k, h in survivors])
print(sum(h(k) for k, h in survivors))
""", tmp_path)
    assert run.stdout.startswith("[True, True")
    assert run.stats["native_entries"] > 400


def test_other_extensions_free_functions_see_only_their_own_code_objects(tmp_path):
    """An extension that requests a co_extra index after accel (test_code's CoExtra does it
    with ctypes): CPython calls its free function for every code object whose extra slots
    reach its index.  Code objects accel keeps a record for must not be among them, or the
    free function runs for code it never touched (here: with ptr None), and at exit for its
    own code object while that dies (a crash in stock CPython's code_dealloc)."""
    run = compare("""
import ctypes

py = ctypes.pythonapi
freefunc = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
request_index = py._PyEval_RequestCodeExtraIndex
request_index.argtypes = (freefunc,)
request_index.restype = ctypes.c_ssize_t
set_extra = py._PyCode_SetExtra
set_extra.argtypes = (ctypes.py_object, ctypes.c_ssize_t, ctypes.c_void_p)
set_extra.restype = ctypes.c_int

freed = []
def record_free(ptr):
    freed.append(ptr)

FREE = freefunc(record_free)   # dies at exit, with record_free and its code object
INDEX = request_index(FREE)

def work(n):
    total = 0
    for i in range(n):
        total += i
    return total

for k in range(20):
    f = eval(f"lambda n: work(n) + {k}")
    f(10)
    if k % 5 == 0:
        set_extra(f.__code__, INDEX, 100 + k)
    del f
print(freed)
record_free(0)   # called from Python too: compiled, a record of its own
print(work(1000))
""", tmp_path, functions=["work", "record_free"])
    assert run.stdout == "[100, 105, 110, 115]\n499500\n", run.stdout
    assert_native(run, "work", "record_free")
