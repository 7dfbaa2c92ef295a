"""Differential tests: sum() of a generator run as one native loop (native/sum.c).

CALL_BUILTIN_SUM resumes the generator once; its YIELD_VALUE_FOLDABLE forms add each
exact float to the sum without suspending, and anything else goes on as sum()'s own
fold.  Results, exceptions, tracebacks, frames and finalizers must be stock's."""
from differential import assert_native, compare


def test_sums_of_floats_run_without_suspending(tmp_path):
    run = compare("""
def floats(n):
    for i in range(n):
        yield i * 0.5

def products(xs, ys):
    return sum(x * y for x, y in zip(xs, ys))

def caller(n):
    return sum(floats(n)), sum(x * 0.25 for x in range(n)), sum(floats(0))

def main():
    xs = [0.1 * k for k in range(100)]
    print(caller(100), products(xs, xs), repr(sum(x for x in [])), repr(sum(-0.0 for _ in range(3))))
    print(repr(sum(x for x in [-0.0])), repr(sum(x for x in [0.0, -0.0])), sum(x for x in [1e308, 1e308, -1e308]))
    nan, inf = float("nan"), float("inf")
    print(sum(x for x in [1.0, nan]), sum(x for x in [inf, 1.0]), sum(x for x in [inf, -inf]))
    print(sum(x for x in [0.1] * 10), sum(x for x in [1e16, 1.0, -1e16]))

for _ in range(3):
    main()
""", tmp_path, functions=["floats", "caller"])
    assert_native(run, "floats", "caller")
    assert "CALL_BUILTIN_SUM" in run.function("caller")["specialized"], run.function("caller")["text"]
    assert "YIELD_VALUE_FOLDABLE_BOX_FLOAT" in run.function("floats")["specialized"], run.function("floats")["text"]
    assert run.stats["sums_fused"] >= 3 * 10, run.stats
    assert run.stats["items_summed"] >= 3 * (100 + 100 + 100 + 3 + 10), run.stats


def test_items_that_are_not_floats_go_on_as_sum_does(tmp_path):
    """An int, a bool, a float subclass, a str, an object with __radd__: the sum so far
    (the int 0, or the float total) goes on with PyNumber_Add, as sum()'s own loop."""
    run = compare("""
import sys
import traceback

class Half(float):
    def __radd__(self, other):
        return ("radd", other)

class Text:
    def __radd__(self, other):
        return f"text after {other!r}"

def gen(values):
    for v in values:
        yield v

def main():
    print(sum(gen([1, 2, 3])), sum(gen([True, 2.5, False])), sum(gen([1.5, 2, 3.25, True])))
    print(sum(gen([2.5, 2 ** 70, 1.0])), sum(gen([2 ** 70, 2 ** 70])), sum(gen([0.5, 2 ** 2000 // 2 ** 1990])))
    print(sum(gen([1.0, Half(2.0)])), sum(gen([Half(2.0)])), sum(gen([1.25, Text()])), sum(gen([Text()])))
    print(repr(sum(gen([-0.0, 1, -0.0]))), sum(gen([3, 0.5])), sum(x for x in range(10)))
    for values in ([1.5, "s"], ["s"], [1.0, 2.0, Text(), 4.0], [1.0, None], [2, 3.5, []]):
        try:
            sum(gen(values))
        except TypeError as error:
            print("TypeError", error)
    try:
        sum(x * 2.0 for x in [1.0, 2.0, "a"])
    except TypeError:
        traceback.print_exc(file=sys.stdout)

for _ in range(3):
    main()
""", tmp_path, functions=["gen", "main"])
    assert "TypeError unsupported operand type(s) for +: 'float' and 'str'" in run.stdout
    assert "text after 1.25" in run.stdout and "can only concatenate str (not \"float\") to str" in run.stdout
    assert_native(run, "gen", "main")
    assert run.stats["sums_fused"] >= 3 * 15, run.stats


def test_exceptions_in_the_generator(tmp_path):
    """An exception raised in the generator mid-sum propagates with stock's traceback (the
    caller's line and the generator's); StopIteration becomes RuntimeError; a generator
    left suspended by sum()'s TypeError is finalized where stock finalizes it."""
    run = compare("""
import sys
import traceback

def fails(n):
    for i in range(n):
        if i == 3:
            raise ValueError(f"failed at {i}")
        yield i * 1.5

def leaks_stop():
    yield 1.0
    raise StopIteration("inside")

def cleanup(values):
    try:
        for v in values:
            yield v
    finally:
        print("cleanup finally ran")

def total(gen):
    return sum(gen)

def main():
    for make in (lambda: fails(10), lambda: (1.0 / (x - 2) for x in range(5)), leaks_stop):
        try:
            total(make())
        except (ValueError, ZeroDivisionError, RuntimeError):
            traceback.print_exc(file=sys.stdout)
    try:
        sum(1.0 / (x - 2) for x in range(5))
    except ZeroDivisionError as error:
        print("ZeroDivisionError", error, error.__traceback__.tb_lineno, error.__traceback__.tb_next.tb_lineno)
    print(total(cleanup([1.0, 2.0])))
    try:
        total(cleanup([1.0, "x", 2.0]))
    except TypeError as error:
        print("TypeError", error)
    print("after")

for _ in range(3):
    main()
""", tmp_path, functions=["fails", "total", "cleanup"])
    assert "RuntimeError: generator raised StopIteration" in run.stdout
    assert "ValueError: failed at 3" in run.stdout and "cleanup finally ran" in run.stdout
    assert_native(run, "fails", "total", "cleanup")
    assert run.stats["sums_fused"] >= 3 * 6, run.stats


def test_generator_states_frames_and_nesting(tmp_path):
    """A generator partly consumed before the sum, one summed while its body sums another,
    one whose body looks at its frame and at itself, one that is running (sum of itself),
    a `yield from`, and sum() rebound."""
    run = compare("""
import builtins
import sys

def numbers(n):
    for i in range(n):
        yield i + 0.5

def looks(out):
    for i in range(3):
        f = sys._getframe()
        out.append((f.f_code.co_name, f.f_back.f_code.co_name, f.f_lineno, me.gi_running, me.gi_frame is f))
        yield float(i)

def self_sum():
    yield 1.0
    yield sum(me2)

def delegate(n):
    yield 0.25
    yield from numbers(n)
    yield from (x * 2.0 for x in range(n))

def matrix(rows):
    return sum(sum(a * b for a, b in zip(row, row)) for row in rows)

def rebound():
    return sum(x for x in (1.0, 2.0))

def deep(n):
    yield 0.5
    if n:
        yield sum(deep(n - 1))  # nested deeper than native/sum.c has entries for

def main():
    global me, me2
    g = numbers(10)
    print(next(g), next(g), sum(g), sum(g), g.gi_frame)
    print(matrix([[0.5 * k + j for k in range(20)] for j in range(10)]))
    out = []
    me = looks(out)
    print(sum(me), out)
    me2 = self_sum()
    try:
        sum(me2)
    except ValueError as error:
        print("ValueError", error)
    print(sum(delegate(5)), sum(deep(150)))
    saved = builtins.sum
    builtins.sum = lambda gen: ("rebound", list(gen))
    print(rebound())
    builtins.sum = saved
    print(rebound())

for _ in range(3):
    main()
""", tmp_path, functions=["numbers", "looks", "matrix", "delegate", "rebound"])
    assert "ValueError generator already executing" in run.stdout and "rebound" in run.stdout
    assert_native(run, "numbers", "looks", "matrix", "delegate")
    # matrix: the outer sum and each inner one run fused, nested
    assert run.stats["sums_fused"] >= 3 * (1 + 10 + 1 + 1 + 1), run.stats


def test_exits_to_the_interpreter_mid_sum(tmp_path):
    """A guard that fails inside the generator mid-sum (an int among a list's floats, as
    spectral_norm's `entry(i, j) * v[j]` would meet it): the interpreter runs the
    generator on and yields, and the sum goes on as sum() does; and tracing switched on
    by the generator's body: stock's trace events."""
    run = compare("""
import sys

def entry(i, j):
    s = i + j
    return 1.0 / (s * (s + 1) // 2 + i + 1)

def row_sum(v, i):
    return sum(entry(i, j) * v[j] for j in range(len(v)))

events = []

def tracer(frame, event, arg):
    events.append((event, frame.f_code.co_name))
    return tracer

def switch(i):
    if i == 2:
        sys.settrace(tracer)
    return float(i)

def cells():
    def item(j):
        return v[j] * 2.0  # the list in a cell: LOAD_DEREF_ITEM_FAST_UNBOX_FLOAT
    for j in (0, -1):
        try:
            item(j)
        except NameError as error:
            print("NameError", error)
    v = [0.5, 1.5, 2.5]
    print([item(j) for j in (0, 2, -1, -3)])
    for j in (3, -4, 1.0, True):
        try:
            print(item(j))
        except (IndexError, TypeError) as error:
            print(type(error).__name__, error)
    v = (4.0, 5.0)
    print(item(1), item(-2))
    v = [1, 2.0]
    print(item(0), item(1))

def main():
    cells()
    v = [1.0] * 30
    print(row_sum(v, 3), row_sum(tuple(v), 4))
    v[7] = 2
    print(row_sum(v, 3), row_sum(v[:7] + [2.5] * 23, 4))
    v[7] = "s"
    try:
        row_sum(v, 5)
    except TypeError as error:
        print("TypeError", error)
    total = sum(switch(i) for i in range(5))
    sys.settrace(None)
    print(total, len(events), events[:8])
    events.clear()

for _ in range(3):
    main()
""", tmp_path, functions=["row_sum", "entry", "cells"])
    assert_native(run, "row_sum")
    assert run.stats["deopts"], run.stats  # the guards failed: exits to the interpreter
    assert run.stats["items_summed"] >= 3 * 30, run.stats


def test_sums_in_threads_and_no_leaks(tmp_path):
    """Threads that switch often while each sums generators (each driver finds its own
    entry of accel_folding, wherever the others put theirs), and reference counts and
    memory that do not grow over many sums."""
    run = compare("""
import gc
import sys
import threading
import tracemalloc

def work(k, out):
    total = 0.0
    for r in range(200):
        total += sum(x * 0.5 + k for x in range(50))
        total += sum(float(x) if x % 7 else x for x in range(20))
    out[k] = total

def fixed(item, n):
    return sum(item for _ in range(n))

def main():
    sys.setswitchinterval(1e-6)
    out = {}
    threads = [threading.Thread(target=work, args=(k, out)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(sorted(out.items()))
    item = 1.5
    before = sys.getrefcount(item)
    fixed(item, 100)
    try:
        sum(x for x in [item, item, "s"])
    except TypeError:
        pass
    print("refcount change", sys.getrefcount(item) - before)
    gc.collect()
    tracemalloc.start()
    for _ in range(200):
        fixed(2.5, 50)
        sum(x * 1.5 for x in range(50))
        sum(x for x in [1.0, 2, 3.5])
    gc.collect()
    first = tracemalloc.get_traced_memory()[0]
    for _ in range(2000):
        fixed(2.5, 50)
        sum(x * 1.5 for x in range(50))
        sum(x for x in [1.0, 2, 3.5])
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - first
    tracemalloc.stop()
    print("memory grew", grown > 10000)

main()
""", tmp_path)
    assert "refcount change 0" in run.stdout and "memory grew False" in run.stdout
    assert run.stats["sums_fused"] >= 2000 * 3, run.stats


def test_int_operations_with_constant_operands(tmp_path):
    """The raw int operations a kernel like spectral_norm's `entry` makes with constants
    (accel/specializer/unbox.py, _fuse_int_constants): + - * of a constant, and // of a
    power of two as a shift, on negatives, at the edges of the raw range (overflow exits
    to the interpreter, which makes the big int), inlined and not."""
    run = compare("""
def entry(i, j):
    s = i + j
    return 1.0 / (s * (s + 1) // 2 + i + 1)

def shapes(x):
    return (x + 7, x - 3, x * 5, x // 1, x // 2, x // 8, x // 4096, x // 2 ** 62, x * -1 - 1,
            (x - 1) // 2, x // -2, x // 3, x * 2 ** 40)

def row(i, n):
    return sum(entry(i, j) for j in range(n))

def loop(a, b, n):
    total = 0
    for k in range(n):
        c = a + b
        d = c - k
        total = total + d * 3 - a * k + (k - 1) * c
        a = a * 2
    return total, a, b, c, d

def main():
    for x in (0, 1, -1, 7, -7, 12345, -12345, 2 ** 62, -(2 ** 62), 2 ** 63 - 1, -(2 ** 63) + 1, 2 ** 63, -(2 ** 63)):
        print(x, shapes(x))
    print(row(3, 50), row(-60, 30), row(2 ** 31, 5), row(2 ** 62, 3))
    print(loop(1, 2, 10), loop(-5, 7, 40), loop(3, 2 ** 62, 3), loop(2 ** 40, -(2 ** 40), 30), loop(1, 1, 70))
    try:
        row(-1, 3)
    except ZeroDivisionError as error:
        print("ZeroDivisionError", error)

for _ in range(3):
    main()
""", tmp_path, functions=["shapes", "row", "loop"])
    assert_native(run, "shapes", "row", "loop")
    assert any(name.endswith("_FAST_FAST_STORE") for name in run.function("loop")["specialized"]), \
        run.function("loop")["text"]
    specialized = run.function("shapes")["specialized"]
    assert "BINARY_OP_FLOOR_DIVIDE_INT_RAW_STACK_POWER_OF_TWO" in specialized or run.function("shapes")["recompiles"], \
        run.function("shapes")["text"]
