"""Differential tests: calls made by native code (positional, keyword, methods, bound
methods, properties, builtins, callables of every kind) and their errors."""
from differential import assert_native, compare, run_accel


def test_calls_with_keywords_methods_and_properties(tmp_path):
    run = compare("""
import sys
import traceback

def target(a, b=2, *args, c=3, **kw):
    return (a, b, args, c, sorted(kw.items()))

class K:
    def m(self, x, y=0, *, z=1):
        return x + y + z
    @property
    def p(self):
        return sys._getframe(1).f_lineno
    @staticmethod
    def s(v):
        return v * 2
    @classmethod
    def c(cls, v):
        return cls.__name__, v
    def __call__(self, *args, **kw):
        return "called", args, sorted(kw)

def calls(o):
    r = list()
    r.append(target(1))
    r.append(target(1, c=5))
    r.append(target(1, 2, 3, 4, c=5, d=6))
    r.append(target(b=7, a=8))
    r.append(o.m(1, z=10))
    r.append(o.m(x=1, y=2))
    r.append(K.m(o, 1, y=3))
    r.append(o.p)
    r.append(print("kw", sep="-", end="!\\n"))
    r.append(dict(a=1, b=2))
    r.append(sorted([3, 1, 2], key=lambda v: -v, reverse=True))
    r.append(o.s(4))
    r.append(o.c(5))
    r.append(o(1, 2, k=3))
    bound = o.m
    r.append(bound(2, y=2))
    r.append(str.join("-", ["a", "b"]))
    r.append("x".join(["a", "b"]))
    r.append(int("ff", base=16))
    return r

def bad(o):
    try:
        target(1, zz=3, a=2)
    except TypeError as e:
        print("TypeError", e)
    try:
        o.m(1, q=2)
    except TypeError as e:
        print("TypeError", e)
    try:
        o.m()
    except TypeError as e:
        print("TypeError", e)
    try:
        None()
    except TypeError as e:
        print("TypeError", e)
    try:
        target()
    except TypeError:
        traceback.print_exc(file=sys.stdout)

print(calls(K()))
bad(K())
""", tmp_path, functions=["calls", "bad"])
    assert run.stdout.count("TypeError") >= 5
    assert_native(run, "calls", "bad")


def test_recursive_and_mutually_recursive_calls(tmp_path):
    run = compare("""
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)

def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)

def ackermann(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n - 1))

print(fib(20), is_even(300), is_odd(301), ackermann(2, 3))
print(fib(10.0))
""", tmp_path, functions=["fib", "is_even", "is_odd", "ackermann"])
    assert run.stdout.startswith("6765 True True 9\n")
    assert_native(run, "fib", "is_even", "is_odd", "ackermann", min_entries=40)


def test_native_to_native_calls_frames_and_tracebacks(tmp_path):
    """Compiled callers call compiled callees straight (native/calls.c): frames seen from
    inside, frame objects that outlive the call, tracebacks, defaults, exits in the callee."""
    run = compare("""
import sys
import traceback

def leaf(x, y=10, z=None):
    return x + y, z

def keep_frame(a):
    b = a * 2
    return sys._getframe()

def who_called():
    f = sys._getframe(1)
    return f.f_code.co_name, f.f_lineno, f.f_back.f_code.co_name

def fails(n):
    return [1, 2][n]

def deopts(v):
    return v + 1          # an int, then a str: the callee's guard exits

def kw(a, b=2, /, c=3, *, d, e=5):
    return a, b, c, d, e

def keywords():
    r = [kw(1, d=4), kw(1, 2, c=7, d=0), kw(1, d=1, e=2, c=3), kw(a=1, d=2) if False else None]
    for bad in ({"b": 1, "d": 1}, {"c": 1, "x": 2, "d": 3}, {}):
        try:
            kw(1, **bad)
        except TypeError as e:
            r.append(str(e))
    try:
        kw(1, 2, 3, c=4, d=5)
    except TypeError as e:
        r.append(str(e))
    return r

def caller():
    total = 0
    for i in range(300):
        total += leaf(i)[0] + leaf(i, 1)[0] + leaf(i, 1, 2)[0]
    frame = keep_frame(21)
    print(frame.f_code.co_name, frame.f_locals, frame.f_lineno, frame.f_back.f_code.co_name)
    print(who_called())
    try:
        fails(5)
    except IndexError:
        tb = sys.exc_info()[2]
        print([(t.tb_frame.f_code.co_name, t.tb_lineno, t.tb_lasti) for t in traceback.walk_tb(tb)])
        print(tb.tb_next.tb_frame.f_locals, tb.tb_next.tb_frame.f_back.f_code.co_name)
    print([deopts(i) for i in range(5)], deopts(2.5))
    print(keywords())
    try:
        deopts("s")
    except TypeError as e:
        print("TypeError", e)
    return total

print(caller())
fails(7)
""", tmp_path, functions=["caller", "leaf", "keep_frame"])
    assert "IndexError" in run.stderr
    assert_native(run, "caller", "leaf", "keep_frame")
    assert run.stats["native_calls"] >= 900, run.stats


def test_native_to_native_recursion_limit(tmp_path):
    """Direct native calls count against the recursion limit exactly as stock's calls do."""
    compare("""
import sys

def down(n):
    return 0 if n == 0 else 1 + down(n - 1)

def depth():
    n = 0
    def probe(k):
        nonlocal n
        n = k
        probe(k + 1)
    try:
        probe(0)
    except RecursionError as e:
        print("RecursionError", e)
    return n

print(down(500))
print(depth())
sys.setrecursionlimit(400)
try:
    down(1000)
except RecursionError as e:
    print("RecursionError", e)
print(down(300))
""", tmp_path)


def test_code_first_called_near_the_recursion_limit_compiles_later(tmp_path):
    """The compiler runs on the program's stack, its frames counted against the program's
    recursion limit: a function first called a few frames short of the limit
    (test_support's test_recursion) runs in the interpreter then, as stock runs it, with no
    RecursionError of the compiler's, and compiles on a later call with room to spare."""
    run = compare("""
import sys

def depth():
    frame, n = sys._getframe(1), 0
    while frame is not None:
        frame, n = frame.f_back, n + 1
    return n

def recursive(n):
    if n:
        recursive(n - 1)

def near_the_limit(left):
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth() + left)
    try:
        def fresh(x):
            total = 0
            for i in range(x):
                total += i * 2 if i % 3 else i
            return total
        print(left, fresh(10))
        for extra in (left - 2, left + 1):
            try:
                recursive(extra)
                print("no RecursionError at", extra)
            except RecursionError as e:
                print("RecursionError at", extra, e)
        return fresh
    finally:
        sys.setrecursionlimit(old)

first = near_the_limit(3)
for left in (4, 5, 25, 250):
    near_the_limit(left)
print(first(4))
""", tmp_path, functions=["first"])
    assert_native(run, "first", min_entries=2)


def test_direct_calls_in_threads_with_small_stacks(tmp_path):
    """CALL's shared routine checks the C stack at every eighth level of recursion only: a
    chain of direct calls in a thread with a small C stack (threading.stack_size) and a
    raised recursion limit still ends in a clear RecursionError, never a crash, whatever
    level of recursion the chain starts at; a chain that fits runs as under stock."""
    program = tmp_path / "small_stacks.py"
    program.write_text("""
import sys
import threading

def depth(n):
    if n == 0:
        return 0
    return depth(n - 1) + 1

def nested(levels, n):
    # Start the chain at another level of recursion each time (levels: 0..7).
    return depth(n) if levels == 0 else nested(levels - 1, n)

results = []

def run(levels):
    results.append(nested(levels, 100))
    try:
        results.append(nested(levels, 100000))
    except RecursionError as error:
        results.append(str(error).split(" (")[0])

sys.setrecursionlimit(200000)
threading.stack_size(64 * 1024)
for levels in range(8):
    thread = threading.Thread(target=run, args=(levels,))
    thread.start()
    thread.join()
print(results)
""")
    run = run_accel(program)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str([100, "maximum recursion depth exceeded"] * 8), run.stdout
    assert run.stats["native_calls"] > 8 * 100, run.stats

def test_instantiation_of_plain_classes(tmp_path):
    """Native code instantiates a class with object's __new__ and a Python __init__ itself
    (native/calls.c), calling a compiled __init__ straight; everything else as stock."""
    run = compare("""
import abc
import sys

class P:
    def __init__(self, x, y=2):
        self.x = x
        self.y = y
        self.caller = sys._getframe(1).f_code.co_name

class ReturnsValue:
    def __init__(self):
        return 5

class Slotted:
    __slots__ = ("a",)
    def __init__(self, a):
        self.a = a

class Abstract(abc.ABC):
    @abc.abstractmethod
    def f(self): ...
    def __init__(self):
        pass

class Fails:
    def __init__(self, v):
        raise ValueError(v)

class Meta(type):
    def __call__(cls, *args):
        return "from the metaclass"

class WithMeta(metaclass=Meta):
    def __init__(self):
        pass

class WithNew:
    def __new__(cls, *args):
        return 42
    def __init__(self, x):
        print("never")

def make():
    points = [P(i) for i in range(50)] + [P(1, 3), P(x=4)]
    print([(p.x, p.y, p.caller) for p in points[:3]], len(points), vars(points[-1]))
    print(Slotted(4).a, WithMeta(), WithNew(1))
    for cls in (ReturnsValue, Abstract):
        try:
            cls()
        except TypeError as e:
            print("TypeError", e)
    try:
        Fails(3)
    except ValueError as e:
        print("ValueError", e)
    try:
        P()
    except TypeError as e:
        print("TypeError", e)
    P.__init__ = lambda self, x, y=0: setattr(self, "x", -x)
    print(P(5).x)

make()
Fails(9)
""", tmp_path, functions=["make"])
    assert "ValueError: 9" in run.stderr
    assert_native(run, "make")
    assert run.stats["native_calls"] >= 50, run.stats


def test_call_sites_follow_code_defaults_and_callee_changes(tmp_path):
    """A CALL site caches its callee's code and call shape (native/calls.c): swapping a
    function's __code__ or __defaults__, calling other functions at the same site, code
    objects dying and new ones taking their place, generators and *args callees."""
    run = compare("""
import gc

def a(x, y):
    return ("a", x, y)

def b(x, y=5):
    return ("b", x, y)

def c(x):
    return ("c", x)

def star(*args):
    return ("star", args)

def gen(x, y):
    yield x + y

def call2(f, x, y):
    return f(x, y)

def call1(f, x):
    return f(x)

def scenario():
    out = [call2(a, i, 1) for i in range(3)]
    out.append(call2(b, 1, 2))
    out.append(call1(b, 1))
    b.__defaults__ = (7,)
    out.append(call1(b, 1))
    b.__defaults__ = None
    try:
        call1(b, 1)
    except TypeError as e:
        out.append(str(e))
    b.__defaults__ = (9,)
    out.append(call1(b, 2))
    a.__code__ = c.__code__
    try:
        call2(a, 1, 2)
    except TypeError as e:
        out.append(str(e))
    out.append(call1(a, 4))
    a.__code__ = star.__code__
    out.append(call2(a, 1, 2))
    out.append(list(call2(gen, 1, 2)))
    out.append(call2(lambda p, q: p * q, 6, 7))
    return out

def churn():
    total = 0
    for i in range(300):
        ns = {}
        exec(f"def f(x, y={i}):\\n    return x + y + {i % 7}\\n", ns)
        total += call1(ns["f"], i)
        del ns
        if i % 50 == 0:
            gc.collect()
    return total

for row in scenario():
    print(row)
print(churn())
""", tmp_path, functions=["call1", "call2", "scenario", "churn"])
    assert_native(run, "call1", "call2", "scenario", "churn")
    assert run.stats["native_calls"] >= 300, run.stats


def test_builtin_functions_and_method_descriptors(tmp_path):
    """Builtins, method descriptors and builtin classes called with positional arguments
    take their C function straight (METH_O, METH_NOARGS, METH_FASTCALL, with keywords too,
    a class's vectorcall); wrong counts, wrong self types, exceptions and keyword calls
    behave as stock."""
    run = compare("""
import sys
import traceback

class L(list):
    pass

def c_calls(n):
    r = []
    xs = [3, 1, 2]
    for i in range(n):
        xs.append(i)
        r.append(len(xs))
        r.append(isinstance(i, int))
        r.append(xs.pop())
        r.append(xs.pop(0) if i % 2 else xs.copy())
        r.append(divmod(i, 3))
        r.append("-".join(["a", str(i)]))
        r.append(list.append(xs, i))
        sub = L([i])
        r.append((list.append(sub, 1), sub, len(sub), sub.count(1)))
        r.append(sorted(xs, reverse=True)[:2])
        r.append(dict.fromkeys("ab", i))
        r.append({"k": i}.get("k"))
        r.append(abs(-i))
        r.append(max(i, 2))
        r.append((int(i * 1.5), float(i), list("ab"), tuple(), str(i), bool(i), range(i)[-1:]))
    return r

def errors():
    for bad in (lambda: len(1, 2), lambda: len(), lambda: [].append(), lambda: list.append((), 1),
                lambda: [].pop(1, 2), lambda: {}.get(), lambda: len(5), lambda: "x".join([1]),
                lambda: list.append(), lambda: isinstance(1, 2), lambda: [].pop(), lambda: int("x"),
                lambda: float([]), lambda: list(1, 2), lambda: range()):
        try:
            bad()
        except (TypeError, IndexError, ValueError) as e:
            print(type(e).__name__, e)

def traced():
    try:
        len(5)
    except TypeError:
        traceback.print_exc(file=sys.stdout)

class R:
    def __init__(self):
        self.depth = 0
    def __len__(self):
        self.depth += 1
        return len(self)

def recurse():
    r = R()
    try:
        len(r)
    except RecursionError as e:
        print("RecursionError", e, r.depth > 900)

print(c_calls(40)[-14:])
errors()
traced()
recurse()
""", tmp_path, functions=["c_calls", "errors", "traced", "recurse"])
    assert_native(run, "c_calls", "errors", "traced", "recurse")


def test_direct_calls_of_overrides_keywords_and_defaults(tmp_path):
    """CALL's stencil calls compiled functions itself (stencils/call.c): a site that calls
    the overrides of four subclasses in turn, keyword arguments that name the parameters
    after the positional ones in order, defaults; keywords out of order, unknown or
    repeated ones, and a fifth override take native/calls.c's path; profiling switched on
    by a callee stops direct calls; frames, f_back and tracebacks are stock's."""
    run = compare("""
import sys

class Base:
    def handle(self, x, scale=1):
        return ("base", x * scale)

class A(Base):
    def handle(self, x, scale=2):
        return ("A", x * scale, sys._getframe(1).f_code.co_name)

class B(Base):
    def handle(self, x, scale=3):
        return ("B", x * scale)

class C(Base):
    def handle(self, x, scale=4):
        if x == 13:
            raise ValueError("thirteen")
        return ("C", x * scale)

class D(Base):
    pass

class E(Base):
    def handle(self, x, scale=5):
        return ("E", x * scale)

def kw(a, b, c=10, d=20):
    return (a, b, c, d)

def dispatch(objs, n):
    out = []
    for i in range(n):
        out.append(objs[i % len(objs)].handle(i))
        out.append(objs[i % len(objs)].handle(i, scale=-1))
    return out

def keywords(n):
    out = []
    for i in range(n):
        out.append(kw(i, b=1))
        out.append(kw(i, 2, c=3))
        out.append(kw(a=i, b=2, c=3, d=4))
        out.append(kw(i, d=5, b=6))
    for bad in (lambda: kw(1, a=2), lambda: kw(1, e=2), lambda: kw(1, 2, 3, 4, 5), lambda: kw(c=1)):
        try:
            bad()
        except TypeError as e:
            out.append(str(e))
    return out

def profiled():
    events = []
    def profile(frame, event, arg):
        if event in ("call", "return") and frame.f_code.co_name == "kw":
            events.append(event)
    def switch_on():
        sys.setprofile(profile)
    r = [kw(1, 2)]
    switch_on()
    r.append(kw(3, 4))
    r.append(kw(5, b=6))
    sys.setprofile(None)
    r.append(kw(7, 8))
    return r, events

four = [A(), B(), C(), D()]
print(dispatch(four, 12))
print(dispatch(four + [E()], 10)[-6:])
try:
    dispatch([C()], 20)
except ValueError:
    import traceback
    traceback.print_exc(file=sys.stdout)
print(keywords(30)[-8:])
print(profiled())
""", tmp_path, functions=["dispatch", "keywords", "profiled"])
    assert_native(run, "dispatch", "keywords", "profiled")
    direct = run.stats["native_calls"] - run.stats["native_calls_from_c"]
    assert direct >= 150, run.stats


def test_recursion_through_instantiation_and_c_functions(tmp_path):
    """Calling a class takes a level of recursion besides __init__'s frame, as
    _PyObject_MakeTpCall does, and a METH_O builtin another, as 3.11's specialized
    PRECALL does: RecursionError comes at stock's depth, with stock's message."""
    compare("""
import sys

deepest = 0

class Node:
    def __init__(self, n):
        global deepest
        deepest = n
        self.child = Node(n + 1)

class Deep:
    def __init__(self, n):
        self.n = n
    def __abs__(self):
        global deepest
        deepest = self.n
        return abs(Deep(self.n + 1))

def build():
    try:
        Node(0)
    except RecursionError as e:
        print("Node", deepest, e)
    try:
        abs(Deep(0))
    except RecursionError as e:
        print("Deep", deepest, e)

build()
sys.setrecursionlimit(300)
build()
""", tmp_path)


def test_c_function_results_checked_as_stock(tmp_path):
    """A C function called straight by CALL's stencil that returns NULL without an
    exception, or a result with one set, raises the SystemError of the generic path."""
    run = compare("""
import _testcapi

def call_each():
    for f in (_testcapi.return_null_without_error, _testcapi.return_result_with_error, len):
        try:
            print(f() if f is not len else f("ab"))
        except SystemError as e:
            print("SystemError", e, e.__cause__)

for _ in range(3):
    call_each()
""", tmp_path, functions=["call_each"])
    assert_native(run, "call_each")


def test_instantiation_straight_from_the_call_site(tmp_path):
    """Once a site's cache knows a plain class's __init__, CALL's shared routine
    (stencils/shared.c) instantiates the class itself: object's __new__, then the
    compiled __init__'s frame, with the caller standing on the CALL (f_lasti as stock's,
    which does not inline a class call); an __init__ that returns a value, raises, is
    replaced, or recurses past the limit behaves as stock, from that path too."""
    run = compare("""
import sys

class V:
    def __init__(self, x, y, z=0):
        self.x = x
        self.y = y
        self.z = z
        self.lasti = sys._getframe(1).f_lasti
        self.line = sys._getframe(1).f_lineno

class Returns:
    def __init__(self, v):
        self.v = v
        if v > 40:
            return v

class Raises:
    def __init__(self, v):
        if v == 45:
            raise ValueError(v)
        self.v = v

class Chain:
    def __init__(self, n):
        self.next = Chain(n + 1) if n < 10 else None

def make(n):
    out = []
    for i in range(n):
        v = V(i, -i)
        out.append((v.x, v.y, v.z, v.lasti, v.line))
        out.append(V(i, 2, z=3).z)
    return out[:4] + out[-4:]

def errors(n):
    out = []
    for i in range(n):
        try:
            out.append(Returns(i).v)
        except TypeError as e:
            out.append(str(e))
        try:
            out.append(Raises(i).v)
        except ValueError as e:
            out.append(("ValueError", e.args, e.__traceback__.tb_lineno, e.__traceback__.tb_next.tb_lineno))
    return out[-14:]

def chains(n):
    return [Chain(0).next.next.next is not None for _ in range(n)]

def deep(n):
    try:
        return Deep(n)
    except RecursionError as e:
        return str(e)

class Deep:
    def __init__(self, n):
        self.inner = Deep(n + 1)

print(make(60))
print(errors(50))
print(sum(chains(30)))
V.__init__ = lambda self, x, y, z=0: self.__dict__.update(x=-x, y=y, z=z, lasti=0, line=0)
print(make(3)[:2])
print(deep(0))
sys.setrecursionlimit(250)
print(deep(0))
""", tmp_path, functions=["make", "errors", "chains"])
    assert_native(run, "make", "errors", "chains")
    direct = run.stats["native_calls"] - run.stats["native_calls_from_c"]
    assert direct >= 300, run.stats


def test_instantiation_cache_follows_the_class(tmp_path):
    """CALL's shared routine keeps the __init__ of the plain class a site instantiates
    under the class's version tag (stencils/shared.c): __init__ replaced on the class or
    a base, deleted (a base's runs), the MRO changed through __bases__, a __new__ or a
    metaclass __call__ arriving later, abstract methods set on the class, a site that sees
    several classes (made by __init_subclass__), and the excess-argument TypeErrors of a
    class whose __init__ went away all behave as stock, with refcounts as stock's."""
    run = compare("""
import sys

class Base:
    def __init__(self, x, y):
        self.v = ("base", x, y)

class Sub(Base):
    pass

class Other:
    def __init__(self, x, y):
        self.v = ("other", x, y)

class Registered:
    made = []
    def __init_subclass__(cls, tag, **kw):
        super().__init_subclass__(**kw)
        Registered.made.append((cls.__name__, tag))
    def __init__(self, x, y):
        self.v = (type(self).__name__, x, y)

class R1(Registered, tag=1):
    pass

class R2(Registered, tag=2):
    def __init__(self, x, y):
        self.v = ("r2", y, x)

def make(cls, n):
    out = []
    for i in range(n):
        try:
            out.append(cls(i, -i).v)
        except TypeError as e:
            out.append(("TypeError", str(e)))
    return out[-2:]

def alternate(n):
    return [(R1, R2, Registered)[i % 3](i, 0).v for i in range(n)][-3:]

arg = object()
before = sys.getrefcount(arg)
print(make(Sub, 50))
Sub.__init__ = lambda self, x, y: setattr(self, "v", ("sub", x, y))
print(make(Sub, 5))
Base.__init__ = lambda self, x, y: setattr(self, "v", ("base2", x, y))
print(make(Sub, 5))
del Sub.__init__
print(make(Sub, 5))
Sub.__bases__ = (Other,)
print(make(Sub, 5))
Sub.__init__ = Base.__init__
print(make(Sub, 5))
Sub.__abstractmethods__ = frozenset({"area"})
print(make(Sub, 5))
Sub.__abstractmethods__ = frozenset()
print(make(Sub, 5))
del Sub.__init__
del Other.__init__
print(make(Sub, 5))
Other.__new__ = lambda cls, *a: object.__new__(cls)
Other.__init__ = lambda self, x, y: setattr(self, "v", ("other2", x, y))
print(make(Sub, 5))
del Other.__new__
print(make(Sub, 5))
print(alternate(80), Registered.made)

class Meta(type):
    pass

class Counted(metaclass=Meta):
    def __init__(self, x, y):
        self.v = ("counted", x, y)

print(make(Counted, 30))
Meta.__call__ = lambda cls, *a: "meta call"
try:
    print(make(Counted, 3))
except AttributeError as e:
    print("AttributeError", e)

class Plain:
    def __init__(self, a, b):
        self.v = (a, b)

def keep(n):
    for _ in range(n):
        Plain(arg, arg)
keep(200)
print(sys.getrefcount(arg) - before)
""", tmp_path, functions=["make", "alternate", "keep"])
    assert_native(run, "make", "alternate", "keep")
    direct = run.stats["native_calls"] - run.stats["native_calls_from_c"]
    assert direct >= 300, run.stats


def test_direct_calls_exit_from_a_program_a_recompile_replaced(tmp_path):
    """CALL's shared routine runs the callee's program straight and, when that program
    exits to the interpreter, hands the exit to native/deopt.c with the program that ran
    (stencils/shared.c, program_at).  Here a recursion's callees fail a guard after their
    recursive call returns; once enough have, a call made meanwhile recompiles the code,
    so the frames still running the replaced program exit from it afterwards.  A code
    whose record asks for a recompile, or that profiles, is not called straight
    (accel_direct_start_refresh)."""
    run = compare("""
def walk(x, n):
    if n == 0:
        return x
    rest = walk(x, n - 1)
    total = x * 2 + rest
    if n % 10 == 0:
        total += walk(x, 0)
    return total

def main():
    for _ in range(30):
        r = walk(1, 50)
    print(r)
    print(walk(0.5, 200))
    print(walk(2, 200))
    print(walk(0.25, 200))
    print(walk(3, 100), walk(0.5, 10))

main()
""", tmp_path, functions=["walk"])
    assert_native(run, "walk")
    assert run.function("walk")["recompiles"] >= 2, run.function("walk")["text"]
    direct = run.stats["native_calls"] - run.stats["native_calls_from_c"]
    assert direct >= 1000, run.stats


def test_instantiation_whose_init_cannot_run_straight_at_that_moment(tmp_path):
    """CALL's shared routine makes the instance before it asks whether __init__'s
    program may run straight (stencils/shared.c): while __init__'s code profiles its
    operands, or when its frame does not fit in the data stack's chunk (a deep chain of
    instantiations), __init__ is then called the ordinary way; instances, events of
    profiling and tracing switched on by a callee, and the references the arguments
    keep are stock's."""
    run = compare("""
import sys

class P:
    def __init__(self, x, y=1):
        self.x = x
        self.y = y
        self.z = y[0] + y[1] if type(y) is list else 0

class Chain:
    def __init__(self, n, pad=None):
        a = b = c = d = e = f = g = h = n
        self.next = Chain(n - 1, [a, b]) if n > 0 else None
        self.n = a + b + c + d + e + f + g + h + self.z(pad)

    def z(self, pad):
        return pad[0] * pad[1] if pad else 0

def chain_sum(depth):
    total = 0
    node = Chain(depth)
    while node is not None:
        total += node.n
        node = node.next
    return total

def switch(on, events):
    def hook(frame, event, arg):
        if frame.f_code.co_name == "__init__" and event in ("call", "return"):
            x = frame.f_locals.get("x")
            events.append((event, x if isinstance(x, int) else type(x).__name__))
        return hook if on == "trace" else None
    if on == "profile":
        sys.setprofile(hook)
    elif on == "trace":
        sys.settrace(hook)
    else:
        sys.setprofile(None)
        sys.settrace(None)

def make(n, mode):
    events = []
    marker = object()
    before = sys.getrefcount(marker)
    out = []
    for i in range(n):
        if i == n // 2:
            switch(mode, events)
        p = P(i, y=marker) if i % 2 else P(marker) if i % 3 else P(i, [i, 2.5])
        out.append(p.x if p.x is not marker else "marker")
    switch(None, events)
    del p
    return out[-4:], events[-6:], len(events), sys.getrefcount(marker) - before

for mode in ("profile", "trace", "profile"):
    print(mode, make(60, mode))
print([chain_sum(d) for d in (5, 300, 300, 50)])
""", tmp_path, functions=["make", "P.__init__", "Chain.__init__"])
    assert_native(run, "make", "P.__init__", "Chain.__init__")


def test_locals_past_the_parameters_start_unbound(tmp_path):
    """A direct call pushes the callee's frame with its arguments only, over data-stack
    memory earlier frames left values in; the program's prologue (UNBIND_LOCAL) unbinds the
    other locals: reading one before it is assigned, locals() and f_locals at once, cells
    and free variables, *args, **kwargs and keyword-only parameters, a generator's and an
    __init__'s locals, and a signal handler that looks at the frame at its first check."""
    run = compare("""
import signal
import sys

def fill(a, b, c, d, e, f):
    g, h, i, j, k, l = [object() for _ in range(6)]
    return len([a, b, c, d, e, f, g, h, i, j, k, l])

def unbound(x, flag):
    if flag:
        y = 1
    try:
        return y
    except UnboundLocalError as e:
        return str(e)

def seen(x):
    names = sorted(locals())
    y = x
    z = sys._getframe().f_locals
    return names, sorted(z)

def cells(x):
    late = x * 2
    def inner():
        return x + late
    return inner(), inner.__closure__[1].cell_contents

def star(a, *rest, key=0, **more):
    w = a
    return a, rest, key, sorted(more), sorted(locals())

def gen(n):
    for i in range(n):
        total = i
        yield total, sorted(locals())

class Box:
    def __init__(self, v):
        before = sorted(locals())
        self.v = v
        self.before = before

frames = []
def handler(signum, frame):
    frames.append((frame.f_code.co_name, sorted(frame.f_locals)))

def at_first_check(x):
    signal.raise_signal(signal.SIGUSR1)
    y = x
    return y

signal.signal(signal.SIGUSR1, handler)
for i in range(50):
    fill(i, i, i, i, i, i)
    r = (unbound(i, i % 2), seen(i), cells(i), star(i, 1, 2, key=3, extra=4), list(gen(2)), Box(i).before,
         at_first_check(i))
print(r, frames[-1])
""", tmp_path, functions=["unbound", "seen", "cells", "star", "Box.__init__", "at_first_check"])
    assert_native(run, "unbound", "seen", "cells", "star", "Box.__init__", "at_first_check")


def test_builtin_classes_and_subclass_selves_from_the_call_site(tmp_path):
    """CALL's shared routine (stencils/shared.c) calls a builtin class's vectorcall (set(),
    zip(), range(), int(), as 3.11's PRECALL_BUILTIN_CLASS) and a method descriptor given a
    self of a subclass of its type (as the descriptor's own vectorcall does, with its
    recursion check) itself, counted as site_c_calls: results, errors, tracebacks, a
    RecursionError at stock's depth, and selves of unrelated types as stock."""
    run = compare("""
import random
import sys
import traceback

class Rng(random.Random):
    pass

class Items(list):
    pass

class Deep:
    def __init__(self, n):
        self.n = n
    def __eq__(self, other):
        return Items([Deep(self.n + 1)]).count(other)

def loop(n):
    rng, items, out = Rng(5), Items([1, 2]), []
    for i in range(n):
        seen = set()
        seen.add(i)
        pairs = list(zip(items, range(i, i + 2)))
        out.append((len(seen), pairs, round(rng.random(), 6), items.count(2), items.index(1), int(i * 0.5)))
    return out

def errors():
    for bad in (lambda: int("x"), lambda: set(1), lambda: zip(1), lambda: range(),
                lambda: list.count((1, 2), 1), lambda: Items.count(5, 1), lambda: Rng.random(1)):
        try:
            bad()
        except (TypeError, ValueError) as e:
            print(type(e).__name__, e)
    try:
        int("y")
    except ValueError:
        traceback.print_exc(file=sys.stdout)

def recurse():
    try:
        Items([Deep(0)]).count(Deep(0))
    except RecursionError as e:
        print("RecursionError", e)

print(loop(300)[-3:])
errors()
sys.setrecursionlimit(200)
recurse()
sys.setrecursionlimit(1000)
int("z")
""", tmp_path, functions=["loop", "errors", "recurse", "Deep.__eq__"])
    assert "ValueError: invalid literal" in run.stderr
    assert_native(run, "loop", "errors", "recurse", "Deep.__eq__")
    # set(), list(), zip(), range(), rng.random(), items.count() and items.index() per round.
    assert run.stats["site_c_calls"] >= 7 * 300, run.stats
