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
    assert run.deopts("EVAL_BREAKER_LOOP") >= 1, run.stats


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


# Re-raising (RERAISE, a bare `raise`), `with` blocks left by an exception and except*
# run natively: the functions below must show no exit at all, and everything the
# program can see (results, sys.exc_info(), tracebacks with lines and carets, tb_lasti,
# f_lineno of finished frames, __context__ and __cause__) must be stock CPython's.
REPORT = """
import sys, traceback

def report(fn, *args):
    try:
        result = fn(*args)
    except BaseException as error:
        print(fn.__name__, args, "raised", type(error).__name__, error)
        print(traceback.format_exc(), end="")
        tb = error.__traceback__
        while tb is not None:
            print("   entry", tb.tb_frame.f_code.co_name, tb.tb_lineno, tb.tb_lasti, tb.tb_frame.f_lineno)
            tb = tb.tb_next
        print("   context", repr(error.__context__), "cause", repr(error.__cause__), error.__suppress_context__)
    else:
        print(fn.__name__, args, "returned", repr(result))
    print("   exc_info after", sys.exc_info())

def seen():
    return sys.exc_info()[1]
"""


def assert_no_exits(run, *names, compiled=()):
    """Native code ran for each function, and never handed it to the interpreter; the first
    function's native code has the stencils `compiled` names (as instructions or steps)."""
    assert_native(run, *names)
    for name in names:
        facts = run.function(name)
        assert facts["exits"] == 0, (name, facts["site_exits"], facts["text"])
    first = run.function(names[0])
    for stencil in compiled:
        assert stencil in first["specialized"] or f"→ {stencil}" in first["text"], (stencil, first["text"])


def test_finally_with_return_break_continue_and_nesting(tmp_path):
    run = compare(REPORT + """
log = []

def fin(x):
    try:
        log.append(("body", seen()))
        if x == 0:
            raise ValueError("zero")
        return 10 // x
    finally:
        log.append(("finally", seen()))

def loop(n, bad):
    out = []
    for i in range(n):
        try:
            if i == 1:
                continue
            if i == bad:
                raise KeyError(i)
            if i == 4:
                break
            out.append(i)
        finally:
            out.append(-i)
            log.append(("loop finally", seen()))
    return out

def return_in_finally(x):
    try:
        raise ValueError(x)
    finally:
        return "swallowed"

def nested(x):
    try:
        try:
            try:
                {}[x]
            finally:
                log.append(("inner", seen()))
        finally:
            log.append(("middle", seen()))
            if x == 2:
                raise TypeError("from middle finally")
    finally:
        log.append(("outer", seen()))

def raise_in_finally(x):
    try:
        [][x]
    finally:
        raise RuntimeError("in finally")

def caller(x):
    try:
        return nested(x)
    finally:
        log.append(("caller", seen()))

for fn, args in [(fin, (0,)), (fin, (5,)), (loop, (6, 9)), (loop, (6, 2)), (return_in_finally, (1,)),
                 (nested, (1,)), (nested, (2,)), (raise_in_finally, (3,)), (caller, (1,))]:
    for _ in range(2):
        report(fn, *args)
    print(log)
    log.clear()
""", tmp_path, functions=["fin", "loop", "return_in_finally", "nested", "raise_in_finally", "caller"])
    assert "RuntimeError: in finally" in run.stdout and "During handling" in run.stdout
    assert_no_exits(run, "nested", "fin", "loop", "return_in_finally", "raise_in_finally", "caller",
                    compiled=("RERAISE", "UNWIND_RERAISED"))


def test_reraise_from_except_and_bare_raise(tmp_path):
    run = compare(REPORT + """
log = []

def lookup(d, k):
    return d[k]

def unmatched(x):
    try:
        lookup({}, x)
    except TypeError:
        log.append("not this one")

def bare(x):
    try:
        lookup({}, x)
    except KeyError as error:
        log.append(("handling", seen() is error))
        raise

def bare_later(x):
    try:
        lookup({}, x)
    except KeyError:
        log.append("first")
        try:
            1 / 0
        except ZeroDivisionError:
            log.append(("inner", repr(seen())))
        log.append(("back to", repr(seen())))
        raise

def bare_in_nested_try(x):
    try:
        try:
            lookup({}, x)
        except KeyError:
            raise
    except KeyError as error:
        return ("caught again", repr(error), error.__traceback__.tb_lineno)

def bare_from_helper():
    raise

def helper_reraises(x):
    try:
        lookup([], x)
    except IndexError:
        bare_from_helper()

def nothing_to_reraise():
    raise

def reraise_other(x):
    try:
        lookup({}, x)
    except KeyError as error:
        raise ValueError("other") from error

for fn, args in [(unmatched, (1,)), (bare, (2,)), (bare_later, (3,)), (bare_in_nested_try, (4,)),
                 (helper_reraises, (5,)), (nothing_to_reraise, ()), (reraise_other, (6,))]:
    for _ in range(2):
        report(fn, *args)
    print(log)
    log.clear()
""", tmp_path, functions=["unmatched", "bare", "bare_later", "bare_in_nested_try", "helper_reraises",
                          "bare_from_helper", "reraise_other"])
    assert "No active exception to reraise" in run.stdout
    assert_no_exits(run, "bare_in_nested_try", "unmatched", "bare", "bare_later", "helper_reraises",
                    "bare_from_helper", "reraise_other", compiled=("RAISE_VARARGS", "UNWIND_RERAISED"))


def test_with_blocks_left_by_exceptions(tmp_path):
    run = compare(REPORT + """
import contextlib
log = []

class Manager:
    def __init__(self, suppress):
        self.suppress = suppress
    def __enter__(self):
        return self
    def __exit__(self, kind, value, tb):
        log.append((kind, value, tb.tb_lineno if tb else None, repr(seen())))
        return self.suppress

class Truthy:
    def __repr__(self):
        return "Truthy()"
    def __bool__(self):
        log.append("bool asked")
        return True

class BadTruth:
    def __repr__(self):
        return "BadTruth()"
    def __bool__(self):
        raise ArithmeticError("no truth")

class Raising:
    def __enter__(self):
        return 1
    def __exit__(self, *exc):
        raise LookupError("from __exit__")

def body(x):
    return [][x]

def with_block(suppress, x):
    with Manager(suppress) as m:
        body(x)
    return "after the block", repr(seen())

def nested_withs(x):
    with Manager(False):
        with Manager(x == 1):
            body(x)
        return "inner suppressed"

def with_in_try(suppress, x):
    try:
        with Manager(suppress):
            body(x)
    except IndexError as error:
        return "caught", repr(error), repr(seen())
    finally:
        log.append(("finally", repr(seen())))

def exit_raises(x):
    with Raising():
        body(x)

def contextlib_forms(x):
    with contextlib.suppress(IndexError):
        body(x)
    with contextlib.ExitStack() as stack:
        stack.callback(log.append, "callback")
        body(x)

@contextlib.contextmanager
def managed(tag):
    log.append(("enter", tag))
    try:
        yield tag
    except IndexError:
        log.append(("generator saw", tag))
        if tag == "reraise":
            raise
    finally:
        log.append(("exit", tag))

def generator_manager(tag, x):
    with managed(tag) as t:
        body(x)
    return t

for fn, args in [(with_block, (True, 1)), (with_block, (False, 1)), (with_block, (Truthy(), 1)),
                 (with_block, (BadTruth(), 1)), (with_block, (0, 1)), (nested_withs, (1,)), (nested_withs, (2,)),
                 (with_in_try, (True, 1)), (with_in_try, (False, 1)), (exit_raises, (1,)),
                 (contextlib_forms, (1,)), (generator_manager, ("swallow", 1)), (generator_manager, ("reraise", 1))]:
    for _ in range(2):
        report(fn, *args)
    print(log)
    log.clear()
""", tmp_path, functions=["with_block", "nested_withs", "with_in_try", "exit_raises", "contextlib_forms",
                          "generator_manager", "managed"])
    assert "ArithmeticError: no truth" in run.stdout and "LookupError: from __exit__" in run.stdout
    assert_no_exits(run, "with_block", "nested_withs", "with_in_try", "exit_raises", "contextlib_forms",
                    "generator_manager", compiled=("WITH_EXCEPT_START", "RERAISE", "UNWIND_RERAISED"))


def test_except_star(tmp_path):
    run = compare(REPORT + """
log = []

def group(*excs, message="eg"):
    return ExceptionGroup(message, list(excs))

def handle(make):
    try:
        raise make()
    except* ValueError as e:
        log.append(("ValueError", repr(e), repr(seen())))
    except* (TypeError, KeyError) as e:
        log.append(("TypeError/KeyError", repr(e)))
    return "handled"

def reraise_some(make):
    try:
        raise make()
    except* ValueError:
        log.append("reraising ValueError")
        raise
    except* TypeError as e:
        log.append(("swallowed", repr(e)))

def raise_new(make):
    try:
        raise make()
    except* ValueError as e:
        raise RuntimeError("replaced") from e
    except* TypeError:
        raise KeyError("new")

def nested_star(make):
    try:
        try:
            raise make()
        except* ValueError:
            raise
    except* Exception as e:
        log.append(("outer", repr(e), [type(x).__name__ for x in e.exceptions]))
    return "outer handled"

def invalid(make):
    try:
        raise make()
    except* ExceptionGroup:
        pass

class Notes(ExceptionGroup):
    def derive(self, excs):
        log.append(("derive", len(excs)))
        return Notes(self.message, excs)

def notes_and_derive():
    eg = Notes("noted", [ValueError(1), TypeError(2), ExceptionGroup("inner", [ValueError(3), OSError(4)])])
    eg.add_note("a note")
    try:
        raise eg
    except* ValueError:
        raise
    except* TypeError:
        pass

class Case:
    def __init__(self, name, make):
        self.name, self.make = name, make
    def __call__(self):
        return self.make()
    def __repr__(self):
        return self.name

CASES = [
    Case("naked", lambda: ValueError("naked")),
    Case("naked unmatched", lambda: OSError("naked, unmatched")),
    Case("one", lambda: group(ValueError(1))),
    Case("three", lambda: group(ValueError(1), TypeError(2), KeyError(3))),
    Case("unmatched", lambda: group(OSError(1))),
    Case("nested", lambda: group(group(ValueError(1), OSError(2), message="inner"), TypeError(3))),
    Case("base", lambda: BaseExceptionGroup("base", [KeyboardInterrupt(), ValueError(5)])),
]
for fn in (handle, reraise_some, raise_new, nested_star, invalid):
    for make in CASES:
        report(fn, make)
        print(log)
        log.clear()
report(notes_and_derive)
print(log)
""", tmp_path, functions=["handle", "reraise_some", "raise_new", "nested_star", "invalid", "notes_and_derive"])
    assert "catching ExceptionGroup with except* is not allowed" in run.stdout
    assert_no_exits(run, "reraise_some", "handle", "raise_new", "nested_star", "invalid", "notes_and_derive",
                    compiled=("CHECK_EG_MATCH", "PREP_RERAISE_STAR", "RAISE_VARARGS", "UNWIND_RERAISED"))


def test_exception_state_and_chaining_through_handlers(tmp_path):
    """sys.exc_info() at every point of nested handlers, and __context__/__cause__ of what
    they raise, with the traceback entries of every frame (tb_lasti, tb_lineno, f_lineno)."""
    run = compare(REPORT + """
states = []

def note(where):
    states.append((where, repr(seen())))

def layered(x):
    note("start")
    try:
        note("try")
        try:
            raise ValueError(x)
        except ValueError:
            note("except ValueError")
            try:
                raise TypeError("while handling")
            except TypeError:
                note("except TypeError")
            note("after inner")
            try:
                raise KeyError("context")
            finally:
                note("finally with KeyError")
        finally:
            note("outer finally")
    except KeyError as error:
        note("caught KeyError")
        chain = []
        e = error
        while e is not None:
            chain.append(repr(e))
            e = e.__context__
        return chain
    finally:
        note("last finally")

def generator(n):
    try:
        for i in range(n):
            try:
                yield i
            finally:
                note(f"generator finally {i}")
        raise LookupError("generator ends")
    finally:
        note("generator outer finally")

def drain(n):
    out = []
    try:
        for value in generator(n):
            out.append(value)
    except LookupError as error:
        out.append(repr(error))
    return out

report(layered, 1)
report(layered, 2)
report(drain, 3)
for s in states:
    print(s)
""", tmp_path, functions=["layered", "note", "drain", "generator"])
    assert_no_exits(run, "layered", "drain", "generator")


def test_reraise_with_tracing_switched_on_in_a_handler(tmp_path):
    """A trace function set in a `finally` block or an __exit__: the rest of the frame, the
    re-raise included, runs where the interpreter reports its events."""
    run = compare("""
import sys

events = []

def tracer(frame, event, arg):
    if frame.f_code.co_name in ("fin", "with_exit"):
        events.append((frame.f_code.co_name, event, frame.f_lineno,
                       arg[0].__name__ if event == "exception" else None))
    return tracer

def start():
    sys._getframe(1).f_trace = tracer
    sys.settrace(tracer)

class Manager:
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        start()
        return False

def fin(x):
    try:
        raise ValueError(x)
    finally:
        start()
        x = x + 1

def with_exit(x):
    with Manager():
        raise KeyError(x)

for fn in (fin, with_exit):
    try:
        fn(1)
    except Exception as error:
        sys.settrace(None)
        print(type(error).__name__, error, error.__traceback__.tb_next.tb_lineno)
for e in events:
    print(e)
""", tmp_path, functions=["fin", "with_exit"])
    assert "('fin', 'return'" in run.stdout
    assert_native(run, "fin", "with_exit")


def test_raising_through_handlers_leaks_nothing(tmp_path):
    """Exceptions raised, caught, re-raised through finally, with and except* many times:
    no reference to what they carry is kept, and nothing piles up."""
    run = compare(REPORT + """
import gc

class Payload:
    pass

payload = Payload()

class Manager:
    def __enter__(self):
        return self
    def __exit__(self, kind, value, tb):
        return kind is KeyError

def through_finally(p):
    try:
        raise ValueError(p)
    finally:
        p = None

def through_with(p, kind):
    with Manager():
        raise kind(p)
    return p

def through_star(p):
    try:
        raise ExceptionGroup("g", [ValueError(p), TypeError(p)])
    except* ValueError:
        raise
    except* TypeError:
        pass

def bare(p):
    try:
        {}[p]
    except KeyError:
        raise

def run(rounds):
    caught = 0
    for r in range(rounds):
        for fn, args in ((through_finally, (payload,)), (through_with, (payload, KeyError)),
                         (through_with, (payload, IndexError)), (through_star, (payload,)), (bare, (payload,))):
            try:
                fn(*args)
            except Exception:
                caught = caught + 1
    return caught

run(100)
gc.collect()
refs = sys.getrefcount(payload)
objects = len(gc.get_objects())
blocks = sys.getallocatedblocks()
print("caught", run(5000))
gc.collect()
print("payload delta", sys.getrefcount(payload) - refs)
print("gc objects bounded", len(gc.get_objects()) - objects < 200)
print("allocated blocks bounded", sys.getallocatedblocks() - blocks < 2000)
""", tmp_path, functions=["through_finally", "through_with", "through_star", "bare", "run"])
    assert "payload delta 0\n" in run.stdout
    assert "gc objects bounded True" in run.stdout and "allocated blocks bounded True" in run.stdout
    assert_no_exits(run, "through_finally", "through_with", "through_star", "bare", "run")


def test_signal_handler_sees_a_raw_loop_at_its_back_edge_and_the_loop_goes_on(tmp_path):
    """A handler that returns, run while a loop keeps its locals raw: it sees the frame at
    the loop's back edge (its line, its locals boxed), and the loop then goes on natively
    from there (deopt.c), to the same result as stock."""
    run = compare("""
import signal

seen = []
def handler(signum, frame):
    seen.append((frame.f_code.co_name, frame.f_lineno,
                 sorted((name, type(value).__name__) for name, value in frame.f_locals.items())))

def spin(limit):
    k = 0
    f = 0.5
    while k < limit:
        k = k + 1
        f = f * 1.0000001
    return k, round(f, 3)

print(spin(10))      # compiled now, before the timer runs
signal.signal(signal.SIGALRM, handler)
signal.setitimer(signal.ITIMER_REAL, 0.01)
print(spin(30_000_000))
signal.setitimer(signal.ITIMER_REAL, 0)
print(seen[:1])
""", tmp_path, functions=["spin"])
    assert "('spin', 12, [('f', 'float'), ('k', 'int'), ('limit', 'int')])" in run.stdout, run.stdout
    assert_native(run, "spin")
    assert run.stats["back_edge_entries"] >= 1 and run.deopts("EVAL_BREAKER_LOOP") >= 1, run.stats


def test_exception_above_unboxed_stack_values_is_handled_natively(tmp_path):
    """`total += d[key]` in a try block with `total` unboxed below the subscript: the
    unwinding pops the raw value without releasing it (it is no object) and the handler
    runs natively, so the loop does not go to the interpreter at its first KeyError.
    Results and the tracebacks the handlers see are stock's."""
    run = compare("""
import traceback

def ints(data, d):
    total = 0
    for x in data:
        try:
            total += d[x]
        except KeyError:
            total -= 1
    return total

def floats(data, d):
    acc = 0.5
    for x in data:
        try:
            acc = acc * 0.5 + d[x]
        except KeyError:
            acc += 1.0
    return acc

def seen(data, d):
    lines = []
    total = 0
    for x in data:
        try:
            total += d[x] * 2
        except KeyError as error:
            lines.append((repr(error), traceback.format_exc().splitlines()[-3:]))
        finally:
            total += 1
    return total, lines[:2], len(lines)

d = {i: i for i in range(0, 100, 3)}
fd = {i: i * 0.25 for i in range(0, 100, 3)}
data = list(range(100)) * 5
for _ in range(3):
    print(ints(data, d), repr(floats(data, fd)), seen(data, d))
""", tmp_path, functions=["ints", "floats", "seen"])
    assert_no_exits(run, "ints", "floats", "seen")
    for name in ("ints", "floats"):
        assert any(s.endswith("_RAW") or "_RAW_" in s for s in run.function(name)["specialized"]), run.function(name)["text"]
