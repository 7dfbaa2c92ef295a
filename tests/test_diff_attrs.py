"""Differential tests: attribute, method and module caches (stencils/cached.c) that serve
several owner types at one site, class attributes and methods read through instances, module
functions called through LOAD_METHOD; and each of them while the classes, instances and
modules change under compiled code, from outside it and from callees in a compiled loop."""
from differential import assert_native, compare

# More subclasses than a cache has ways, all reaching the same sites in base-class methods.
SHAPES = """
class Shape:
    SIDES = 0
    unit = "cm"
    def __init__(self, size):
        self.size = size
        self.hits = 0
    def area(self):
        return 0
    def describe(self):
        self.hits += 1
        return (type(self).__name__, self.SIDES, self.unit, self.size, self.area(), self.hits)
    def scaled(self):
        grow = self.grow
        return grow(2)
    def grow(self, k):
        return self.size * k

class Square(Shape):
    SIDES = 4
    def area(self):
        return self.size * self.size

class Tri(Shape):
    SIDES = 3
    def area(self):
        return self.size * self.size // 2

class Hexa(Shape):
    SIDES = 6

class Line(Shape):
    unit = "mm"
    def area(self):
        return -1

class Dot(Shape):
    def __init__(self, size):
        super().__init__(size)
        self.extra = "dot"

class Slotted:
    __slots__ = ("size", "hits")
    SIDES = 99
    unit = "slot"
    def __init__(self, size):
        self.size = size
        self.hits = 0
    area = Shape.area
    describe = Shape.describe
    scaled = Shape.scaled
    grow = Shape.grow

KINDS = [Shape, Square, Tri, Hexa, Line, Dot, Slotted]
"""


def test_polymorphic_sites_serve_every_type(tmp_path):
    run = compare(SHAPES + """
def survey(objs, rounds):
    out = []
    for _ in range(rounds):
        for o in objs:
            out.append(o.describe())
            out.append(o.scaled())
    return out

objs = [k(i + 1) for i, k in enumerate(KINDS)]
res = survey(objs, 50)
print(len(res), res[:14], res[-14:])
print(sum(o.hits for o in objs))
""", tmp_path, functions=["survey", "Shape.describe", "Shape.scaled"])
    assert_native(run, "survey", "Shape.describe", "Shape.scaled")
    assert run.function("Shape.describe")["exits"] == 0


def test_class_changes_under_a_running_loop(tmp_path):
    """A callee changes the classes while the compiled loop keeps reading through the same
    sites: class attributes rebound, shadowed by instance attributes and deleted again, a
    method replaced, a property put in front of an instance attribute, a class attribute
    that becomes a descriptor, __class__ reassigned, a materialized __dict__."""
    run = compare(SHAPES + """
class Box:
    def __init__(self, v):
        self.v = v
    def __repr__(self):
        return f"Box({self.v})"

Shape.box = Box(1)

def read_box(o):
    return getattr(o, "box", None) if isinstance(o, Slotted) else o.box

def change(step, objs):
    sq, tri, hexa, line, dot = objs[1], objs[2], objs[3], objs[4], objs[5]
    if step == 1: Shape.SIDES = 100
    if step == 2: Square.SIDES = 44
    if step == 3: sq.SIDES = "instance"
    if step == 4: del sq.SIDES
    if step == 5: Tri.area = lambda self: "new area"
    if step == 6: tri.area = lambda: "instance area"
    if step == 7: del tri.area
    if step == 8: Shape.size = property(lambda self: 1000 + self.hits)
    if step == 9: del Shape.size
    if step == 10: Box.__get__ = lambda self, obj, typ=None: "descriptor now"
    if step == 11: del Box.__get__
    if step == 12: hexa.__class__ = Line
    if step == 13: dot.__dict__["unit"] = "dict unit"
    if step == 14: Line.grow = lambda self, k: ("Line.grow", k)
    if step == 15: Shape.unit = "m"
    if step == 16: del Line.unit
    if step == 17: Shape.describe = lambda self: ("replaced", type(self).__name__)

def loop(objs, steps):
    out = []
    for step in range(steps):
        change(step, objs)
        for o in objs:
            out.append((step, o.describe(), o.scaled(), read_box(o)))
    return out

objs = [k(i + 1) for i, k in enumerate(KINDS)]
for r in loop(objs, 19):
    print(r)
""", tmp_path, functions=["loop", "Shape.describe", "Shape.scaled", "read_box"])
    assert "descriptor now" in run.stdout and "1018081" in run.stdout
    assert_native(run, "loop", "Shape.scaled", "read_box")


def test_class_attributes_and_bound_methods_through_instances(tmp_path):
    run = compare("""
class C:
    LIMIT = 10
    NAME = "c"
    NOTHING = None
    TYPE = int
    def method(self, x):
        return (self.v, x)
    def __init__(self, v):
        self.v = v

class WithGetattr(C):
    def __getattr__(self, name):
        return f"getattr {name}"

class WithGetattribute(C):
    def __getattribute__(self, name):
        if name == "LIMIT":
            return 4
        return object.__getattribute__(self, name)

def use(o, n):
    total = 0
    for i in range(n):
        if i < o.LIMIT:
            total += i
    bound = o.method
    return total, o.NAME, o.NOTHING, o.TYPE("7"), bound(n), getattr(bound, "__self__", None) is o, o.method(1)

for o in (C(1), C(2), WithGetattr(3), WithGetattribute(4)):
    print(use(o, 20))
c = C(5)
c.LIMIT = 3
print(use(c, 20))
c.method = lambda x: ("instance", x)
print(use(c, 20))
C.LIMIT = 15
del c.LIMIT
del c.method
print(use(c, 20), use(C(6), 20))
C.method = staticmethod(lambda x: ("static", x))
print(use(c, 20))
C.method = classmethod(lambda cls, x: (cls.__name__, x))
print(use(c, 20))
del C.LIMIT
try:
    use(c, 20)
except AttributeError as e:
    print("AttributeError", e)
""", tmp_path, functions=["use"])
    assert "AttributeError" in run.stdout
    assert_native(run, "use")


def test_module_attributes_and_functions_change(tmp_path):
    run = compare("""
import math, types

def roots(mod, n):
    out = []
    for i in range(n):
        out.append(mod.sqrt(i))
    return out, mod.pi

fake = types.ModuleType("fake")
fake.sqrt = lambda x: -x
fake.pi = 3

lazy = types.ModuleType("lazy")
lazy.__getattr__ = lambda name: (lambda x: ("lazy", name, x)) if name == "sqrt" else 0

print(roots(math, 5))
print(roots(fake, 5))
print(roots(math, 3), roots(fake, 3), roots(lazy, 2))
real = math.sqrt
math.sqrt = lambda x: ("patched", x)
print(roots(math, 3))
del math.sqrt
try:
    roots(math, 3)
except AttributeError as e:
    print("AttributeError", e)
math.sqrt = real
fake.__dict__["__class__"] = "not the class"
print(roots(math, 3), fake.__class__)

def patch_midway(i):
    if i == 3:
        math.sqrt = lambda x: ("midway", x)
    if i == 6:
        math.sqrt = real
    return i

def loop(n):
    return [math.sqrt(patch_midway(i)) for i in range(n)]

print(loop(9))
""", tmp_path, functions=["roots"])
    assert "AttributeError" in run.stdout
    assert_native(run, "roots")


def test_megamorphic_site_stays_correct(tmp_path):
    """Many more types than ways at one site, classes made and mutated on the way: the
    cache evicts now and then, never answers for the wrong type."""
    run = compare("""
def make(i):
    ns = {"k": i, "get": lambda self: ("get", self.k, i)}
    if i % 3 == 0:
        ns["__slots__"] = ("v",)
    return type(f"T{i}", (), ns)

def read(o):
    return o.k, o.get(), o.v

types_ = [make(i) for i in range(12)]
objs = []
for t in types_:
    o = t()
    o.v = t.__name__
    objs.append(o)
out = []
for r in range(40):
    for o in objs:
        out.append(read(o))
    if r == 20:
        for t in types_[::2]:
            t.k = -t.k - 1
    if r == 30:
        for t in types_[1::2]:
            t.get = lambda self: "replaced"
print(len(out), out[:12], out[-12:])
""", tmp_path, functions=["read"])
    assert_native(run, "read")


def test_compare_and_jump_on_operands_of_unknown_types(tmp_path):
    """Comparisons of attributes and items (types unknown when compiled) fused with their
    jump: small and big ints, floats and NaN, mixed, strings, int subclasses, rich
    comparisons returning other objects, and a truth test that raises on a line of its own."""
    run = compare("""
import math

class I(int):
    def __lt__(self, other):
        return "always"

class Weird:
    def __bool__(self):
        raise ValueError("no truth")

class Cmp:
    def __init__(self, v):
        self.v = v
    def __eq__(self, other):
        return Weird() if self.v == "weird" else self.v
    def __lt__(self, other):
        return [self.v] if self.v else []

class Box:
    def __init__(self, v):
        self.v = v

def classify(a, b):
    out = []
    if a.v < b.v: out.append("lt")
    if a.v <= b.v: out.append("le")
    if a.v == b.v: out.append("eq")
    if a.v != b.v: out.append("ne")
    if a.v > b.v: out.append("gt")
    if a.v >= b.v: out.append("ge")
    return out

def count_down(box, limit):
    n = 0
    while box.v > limit:
        box.v -= 1
        n += 1
    return n

def truth_raises(a, b):
    if (a.v
            ==
            b.v):
        return "taken"
    return "not taken"

values = [0, 1, -1, 2 ** 40, -(2 ** 70), 1.5, -0.0, 0.0, math.nan, math.inf, True, I(3), "a", "b",
          Cmp(0), Cmp(5), None, (1, 2), [1], 2 ** 30 - 1, 2 ** 30]
for a in values:
    for b in values:
        try:
            print(repr(a)[:20], repr(b)[:20], classify(Box(a), Box(b)))
        except TypeError as e:
            print("TypeError", e)
print(count_down(Box(10.5), 3), count_down(Box(10), 3), count_down(Box(2 ** 65), 2 ** 65 - 4))  # mixed first
print(truth_raises(Box(Cmp(1)), Box(1)), truth_raises(Box(Cmp(0)), Box(1)))
try:
    truth_raises(Box(Cmp("weird")), Box(1))
except ValueError as e:
    import traceback
    traceback.print_exc()
""", tmp_path, functions=["classify", "count_down", "truth_raises"])
    assert "no truth" in run.stderr
    assert_native(run, "classify", "count_down", "truth_raises")
    assert "COMPARE_OP_JUMP" in run.function("classify")["specialized"]
    # its first calls saw only ints, so it was compiled again for ints; the first guard
    # that failed sent all six comparisons back to the form for unknown types at once
    assert run.function("classify")["recompiles"] <= 2, run.function("classify")["text"]
    assert "COMPARE_OP_JUMP" in run.function("count_down")["specialized"]
    assert "COMPARE_OP_JUMP" in run.function("truth_raises")["specialized"]


# Counts the attribute-cache misses of the code between MISSES_START and MISSES_END into
# misses.txt, in the accel run only: the two runs' output stays the same.  (The counters
# straight from the native module: accel.stats() runs code that would count too.)
MISSES_START = """
import sys as _sys
_native = _sys.modules.get("accel.runtime.native")
_misses = _native.counters()["attribute_misses"] if _native else 0
"""
MISSES_END = """
if _native:
    open("misses.txt", "w").write(str(_native.counters()["attribute_misses"] - _misses))
"""


def _misses(tmp_path) -> int:
    return int((tmp_path / "misses.txt").read_text())


def test_methods_and_class_attributes_of_instances_with_a_dict(tmp_path):
    # Instances whose attributes live in a dict, not in values: made by a C __new__
    # (random.Random), made by reading __dict__, or given a key that is not a str.  Their
    # methods and class attributes come from the cache while the dict lacks the name, and
    # stop coming from it when an instance attribute shadows them, or the class changes.
    run = compare("""
import random

class Point:
    KIND = "point"
    def __init__(self, x):
        self.x = x
    def norm(self):
        return abs(self.x)

def draw(rng, n):
    return [rng.random() for _ in range(n)]

def walk(points, rounds):
    out = []
    for _ in range(rounds):
        for p in points:
            out.append((p.norm(), p.KIND))
    return out

rng = random.Random(7)
plain, dicted, odd = Point(-1), Point(2), Point(-3)
vars(dicted)
odd.__dict__[5] = "not a str key"  # a dict the cache does not look in: the generic path
draw(rng, 1), walk([plain, dicted], 1)  # compiled (compiling runs code that misses) before counting
""" + MISSES_START + """
print(draw(rng, 300)[-3:])
rng.random = lambda: 0.5
print(draw(rng, 3))
del rng.random
print(draw(rng, 3))
rng.other = 1
print(draw(rng, 3))
print(walk([plain, dicted], 100)[-3:])
""" + MISSES_END + """
points = [plain, dicted, odd]
print(walk(points, 100)[-3:])
dicted.norm = lambda: "shadowed"
odd.KIND = "own"
print(walk(points, 2))
del dicted.norm
Point.norm = lambda self: self.x * 10
Point.KIND = "changed"
print(walk(points, 2))
""", tmp_path, functions=["draw", "walk"])
    assert_native(run, "draw", "walk")
    # 309 draws (2 changes of rng) and 200 walks: a miss per site and change, not per call.
    assert _misses(tmp_path) < 20, _misses(tmp_path)


def test_descriptors_through_instances(tmp_path):
    # Properties (data descriptors: they win over the instance dict), classmethods,
    # staticmethods and builtin methods read as attributes, served by the cache with
    # their __get__; replaced, shadowed and raising under a compiled loop.
    run = compare("""
import random

class Temp:
    def __init__(self, c):
        self.c = c
    @property
    def f(self):
        if self.c > 1000:
            raise ValueError("too hot")
        return self.c * 9 / 5 + 32
    @classmethod
    def unit(cls):
        return cls.__name__
    @staticmethod
    def scale():
        return "celsius"

def read(objs, n):
    out = []
    for _ in range(n):
        for o in objs:
            out.append((o.f, o.unit(), o.scale(), o.__class__.__name__))
    return out

def bits(rng, n):
    total = 0
    for _ in range(n):
        get = rng.getrandbits
        total += get(8)
    return total

original = Temp.__dict__["f"]
objs = [Temp(0), Temp(100)]
read(objs, 1), bits(random.Random(3), 1)
""" + MISSES_START + """
print(read(objs, 200)[-2:])
objs[0].__dict__["f"] = "instance value"
print(read(objs, 2))
t = objs[1]
t.unit = lambda: "own unit"
print(read(objs, 2))
Temp.f = property(lambda self: -self.c)
print(read(objs, 2))
del Temp.f
print(read(objs[:1], 2))
Temp.f = property(lambda self: self.c / 0)
try:
    read(objs, 2)
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)
print(bits(random.Random(3), 500))
""" + MISSES_END + """
Temp.f = original
read([Temp(2000)], 1)
""", tmp_path, functions=["read", "bits"])
    assert "ValueError: too hot" in run.stderr
    assert_native(run, "read", "bits")
    assert _misses(tmp_path) < 40, _misses(tmp_path)


def test_class_attributes_read_through_the_class(tmp_path):
    # cls.NAME and Class.function from the cache while the class's version holds; type's
    # own data descriptors (__name__, __doc__) for any class; a metaclass that defines
    # the name, or changes, and classes changed under the loop.
    run = compare("""
class Meta(type):
    pass

class Color:
    RED = 1
    GREEN = 2
    def mix(a, b):
        return a + b

class Shade(Color, metaclass=Meta):
    GREEN = 20

def paint(classes, n):
    out = []
    for i in range(n):
        for cls in classes:
            out.append((cls.RED, cls.GREEN, cls.mix(cls.RED, i), cls.__name__))
    return out

paint([Color, Shade], 1)
""" + MISSES_START + """
print(paint([Color, Shade], 100)[-2:])
""" + MISSES_END + """
Color.RED = 100
print(paint([Color, Shade], 2))
Meta.GREEN = "from the metaclass"
print(paint([Color, Shade], 2))
del Shade.GREEN
print(paint([Color, Shade], 2))
Meta.GREEN = property(lambda cls: "meta property")
print(paint([Color, Shade], 2))
Color.mix = staticmethod(lambda a, b: a * b)
print(paint([Color, Shade], 2))
del Color.RED
try:
    paint([Color], 1)
except AttributeError as e:
    print("AttributeError", e)
""", tmp_path, functions=["paint"])
    assert_native(run, "paint")
    # 200 reads at each of 5 sites: Color's metaclass is type, Shade's Meta, so each class
    # has a way of its own; the misses are the first reads and __name__'s.
    assert _misses(tmp_path) < 100, _misses(tmp_path)


def test_methods_found_through_super(tmp_path):
    # super().name for instances: the function found past the class in the instance's type's
    # MRO, cached per instance type; classes changed under the loop, class-level super(),
    # super's own attributes and a name the MRO lacks take the generic path.
    run = compare("""
class A:
    def __init__(self, x):
        self.x = x
    def f(self, k):
        return ("A.f", self.x, k)

class B(A):
    def __init__(self, x):
        super().__init__(x * 2)
    def f(self, k):
        return super().f(k) + ("B",)
    def missing(self):
        return super().nothing()
    def own(self):
        return super().__class__.__name__, super().__thisclass__.__name__

class C(B):
    def f(self, k):
        return super().f(k) + ("C",)

class D(B):
    @classmethod
    def make(cls):
        return super().f.__name__

def run(objs, n):
    out = []
    for i in range(n):
        for o in objs:
            out.append(o.f(i))
    return out

objs = [B(1), C(2), B(3)]
run(objs, 1)
""" + MISSES_START + """
print(run(objs, 100)[-3:])
print([type(o)(5).x for o in objs for _ in range(50)][-3:])
""" + MISSES_END + """
A.f = lambda self, k: ("new A.f", k)
print(run(objs, 2))
B.f = lambda self, k: ("new B.f", k)
print(run(objs, 2))
class E:
    def f(self, k):
        return ("E.f", k)
C.__bases__ = (E,)
print(run(objs, 2))
print(D.make(), objs[0].own())
try:
    objs[0].missing()
except AttributeError as e:
    print("AttributeError", e)
""", tmp_path, functions=["run", "B.f", "C.f", "B.__init__"])
    assert_native(run, "run", "B.f", "C.f", "B.__init__")
    # 300 super().f and 150 super().__init__ calls from two instance types: a miss per way.
    assert _misses(tmp_path) < 20, _misses(tmp_path)


def test_first_stores_into_empty_slots(tmp_path):
    # An __init__ fills its __slots__ members while they are still empty: the fused stores
    # put the object (or a raw float, boxed) straight into the slot, as the member's
    # descriptor does; an attribute kept in the instance's values instead joins the dict's
    # insertion order, so it takes the generic path; a subclass's property of the same
    # name, and slots emptied again with del, behave as they do under stock.
    run = compare("""
import sys

class P:
    __slots__ = ("x", "y", "z")
    def __init__(self, v):
        self.x = v
        self.y = v * 2.0
        self.z = (v,)
    def refill(self, v):
        self.x = v
        self.y = v * 0.5

class Sub(P):
    __slots__ = ("w",)

class Shadow(P):
    @property
    def x(self):
        return "property"
    @x.setter
    def x(self, value):
        print("setter", value)

class Box:
    __slots__ = ("item",)
    def __init__(self, item):
        self.item = item

class Plain:
    def __init__(self, v, first):
        if first:
            self.a = v
            self.b = v * 2.0
        else:
            self.b = v * 2.0
            self.a = v

points = [cls(float(i)) for i in range(5) for cls in (P, Sub)]
print([(p.x, p.y, p.z) for p in points])
p = P(1.5)
del p.x, p.y
try:
    p.x
except AttributeError as error:
    print("AttributeError:", error)
p.refill(2.5)
print(p.x, p.y)
del p.y
for v in (3.5, 4.5):
    p.refill(v)
    print(p.x, p.y)
token = object()
before = sys.getrefcount(token)
kept = [Box(token) for _ in range(4)]
print(sys.getrefcount(token) - before)
kept.clear()
print(sys.getrefcount(token) - before)
s = Shadow(6.0)
print(s.x, s.y, s.z)
print([list(vars(Plain(float(i), i % 2 == 0))) for i in range(4)])
""", tmp_path, functions=["P.__init__", "P.refill", "Box.__init__", "Plain.__init__"])
    assert_native(run, "P.__init__", "P.refill", "Box.__init__", "Plain.__init__")
    init = run.function("P.__init__")["specialized"]
    assert {"LOAD_FAST__STORE_ATTR_CACHED", "LOAD_FAST__STORE_ATTR_CACHED_BOX_FLOAT"} <= set(init), init
    assert "LOAD_FAST__STORE_ATTR_CACHED_BOX_FLOAT" in run.function("P.refill")["specialized"]
