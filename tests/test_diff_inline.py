"""Differential tests: calls of small pure functions inlined at their call sites
(accel/specializer/inline.py, stencils/inline.c).  Whatever goes wrong inside an inlined
body (a guard, an int overflow, a ZeroDivisionError), the caller exits to the interpreter
at the call with its stack untouched, and the interpreter makes the real call: results,
exceptions, tracebacks, trace events and reference counts must be stock's."""
from differential import assert_native, compare

LEAVES = """
import sys
import traceback

def entry(i, j):
    s = i + j
    return 1.0 / (s * (s + 1) // 2 + i + 1)

def scale(x, k):
    return x * k

def square(n):
    return n * n
"""


INLINED_CALLS = {"CALL_INLINED", "CALL_INLINED_DEFAULTS", "CALL_INLINED_RAW_ARGUMENTS"}


def _inlined(run, caller, form=None):
    """explain's text for the caller, which has an inlined call (of that form)."""
    text = run.function(caller)["text"]
    specialized = run.function(caller)["specialized"]
    assert form in specialized if form else INLINED_CALLS & set(specialized), text
    return text


def test_inlined_results_and_proof(tmp_path):
    run = compare(LEAVES + """
def rows(n, v):
    return [sum(entry(i, j) * v[j] for j in range(n)) for i in range(n)]

def total(n):
    t = 0
    for i in range(n):
        t += square(i) + square(-i)
    return t

def floats(xs):
    out = 0.0
    for x in xs:
        out += scale(x, 0.5)
    return out

for _ in range(3):
    print(rows(20, [1.0] * 20)[:3], total(100), floats([0.25 * k for k in range(50)]))
""", tmp_path, functions=["rows", "total", "floats"])
    assert_native(run, "total", "floats")
    for caller in ("total", "floats"):
        text = _inlined(run, caller)
        assert "guard: callee is a function with" in text and "no tracing or profiling" in text, text
    assert "inlined square" in run.function("total")["text"]
    # (A first call leaves scale(x, 0.5) and square(-i) plain calls: nothing tells x's
    # and -i's types until the callee has been compiled for a call of its own; the
    # compile after the first call inlines them.)
    assert run.stats["inlined_calls"] >= 2 * (200 + 50), run.stats


def test_int_overflow_inside_the_body_exits_to_a_real_call(tmp_path):
    run = compare(LEAVES + """
def powers(n):
    out = []
    x = 3
    for _ in range(n):
        out.append(square(x))
        x = x * x if x < 10 ** 30 else 3
    return out

print(powers(12))
print(square(2 ** 62), square(-(2 ** 40)))
""", tmp_path, functions=["powers"])
    _inlined(run, "powers")
    assert run.stats["inlined_calls"] > 0, run.stats


def test_zero_division_inside_the_callee_has_stock_traceback(tmp_path):
    run = compare(LEAVES + """
def column(i, n):
    t = 0.0
    for j in range(n):
        t += entry(i, j)
    return t

print(column(3, 10))
try:
    column(-1, 5)   # entry(-1, 0) divides by zero
except ZeroDivisionError:
    traceback.print_exc(file=sys.stdout)
    tb = sys.exc_info()[2]
    while tb.tb_next is not None:
        tb = tb.tb_next
    print(tb.tb_frame.f_code.co_name, tb.tb_lineno, sorted(tb.tb_frame.f_locals.items()))
print(column(4, 10))
""", tmp_path, functions=["column"])
    _inlined(run, "column")
    assert "ZeroDivisionError" in run.stdout and 'in entry' in run.stdout


def test_global_rebound_mid_loop(tmp_path):
    run = compare(LEAVES + """
def other(n):
    return -n

def loop(n):
    global square
    t = []
    for i in range(n):
        if i == n // 2:
            square = other
        t.append(square(i))
    return t

print(loop(10))
""", tmp_path, functions=["loop"])
    _inlined(run, "loop")


def test_code_replaced_mid_loop(tmp_path):
    run = compare(LEAVES + """
def cube(n):
    return n * n * n

def loop(n):
    t = []
    for i in range(n):
        if i == 3:
            square.__code__ = cube.__code__
        t.append(square(i))
    return t

print(loop(8))
""", tmp_path)
    assert run.stats["inlined_calls"] >= 3, run.stats


def test_float_where_int_was_seen(tmp_path):
    run = compare(LEAVES + """
def loop(xs):
    t = []
    for x in xs:
        t.append(square(x))
    return t

print(loop(list(range(10))))
print(loop([0.5, 1.5, 2, 3, 2.5]))
print(loop([True, 3, "ab" and 4]))
try:
    loop([1, "x"])
except TypeError:
    traceback.print_exc(file=sys.stdout)
""", tmp_path, functions=["loop"])
    _inlined(run, "loop")


def test_tracing_and_profiling_see_the_callee(tmp_path):
    run = compare(LEAVES + """
def loop(n):
    t = 0
    for i in range(n):
        t += square(i)
    return t

events = []
def tracer(frame, event, arg):
    if frame.f_code.co_name in ("square", "loop"):
        events.append((frame.f_code.co_name, event, frame.f_lineno))
    return tracer

def profiler(frame, event, arg):
    if frame.f_code.co_name in ("square", "loop"):
        events.append(("profile", frame.f_code.co_name, event))

print(loop(5))
sys.settrace(tracer)
print(loop(3))
sys.settrace(None)
sys.setprofile(profiler)
print(loop(3))
sys.setprofile(None)
print(loop(4))

def switch_on(n):
    t = 0
    for i in range(n):
        if i == 2:
            sys.settrace(tracer)
        t += square(i)
    sys.settrace(None)
    return t

print(switch_on(4))
for event in events:
    print(event)
""", tmp_path)
    assert run.stats["inlined_calls"] >= 5 + 4 + 2, run.stats


def test_recursion_limit_edge(tmp_path):
    run = compare(LEAVES + """
def down(n):
    if n == 0:
        return square(3)
    return down(n - 1)

def probe(limit):
    sys.setrecursionlimit(limit)
    try:
        down(40)
        return "ok"
    except RecursionError as error:
        return f"RecursionError: {error}"
    finally:
        sys.setrecursionlimit(1000)

print(down(5))
print([probe(limit) for limit in range(38, 50)])
""", tmp_path)
    assert run.stats["inlined_calls"] >= 1 and run.deopts("RAISE") >= 1, run.stats


def test_argument_refcounts_unchanged(tmp_path):
    run = compare("""
import sys

def add(a, b):
    return a + b

def loop(x, y, n):
    t = 0.0
    for _ in range(n):
        t = add(x, y)
    return t

x, y = 1.25, 2.5
before = sys.getrefcount(x), sys.getrefcount(y)
print(loop(x, y, 100))
print(before == (sys.getrefcount(x), sys.getrefcount(y)))
big = 10 ** 12
b0 = sys.getrefcount(big)
print(loop(big, big, 10), b0 == sys.getrefcount(big))
""", tmp_path)
    assert run.stats["inlined_calls"] >= 100, run.stats


def test_leaves_with_branches(tmp_path):
    run = compare("""
import sys
import traceback

def clamp(x, low, high):
    if x < low:
        return low
    if x > high:
        return high
    return x

def fold(x):
    if x < 0.0:
        return -1.5 * x
    return x * 2.0

def pick(a, b):
    if a == b:
        r = a * 3
    else:
        r = b - a
    return r

def loop(n):
    t = 0
    f = 0.0
    p = 0
    for i in range(n):
        t += clamp(i, 10, 50)
        f += fold(i - 20.5) * 0.5
        p += pick(i % 3, 1)
    return t, f, p

for _ in range(3):
    print(loop(100))
print(clamp(2.5, 1, 3), clamp("b", "a", "c"), fold(-2), pick(1.5, 1.5))
try:
    pick(None, 1)
except TypeError:
    traceback.print_exc(file=sys.stdout)
print(loop(10 ** 4)[0], clamp(2 ** 70, 0, 2 ** 80))
""", tmp_path, functions=["loop"])
    text = _inlined(run, "loop")
    for callee in ("clamp", "fold", "pick"):
        assert f"inlined {callee}" in text, text
    assert "INLINE_RETURN_RAW" in text, text  # fold's float result feeds a float multiply
    assert run.stats["inlined_calls"] >= 3 * 300, run.stats


def test_keywords_and_defaults(tmp_path):
    run = compare("""
def scale(x, factor=3):
    return x * factor

def mix(a, b=2.0, c=0.5):
    return a * b + c

def loop(n, rebind):
    t = 0
    f = 0.0
    for i in range(n):
        t += scale(i) + scale(i, factor=5) + scale(x=i, factor=2) + scale(factor=4, x=i)
        f += mix(i * 0.5) + mix(0.25, c=1.0) + mix(i, 3)
        if rebind and i == n // 2:
            scale.__defaults__ = (7,)
            mix.__defaults__ = (1, 2)
    return t, f

for rebind in (False, False, True, False):
    print(loop(60, rebind))
    scale.__defaults__ = (3,)
    mix.__defaults__ = (2.0, 0.5)
""", tmp_path, functions=["loop"])
    text = _inlined(run, "loop")
    assert "CALL_INLINED_DEFAULTS" in run.function("loop")["specialized"], text
    assert "inlined scale" in text and "inlined mix" in text, text
    assert run.stats["inlined_calls"] >= 2 * 60 * 5, run.stats  # (the keywords out of order are not)


def test_guards_that_keep_failing_make_the_site_generic(tmp_path):
    run = compare(LEAVES + """
def weighted(v, n):
    return sum(entry(1, j) * v[j] for j in range(n))

def squares(xs):
    t = []
    for x in xs:
        t.append(square(x))
    return t

floats, ints = [0.5] * 8, list(range(8))
print(weighted(floats, 8))
for _ in range(100):   # the speculated float multiply meets ints: exits, then generic
    r = weighted(ints, 8)
print(r, weighted(floats, 8))
print(squares([1, 2]))
for _ in range(100):   # the body's int guard meets floats: exits, then a real call
    r = squares([1.5, 2.5])
print(r, squares([3, 4]))
""", tmp_path, functions=["squares"])
    assert run.function("squares")["recompiles"] >= 1, run.function("squares")
    assert not INLINED_CALLS & set(run.function("squares")["specialized"]), run.function("squares")["text"]
    assert run.stats["recompiles"] >= 2, run.stats


def test_raw_arguments(tmp_path):
    # Arguments made by raw arithmetic go into the body raw, and it reads them raw; an
    # exit inside (a zero divisor, an int overflow) boxes them back on the caller's stack,
    # and the interpreter makes the real call with them.
    run = compare(LEAVES + """
def column(i, n):
    t = 0.0
    for j in range(n):
        t += entry(i - 1, j * 2)
    return t

def scaled(n, k):
    out = 0.0
    for i in range(n):
        out += scale(i * 0.25, k + 0.5)
    return out

def growing(n):
    out = []
    x = 3
    for _ in range(n):
        out.append(square(x + 1))
        x = x * x if x < 10 ** 30 else 3
    return out

for _ in range(3):
    print(column(3, 20), scaled(40, 1.5), growing(12))
try:
    column(0, 5)   # entry(-1, 0) divides by zero
except ZeroDivisionError:
    traceback.print_exc(file=sys.stdout)
print(column(5, 10), scaled(3, 1e308), scaled(3, 2))
""", tmp_path, functions=["column", "scaled", "growing"])
    assert_native(run, "column", "scaled", "growing")
    for caller in ("column", "scaled", "growing"):
        text = _inlined(run, caller, "CALL_INLINED_RAW_ARGUMENTS")
        assert "its arguments raw" in text, text
    # the arguments come raw from the caller's arithmetic: nothing unboxes them at the call
    specialized = run.function("scaled")["specialized"]
    assert "UNBOX_FLOAT" not in specialized and "BINARY_OP_ADD_FLOAT_RAW" in " ".join(specialized), specialized
    assert "ZeroDivisionError" in run.stdout and "in entry" in run.stdout
    assert run.stats["inlined_calls"] >= 3 * (20 + 40), run.stats


def test_raw_argument_of_another_kind_makes_a_real_call(tmp_path):
    # square's argument is unboxed as it is pushed (an int, as seen): a float fails that
    # guard, the interpreter makes the call; a guard that keeps failing makes the call a
    # plain one at the next compile.
    run = compare(LEAVES + """
def squares(xs):
    t = []
    for x in xs:
        t.append(square(x))
    return t

for _ in range(3):
    print(squares([1, 2, -3]))
print(squares([1, 2.5, 2 ** 70, True]))
for _ in range(100):
    r = squares([1.5, 2.5])
print(r, squares([3, 4]))
""", tmp_path, functions=["squares"])
    assert run.function("squares")["recompiles"] >= 1, run.function("squares")
    assert not INLINED_CALLS & set(run.function("squares")["specialized"]), run.function("squares")["text"]
    assert run.stats["inlined_calls"] >= 9, run.stats


def test_run_once_loop_learns_the_arguments_type_before_inlining(tmp_path):
    # main runs once; nothing tells x's type when it is compiled.  A guessed int would fail
    # at the first item and leave all the rest of the loop to the interpreter: the first
    # compile makes f's call a plain one (native), and the hot loop compiles main again once
    # f has been compiled for floats, inlining it for them, and goes on there (on-stack
    # replacement) with no exit to the interpreter.
    run = compare("""
def f(x, y):
    return x * y + 1.0

def main(data):
    t = 0.0
    for x in data:
        t += f(x, 2.0)
    return t

print(main([float(i % 100) for i in range(20000)]))
""", tmp_path, functions=["main"])
    text = _inlined(run, "main", "CALL_INLINED_RAW_ARGUMENTS")
    assert "inlined f (float, float)" in text, text
    assert run.function("main")["exits"] == 1 and run.deopts("LOOP_HOT") == 1, run.stats
    assert run.stats["on_stack_replacements"] == 1, run.stats
    assert run.stats["inlined_calls"] >= 20000 - 2 * 4096, run.stats


def test_builtins_and_modules_passed_to_an_inlined_callee(tmp_path):
    """A builtin (`str`, `math.sqrt`) or a module passed to a small function is not an
    argument type the callee is compiled for: the caller still compiles (found with
    typing.cast(str, x) in coverage.py) and the results are stock's."""
    run = compare("""
import math
from typing import cast

def first(kind, value):
    return value

def apply(fn, value):
    return fn(value)

def caller(xs):
    out = []
    for x in xs:
        out.append(cast(str, x))
        out.append(first(math, x))
        out.append(apply(len, x))
        out.append(apply(math.sqrt, len(x)))
    return out

for _ in range(3):
    print(caller(["a", "bb", "ccc"]))
""", tmp_path, functions=["caller"])
    assert_native(run, "caller")  # (and run_accel checks that the compiler raised nothing)
