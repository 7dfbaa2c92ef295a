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
