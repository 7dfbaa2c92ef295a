"""Differential tests: what Python code can see of a frame that runs native code.  Callees,
destructors, warnings, tracebacks, tracers and profilers look at the compiled frame through
sys._getframe, inspect, traceback and warnings: line numbers, f_lasti, locals and the
f_back chain must be those of stock CPython."""
from differential import assert_native, compare

# Frames of the program only: the program's view, whatever runs it.
OWN_FRAMES = """
import sys

def own_frames(frame):
    out = []
    while frame is not None:
        if frame.f_code.co_filename == __file__:
            out.append((frame.f_code.co_name, frame.f_lineno))
        frame = frame.f_back
    return out
"""


def test_callee_sees_caller_line_and_back_chain(tmp_path):
    run = compare(OWN_FRAMES + """
def observe(tag):
    caller = sys._getframe(1)
    print(tag, caller.f_code.co_name, caller.f_lineno, own_frames(caller))
    return 1

def compiled(n):
    total = 0.0
    observe("start")
    for i in range(n):
        total = total + i * 0.5
        if i == 2:
            observe("in loop")
        total += observe(
            "multi-line call")
    observe("end")
    return total

def outer():
    return compiled(4) + observe("outer")

print(outer())
""", tmp_path, functions=["observe", "compiled", "outer"])
    assert run.stdout.count("multi-line call") == 4
    assert_native(run, "observe", "compiled", "outer")


def test_callee_sees_caller_f_lasti(tmp_path):
    """f_lasti of a caller seen from its Python callee (what `executing`, stack_data and
    varname use to find the calling expression)."""
    run = compare("""
import sys

def observe(tag):
    caller = sys._getframe(1)
    print(tag, caller.f_code.co_name, caller.f_lasti, caller.f_lineno)
    return 1

def compiled(n):
    total = 0
    observe("start")
    for i in range(n):
        total = total + observe("loop")
    len(str(observe("nested")))
    return total

print(compiled(2))
""", tmp_path, functions=["compiled"])
    assert_native(run, "compiled")


def test_frame_kept_after_return_reports_the_returning_line(tmp_path):
    """A frame object that outlives its call: f_lineno and f_lasti are those of the return
    (test_compile's test_lineno_after_implicit_return), implicit or explicit."""
    run = compare("""
import sys

TRUE = True
kept = []

def keep():
    kept.append(sys._getframe(1))

def implicit(x):
    x()
    if TRUE:
        pass

def implicit_else(x):
    x()
    if not TRUE:
        pass

def explicit(x, n):
    x()
    total = 0
    for i in range(n):
        total += i
    return total

implicit(keep)
implicit_else(keep)
explicit(keep, 5)
for frame in kept:
    print(frame.f_code.co_name, frame.f_lineno - frame.f_code.co_firstlineno, frame.f_lasti)
""", tmp_path, functions=["implicit", "implicit_else", "explicit"])
    assert_native(run, "implicit", "implicit_else", "explicit")


def test_callee_sees_caller_locals(tmp_path):
    run = compare(OWN_FRAMES + """
def peek(names):
    local = sys._getframe(1).f_locals
    return {name: local.get(name, "<unbound>") for name in names}

def compiled(a, b):
    x = a * 2.0
    k = 3
    seen = peek(("a", "b", "x", "k", "later"))
    for i in range(3):
        k = k + i
        x = x * 1.5
    seen2 = peek(("x", "k", "i", "later"))
    later = "set"
    return seen, seen2, peek(("later", "seen")), locals()

for item in compiled(1.5, 2):
    print(sorted(item.items(), key=repr) if isinstance(item, dict) else item)
for item in compiled(1, "b"):
    print(sorted(item.items(), key=repr))
""", tmp_path, functions=["compiled"])
    assert_native(run, "compiled")


def test_destructor_sees_current_line(tmp_path):
    """A __del__ run by a reference dropped in native code (a store over a local, a popped
    result) sees the line of the instruction that dropped it."""
    run = compare(OWN_FRAMES + """
class Noisy:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        caller = sys._getframe(1)
        print("del", self.name, caller.f_code.co_name, caller.f_lineno)

def make(name):
    return Noisy(name)

def compiled():
    x = make("first")
    y = 1
    z = 2.5
    x = None
    make("popped")
    w = y + 1
    x = make("second")
    x = make("third")
    return w

print(compiled())
""", tmp_path, functions=["compiled"])
    assert run.stdout.count("del") == 4
    assert_native(run, "compiled")


def test_traceback_extract_stack_from_callee(tmp_path):
    """traceback.extract_stack() from a callee of a compiled function, program frames only."""
    run = compare("""
import traceback

def where():
    return [(f.name, f.lineno, f.line) for f in traceback.extract_stack()[:-1] if f.filename == __file__]

def compiled(n):
    out = list()
    for i in range(n):
        out.append(where())
    return out, where()

for entry in compiled(2):
    print(entry)
""", tmp_path, functions=["compiled"])
    assert_native(run, "compiled")


def test_traceback_print_stack_whole(tmp_path):
    """The whole stack as traceback.print_stack() shows it from a compiled function: frames
    of whatever runs the program must not show (stock: the script's frames only)."""
    run = compare("""
import traceback

def compiled(n):
    total = 0
    for i in range(n):
        total = total + i
    traceback.print_stack()
    return total

print(compiled(3))
""", tmp_path, functions=["compiled"])
    assert_native(run, "compiled")


def test_warnings_stacklevel_attribution(tmp_path):
    run = compare("""
import warnings

def deprecated(x):
    warnings.warn(f"deprecated {x}", DeprecationWarning, stacklevel=2)
    return x

def compiled(n):
    total = 0
    for i in range(n):
        total = total + deprecated(i)
    total = total + deprecated("again")  if False else total
    warnings.warn("direct", UserWarning)
    return total + deprecated(100)

warnings.simplefilter("always")
print(compiled(3))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    compiled(2)
print([(w.category.__name__, str(w.message), w.lineno) for w in caught])
""", tmp_path, functions=["compiled", "deprecated"])
    assert "DeprecationWarning: deprecated 0" in run.stderr
    assert_native(run, "compiled", "deprecated")


def test_warnings_stacklevel_above_the_script(tmp_path):
    """A stacklevel that goes above the script's module frame: stock CPython attributes the
    warning to sys:1, since there is no frame there."""
    run = compare("""
import warnings

def compiled(level):
    warnings.warn("from above", UserWarning, stacklevel=level)
    return level

compiled(3)
compiled(4)
""", tmp_path, functions=["compiled"])
    assert "from above" in run.stderr
    assert_native(run, "compiled")


def test_inspect_currentframe_and_stack(tmp_path):
    run = compare("""
import inspect

def info():
    frame = inspect.currentframe().f_back
    stack = [(f.function, f.lineno, f.code_context) for f in inspect.stack() if f.filename == __file__]
    return frame.f_code.co_name, frame.f_lineno, inspect.getframeinfo(frame).code_context, stack

def compiled(x):
    y = x * 2
    first = info()
    y = y + 1
    second = info()
    return first, second, inspect.currentframe().f_lineno

for item in compiled(5):
    print(item)
""", tmp_path, functions=["compiled"])
    assert_native(run, "compiled")


def test_stack_depth_seen_by_the_program(tmp_path):
    """How deep the program's frames are: stock has nothing above the module's frame."""
    run = compare("""
import inspect
import sys

def compiled():
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth = depth + 1
        frame = frame.f_back
    return depth, len(inspect.stack())

print(compiled())
print(sys._getframe().f_back)
""", tmp_path, functions=["compiled"])
    assert_native(run, "compiled")


def test_settrace_before_calls_sees_every_event(tmp_path):
    """With a tracer on, functions run in the interpreter: the same call/line/return events."""
    run = compare("""
import sys

def work(n):
    total = 0
    for i in range(n):
        total = total + i
    return total

def helper(x):
    return x * 2

events = []
def tracer(frame, event, arg):
    if frame.f_code.co_filename == __file__:
        events.append((event, frame.f_code.co_name, frame.f_lineno))
    return tracer

print(work(3), helper(1))      # compiled first
sys.settrace(tracer)
work(3)
helper(4)
sys.settrace(None)
print(events)
""", tmp_path, functions=["work", "helper"])
    assert_native(run, "work", "helper")


def test_debugger_style_set_trace_inside_compiled_function(tmp_path):
    """What pdb.set_trace() / breakpoint() do: set f_trace on the calling frames and
    sys.settrace.  The compiled caller must then report its line events to the tracer,
    as it does in stock CPython, or debuggers cannot step through it."""
    run = compare("""
import sys

events = []
def tracer(frame, event, arg):
    if frame.f_code.co_filename == __file__:
        events.append((event, frame.f_code.co_name, frame.f_lineno))
    return tracer

def set_trace():
    frame = sys._getframe(1)
    while frame is not None:
        frame.f_trace = tracer
        frame = frame.f_back
    sys.settrace(tracer)

def compiled(n):
    total = 0
    set_trace()
    for i in range(n):
        total = total + i
    total = total * 2
    return total

print(compiled(3))
sys.settrace(None)
print(events)
""", tmp_path, functions=["compiled"])
    assert_native(run, "compiled")


def test_setprofile_enabled_from_a_callee(tmp_path):
    """A profiler turned on by a callee of a compiled function sees the calls and the
    return that follow in that function, as in stock CPython."""
    run = compare("""
import sys

events = []
def profiler(frame, event, arg):
    name = getattr(arg, "__name__", None) if event.startswith("c_") else frame.f_code.co_name
    events.append((event, name))

def start():
    sys.setprofile(profiler)

def callee(x):
    return x + 1

def compiled(n):
    total = 0
    start()
    total = total + len([1, 2])
    total = total + callee(n)
    return total

print(compiled(3))
sys.setprofile(None)
print(events)
""", tmp_path, functions=["compiled"])
    assert_native(run, "compiled")


def test_hook_switched_on_by_a_callee_that_raises(tmp_path):
    """A callee turns tracing or profiling on, then raises into the compiled caller
    (test_sys_settrace's test_09_settrace_and_raise).  The caller goes on in the
    interpreter from the exception: stock CPython, which was running it all along,
    reports no 'call' event for it, to the tracer or to the profiler."""
    run = compare("""
import sys

events = []
def tracer(frame, event, arg):
    events.append(("trace", frame.f_code.co_name, frame.f_lineno - frame.f_code.co_firstlineno, event))
    return tracer

def profiler(frame, event, arg):
    events.append(("profile", frame.f_code.co_name, event, getattr(arg, "__name__", None)))

def switch_on(hook):
    if hook is tracer:
        sys.settrace(tracer)
        sys._getframe(1).f_trace = tracer
    else:
        sys.setprofile(profiler)
    raise RuntimeError("raised")

def caught(hook):
    try:
        switch_on(hook)
    except RuntimeError:
        pass
    return len(hook.__name__)

def uncaught(hook):
    x = 1
    switch_on(hook)
    return x

def outer(hook):
    try:
        uncaught(hook)
    except RuntimeError as error:
        return str(error)

for hook in (tracer, profiler):
    caught(hook)
    sys.settrace(None)
    sys.setprofile(None)
    outer(hook)
    sys.settrace(None)
    sys.setprofile(None)
for event in events:
    print(event)
""", tmp_path, functions=["caught", "uncaught", "outer"])
    assert "('trace', 'caught', 2, 'exception')" in run.stdout
    assert_native(run, "caught", "uncaught", "outer")
    assert run.deopts("ERROR") >= 4, run.stats


def test_tracing_switched_on_by_a_star_args_call(tmp_path):
    """A callee reached through f(*args) (CALL_FUNCTION_EX) turns tracing on for its
    caller: the caller's next lines are reported, as after a plain call."""
    run = compare("""
import sys

events = []
def tracer(frame, event, arg):
    events.append((frame.f_code.co_name, frame.f_lineno - frame.f_code.co_firstlineno, event))
    return tracer

def switch_on(hook):
    sys.settrace(hook)
    sys._getframe(1).f_trace = hook

def helper():
    return 1

def caller(args):
    switch_on(*args)
    x = helper()
    y = x + 1
    return y

print(caller((tracer,)))
sys.settrace(None)
for event in events:
    print(event)
""", tmp_path, functions=["caller"])
    assert "('caller', 2, 'line')" in run.stdout
    assert_native(run, "caller")
    assert run.deopts("TRACING") >= 1, run.stats
