"""Differential tests: the references a callee sees on its arguments (sys.getrefcount)
when native code calls it, in every way a call is made.  As 3.11's CALL moves the
arguments into the callee's frame, the caller's stack no longer owns them while the
callee runs; instantiating a class holds what type_call holds.  The counts are those
of the callee's compiled and not yet compiled runs.  (A Python __getitem__ is left
out: stock CPython's count differs before and after its specializing interpreter
inlines the subscript.)"""
from differential import assert_native, compare

CALLEES = """
import sys

def plain(x):
    return sys.getrefcount(x)
def defaults(x, y=1, z=2):
    return sys.getrefcount(x)
def keywords(a, b):
    return sys.getrefcount(b)
def star(a, *rest):
    return sys.getrefcount(a), sys.getrefcount(rest[0]) if rest else 0
def kwonly(a, *, k=0):
    return sys.getrefcount(a)
def gen(x):
    yield sys.getrefcount(x)

class C:
    def method(self, x):
        return sys.getrefcount(x), sys.getrefcount(self)
    def __add__(self, other):
        return sys.getrefcount(other)
    def __eq__(self, other):
        return sys.getrefcount(other)

class Init:
    def __init__(self, x, y=None):
        self.r = sys.getrefcount(x), sys.getrefcount(self)

class StarInit:
    def __init__(self, x, *rest):
        self.r = sys.getrefcount(x), sys.getrefcount(self)

SENTINEL = object()

class Init4:
    def __init__(self, a, b, c, d=SENTINEL):
        self.r = tuple(map(sys.getrefcount, (self, a, b, c, d)))

def ways(c, o):
    bound = c.method
    return {
        "plain": plain(o),
        "defaults": defaults(o),
        "keyword": keywords(1, b=o),
        "keywords out of order": keywords(b=o, a=1),
        "star": star(o, o),
        "kwonly": kwonly(o, k=1),
        "generator": next(gen(o)),
        "method": c.method(o),
        "bound method": bound(o),
        "init": Init(o).r,
        "init keyword": Init(x=o).r,
        "init star": StarInit(o, 1).r,
        "init four": Init4(o, [], o, object()).r,
        "init four keywords": Init4(o, [], c=o, d=object()).r,
        "init three": Init4(object(), [], o).r,
        "add": c + o,
        "eq": c == o,
    }
"""


def test_callees_see_the_references_stock_does(tmp_path):
    run = compare(CALLEES + """
def loop():
    c = C()
    seen = {}
    marker = object()
    before = sys.getrefcount(marker)
    for i in range(400):
        o = object()
        for way, count in ways(c, o).items():
            seen.setdefault(way, []).append(count)
        ways(c, marker)
    # The first runs of a site differ in stock CPython itself (its specializing
    # interpreter moves the operands of a subscript once the site is specialized).
    for way, counts in seen.items():
        print(way, counts[-1], sorted(set(map(str, counts[:8]))) if way in MOVING else "")
    print("marker", sys.getrefcount(marker) - before)

MOVING = {"plain", "defaults", "keyword", "keywords out of order", "star", "kwonly", "method", "bound method"}
loop()
c = C()
for i in range(300):
    o = object()
    module_body = ways(c, o)
print(module_body)
""", tmp_path, functions=["loop", "ways", "plain", "Init.__init__"])
    assert "plain 4 " in run.stdout and "marker 0" in run.stdout
    assert_native(run, "loop", "ways", "plain", "Init.__init__")


def test_references_are_released_when_callees_raise(tmp_path):
    run = compare("""
import sys

def fails(x, y=1):
    raise ValueError(sys.getrefcount(x))
def star_fails(x, *rest):
    raise ValueError(sys.getrefcount(x))

class C:
    pass

class Init:
    def __init__(self, x):
        raise ValueError(sys.getrefcount(x))

def loop(n):
    c = C()
    marker = object()
    before = sys.getrefcount(marker), sys.getrefcount(c)
    last = []
    for i in range(n):
        for call in (lambda: fails(marker), lambda: fails(y=2, x=marker), lambda: star_fails(marker, 1),
                     lambda: Init(marker), lambda: fails()):
            try:
                call()
            except (ValueError, KeyError, TypeError) as e:
                last.append(str(e))
    print(last[-5:])
    print(sys.getrefcount(marker) - before[0], sys.getrefcount(c) - before[1])

loop(300)
""", tmp_path, functions=["loop"])
    assert "\n0 0\n" in run.stdout
    assert_native(run, "loop")
