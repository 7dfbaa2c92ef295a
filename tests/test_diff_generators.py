"""Differential tests: generator bodies run natively, resumed after each yield
(native/hook.c, YIELD_VALUE in stencils/control.c); the interpreter makes the
generator (RETURN_GENERATOR), and runs throw() and close()."""
from differential import assert_native, compare


def test_generators_resume_natively(tmp_path):
    run = compare("""
import sys
import traceback

def squares(n):
    for i in range(n):
        yield i * i

def echo():
    total = 0
    while True:
        got = yield total
        if got is None:
            return total
        total += got

def where():
    f = sys._getframe()
    yield f.f_lineno, f.f_back.f_code.co_name
    yield f.f_lineno, f.f_back.f_code.co_name

def delegate(n):
    yield -1
    r = yield from squares(n)
    yield from (x + 0.5 for x in range(2))
    return r

def cleanup():
    try:
        yield 1
        yield 2
    finally:
        print("finally ran")

def fails(n):
    for i in range(n):
        if i == 3:
            raise ValueError(f"failed at {i}")
        yield i

def leaks_stop():
    yield 1
    raise StopIteration("inside")

def changes_type(values):
    acc = 0
    for v in values:
        acc = acc + v
        yield acc

def main():
    print(sum(x for x in squares(200) if x % 3))
    print([y * 2 for y in squares(5)])
    e = echo()
    next(e)
    print([e.send(i) for i in range(5)])
    try:
        e.send(None)
    except StopIteration as s:
        print("stop", s.value)
    print(list(where()))
    g = squares(10)
    next(g), next(g)
    print(g.gi_frame.f_lineno, g.gi_frame.f_locals, g.gi_running, g.gi_suspended if hasattr(g, "gi_suspended") else "")
    print(list(delegate(4)))
    c = cleanup()
    print(next(c))
    c.close()
    t = squares(5)
    next(t)
    try:
        t.throw(KeyError("thrown"))
    except KeyError as k:
        print("KeyError", k, list(t))
    try:
        list(fails(10))
    except ValueError:
        traceback.print_exc(file=sys.stdout)
    try:
        list(leaks_stop())
    except RuntimeError as r:
        print("RuntimeError", r, repr(r.__cause__))
    print(list(changes_type([1, 2, 3.5, 4, "x"][:4])), list(changes_type([1] * 100))[-1])
    try:
        list(changes_type([1, "x"]))
    except TypeError as error:
        print("TypeError", error)

for _ in range(3):
    main()
""", tmp_path, functions=["squares", "echo", "where", "fails", "changes_type"])
    assert "finally ran" in run.stdout and "Traceback" in run.stdout
    assert_native(run, "squares", "echo", "where", "fails", "changes_type", min_entries=3)
    assert "generator:" in run.function("squares")["text"]
    # Compiled once, however many generators the code makes (changes_type recompiles once).
    for name in ("squares", "echo", "where", "fails"):
        assert run.function(name)["recompiles"] == 0, run.function(name)["text"]
    assert run.function("changes_type")["recompiles"] <= 1, run.function("changes_type")["text"]


def test_native_code_resumes_generators_itself(tmp_path):
    """FOR_ITER over a generator and SEND (yield from, await) resume a compiled generator's
    native code directly (native/generators.c): what gen_send_ex does must still hold."""
    run = compare("""
import gc
import sys
import traceback

def numbers(n):
    for i in range(n):
        yield i
    return "done"

def leaks_stop():
    yield 1
    raise StopIteration("inside")

def reentrant():
    yield next(me)

def sees_exc_info():
    yield sys.exc_info()[0]
    try:
        raise KeyError("inner")
    except KeyError:
        yield sys.exc_info()[0]
    yield sys.exc_info()[0]

def keeps_frame(out):
    out.append(sys._getframe())
    yield 1
    yield 2

def fails(n):
    yield n
    raise ValueError(f"failed after {n}")

def delegate(n):
    got = yield from numbers(n)
    print("delegate got", got)
    try:
        yield from fails(n)
    except ValueError as error:
        print("delegate caught", error)
    return (yield from numbers(2))

def loop_over(gen):
    out = []
    for value in gen:
        out.append(value)
    return out

def main():
    print(loop_over(numbers(5)), loop_over(delegate(3)))
    try:
        loop_over(leaks_stop())
    except RuntimeError as error:
        print("RuntimeError", error, repr(error.__cause__))
    global me
    me = reentrant()
    try:
        loop_over(me)
    except ValueError as error:
        print("ValueError", error)
    try:
        raise IndexError("outer")
    except IndexError:
        print(loop_over(sees_exc_info()))
    print(loop_over(sees_exc_info()))
    frames = []
    print(loop_over(keeps_frame(frames)))
    print(frames[0].f_lineno, frames[0].f_code.co_name, frames[0].f_back)
    try:
        loop_over(fails(7))
    except ValueError:
        traceback.print_exc(file=sys.stdout)
    g = numbers(3)
    print(next(g), loop_over(g), loop_over(g))
    gc.collect()

for _ in range(3):
    main()
""", tmp_path, functions=["numbers", "delegate", "loop_over", "sees_exc_info"])
    assert "RuntimeError generator raised StopIteration" in run.stdout
    assert "ValueError generator already executing" in run.stdout
    assert_native(run, "numbers", "delegate", "loop_over", "sees_exc_info", min_entries=3)
    assert run.function("numbers")["exits"] == 0 and run.function("delegate")["exits"] == 0


def test_native_code_makes_generators(tmp_path):
    """RETURN_GENERATOR runs natively (stencils/control.c): the generator, coroutine or async
    generator it makes is the one CPython makes (names, code, frame, state, closure cells, the
    arguments bound), also when a call from native code runs the function directly."""
    run = compare("""
import asyncio
import gc
import inspect
import sys
import weakref

def counter(start, step=1, *, limit=3):
    n = start
    while n < start + limit * step:
        yield n
        n += step

def outer(k):
    def closes_over(n):
        for i in range(n):
            yield i * k
    return closes_over

async def coro(x):
    return x + 1

async def agen(n):
    for i in range(n):
        yield i

def describe(g):
    frame = g.gi_frame if hasattr(g, "gi_frame") else g.cr_frame if hasattr(g, "cr_frame") else g.ag_frame
    return (type(g).__name__, g.__name__, g.__qualname__, frame.f_lineno, frame.f_lasti, sorted(frame.f_locals))

def make_and_drop(n):
    made = []
    for i in range(n):
        made.append(counter(i))
    return len(made)

def main():
    g = counter(5, limit=2)
    print(describe(g), inspect.getgeneratorstate(g), list(g), inspect.getgeneratorstate(g))
    r = weakref.ref(counter(1))
    gc.collect()
    print("collected", r() is None)
    c = outer(3)
    print(describe(c(4)), list(c(4)))
    co = coro(1)
    print(describe(co), inspect.getcoroutinestate(co))
    print(asyncio.run(co))
    a = agen(2)
    print(describe(a))
    async def drain():
        return [x async for x in a]
    print(asyncio.run(drain()))
    sys.set_coroutine_origin_tracking_depth(2)
    tracked = coro(2)
    print("origin", [(name, fn) for _, _, fn in tracked.cr_origin for name in [type(tracked).__name__]][:1])
    tracked.close()
    sys.set_coroutine_origin_tracking_depth(0)
    print(make_and_drop(100))

for _ in range(3):
    main()
""", tmp_path, functions=["counter", "outer", "coro", "agen", "make_and_drop"])
    assert "collected True" in run.stdout and "origin [('coroutine', 'main')]" in run.stdout
    assert_native(run, "counter", "coro", "agen", "make_and_drop", min_entries=3)
    assert "RETURN_GENERATOR" in run.function("counter")["specialized"]
    assert run.function("counter")["exits"] == 0, run.function("counter")


def test_c_code_resumes_compiled_generators_natively(tmp_path):
    """sum(), list(), str.join(), zip(), next() and the interpreter iterate a generator
    through its type's tp_iternext, which resumes a compiled generator's native code
    straight while accel's hook is installed (native/generators.c): what gen_iternext
    does must still hold (return values, errors, tracebacks, frames, exc_info, reentry)."""
    run = compare("""
import gc
import sys
import traceback

def numbers(n):
    for i in range(n):
        yield i
    return "done"

def floats(n):
    for i in range(n):
        yield i * 0.5

def leaks_stop():
    yield 1
    raise StopIteration("inside")

def reentrant():
    yield 1
    yield sum(me)

def fails(n):
    yield n
    raise ValueError(f"failed after {n}")

def callers():
    f = sys._getframe()
    yield f.f_back.f_code.co_name
    yield f.f_back.f_code.co_name

def sees_exc_info():
    yield sys.exc_info()[0] is None
    try:
        raise KeyError("inner")
    except KeyError:
        yield sys.exc_info()[0] is KeyError
    yield sys.exc_info()[0] is None

def cleanup(n):
    try:
        for i in range(n):
            yield i
    finally:
        print("cleanup finally ran")

def traced(n):
    for i in range(n):
        yield i

def main():
    print(sum(numbers(10)), sum(floats(7)), list(numbers(4)), tuple(floats(3)))
    print("-".join(str(x) for x in numbers(5)), list(zip(numbers(3), floats(3))))
    print(sorted(numbers(4), reverse=True), dict(enumerate(numbers(3))), max(floats(5)))
    print(sum(x * x for x in range(100)), sum(x / 3 for x in range(50)), sum((x for x in [1, 2.5, 3])))
    g = numbers(2)
    print(next(g), next(g))
    try:
        next(g)
    except StopIteration as stop:
        print("StopIteration value", stop.value)
    print(next(g, "exhausted"), list(g))
    try:
        sum(leaks_stop())
    except RuntimeError as error:
        print("RuntimeError", error, repr(error.__cause__))
    global me
    me = reentrant()
    try:
        list(me)
    except ValueError as error:
        print("ValueError", error)
    try:
        sum(fails(7))
    except ValueError:
        traceback.print_exc(file=sys.stdout)
    try:
        sum(x / (x - 3) for x in range(5))
    except ZeroDivisionError:
        traceback.print_exc(file=sys.stdout)
    print(list(callers()), sum(1 for _ in callers()))
    try:
        raise IndexError("outer")
    except IndexError:
        print(list(sees_exc_info()), sys.exc_info()[0])
    try:
        sum(cleanup(3), None)
    except TypeError as error:
        print("TypeError", error)
    gc.collect()
    seen = []
    sys.settrace(lambda frame, event, arg: seen.append(event) and None)
    total = sum(traced(3))
    sys.settrace(None)
    print("traced", total, seen.count("call"))

for _ in range(3):
    main()
""", tmp_path, functions=["numbers", "floats", "fails", "callers", "cleanup"])
    assert "RuntimeError generator raised StopIteration" in run.stdout
    assert "ValueError generator already executing" in run.stdout
    assert "StopIteration value done" in run.stdout and "cleanup finally ran" in run.stdout
    assert_native(run, "numbers", "floats", "fails", "callers", "cleanup", min_entries=3)
    assert run.stats["generators_resumed_from_c"] > 100, run.stats
    assert run.function("numbers")["exits"] == 0 and run.function("floats")["exits"] == 0


def test_max_and_min_of_numbers_computed_natively(tmp_path):
    """max() and min() of one-digit ints or of floats, given as the arguments or as one
    exact tuple or list, are computed by native/builtins.c: the same value, and the same
    object among equal ones; anything else is builtins.max's and min's own work."""
    run = compare("""
import builtins
import sys
import traceback

def extremes(values):
    return max(values), min(values), max(*values), min(*values)

def pairs(a, b):
    return max(a, b), min(a, b)

def report():
    print(extremes((3, -9, 1, 4, -9, 17)), extremes([2.5, -0.0, 0.0, 7.25]), extremes([5, 5]))
    print(pairs(0.0, -0.0), pairs(-0.0, 0.0), pairs(-1, 1), pairs(2 ** 40, 3), pairs(3, 2 ** 40))
    nan = float("nan")
    print(pairs(nan, 1.0), pairs(1.0, nan), extremes([1.0, nan, 3.0]), extremes([nan, 2.0, -2.0]))
    big_a, big_b = 1000, int("1000")
    print(max(big_a, big_b) is big_a, min(big_b, big_a) is big_b, max([big_b, big_a]) is big_b)
    print(extremes((1, 2.5, True)), extremes([1, 2 ** 70, -3]), extremes(["b", "a", "c"]))
    print(max(3, 1, key=lambda x: -x), min([], default="empty"), max((1, 2), default=0), max("hello"))
    print(max(range(5)), min(x for x in (4, 2, 8)), max({3: 1, 5: 2}), max(1, 2, 1.5))
    for bad in ((), [], 3, None):
        try:
            max(bad)
        except (ValueError, TypeError) as error:
            print(type(error).__name__, error)
    try:
        min(1, "a")
    except TypeError:
        traceback.print_exc(file=sys.stdout)
    try:
        max()
    except TypeError as error:
        print("TypeError", error)

def rebound():
    return max([1, 2, 3])

def main():
    report()
    saved = builtins.max
    builtins.max = lambda values: "rebound"
    print(rebound())
    builtins.max = saved
    print(rebound())

for _ in range(3):
    main()
""", tmp_path, functions=["extremes", "pairs", "report"])
    assert "rebound" in run.stdout and "ValueError max() arg is an empty sequence" in run.stdout
    assert_native(run, "extremes", "pairs", min_entries=3)
    # (about 30 a call of report(); the first call may run before its profiled recompile)
    assert run.stats["builtins_computed"] >= 2 * 30, run.stats


def test_calls_to_generator_functions_made_directly(tmp_path):
    """CALL's stencil calls a compiled generator function itself (its RETURN_GENERATOR
    moves the pushed frame into the generator): the generator must be the one the
    ordinary call makes (defaults, closures, cells, its frame, recursion)."""
    run = compare("""
import gc
import sys

def countdown(n, step=1):
    while n > 0:
        yield n
        n -= step

def with_cell(n):
    seen = []
    note = lambda: len(seen)
    for i in range(n):
        seen.append(i)
        yield note.__call__()

def tree(depth):
    if depth:
        yield from tree(depth - 1)
        yield depth
        yield from tree(depth - 1)

def outer(k):
    def scaled(n):
        for i in range(n):
            yield i * k
    return scaled

def main():
    total = 0
    made = []
    for i in range(700):
        g = countdown(i % 7)
        made.append(g)
        total += sum(g) + sum(countdown(i % 50, 3)) + sum(with_cell(i % 4))
    print(total, sum(tree(6)), list(outer(3)(4)))
    g = countdown(2)
    print(g.gi_frame.f_back, g.gi_running, g.gi_frame.f_lasti, sorted(g.gi_frame.f_locals.items()))
    print(next(g), g.gi_frame.f_back, g.gi_running, g.gi_frame.f_lineno)
    gc.collect()
    print(type(made[0]).__name__, made[0].__name__, made[0].__qualname__)

for _ in range(3):
    main()
""", tmp_path, functions=["countdown", "with_cell", "tree", "main"])
    assert_native(run, "countdown", "with_cell", "tree", "main", min_entries=3)
    # 3 x 2,100 generator functions called by CALL's stencil (not by native/calls.c).
    assert run.stats["native_calls"] - run.stats["native_calls_from_c"] >= 3 * 2100, run.stats


def test_resumption_from_for_loops_and_c_code_keeps_generator_states(tmp_path):
    """The resumption that FOR_ITER's stencil (accel_gen_next) and C code (tp_iternext)
    share in native/generators.c: what a generator returns is dropped by a for loop and
    released; its states (gi_running, gi_suspended, gi_frame), exc_info inside and after,
    close() and throw() between native resumptions, a generator finished or made but not
    started, and tracing switched on while a compiled loop iterates: all as stock."""
    run = compare("""
import gc
import sys
import traceback

class Marker:
    alive = 0
    def __init__(self, name):
        self.name = name
        Marker.alive += 1
    def __del__(self):
        Marker.alive -= 1

def returns_marker(n):
    for i in range(n):
        yield i
    return Marker("returned")

def observes(out):
    me = out[0]
    for i in range(3):
        out.append((me.gi_running, me.gi_suspended, me.gi_frame is not None))
        yield i

def handles(n):
    for i in range(n):
        try:
            raise KeyError(i)
        except KeyError:
            yield sys.exc_info()[1].args[0]
    yield sys.exc_info()[0]

def guarded(n):
    try:
        for i in range(n):
            yield i
    except GeneratorExit:
        print("closed at", i)
        raise
    except ZeroDivisionError as error:
        print("thrown", error)
        yield -1

def nested(n):
    for i in range(n):
        for j in returns_marker(i):
            yield i * 10 + j

def delegating(n):
    returned = yield from returns_marker(n)
    print("delegating got", returned.name)
    yield from guarded(n)
    return returned

def loop_sum(gen):
    total = 0
    for value in gen:
        total += value
    return total

def changes_type(n):
    x = 0
    for i in range(n):
        x = x + (1 if i < n // 2 else 0.5)
        yield x

def drain(gen):
    out = []
    for value in gen:
        out.append(value)
    return out

def loop_until(gen, stop):
    for value in gen:
        if value == stop:
            break
    return value

def main():
    print(loop_sum(returns_marker(5)), sum(returns_marker(4)), list(returns_marker(2)), Marker.alive)
    out = []
    g = observes(out)
    out.append(g)
    print(loop_sum(g), out[1:], g.gi_running, g.gi_suspended, g.gi_frame)
    try:
        raise IndexError("outer")
    except IndexError:
        print(list(handles(3)), loop_sum(x for x in handles(2) if isinstance(x, int)), sys.exc_info()[0])
    print(list(handles(2)), sys.exc_info())
    g = guarded(10)
    print(loop_until(g, 3), g.gi_suspended, g.gi_frame.f_lineno)
    print(g.throw(ZeroDivisionError("boom")), loop_sum(g), g.gi_frame)
    g = guarded(10)
    print(loop_until(g, 4), sum(guarded(0)))
    g.close()
    print(g.gi_frame, loop_sum(g), sum(g), list(g))
    g = guarded(5)
    print(loop_sum(g), loop_sum(g), next(g, "done"))
    fresh = returns_marker(3)
    print(fresh.gi_suspended, fresh.gi_frame.f_lasti, loop_sum(fresh), Marker.alive)
    print(loop_sum(nested(5)), sum(nested(4)), Marker.alive)
    print(sum(drain(returns_marker(300))), sum(drain(delegating(100))), sum(delegating(50)), Marker.alive)
    print(list(zip(returns_marker(4), handles(3), returns_marker(6))), sum(drain(changes_type(400))))
    a, b = returns_marker(6), returns_marker(6)
    print(next(a), drain(zip(a, b)), sum(x for pair in zip(b, a) for x in pair))
    for k in range(20):  # code objects (and their records) die while sites still name them
        space = {}
        exec(f"def made(n): return (i * {k} for i in range(n))", space)
        print(sum(space["made"](5)), drain(space["made"](3)), end=" ")
    print()
    d = delegating(10)
    print([next(d) for _ in range(13)], d.gi_yieldfrom.gi_frame.f_lineno, d.gi_yieldfrom.gi_suspended)
    print(d.throw(ZeroDivisionError("into delegate")), list(d), d.gi_yieldfrom, Marker.alive)
    try:
        loop_sum(g for g in [1, "x"])
    except TypeError:
        traceback.print_exc(file=sys.stdout)
    seen = []
    def tracer(frame, event, arg):
        seen.append((frame.f_code.co_name, event))
        return tracer
    g = returns_marker(6)
    print(loop_until(g, 2))
    sys.settrace(tracer)
    print(loop_sum(g))
    sys.settrace(None)
    print(sorted(set(seen)))
    gc.collect()
    print("alive", Marker.alive)

for _ in range(3):
    main()
""", tmp_path, functions=["returns_marker", "observes", "handles", "guarded", "nested", "loop_sum",
                               "delegating", "drain"])
    assert "thrown boom" in run.stdout and "thrown into delegate" in run.stdout and "closed at 4" in run.stdout and "alive 0" in run.stdout
    assert_native(run, "returns_marker", "observes", "handles", "guarded", "nested", "loop_sum", "delegating",
                  "drain", min_entries=3)
    assert run.stats["generators_resumed_from_c"] > 20, run.stats
    # Resumptions by compiled loops and `yield from` come straight from their sites' caches
    # (stencils/resume.c): drain()'s 3 x 500 and delegating()'s 3 x 150 at least.
    assert run.stats["generators_resumed_at_sites"] > 3 * 600, run.stats
    assert run.function("returns_marker")["exits"] == 0 and run.function("nested")["exits"] == 0
