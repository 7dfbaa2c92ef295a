"""Differential tests: all() and any() of a generator run as one native loop
(native/all_any.c, on the drivers' mechanism of native/fold.c).

CALL_BUILTIN_ALL and CALL_BUILTIN_ANY resume the generator; its YIELD_VALUE_FOLDABLE
forms go on past each exact bool, int, float or None that leaves the result undecided,
without suspending; the item that decides, and any other object, suspend the generator
at that yield, and the driver tests it as the builtin does.  Results, side effects and
their order, exceptions, tracebacks, frames and finalizers must be stock's."""
from differential import assert_native, compare


def test_plain_items_go_on_without_suspending(tmp_path):
    run = compare("""
def over(n):
    return all(i < n for i in range(n)), any(i >= n for i in range(n)), all(i != 7 for i in range(n))

def values(xs):
    for x in xs:
        yield x

def truths(xs):
    return all(values(xs)), any(values(xs)), all(x for x in xs), any(x for x in xs)

def scaled(xs):
    return all(x * 0.5 for x in xs), any(x * 0.5 for x in xs), any(x - 1.0 for x in xs)

def main():
    print(over(50), over(0), over(8))
    nan = float("nan")
    for xs in ([], [1, 2, 3], [1, 0, 3], [0, 0.0, False, None], [True, 1.5, -1, 2 ** 80],
               [0.0, -0.0, None, 2 ** 70 - 2 ** 70], [nan], [None, nan], [False, True], [-(2 ** 65), 0]):
        print(xs, truths(xs))
    for xs in ([1.0, 2.0, 3.0], [0.0, 0.0], [2.0, 0.0, 4.0], [], [nan, 1.0], [0.0, nan], [1.0, 2.0]):
        print(xs, scaled(xs))

for _ in range(3):
    main()
""", tmp_path, functions=["over", "values", "truths", "scaled"])
    assert_native(run, "over", "values", "truths", "scaled")
    specialized = run.function("over")["specialized"]
    assert "CALL_BUILTIN_ALL" in specialized and "CALL_BUILTIN_ANY" in specialized, run.function("over")["text"]
    assert "YIELD_VALUE_FOLDABLE" in run.function("values")["specialized"], run.function("values")["text"]
    assert run.stats["all_any_fused"] >= 3 * (9 + 10 * 4 + 7 * 3), run.stats
    # over(50) alone takes 3 * 50 items at the yields (the last all() stops at 7)
    assert run.stats["items_tested"] >= 3 * (50 + 50 + 7), run.stats


def test_raw_floats_are_tested_raw(tmp_path):
    """A float the unboxing pass keeps raw is tested raw at the yield, boxed only when
    the generator suspends (the deciding item)."""
    run = compare("""
def halves(n, zero):
    for i in range(n):
        yield (i - zero) * 0.5

def main():
    for n, zero in ((5, -1), (5, 2), (1, 0), (0, 0), (3, 1), (4, 3)):
        print(all(halves(n, zero)), any(halves(n, zero)))
    g = halves(5, 2)
    print(all(g), next(g), list(g))
    g = halves(5, -3)
    print(any(g), next(g), list(g))

for _ in range(3):
    main()
""", tmp_path, functions=["halves"])
    assert_native(run, "halves")
    assert "YIELD_VALUE_FOLDABLE_BOX_FLOAT" in run.function("halves")["specialized"], run.function("halves")["text"]
    assert run.stats["items_tested"] >= 3 * 5, run.stats


def test_odd_objects_and_where_the_generator_stops(tmp_path):
    """Objects whose truth runs code (__bool__, __len__, raising ones, a __bool__ that
    returns a non-bool), subclasses of int and float, strings and lists: tested by the
    driver with the generator suspended at their yield, as stock's all() does; the log
    shows which items the generator consumed, and its finally runs where stock's does."""
    run = compare("""
import sys

class Truth:
    def __init__(self, value):
        self.value = value
    def __bool__(self):
        caller = sys._getframe(1)
        print("  __bool__", self.value, caller.f_code.co_name, caller.f_lineno, me.gi_running,
              me.gi_frame.f_lineno if me.gi_frame else None)
        if self.value == "raise":
            raise ValueError("__bool__ raised")
        if self.value == "bad":
            return 1
        return bool(self.value)
    def __repr__(self):
        return f"Truth({self.value!r})"

class Sized:
    def __init__(self, n):
        self.n = n
    def __len__(self):
        print("  __len__", self.n)
        if self.n < 0:
            raise OverflowError("negative")
        return self.n
    def __repr__(self):
        return f"Sized({self.n})"

class Int(int):
    def __bool__(self):
        print("  Int.__bool__", int(self))
        return False

class Float(float):
    pass

def logged(items, log):
    try:
        for item in items:
            log.append(("yield", item))
            yield item
            log.append(("back", item))
    finally:
        log.append("finally")

def test(fold, items):
    global me
    log = []
    me = logged(items, log)
    try:
        result = fold(me)
    except Exception as error:
        result = f"{type(error).__name__}: {error}"
    log.append("returned")
    me = None
    print(fold.__name__, result, log)

def with_all(gen):
    return all(gen)

def with_any(gen):
    return any(gen)

def main():
    for items in ([1, Truth(1), 2, Truth(0), 3], [0, Truth(0), Truth(1), 1], [Truth("raise"), 1], [1, Truth("bad")],
                  [Sized(1), Sized(0), 5], [0, Sized(2)], [Sized(-1)], [Int(5), 1], [Float(0.0), 1], [Float(1.0), 0],
                  ["", "a", 1], [[], [0]], [(), 1], [1, 2, 3], [0, None, 0.0], [2 ** 100, 0], []):
        test(with_all, items)
        test(with_any, items)

for _ in range(3):
    main()
""", tmp_path, functions=["logged", "with_all", "with_any"])
    assert "ValueError: __bool__ raised" in run.stdout and "TypeError: __bool__ should return bool" in run.stdout
    assert "OverflowError: negative" in run.stdout
    assert_native(run, "logged", "with_all", "with_any")
    assert "CALL_BUILTIN_ALL" in run.function("with_all")["specialized"], run.function("with_all")["text"]
    assert run.stats["all_any_fused"] >= 3 * 34, run.stats


def test_generators_left_suspended_at_the_deciding_item(tmp_path):
    """The generator stops exactly at the item that decides: next() resumes it after that
    item; dropped, it is closed (its finally and a with block's __exit__ run, in stock's
    order with the caller's prints); one that catches GeneratorExit and yields again is
    reported as stock reports it."""
    run = compare("""
import gc
import sys

def unraisable(report):
    print("  unraisable", type(report.exc_value).__name__, report.exc_value, report.object.__name__)

sys.unraisablehook = unraisable

class Context:
    def __enter__(self):
        print("  enter")
    def __exit__(self, *exc):
        print("  exit", exc[0].__name__ if exc[0] else None)

def counted(n, stop):
    with Context():
        try:
            for i in range(n):
                print("  yield", i)
                yield i != stop
        finally:
            print("  finally")

def stubborn():
    try:
        yield 1
        yield 0
    except GeneratorExit:
        yield "again"

def main():
    g = counted(10, 3)
    print(all(g))
    print(next(g), next(g), all(g), any(g))
    del g
    print("dropped")
    print(any(x == 4 for x in range(10)), all(counted(3, -1)))
    print(all(counted(5, 2)), "after")
    print(all(stubborn()), "after stubborn")
    gc.collect()

for _ in range(3):
    main()
""", tmp_path, functions=["counted", "main"])
    assert "unraisable RuntimeError generator ignored GeneratorExit stubborn" in run.stdout
    assert_native(run, "counted", "main")
    assert run.stats["all_any_fused"] >= 3 * 6, run.stats


def test_exceptions_in_the_generator(tmp_path):
    """An exception raised in the generator mid-loop propagates with stock's traceback (the
    caller's line and the generator's); StopIteration raised in it becomes RuntimeError;
    a generator that is running cannot be tested by itself."""
    run = compare("""
import sys
import traceback

def fails(n):
    for i in range(n):
        if i == 3:
            raise ValueError(f"failed at {i}")
        yield i + 1

def leaks_stop():
    yield 1
    raise StopIteration("inside")

def self_test():
    yield 1
    yield all(me)

def check(gen):
    return all(gen)

def main():
    global me
    for make in (lambda: fails(10), lambda: (1 // (x - 2) for x in range(5)), leaks_stop):
        try:
            check(make())
        except (ValueError, ZeroDivisionError, RuntimeError):
            traceback.print_exc(file=sys.stdout)
    try:
        any(1 // (x - 2) == 5 for x in range(5))
    except ZeroDivisionError as error:
        print("ZeroDivisionError", error, error.__traceback__.tb_lineno, error.__traceback__.tb_next.tb_lineno)
    me = self_test()
    try:
        all(me)
    except ValueError as error:
        print("ValueError", error)
    print(any(fails(10)), "short-circuits before the raise")

for _ in range(3):
    main()
""", tmp_path, functions=["fails", "check", "main"])
    assert "RuntimeError: generator raised StopIteration" in run.stdout
    assert "ValueError: failed at 3" in run.stdout and "ValueError generator already executing" in run.stdout
    assert_native(run, "fails", "check", "main")
    assert run.stats["all_any_fused"] >= 3 * 5, run.stats


def test_nesting_partial_consumption_and_rebinding(tmp_path):
    """all() of any()s, a generator whose body tests another generator, one partly
    consumed before, `yield from`, all and any rebound in builtins or shadowed by a
    global, and nesting deeper than native/fold.c has entries for."""
    run = compare("""
import builtins

def rows_ok(grid):
    return all(any(cell > 2 for cell in row) for row in grid)

def numbers(n):
    for i in range(n):
        yield i

def delegate(n):
    yield 1
    yield from numbers(n)
    yield from (x + 1 for x in range(n))

def deep(n):
    yield 1
    if n:
        yield all(deep(n - 1))
        yield any(x == 0 for x in deep(n - 1))

def uses_all(xs):
    return all(x for x in xs), any(x for x in xs)

def main():
    global any
    print(rows_ok([[1, 2, 3], [4, 0], [0, 0, 5]]), rows_ok([[1, 2, 3], [0, 1]]), rows_ok([]))
    g = numbers(10)
    print(next(g), next(g), all(g), any(g), list(g))
    print(all(delegate(4)), any(delegate(0)), all(x for x in delegate(3)))
    print(all(deep(150)), any(deep(3)))
    saved_all, saved_any = builtins.all, builtins.any
    builtins.all = lambda gen: ("rebound all", list(gen))
    print(uses_all([1, 0]))
    builtins.all = saved_all
    print(uses_all([1, 0]))
    any = lambda gen: ("global any", list(gen))
    print(uses_all([1, 0]))
    del any
    print(uses_all([1, 0]))

for _ in range(3):
    main()
""", tmp_path, functions=["rows_ok", "numbers", "delegate", "uses_all"])
    assert "rebound all" in run.stdout and "global any" in run.stdout
    assert_native(run, "rows_ok", "numbers", "delegate")
    assert run.stats["all_any_fused"] >= 3 * (1 + 3 + 2 + 2 + 3), run.stats


def test_exits_to_the_interpreter_mid_loop(tmp_path):
    """A guard that fails inside the generator mid-loop (a float among ints where the
    generator was compiled for ints): the interpreter runs the generator on until it
    yields, and the loop goes on; tracing switched on by the generator's body: stock's
    trace events; a signal handler that raises in the middle of the loop."""
    run = compare("""
import signal
import sys

def below(xs, limit):
    return all(x * 3 < limit for x in xs)

events = []

def tracer(frame, event, arg):
    events.append((event, frame.f_code.co_name))
    return tracer

def switch(i):
    if i == 2:
        sys.settrace(tracer)
    return i < 10

def handler(signum, frame):
    raise KeyboardInterrupt("from the handler")

def alarm_at(i):
    if i == 5:
        signal.raise_signal(signal.SIGUSR1)
    return True

def main():
    xs = list(range(30))
    print(below(xs, 100), below(xs, 50))
    xs[7] = 2.5
    print(below(xs, 100), below(xs, 50))
    xs[9] = "s"
    try:
        below(xs, 100)
    except TypeError as error:
        print("TypeError", error)
    print(all(switch(i) for i in range(5)))
    sys.settrace(None)
    print(len(events), events[:10])
    events.clear()
    signal.signal(signal.SIGUSR1, handler)
    try:
        all(alarm_at(i) for i in range(10))
    except KeyboardInterrupt as error:
        print("KeyboardInterrupt", error, error.__traceback__.tb_next.tb_lineno)

for _ in range(3):
    main()
""", tmp_path, functions=["below"])
    assert_native(run, "below")
    assert run.stats["items_tested"] >= 3 * 30, run.stats


def test_threads_recursion_and_no_leaks(tmp_path):
    """Threads that switch often while each tests generators (each driver finds its own
    entry of accel_folding, wherever the others put theirs); a recursion through all()
    that meets the recursion limit where stock meets it; reference counts and memory
    that do not grow over many calls."""
    run = compare("""
import gc
import sys
import threading
import tracemalloc

def work(k, out):
    count = 0
    for r in range(300):
        count += all(x * k >= 0 for x in range(40))
        count += any(x == r % 50 for x in range(40))
        count += all(x < 30 if x % 3 else True for x in range(40))
    out[k] = count

def depth(n):
    return all(depth(n - 1) for _ in range(1)) if n else True

def fixed(item, n):
    return all(item for _ in range(n)), any(item for _ in range(n))

def main():
    sys.setswitchinterval(1e-6)
    out = {}
    threads = [threading.Thread(target=work, args=(k, out)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(sorted(out.items()))
    sys.setrecursionlimit(300)
    for n in (50, 95, 96, 97, 98, 99, 100, 140, 400):
        try:
            print(n, depth(n))
        except RecursionError as error:
            print(n, "RecursionError", error)
    sys.setrecursionlimit(1000)
    item = 10 ** 30
    before = sys.getrefcount(item)
    fixed(item, 100)
    fixed([item], 10)
    print("refcount change", sys.getrefcount(item) - before)
    gc.collect()
    tracemalloc.start()
    for _ in range(200):
        fixed(2.5, 50)
        all(x < 40 for x in range(50))
        any(x for x in [0, None, [], 1])
    gc.collect()
    first = tracemalloc.get_traced_memory()[0]
    for _ in range(2000):
        fixed(2.5, 50)
        all(x < 40 for x in range(50))
        any(x for x in [0, None, [], 1])
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - first
    tracemalloc.stop()
    print("memory grew", grown > 10000)

main()
""", tmp_path, functions=["work", "depth", "fixed"])
    assert "refcount change 0" in run.stdout and "memory grew False" in run.stdout
    assert "RecursionError" in run.stdout
    assert_native(run, "work", "depth", "fixed")
    assert run.stats["all_any_fused"] >= 2000 * 4, run.stats
