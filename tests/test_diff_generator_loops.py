"""Differential tests: a loop in a generator, a coroutine or an async generator that keeps
its locals raw and meets the eval breaker (another thread wants the GIL, a signal arrived)
leaves native code at its back edge, has the handlers run there (native/deopt.c), and goes
on natively within the same resumption, as a function's loop does; so does a resumption
that finds the breaker set at its RESUME.  Stats prove each such exit went on natively
(back_edge_entries, resumption_entries) and that nothing else left the generator's code;
handlers that raise, look at the running generator, or switch tracing on see what stock
CPython shows them."""
import pytest

from differential import assert_native, compare

# ACCEL_THRESHOLD: 0 compiles everything on its first call; 200 is the default, under
# which code with a loop (these generators) is compiled on its first call too.
THRESHOLDS = pytest.mark.parametrize("threshold", ["0", "200"])

# A generator whose rounds each run a loop of raw floats and ints between two yields.
CHUNKS = """
def chunks(n, rounds):
    for r in range(rounds):
        x = 0.5 + r
        i = 0
        while i < n:
            x = x * 0.999 + 1.5
            i += 1
        yield x
"""

# A periodic timer whose handler only counts: the eval breaker is set every 0.5 ms.
TICKS = """
import signal
ticks = [0]
def tick(signum, frame):
    ticks[0] += 1
signal.signal(signal.SIGALRM, tick)
"""


def went_on_natively(run, name: str, raised: int = 0) -> None:
    """Every exit of `name` was for the eval breaker (at least two), at a loop's back edge
    or at a RESUME after a yield, and each went on natively there but the `raised` ones
    (a handler raised at a back edge)."""
    info = run.function(name)
    exits = info["site_exits"]
    assert set(exits) <= {"EVAL_BREAKER_LOOP", "EVAL_BREAKER"}, info["text"]
    assert sum(exits.values()) >= 2, info["text"]
    assert run.stats["back_edge_entries"] == run.deopts("EVAL_BREAKER_LOOP") - raised, run.stats
    assert run.stats["resumption_entries"] >= exits.get("EVAL_BREAKER", 0), run.stats
    assert "and the back edges at offsets" in info["text"], info["text"]


@THRESHOLDS
def test_generator_loop_with_a_busy_thread_goes_on_natively(tmp_path, threshold):
    run = compare(CHUNKS + """
import sys
import threading

sys.setswitchinterval(1e-5)
stop = threading.Event()
spins = []
def busy():
    k = 0
    while not stop.is_set():
        k += 1
    spins.append(k > 0)

t = threading.Thread(target=busy)
t.start()
values = list(chunks(200_000, 20))
stop.set()
t.join()
print(values[0], values[-1], len(values))
print(values == list(chunks(200_000, 20)), spins)
""", tmp_path, env={"ACCEL_THRESHOLD": threshold}, functions=["chunks"])
    assert run.stdout.endswith("True [True]\n"), run.stdout
    assert_native(run, "chunks")
    info = run.function("chunks")
    went_on_natively(run, "chunks")
    # Each call, start and resumption is a native entry, and so is each going on.
    assert info["native_entries"] >= 2 * 22 + sum(info["site_exits"].values()), info["text"]


@THRESHOLDS
def test_generator_loop_under_a_periodic_signal_goes_on_natively(tmp_path, threshold):
    run = compare(CHUNKS + TICKS + """
signal.setitimer(signal.ITIMER_REAL, 0.0005, 0.0005)
total = sum(chunks(100_000, 40))
signal.setitimer(signal.ITIMER_REAL, 0)
print(total, ticks[0] > 1)
""", tmp_path, env={"ACCEL_THRESHOLD": threshold}, functions=["chunks"])
    assert run.stdout.endswith("True\n"), run.stdout
    assert_native(run, "chunks")
    went_on_natively(run, "chunks")


@THRESHOLDS
def test_coroutine_loops_under_a_periodic_signal_go_on_natively(tmp_path, threshold):
    run = compare(TICKS + """
import asyncio

async def crunch(seed, n, rounds):
    x = seed
    for r in range(rounds):
        i = 0
        while i < n:
            x = x * 0.999 + 1.5
            i += 1
        await asyncio.sleep(0)
    return x

async def main():
    return await asyncio.gather(*(crunch(0.5 * k, 100_000, 10) for k in range(4)))

signal.setitimer(signal.ITIMER_REAL, 0.0005, 0.0005)
results = asyncio.run(main())
signal.setitimer(signal.ITIMER_REAL, 0)
print(results, ticks[0] > 1)
""", tmp_path, env={"ACCEL_THRESHOLD": threshold}, functions=["crunch"])
    assert run.stdout.endswith("True\n"), run.stdout
    assert_native(run, "crunch")
    went_on_natively(run, "crunch")


@THRESHOLDS
def test_async_generator_loop_under_a_periodic_signal_goes_on_natively(tmp_path, threshold):
    run = compare(TICKS + """
async def walk(n, rounds):
    for r in range(rounds):
        x = 0.5 + r
        i = 0
        while i < n:
            x = x * 0.999 + 1.5
            i += 1
        yield x

async def consume():
    out = []
    async for value in walk(100_000, 30):
        out.append(value)
    return out

def drive(coroutine):
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("it awaited")

signal.setitimer(signal.ITIMER_REAL, 0.0005, 0.0005)
values = drive(consume())
signal.setitimer(signal.ITIMER_REAL, 0)
print(values[0], values[-1], len(values), ticks[0] > 1)
""", tmp_path, env={"ACCEL_THRESHOLD": threshold}, functions=["walk", "consume"])
    assert run.stdout.endswith(" 30 True\n"), run.stdout
    assert_native(run, "walk", "consume")
    went_on_natively(run, "walk")


@THRESHOLDS
def test_handler_raising_in_a_generator_loop(tmp_path, threshold):
    """The third signal after arming that finds a generator running has its handler raise:
    in the generator's loop, at its back edge, with stock's traceback; the first two went
    on natively.  A second generator
    catches the exception in its own body, yields, and goes on to another loop."""
    run = compare("""
import inspect
import signal
import traceback

class Tick(Exception):
    pass

in_generators = [0]
raise_at = [None]
def tick(signum, frame):
    in_generators[0] += frame.f_code in (spin.__code__, guarded.__code__)
    if in_generators[0] == raise_at[0]:
        raise_at[0] = None
        raise Tick(frame.f_code.co_name)

def arm():
    raise_at[0] = in_generators[0] + 3

def spin(seed):
    yield "started"
    x = seed
    while True:
        x = x * 0.999 + 1.5
    yield x

def guarded(seed):
    x = seed
    try:
        while True:
            x = x * 0.999 + 1.5
    except Tick as caught:
        yield "caught", caught.args[0]
    k = 0
    while k < 1000:
        k += 1
    yield "after", k

signal.signal(signal.SIGALRM, tick)
signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
g = spin(0.5)
print(next(g))
arm()
try:
    next(g)
except Tick:
    traceback.print_exc()
print(inspect.getgeneratorstate(g))
arm()
print(list(guarded(0.25)))
signal.setitimer(signal.ITIMER_REAL, 0)
""", tmp_path, env={"ACCEL_THRESHOLD": threshold}, functions=["spin", "guarded"])
    assert "GEN_CLOSED\n[('caught', 'guarded'), ('after', 1000)]\n" in run.stdout, run.stdout
    assert 'in spin\n    while True:\n' in run.stderr and "Tick: spin" in run.stderr, run.stderr
    assert_native(run, "spin", "guarded")
    went_on_natively(run, "spin", raised=2)
    went_on_natively(run, "guarded", raised=2)
    assert run.stats["back_edge_entries"] + run.stats["resumption_entries"] >= 4, run.stats


def test_handler_sees_the_running_generator_and_throw_and_close_work_later(tmp_path):
    """A handler run at the back edge of a generator's raw loop sees it running (gi_running,
    next() refused), its frame at the loop's line with its locals boxed; the loop goes on
    natively, and throw() and close() later find the generator as stock leaves it."""
    run = compare("""
def chunks(n, rounds):
    try:
        for r in range(rounds):
            x = 0.5 + r
            i = 0
            while i < n:
                x = x * 0.999 + 1.5
                i += 1
            yield x
    except ValueError as error:
        yield "thrown", str(error)
    finally:
        print("closing")

import signal

seen = set()
def look(signum, frame):
    if not g.gi_running:  # (a signal handled between two resumptions)
        return
    state = [g.gi_running, g.gi_frame.f_lineno,
             sorted((name, type(value).__name__) for name, value in g.gi_frame.f_locals.items())]
    try:
        next(g)
    except ValueError as refused:
        state.append(str(refused))
    seen.add(repr(state))

g = chunks(400_000, 30)
signal.signal(signal.SIGALRM, look)
signal.setitimer(signal.ITIMER_REAL, 0.0005, 0.0005)
first = [next(g) for _ in range(20)]
signal.setitimer(signal.ITIMER_REAL, 0)
print(first[-1])
print(sorted(seen))
print(g.throw(ValueError("stop")))
g.close()
print(g.gi_frame)
""", tmp_path, functions=["chunks"])
    assert "[True, 7, [('i', 'int'), ('n', 'int'), ('r', 'int'), ('rounds', 'int'), ('x', 'float')], " \
           "'generator already executing']" in run.stdout, run.stdout
    assert run.stdout.endswith("('thrown', 'stop')\nclosing\nNone\n"), run.stdout
    assert_native(run, "chunks")
    went_on_natively(run, "chunks")


def test_handler_switching_tracing_on_in_a_generator_loop(tmp_path):
    """The handler of the second signal that finds the generator running installs a trace
    function: the generator's frame goes on in the interpreter from the back edge (as
    under stock, the tracer sees no events of a frame it was not called for), and its next
    resumptions are traced from the start."""
    run = compare(CHUNKS + """
import signal
import sys

events = []
def tracer(frame, event, arg):
    if frame.f_code.co_filename == __file__:
        events.append((event, frame.f_code.co_name, frame.f_lineno))
    return tracer

in_loop = [0]
def tick(signum, frame):
    in_loop[0] += frame.f_code is chunks.__code__
    if in_loop[0] == 2:
        sys.settrace(tracer)
        signal.setitimer(signal.ITIMER_REAL, 0)

g = chunks(30_000, 1000)
values = [next(g)]   # compiled and started before the timer runs
signal.signal(signal.SIGALRM, tick)
signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
while not events:
    values.append(next(g))
values += [next(g), next(g)]
sys.settrace(None)
print(len(values) > 2, values[-1] == list(chunks(30_000, len(values)))[-1])
print(sorted(set(event for event, *_ in events)), events[:3])
""", tmp_path, functions=["chunks"])
    assert run.stdout.startswith("True True\n"), run.stdout
    assert_native(run, "chunks")
    assert run.stats["back_edge_entries"] + run.stats["resumption_entries"] >= 1, run.stats


@THRESHOLDS
def test_signal_pending_at_each_resumption_is_handled_there(tmp_path, threshold):
    """C code trips a signal (without delivering it) just before it resumes the generator
    each time, so that the breaker is set at the generator's RESUME, at its start and
    after each yield: the handler runs there, sees the generator's frame at that line, and
    the resumption goes on natively; the fourth handler raises there, and the generator
    catches it around its yield, as under stock."""
    run = compare("""
import _thread
import functools
import signal

class Tick(Exception):
    pass

seen = []
def handler(signum, frame):
    seen.append((frame.f_code.co_name, frame.f_lineno))
    if len(seen) == 4:
        raise Tick("fourth")

def rounds(n, count):
    for r in range(count):
        x = 0.5 + r
        i = 0
        while i < n:
            x = x * 0.999 + 1.5
            i += 1
        try:
            yield round(x, 6)
        except Tick as caught:
            yield "caught", str(caught)

signal.signal(signal.SIGUSR1, handler)
trips = iter(functools.partial(_thread.interrupt_main, signal.SIGUSR1), "never")
print(list(zip(trips, rounds(1000, 6))))
print(seen)
""", tmp_path, env={"ACCEL_THRESHOLD": threshold}, functions=["rounds"])
    assert "('caught', 'fourth')" in run.stdout and "[('rounds', 15), ('rounds', 23), ('rounds', 23), ('rounds', 23), ('rounds', 25)" in run.stdout, run.stdout
    assert_native(run, "rounds")
    exits = run.function("rounds")["site_exits"]
    assert set(exits) == {"EVAL_BREAKER"}, run.function("rounds")["text"]
    # All but the raising one went on natively at the RESUME they left at.
    assert run.stats["resumption_entries"] == exits["EVAL_BREAKER"] - 1 >= 5, run.stats

