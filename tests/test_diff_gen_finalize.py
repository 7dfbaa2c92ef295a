"""Differential tests: a suspended generator that is dropped is closed without throwing
GeneratorExit into it where nothing could tell (native/gen_finalize.c): its locals'
finalizers run in stock's order, with stock's frames and exception state around them;
generators with handlers, with a frame object, traced or profiled, suspended in a
`yield from`, with a value stack item only the stack holds, in a cycle, or at the
recursion limit are closed as stock closes them."""
from differential import assert_native, compare


def test_dropped_generators_close_as_stock_closes_them(tmp_path):
    run = compare('''import gc
import sys

class Noisy:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        f = sys._getframe(1)
        print("  del", self.name, "from", f.f_code.co_name, sys.exc_info()[0])

def outer(tag):
    held = Noisy(f"cell {tag}")
    return (held.name + n.name for n in [Noisy(f"{tag} a"), Noisy(f"{tag} b"), Noisy(f"{tag} c")])

class Iter:
    def __init__(self):
        self.i = 0
    def __iter__(self):
        return self
    def __next__(self):
        self.i += 1
        return self.i
    def __del__(self):
        f = sys._getframe(1)
        print("  Iter del from", f.f_code.co_name, f.f_lineno)

def plain():
    for x in Iter():
        yield x

def with_finally():
    try:
        yield 1
        yield 2
    finally:
        print("  finally")


def inner():
    yield 1
    yield 2

def delegating():
    yield from inner()

def deep(n, box):
    if n:
        return deep(n - 1, box)
    del box[0]  # (closing it takes one frame more than this one)
    return "deep done"

caught = []
sys.unraisablehook = caught.append  # (no Python frame: it works at the recursion limit)

def profiler(frame, event, arg):
    if event in ("call", "return") and frame.f_code.co_name == "<genexpr>":
        print("  profile", event)

def main():
    g = outer("one")
    print(next(g))
    del g
    print("dropped one")
    print(any(len(s) > 3 for s in outer("two")))
    g = plain()
    print(next(g))
    del g
    print("dropped plain")
    g = with_finally()
    next(g)
    del g
    g = outer("frame")
    next(g)
    f = g.gi_frame
    del g
    print("frame kept", sorted(k for k in f.f_locals))
    del f
    try:
        raise KeyError("handled")
    except KeyError:
        g = outer("in except")
        next(g)
        del g
        print("exc still", sys.exc_info()[0])
    g = outer("traced")
    next(g)
    sys.settrace(lambda *a: None)
    del g
    sys.settrace(None)
    a = [outer("cycle")]
    next(a[0])
    a.append(a)
    del a
    gc.collect()
    g = delegating()
    next(g)
    del g
    print("dropped delegating")
    g = outer("profiled")
    next(g)
    sys.setprofile(profiler)
    del g
    sys.setprofile(None)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(60)
    for depth in range(48, 60):
        box = [outer("deep")]
        next(box[0])
        try:
            print(depth, deep(depth, box))
        except RecursionError as error:
            print(depth, "RecursionError", error)
    sys.setrecursionlimit(limit)
    print("unraisable", [(type(r.exc_value).__name__, r.object.__qualname__) for r in caught])
    caught.clear()
    print("end")

for _ in range(2):
    main()
''', tmp_path, functions=["outer", "plain", "main"])
    assert "Iter del from plain" in run.stdout and "finally" in run.stdout and "frame kept" in run.stdout
    assert "56 deep done" in run.stdout and "('RecursionError', 'Noisy.__del__')" in run.stdout
    assert_native(run, "outer", "main")
    assert run.stats["generators_closed_quietly"] >= 2 * 6, run.stats
