"""Instances of __slots__ classes made and their float attributes read and written by native code
(the `float` benchmark's shape): object's __new__ reduced to the allocation where it has nothing
else to do (records.h accel_new_plain_instance), float attributes read raw through the cache's
first way, and a float attribute overwritten in place when nothing else holds it.  Each form is
compared against stock where it must not apply: another way of the cache, an abstract class, a
__dict__ or __weakref__ slot, a finalizer, a float held elsewhere, a float subclass, and the
garbage collector's counts and collections."""
from differential import assert_native, compare

POINT = """
import gc, sys, weakref
from math import sqrt

class Point:
    __slots__ = ("x", "y", "z")
    def __init__(self, i):
        self.x = i * 0.5
        self.y = i * 2.0
        self.z = i + 0.25
    def normalize(self):
        norm = sqrt(self.x * self.x + self.y * self.y + self.z * self.z)
        self.x /= norm
        self.y /= norm
        self.z /= norm
    def total(self):
        return self.x + self.y + self.z
"""


def test_slotted_instances_are_made_natively_and_count_for_the_collector(tmp_path):
    """The instance is allocated straight (tp_alloc) from native code: the collections it
    triggers, and the instances the collector tracks, match stock.  (Generation counts
    themselves differ by what accel's compiler allocates while it compiles.)"""
    run = compare(POINT + """
events = []
def on_gc(phase, info):
    if phase == "stop":
        events.append(info["generation"])

def build(n):
    return [Point(float(i)) for i in range(n)]

gc.collect()
gc.callbacks.append(on_gc)
points = build(5000)
gc.callbacks.remove(on_gc)
print(len(points), events)
print(gc.is_tracked(points[7]), sys.getrefcount(points[7]), type(points[7]).__name__)
print(sum(1 for o in gc.get_objects() if type(o) is Point))
print(points[3].x, points[3].y, points[3].z)
""", tmp_path, functions=["build", "Point.__init__"])
    assert_native(run, "build")
    assert_native(run, "Point.__init__", min_entries=1000)
    assert run.stats["native_calls"] >= 5000, run.stats


def test_classes_object_new_must_see_take_its_path(tmp_path):
    """Abstract classes raise, a __dict__ slot or a managed __dict__ gets its dict, a
    __weakref__ slot starts empty, a finalizer runs, __init__ sees stock's reference counts."""
    run = compare("""
import abc, gc, sys, weakref

class Abstract(abc.ABC):
    __slots__ = ("a",)
    @abc.abstractmethod
    def f(self): ...
    def __init__(self, a):
        self.a = a

class WithDictSlot:
    __slots__ = ("a", "__dict__")
    def __init__(self, a):
        self.a = a
        self.b = a * 2.0

class Plain:
    def __init__(self, a):
        self.a = a

class WithWeakref:
    __slots__ = ("a", "__weakref__")
    def __init__(self, a):
        self.a = a

class Finalized:
    __slots__ = ("a",)
    def __init__(self, a):
        self.a = a
        print("refs in __init__", sys.getrefcount(self), sys.getrefcount(a))
    def __del__(self):
        print("del", self.a)

class Sub(Finalized):
    __slots__ = ("b",)
    def __init__(self, a):
        Finalized.__init__(self, a)
        self.b = a + 1.0

def make(cls, a):
    return cls(a)

def scenario():
    for cls in (Abstract, Abstract):
        try:
            make(cls, 1.0)
        except TypeError as e:
            print("TypeError", e)
    d = make(WithDictSlot, 1.5)
    print(d.a, d.b, vars(d))
    p = make(Plain, 2.5)
    print(p.a, vars(p))
    w = make(WithWeakref, 3.5)
    r = weakref.ref(w)
    print(w.a, r() is w)
    del w
    print(r())
    f = make(Finalized, float("4.5"))   # (not a constant: the code's constants hold those)
    del f
    s = make(Sub, float("5.5"))
    print(s.a, s.b, type(s).__name__)
    del s
    for i in range(3):
        make(Finalized, float(i))
    gc.collect()

scenario()
""", tmp_path, functions=["make", "scenario"])
    assert_native(run, "make", "scenario")
    assert run.stats["native_calls"] >= 5, run.stats


def test_float_attributes_read_raw_through_any_way_of_the_cache(tmp_path):
    """The raw read takes the cache's first way inline and every other way out of line:
    one site sees two slotted classes, an instance-dict class, a subclass, a property and
    an int attribute, in turns."""
    run = compare("""
class A:
    __slots__ = ("x", "y")
    def __init__(self, x, y):
        self.x = x
        self.y = y

class B:
    __slots__ = ("y", "x")
    def __init__(self, x, y):
        self.x = x
        self.y = y

class C:
    def __init__(self, x, y):
        self.x = x
        self.y = y

class D(A):
    __slots__ = ()

class E:
    __slots__ = ("y",)
    def __init__(self, x, y):
        self.y = y
    @property
    def x(self):
        return 10.0

def norm2(p):
    return p.x * p.x + p.y * p.y

def scale(p, k):
    p.x *= k
    p.y /= k
    return p.x - p.y

def run():
    objs = [A(1.0, 2.0), B(3.0, 4.0), C(5.0, 6.0), D(7.0, 8.0), E(0.0, 9.0), A(3, 4.0), C(1.5, 2)]
    out = []
    for round in range(60):
        for o in objs:
            out.append(norm2(o))
    for round in range(30):
        for o in objs[:4] + objs[5:]:
            out.append(scale(o, 2.0))
            out.append(scale(o, 0.5))
    try:
        scale(objs[4], 2.0)
    except AttributeError as e:
        print("AttributeError", e)
    print(sum(out), out[:7], out[-4:])

run()
""", tmp_path, functions=["norm2", "scale"])
    assert_native(run, "norm2", "scale", min_entries=50)
    assert any("UNBOX_FLOAT" in form for form in run.function("norm2")["specialized"]), run.function("norm2")


def test_float_attribute_overwritten_in_place_only_when_unshared(tmp_path):
    """`self.x /= norm` writes into the float the slot holds only when the slot has its only
    reference and it is an exact float: a float kept elsewhere, shared constants, a float
    subclass and a value another instance holds all see stock's results."""
    run = compare(POINT + """
class F(float):
    pass

def normalize_all(points):
    for p in points:
        p.normalize()

def main():
    points = [Point(float(i + 1)) for i in range(300)]
    kept = points[5].x
    shared = Point(2.0)
    other = Point(3.0)
    other.x = shared.x           # one float held by two instances
    sub = Point(4.0)
    sub.y = F(7.0)
    points += [shared, other, sub]
    normalize_all(points)
    normalize_all(points)
    print(kept, points[5].x, kept is points[5].x)
    print(shared.x, other.x, shared.x is other.x)
    print(type(sub.y).__name__, sub.y, sub.total())
    print(sum(p.total() for p in points))
    a = points[9].x
    points[9].normalize()
    print(a, points[9].x, sys.getrefcount(a))

main()
""", tmp_path, functions=["Point.normalize", "normalize_all", "main"])
    assert_native(run, "Point.normalize", min_entries=500)
    forms = run.function("Point.normalize")["specialized"]
    assert any("STORE_ATTR" in form and "BOX_FLOAT" in form for form in forms), forms
    assert any("UNBOX_FLOAT" in form for form in forms), forms
