"""Differential tests: exceptions raised in native code.  The interpreter takes over at the
faulting instruction, so handlers, finally blocks, tracebacks (lines and carets), messages
(with their "Did you mean" suggestions) and exit codes must be those of stock CPython."""
import pytest

from differential import run_accel, assert_native, compare

# One function per kind of error, each raising from native code; `main` calls them all.
ERRORS = {
    "ZeroDivisionError": """
def work(a, b):
    x = a * 2.0
    y = b - b
    return x / y
""",
    "NameError": """
def work(a, b):
    total = a + b
    return total + undefined_global_thing
""",
    "UnboundLocalError": """
def work(a, b):
    if a > b:
        late = 1
    return a + late
""",
    "AttributeError": """
class Point:
    def __init__(self):
        self.horizontal = 1

def work(a, b):
    p = Point()
    return p.horizontl + a
""",
    "IndexError": """
def work(a, b):
    xs = list(range(a))
    return xs[a + b]
""",
    "KeyError": """
def work(a, b):
    d = dict(a=a)
    return d["b"]
""",
    "TypeError": """
def helper(x, y):
    return x + y

def work(a, b):
    return helper(a, b, a)
""",
}
ARGS = {"ZeroDivisionError": "1.0, 2.0"}


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_error_caught_traceback_identical(kind, tmp_path):
    """The error raised in native code, caught by the compiled caller: same message, same
    traceback entries (lines and carets) as formatted by the program."""
    run = compare(ERRORS[kind] + f"""
import traceback

def catcher(n):
    caught = 0
    for i in range(n):
        try:
            work({ARGS.get(kind, "1, 2")})
        except {kind} as error:
            caught = caught + 1
            last = error
    return caught, last

count, error = catcher(3)
print(count, type(error).__name__, error)
print("".join(traceback.format_exception(error)))
""", tmp_path, functions=["work", "catcher"])
    assert f"{kind}:" in run.stdout
    assert_native(run, "work", "catcher")


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_error_uncaught_traceback_identical(kind, tmp_path):
    """The error raised in native code, uncaught: the same traceback on stderr (suggestions
    included), exit code 1."""
    run = compare(ERRORS[kind] + f"""
def outer(n):
    total = 0
    for i in range(n):
        total = total + 1
    work({ARGS.get(kind, "1, 2")})
    return total

print("start")
outer(3)
print("not reached")
""", tmp_path, functions=["work", "outer"])
    assert run.returncode == 1
    assert f"{kind}:" in run.stderr
    assert_native(run, "work", "outer")


def test_try_except_finally_in_compiled_code(tmp_path):
    run = compare("""
log = []

def guarded(a, b):
    result = 0.0
    try:
        result = a / b
        log.append("no error")
    except ZeroDivisionError as error:
        log.append(f"caught {error}")
        result = -1.0
    else:
        log.append("else")
    finally:
        log.append("finally")
    return result

def finally_runs_on_return(x):
    try:
        if x > 0:
            return "positive"
        return x + "str"
    finally:
        log.append(f"finally {x}")

def reraise(x):
    try:
        return 10 // x
    except ZeroDivisionError:
        log.append("reraising")
        raise

def nested(x):
    try:
        try:
            return [1, 2][x]
        except IndexError:
            return {"a": 1}[x]
    except KeyError as error:
        return f"KeyError {error!r}"

print(guarded(1.0, 2.0), guarded(1.0, 0.0), guarded(3, 0), guarded(1.0, 4.0))
print(finally_runs_on_return(1))
try:
    finally_runs_on_return(-1)
except TypeError as error:
    print("TypeError", error)
try:
    reraise(0)
except ZeroDivisionError as error:
    print("reraised", error)
print(reraise(3), nested(0), nested(5), nested(-1))
print(log)
""", tmp_path, functions=["guarded", "finally_runs_on_return", "reraise", "nested"])
    assert_native(run, "guarded", "finally_runs_on_return", "reraise", "nested")


def test_raise_in_callee_and_loop_caught_outside(tmp_path):
    run = compare("""
import traceback

class Stop(Exception):
    pass

def check(i):
    if i == 7:
        raise Stop(f"stopped at {i}")
    return i * 2

def loop(n):
    total = 0
    for i in range(n):
        total = total + check(i)
    return total

def loop_float(values):
    total = 0.0
    for v in values:
        total = total + 1.0 / v
    return total

def caller():
    try:
        return loop(100)
    except Stop as error:
        return f"caller caught: {error}"

print(caller())
try:
    loop(20)
except Stop:
    traceback.print_exc(file=__import__("sys").stdout)
try:
    loop_float([1.0, 2.0, 0.0, 4.0])
except ZeroDivisionError:
    traceback.print_exc(file=__import__("sys").stdout)
# the loop still works afterwards
print(loop(5), loop_float([1.0, 2.0]))
""", tmp_path, functions=["check", "loop", "loop_float", "caller"])
    assert_native(run, "check", "loop", "loop_float", "caller")


def test_exception_chaining_and_context(tmp_path):
    run = compare("""
import traceback

def convert(x):
    try:
        return int(x)
    except ValueError:
        raise TypeError(f"bad {x!r}")

def convert_from(x):
    try:
        return int(x)
    except ValueError as error:
        raise LookupError("wrapped") from error

def suppressed(x):
    try:
        return 1 / x
    except ZeroDivisionError:
        raise KeyError(x) from None

for fn in (convert, convert_from, suppressed):
    try:
        fn("abc" if fn is not suppressed else 0)
    except Exception as error:
        print("".join(traceback.format_exception(error)))
""", tmp_path, functions=["convert", "convert_from", "suppressed"])
    assert "During handling of the above exception" in run.stdout
    assert "The above exception was the direct cause" in run.stdout
    assert_native(run, "convert", "convert_from", "suppressed")


def test_exceptions_from_iterators_in_compiled_loops(tmp_path):
    run = compare("""
import traceback

def gen(n):
    for i in range(n):
        if i == 3:
            raise ValueError("generator failed at 3")
        yield i

class Broken:
    def __init__(self):
        self.i = 0
    def __iter__(self):
        return self
    def __next__(self):
        self.i += 1
        if self.i > 2:
            raise RuntimeError("iterator broke")
        return self.i

class NotIterable:
    pass

def consume(it):
    total = 0
    for x in it:
        total = total + x
    return total

for source in (gen(10), Broken(), NotIterable(), iter([1, 2, 3])):
    try:
        print(consume(source))
    except Exception:
        traceback.print_exc(file=__import__("sys").stdout)
""", tmp_path, functions=["consume"])
    assert run.stdout.count("Traceback") == 3
    assert_native(run, "consume")


def test_sys_exit_and_system_exit_from_compiled_code(tmp_path):
    run = compare("""
import sys

def finish(n):
    total = 0
    for i in range(n):
        total = total + i
    if total > 10:
        sys.exit(total % 256)
    return total

print(finish(3))
finish(100)
print("not reached")
""", tmp_path, functions=["finish"])
    assert run.returncode == (sum(range(100)) % 256)
    assert_native(run, "finish")


def test_signal_handler_exception_interrupts_native_loop(tmp_path):
    """A signal arrives while a compiled loop runs: its handler's exception is raised at
    the loop's backward jump, as stock CPython raises it."""
    run = compare("""
import signal
import traceback

class Alarm(Exception):
    pass

def handler(signum, frame):
    raise Alarm("alarm")

def spin(limit):
    n = 0
    while n != limit:
        n += 1
    return n

print(spin(10))      # compiled now, before the timer runs
signal.signal(signal.SIGALRM, handler)
signal.setitimer(signal.ITIMER_REAL, 0.05)
try:
    spin(-1)
except Alarm as error:
    tb = traceback.extract_tb(error.__traceback__)
    print("caught", error, [(frame.name, frame.lineno) for frame in tb])
""", tmp_path, functions=["spin"])
    assert "caught alarm" in run.stdout
    assert_native(run, "spin")
    assert run.deopts("EVAL_BREAKER") >= 1, run.stats


def test_signal_tripped_during_a_call_is_handled_as_it_returns(tmp_path):
    """A signal that arrives while compiled code calls a C function has its handler run as
    the call returns, before the next instruction, as 3.11's CALL and CALL_FUNCTION_EX do
    (test_signal's test_setitimer_tiny); the handler sees the caller on the call, and its
    exception is raised there.  _thread.interrupt_main(signum) trips the signal without
    delivering one, so that nothing handles it inside the call."""
    run = compare("""
import _thread
import signal
import traceback

class Alarm(Exception):
    pass

seen = []
def handler(signum, frame):
    seen.append((frame.f_code.co_name, frame.f_lineno, frame.f_lasti))
    if signum == signal.SIGUSR2:
        raise Alarm("alarm")

trip = _thread.interrupt_main

def plain():
    trip(signal.SIGUSR1); handled = len(seen)
    return handled

def star(args):
    trip(*args); handled = len(seen)
    return handled

def raising():
    try:
        trip(signal.SIGUSR2); print("not reached")
    except Alarm as error:
        return [(frame.name, frame.lineno) for frame in traceback.extract_tb(error.__traceback__)]

signal.signal(signal.SIGUSR1, handler)
signal.signal(signal.SIGUSR2, handler)
print(plain(), star((signal.SIGUSR1,)), raising())
print(seen)
""", tmp_path, functions=["plain", "star", "raising"])
    assert run.stdout.startswith("1 2 [('raising'"), run.stdout
    assert_native(run, "plain", "star", "raising")


def test_recursion_error_depth_identical(tmp_path):
    run = compare("""
import sys

def down(n):
    return down(n + 1) + 1

def depth(n):
    try:
        return down_count(n)
    except RecursionError:
        return "recursion error"

def down_count(n):
    return down_count(n + 1)

reached = [0]
def probe(n):
    reached[0] = n
    probe(n + 1)

try:
    probe(0)
except RecursionError as error:
    print("RecursionError", error, reached[0])
print(depth(0))
sys.setrecursionlimit(200)
try:
    probe(0)
except RecursionError as error:
    print("RecursionError", error, reached[0])
""", tmp_path, functions=["probe", "down_count"])
    assert "maximum recursion depth exceeded" in run.stdout
    assert_native(run, "probe", "down_count")


def test_deep_recursion_with_raised_limit(tmp_path):
    """Stock 3.11 runs Python-to-Python calls without growing the C stack; with any PEP 523
    hook each call nests on the C stack.  A program that raises the recursion limit and
    recurses deeper than the C stack allows gets a clear RecursionError from accel, never a
    crash; one that stays within it runs as under stock."""
    program = tmp_path / "deep.py"
    program.write_text("""
import sys

def depth(n):
    if n == 0:
        return 0
    return depth(n - 1) + 1

sys.setrecursionlimit(200000)
print(depth(3000))
try:
    print(depth(150000))
except RecursionError as error:
    print("RecursionError:", error)
""")
    run = run_accel(program)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "3000"
    assert lines[1].startswith("RecursionError: maximum recursion depth exceeded"), run.stdout
    assert run.stats["native_entries"] > 0


def test_exits_from_pure_loops_restore_locals(tmp_path):
    """Loops whose locals native code keeps unboxed: an exception, an int overflow and a
    signal handler must all see the locals' true values (boxed back), as stock shows them."""
    run = compare("""
import signal
import sys
import traceback

def pure_div(n, x):
    acc = 0.0
    d = 3.0
    k = 0
    for i in range(n):
        d = d - 1.0
        acc = acc + x / d
        k = k + 2
    return acc

try:
    pure_div(10, 1.5)
except ZeroDivisionError:
    tb = sys.exc_info()[2]
    while tb.tb_next:
        tb = tb.tb_next
    print(sorted(tb.tb_frame.f_locals.items()))
    traceback.print_exc(file=sys.stdout)

def overflow(n):
    k = 3
    for i in range(n):
        k = k * k
    return k

print(overflow(8), overflow(3))

def spin(limit):
    k = 0
    f = 0.5
    while k < limit:
        k = k + 1
        f = f * 1.0
    return k

print(spin(10))      # compiled now, before the timer runs

class Stop(Exception):
    pass

seen = []
def handler(signum, frame):
    seen.append(sorted((name, type(value).__name__) for name, value in frame.f_locals.items()))
    raise Stop

signal.signal(signal.SIGALRM, handler)
signal.setitimer(signal.ITIMER_REAL, 0.05)
try:
    spin(10 ** 15)
except Stop:
    print(seen)

def maybe(n):
    for i in range(n):
        last = i * 2
    return last

print(maybe(3))
try:
    maybe(0)
except UnboundLocalError as error:
    print("UnboundLocalError", error)
""", tmp_path, functions=["pure_div", "overflow", "spin", "maybe"])
    assert "ZeroDivisionError" in run.stdout and "UnboundLocalError" in run.stdout
    assert_native(run, "pure_div", "overflow", "spin", "maybe")


def test_signal_handler_exception_during_compilation_is_not_lost(tmp_path):
    """A signal whose handler raises arrives while accel compiles the function being called
    (compilation runs Python code): the exception must reach the program, as it does under
    stock CPython (where it is raised in the function's loop), not be swallowed."""
    run = compare("""
import signal
import time

class Alarm(Exception):
    pass

def handler(signum, frame):
    raise Alarm("alarm")

def busy(seconds):
    deadline = time.monotonic() + seconds
    a = 0.0
    b = 1
    while time.monotonic() < deadline:
        a = a * 0.5 + 1.0
        b = b * 3 % 1000003
        a = a + b if a < 10.0 else a - b
        b = b + 1 if b < 500000 else b - 1
    return "no alarm"

signal.signal(signal.SIGALRM, handler)
signal.setitimer(signal.ITIMER_REAL, 0.001)
try:
    print(busy(1.0))
except Alarm as error:
    print("caught", error)
""", tmp_path)
    assert run.stdout == "caught alarm\n"
