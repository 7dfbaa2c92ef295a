"""The attribute forms' usual path (stencils/cached.c first_way_attribute): an instance value
and a __slots__ member both read and written inline through the cache's first way, anything
else through one out-of-line call (accel_load_attr, native/caches.c); and LOAD_GLOBAL's hit
decided by the globals' version alone.  Each is compared against stock where the first way
must not serve: the other kind of owner at the same site, a slot or an instance attribute
deleted (AttributeError with stock's message and traceback), a class changed under the site,
a property put in a slot's place, a global rebound in the loop, globals that are a dict
subclass."""
from differential import assert_native, compare

CLASSES = """
class Slotted:
    __slots__ = ("x", "y")
    def __init__(self, x, y):
        self.x = x
        self.y = y

class Plain:
    def __init__(self, x, y):
        self.x = x
        self.y = y
"""


def test_slot_and_instance_value_sites_see_each_other_and_deleted_attributes(tmp_path):
    run = compare(CLASSES + """
def total(points):
    t = 0.0
    for p in points:
        t += p.x * 2.0 + p.y       # fused loads, raw floats
        q = p
        q.y = q.x                  # fused store
    return t

def objects(points):
    out = []
    for i in range(len(points)):
        out.append(points[i].x)    # the owner on the stack
    return out

slotted = [Slotted(float(i), 1.5) for i in range(300)]
plain = [Plain(float(i), 2.5) for i in range(300)]
print(total(slotted), total(plain), total(slotted + plain), total(plain[:5] + slotted[:5]))
print(objects(slotted)[:3], objects(plain)[-3:], objects(slotted[:4] + plain[:4]))
del slotted[7].x
try:
    total(slotted)
except AttributeError as e:
    print("AttributeError", e)
del plain[9].y
try:
    objects(plain[:20])
    total(plain)
except AttributeError as e:
    print("AttributeError", e)
slotted[7].x = 4.0
print(total(slotted))
del slotted[3].x
total(slotted)                     # uncaught: stock's traceback
""", tmp_path, functions=["total", "objects"])
    assert_native(run, "total", "objects")
    assert run.returncode == 1 and "AttributeError" in run.stderr


def test_class_changes_under_the_first_way(tmp_path):
    run = compare(CLASSES + """
def read(points):
    t = 0.0
    for p in points:
        t += p.x
    return t

def write(points, v):
    for p in points:
        p.y = v

slotted = [Slotted(float(i), 1.0) for i in range(200)]
plain = [Plain(float(i), 1.0) for i in range(200)]
print(read(slotted), read(plain))
write(slotted, 2.0); write(plain, 3.0)
Plain.z = 5                       # the class changes: its version goes
Slotted.w = 6
print(read(slotted), read(plain))
write(slotted, 2.5); write(plain, 3.5)
print(slotted[5].y, plain[5].y)
Plain.x = property(lambda self: -1.0)   # a data descriptor now wins over the instance value
print(read(plain))
Slotted.x = property(lambda self: -2.0) # the slot's member descriptor replaced
print(read(slotted))
try:
    write(plain[:3], 1.0)
    Plain.y = property(lambda self: 0.0)
    write(plain[:3], 1.0)
except AttributeError as e:
    print("AttributeError", e)
""", tmp_path, functions=["read", "write"])
    assert_native(run, "read", "write")


def test_globals_by_version(tmp_path):
    run = compare("""
import math
SCALE = 2.0

def scaled(n):
    global SCALE
    t = 0.0
    for i in range(n):
        t += math.sqrt(i) * SCALE + abs(-i)
        if i == 50:
            SCALE = 3.0            # rebound: the globals' version changes
    return t

print(scaled(100), scaled(100))
SCALE = 0.5
print(scaled(10))

class Globals(dict):
    def __missing__(self, key):
        return 7.0

namespace = Globals(__builtins__=__builtins__)
exec('''
def f(n):
    t = 0.0
    for i in range(n):
        t += MISSING + i
    return t
''', namespace)
print(namespace["f"](100), namespace["f"](10))
del SCALE
try:
    scaled(3)
except NameError as e:
    print("NameError", e)
""", tmp_path, functions=["scaled"])
    assert_native(run, "scaled")


def test_raw_float_forms_out_of_line(tmp_path):
    """Where locals are raw, an attribute the first way does not serve takes one call
    (accel_load_raw_float_pure, accel_store_raw_float_pure): the site's first run fills the
    cache there, a store into an emptied instance value joins the dict's order, a shared float
    is replaced rather than changed, the owner's reference count comes out as stock's, and
    anything else exits for the interpreter."""
    run = compare(CLASSES + """
import sys
from math import sqrt

def scale(p, k):
    n = sqrt(p.x * p.x + p.y * p.y)
    p.x /= n * k
    p.y /= n * k
    return n

class Other:
    def __init__(self):
        self.y = 4.0
        self.x = 3.0

warm = [Slotted(float(i + 1), 2.0) for i in range(300)]
print(sum(scale(w, 1.0) for w in warm))   # profiled, then compiled again with the raw forms
for make in (lambda: Slotted(3.0, 4.0), lambda: Plain(3.0, 4.0), Other):
    p = make()
    before = sys.getrefcount(p)
    print(type(p).__name__, scale(p, 1.0), p.x, p.y, sys.getrefcount(p) - before)
q = Plain(6.0, 8.0)
shared = q.x
print(scale(q, 2.0), q.x, q.y, shared)
del q.x
q.x = 1.0                          # re-added last: vars() shows stock's order
print(scale(q, 1.0), list(vars(q)))
r = Slotted(1.0, 2.0)
r.x = 5                            # an int: the interpreter does it
print(scale(r, 1.0), r.x, r.y)
s = Slotted(1.0, 2.0)
del s.y
try:
    scale(s, 1.0)
except AttributeError as e:
    print("AttributeError", e)
""", tmp_path, functions=["scale"])
    assert_native(run, "scale", min_entries=300)
    forms = set(run.function("scale")["specialized"])
    assert {"LOAD_FAST__LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE_TWICE", "LOAD_FAST__COPY__LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE",
            "STORE_ATTR_CACHED_SWAPPED_BOX_FLOAT_PURE"} <= forms, forms
