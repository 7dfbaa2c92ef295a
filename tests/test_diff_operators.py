"""Differential tests: binary operators on an instance of a Python class that defines the
operator in Python and an operand of that class, an int or a float (native/operators.c):
its dunder runs natively, called the way native code calls a function; NotImplemented
(then the int's or float's own slot), in-place dunders, sequence fallbacks, operands of
other classes and dunders that change take CPython's path or give its errors."""
from differential import assert_native, compare

VEC = """
class Vec:
    __slots__ = ("x", "y")
    def __init__(self, x, y):
        self.x = x
        self.y = y
    def __add__(self, other):
        if other.x < 0:
            return NotImplemented
        return Vec(self.x + other.x, self.y + other.y)
    def __sub__(self, other):
        return Vec(self.x - other.x, self.y - other.y)
    def __mul__(self, other):
        if type(other) is int:
            return Vec(self.x * other, self.y * other)
        return Vec(self.x * other.x, self.y * other.y)
    def __truediv__(self, other):
        return Vec(self.x / other.x, self.y / other.y)
    def __repr__(self):
        return f"Vec({self.x}, {self.y})"
"""


def test_dunders_of_one_class_run_natively(tmp_path):
    run = compare(VEC + """
def walk(n):
    p, step = Vec(0, 0), Vec(1, 2)
    for i in range(n):
        p = p + step
        p -= Vec(0, 1)
        p = p * Vec(1, 1)
        p = p * 1
    return p

walk(1)
""" + """
import sys
native = sys.modules.get("accel.runtime.native")
before = native.counters()["native_calls"] if native else 0
print(walk(1000))
if native:
    open("calls.txt", "w").write(str(native.counters()["native_calls"] - before))
""", tmp_path, functions=["walk", "Vec.__add__", "Vec.__sub__"])
    assert_native(run, "walk", "Vec.__add__", "Vec.__sub__")
    # 4 dunders and 5 instantiations (each with its __init__) per round, all called natively.
    assert int((tmp_path / "calls.txt").read_text()) >= 9000


def test_operator_errors_and_fallbacks_match_stock(tmp_path):
    run = compare(VEC + """
class InPlace(Vec):
    __slots__ = ()
    def __iadd__(self, other):
        self.x += other.x
        return self

class Items(list):
    def __add__(self, other):
        return NotImplemented
    def __mul__(self, other):
        return NotImplemented

class Scaled(Vec):
    __slots__ = ()
    def __mul__(self, k):
        if k == 0:
            return NotImplemented
        return Scaled(self.x * k, self.y * k)

class MyInt(int):
    def __add__(self, other):
        return NotImplemented
    def __sub__(self, other):
        return "sub"

class Left(Vec):
    __slots__ = ()
    def __sub__(self, other):
        return "left"
    def __rsub__(self, other):
        return "reflected"

def apply(op, a, b):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b
    if op == "+=":
        a += b
        return a
    if op == "-=":
        a -= b
        return a
    raise ValueError(op)

cases = [
    ("+", Vec(1, 1), Vec(2, 2)), ("+", Vec(1, 1), Vec(-2, 2)), ("+=", Vec(1, 1), Vec(-2, 2)),
    ("+=", InPlace(1, 1), InPlace(5, 5)), ("+", InPlace(1, 1), InPlace(5, 5)),
    ("+", Items([1]), Items([2])), ("*", Items([1]), 2), ("*", Items([1]), Items([1])),
    ("-", Left(1, 1), Left(1, 1)), ("-", Vec(1, 1), Left(1, 1)), ("-", Left(1, 1), Vec(1, 1)),
    ("-=", Vec(1, 1), Vec(1, 1)), ("/", Vec(1, 1), Vec(0, 1)), ("+", 1, 2), ("+", "a", "b"),
    ("*", Scaled(1, 2), 3), ("*", Scaled(1, 2), 0.5), ("*", Scaled(1, 2), 0), ("*", Scaled(1, 2), 0.0),
    ("*", Scaled(1, 2), True), ("*", Scaled(1, 2), "s"), ("+", MyInt(5), 3), ("+", MyInt(5), 3.0),
    ("-", MyInt(5), 3), ("+", MyInt(5), MyInt(1)), ("+=", MyInt(5), 2),
]
for op, a, b in cases:
    try:
        print(op, apply(op, a, b))
    except (TypeError, ZeroDivisionError) as e:
        print(op, type(e).__name__, e)

Vec.__sub__ = lambda self, other: "replaced"
print(apply("-", Vec(1, 1), Vec(1, 1)), apply("-=", Vec(1, 1), Vec(1, 1)))
Vec.__sub__ = staticmethod(lambda other: "static")
print(apply("-", Vec(1, 1), Vec(1, 1)))
del Vec.__sub__
try:
    apply("-", Vec(1, 1), Vec(1, 1))
except TypeError as e:
    print("TypeError", e)
apply("/", Vec(1, 1), Vec(0, 1))
""", tmp_path, functions=["apply"])
    assert "ZeroDivisionError" in run.stderr
    assert_native(run, "apply")


def test_dunder_frames_recursion_and_references_match_stock(tmp_path):
    """A dunder that native code runs on a frame of its own (native/calls.c call_direct): its
    caller seen through sys._getframe, references the operands hold, an exception's traceback
    through it, a RecursionError at stock's depth, a guard that fails inside it, and tracing
    switched on from inside it."""
    run = compare("""
import sys

class Num:
    def __init__(self, v):
        self.v = v
    def __sub__(self, other):
        if type(other) is int:
            if other == 0:
                return self
            return self - (other - 1)
        caller = sys._getframe(1).f_code.co_name
        return Num((self.v - other.v, caller, sys.getrefcount(other)))
    def __mul__(self, other):
        return Num(self.v * other.v)
    def __truediv__(self, other):
        return Num(self.v / other.v)

def sub(a, b):
    return a - b

def mul(a, b):
    return a * b

def div(a, b):
    return a / b

for i in range(3):
    print(sub(Num(5), Num(i)).v)
print(mul(Num(2), Num(3)).v, mul(Num(2.5), Num(2)).v, mul(Num("ab"), Num(2)).v)
try:
    div(Num(1), Num(0))
except ZeroDivisionError as e:
    tb = e.__traceback__
    names = []
    while tb is not None:
        names.append((tb.tb_frame.f_code.co_name, tb.tb_lineno))
        tb = tb.tb_next
    print("ZeroDivisionError", names)

sys.setrecursionlimit(150)
depth = 0
def deep(k):
    global depth
    depth = k
    return Num(0) - k
for k in range(100, 200):
    try:
        deep(k)
    except RecursionError:
        print("RecursionError first at", k)
        break
sys.setrecursionlimit(1000)

events = []
class Traced:
    def __sub__(self, other):
        sys.settrace(lambda frame, event, arg: events.append((frame.f_code.co_name, event)) or None)
        return 1
print(sub(Traced(), Traced()), sub(Traced(), Traced()))
sys.settrace(None)
print(sorted(set(events)))
div(Num(1), Num(0))
""", tmp_path, functions=["sub", "mul", "Num.__sub__", "Num.__mul__"])
    assert "ZeroDivisionError" in run.stderr
    assert_native(run, "sub", "mul", "Num.__sub__", "Num.__mul__")


def test_site_cache_of_dunders_follows_classes_and_functions(tmp_path):
    """A BINARY_OP site that learned a class's dunder calls it from its cache
    (stencils/shared.c SHARED_BINARY_OP_PYTHON, counted as operator_calls) and
    notices, after warm-up, every change that would make CPython's slot call
    something else: the dunder replaced in the class or in a base, its
    __code__ or defaults replaced, an operand of a subclass or of another
    type, NotImplemented from the cached call (then the int's slot or a
    TypeError), an exception raised inside (traceback through the site), and
    the references the dunder sees on its operands."""
    run = compare("""
import sys

class Base:
    __slots__ = ("v",)
    def __init__(self, v):
        self.v = v
    def __add__(self, other, scale=1):
        if type(other) is int:
            return NotImplemented if other < 0 else Num(self.v + other * scale)
        return Num(self.v + other.v * scale)

class Num(Base):
    __slots__ = ()
    def __sub__(self, other):
        if type(other) is float:
            return Num(self.v - other)
        if other.v == 0:
            raise ValueError("zero")
        return Num((self.v - other.v, sys.getrefcount(other)))
    def __imul__(self, other):
        return NotImplemented
    def __mul__(self, other):
        return Num(self.v * (other if type(other) is int else other.v))

class Sub(Num):
    __slots__ = ()
    def __add__(self, other):
        return "sub"

def add(a, b):
    return a + b

def sub(a, b):
    return a - b

def imul(a, b):
    a *= b
    return a

def rounds(n, a, b):
    out = None
    for _ in range(n):
        out = add(a, b)
    return out

def show(label, f, *args):
    try:
        r = f(*args)
        print(label, r.v if isinstance(r, Num) else r)
    except Exception as e:
        print(label, type(e).__name__, e)

for i in range(300):
    add(Num(i), Num(1))
    sub(Num(i), Num(1))
    imul(Num(i), 2)
show("warm", rounds, 500, Num(1), Num(2))
show("int", add, Num(1), 5)
show("notimpl", add, Num(1), -5)
show("float", sub, Num(1), 0.5)
show("sub-left", add, Sub(1), Num(2))
show("sub-right", add, Num(1), Sub(2))
show("refs", sub, Num(10), Num(3))
show("imul", imul, Num(3), Num(4))
show("raises", sub, Num(1), Num(0))
show("bool", add, Num(1), True)
Base.__add__.__defaults__ = (10,)
show("defaults", add, Num(1), Num(2))
def replaced_code(self, other, scale=1):
    return Num(("code", self.v, other.v))
Base.__add__.__code__ = replaced_code.__code__
show("code", add, Num(1), Num(2))
Base.__add__ = lambda self, other: Num("base replaced")
show("base", add, Num(1), Num(2))
Num.__add__ = lambda self, other: Num("own")
show("own", add, Num(1), Num(2))
del Num.__add__
show("deleted", add, Num(1), Num(2))
Num.__add__ = original_sub = Num.__sub__
show("again", rounds, 50, Num(9), Num(2))
Num.__sub__ = staticmethod(lambda a, b: Num("static"))
show("static", sub, Num(1), Num(2))
Num.__sub__ = original_sub
sub(Num(1), Num(0))
""", tmp_path, functions=["add", "sub", "rounds", "Num.__sub__", "Base.__add__"])
    assert "ValueError: zero" in run.stderr
    assert_native(run, "add", "sub", "rounds", "Num.__sub__")
    # The warm-up's and rounds' sums and differences, from the sites' caches.
    assert run.stats["operator_calls"] >= 1000, run.stats
