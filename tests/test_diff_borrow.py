"""Differential tests: a LOAD_FAST fused with the instruction that consumes what it loads,
the operand borrowed from the local's slot (accel/specializer/borrow.py): attribute loads and
stores (stencils/cached.c) and conditional jumps on a local's truth or `is None`
(stencils/control.c).  Each runs its fast paths, its generic paths (where Python code runs
while the stencil holds the operand, as the value stack would), its errors (tracebacks, with
and without a handler in the frame), and an unbound local (the exit before the pair); the
fused forms must have been emitted and have run natively."""
from differential import assert_native, compare

BORROWED = ("LOAD_FAST__LOAD_ATTR_CACHED", "LOAD_FAST__STORE_ATTR_CACHED")


def _assert_fused(run, name, *forms):
    facts = run.function(name)
    for form in forms:
        assert form in facts["specialized"], facts["text"]


def test_attribute_loads_and_stores_on_a_borrowed_owner(tmp_path):
    run = compare("""
import sys

class Plain:
    def __init__(self, v):
        self.v = v
        self.link = None

class Slotted:
    __slots__ = ("v", "link")
    def __init__(self, v):
        self.v = v
        self.link = None

class Computed:
    seen = []
    def __init__(self, v):
        self._v = v
        self.link = None
    @property
    def v(self):
        # The owner is held while the getter runs, as the value stack holds it.
        Computed.seen.append(sys.getrefcount(self))
        return self._v
    @v.setter
    def v(self, value):
        Computed.seen.append(sys.getrefcount(self))
        self._v = value

class Dynamic:
    def __init__(self, v):
        self.__dict__["link"] = None
        self.__dict__["_v"] = v
    def __getattr__(self, name):
        return self.__dict__["_" + name]
    def __setattr__(self, name, value):
        self.__dict__["_" + name if name == "v" else name] = value

def bump(obj, rounds):
    total = 0
    for i in range(rounds):
        obj.v = obj.v + i
        total += obj.v
        obj.link = obj
        obj.link = None
    return total

for kind in (Plain, Slotted, Computed, Dynamic, Plain):
    o = kind(3)
    before = sys.getrefcount(o)
    print(kind.__name__, bump(o, 200), o.v, sys.getrefcount(o) - before)
print(sorted(set(Computed.seen)))
""", tmp_path, functions=["bump"])
    assert_native(run, "bump")
    _assert_fused(run, "bump", *BORROWED)
    assert run.function("bump")["exits"] == 0, run.function("bump")["text"]


def test_attribute_errors_from_borrowed_owners(tmp_path):
    run = compare("""
class P:
    __slots__ = ("a",)

class Frozen:
    def __setattr__(self, name, value):
        raise TypeError(f"frozen: {name}")

def load(o):
    return o.a

def store(o, v):
    o.a = v

def load_handled(o):
    try:
        return o.a
    except AttributeError as e:
        return "handled: " + str(e)

def store_handled(o, v):
    try:
        o.a = v
    except (AttributeError, TypeError) as e:
        return "handled: " + str(e)
    return "stored"

p = P()
for i in range(100):
    store(p, i)
    assert load(p) == i
    assert load_handled(p) == i
    assert store_handled(p, i) == "stored"
print(load_handled(P()), store_handled(Frozen(), 1), store_handled(object(), 1))
store(Frozen(), 2)
""", tmp_path, functions=["load", "store", "load_handled", "store_handled"])
    assert run.returncode == 1 and "TypeError: frozen: a" in run.stderr
    assert_native(run, "load", "store", "load_handled", "store_handled")
    _assert_fused(run, "load", "LOAD_FAST__LOAD_ATTR_CACHED")
    _assert_fused(run, "store", "LOAD_FAST__STORE_ATTR_CACHED")
    _assert_fused(run, "load_handled", "LOAD_FAST__LOAD_ATTR_CACHED")
    _assert_fused(run, "store_handled", "LOAD_FAST__STORE_ATTR_CACHED")


def test_uncaught_attribute_error_traceback(tmp_path):
    run = compare("""
class Node:
    def __init__(self, nxt):
        self.nxt = nxt

def depth(node):
    n = 0
    while True:
        node = node.nxt
        n += 1

print(depth(Node(Node(Node(None)))))
""", tmp_path, functions=["depth"])
    assert run.returncode == 1 and "AttributeError" in run.stderr
    _assert_fused(run, "depth", "LOAD_FAST__LOAD_ATTR_CACHED")


def test_unbound_locals_exit_before_the_pair(tmp_path):
    run = compare("""
class O:
    pass

def late(flag):
    if flag:
        o = O()
        o.x = 1
    return o.x

def late_store(flag):
    if flag:
        o = O()
    o.y = 2
    return o.y

def late_test(flag):
    if flag:
        v = 0
    if v:
        return "yes"
    return "no"

def late_return(flag):
    if flag:
        r = [flag]
    return r

for i in range(50):
    late(True), late_store(True), late_test(True), late_return(True)
for f in (late, late_store, late_test, late_return):
    try:
        f(False)
    except UnboundLocalError as e:
        print(f.__name__, e)
""", tmp_path, functions=["late", "late_store", "late_test", "late_return"])
    assert_native(run, "late", "late_store", "late_test", "late_return")
    _assert_fused(run, "late", "LOAD_FAST__LOAD_ATTR_CACHED")
    _assert_fused(run, "late_store", "LOAD_FAST__STORE_ATTR_CACHED")
    _assert_fused(run, "late_test", "LOAD_FAST__POP_JUMP_FORWARD_IF_FALSE", "LOAD_CONST__RETURN_VALUE")
    _assert_fused(run, "late_return", "LOAD_FAST__RETURN_VALUE")


def test_jumps_on_a_borrowed_local(tmp_path):
    run = compare("""
import sys

class Node:
    __slots__ = ("v", "nxt")
    def __init__(self, v, nxt):
        self.v = v
        self.nxt = nxt

class Truthy:
    seen = []
    def __init__(self, n):
        self.n = n
    def __bool__(self):
        Truthy.seen.append(sys.getrefcount(self))
        return self.n > 0

class Sized:
    def __init__(self, n):
        self.n = n
    def __len__(self):
        return self.n

class Broken:
    def __bool__(self):
        raise ValueError("no truth")

def walk(node):
    total = 0
    while node is not None:
        total += node.v
        node = node.nxt
    return total

def find_none(items):
    n = 0
    for x in items:
        if x is None:
            n += 1
        if x is not None:
            n += 10
    return n

def truths(items):
    out = []
    for x in items:
        if x:
            out.append(1)
        if not x:
            out.append(0)
    return out

def countdown(n):
    steps = 0
    while n:
        n -= 1
        steps += 1
    return steps

def guarded(x):
    try:
        if x:
            return "true"
        return "false"
    except ValueError as e:
        return "caught " + str(e)

chain = None
for i in range(100):
    chain = Node(i, chain)
print(walk(chain), walk(None))
items = [None, 0, 1, "", "a", [], [0], Truthy(0), Truthy(3), Sized(0), Sized(2), 0.0, 2.5, True, False]
print(find_none(items * 10))
print(truths(items))
print(countdown(1000), countdown(0))
print(sorted(set(Truthy.seen)))
print([guarded(x) for x in (1, 0, Broken(), Truthy(1))])
print(truths([Broken()]))
""", tmp_path, functions=["walk", "find_none", "truths", "countdown", "guarded"])
    assert run.returncode == 1 and "ValueError: no truth" in run.stderr
    assert_native(run, "walk", "find_none", "truths", "countdown", "guarded")
    _assert_fused(run, "walk", "LOAD_FAST__POP_JUMP_FORWARD_IF_NONE", "LOAD_FAST__POP_JUMP_BACKWARD_IF_NOT_NONE")
    _assert_fused(run, "find_none", "LOAD_FAST__POP_JUMP_FORWARD_IF_NOT_NONE", "LOAD_FAST__POP_JUMP_FORWARD_IF_NONE")
    _assert_fused(run, "truths", "LOAD_FAST__POP_JUMP_FORWARD_IF_FALSE", "LOAD_FAST__POP_JUMP_FORWARD_IF_TRUE")
    _assert_fused(run, "countdown", "LOAD_FAST__POP_JUMP_FORWARD_IF_FALSE", "LOAD_FAST__POP_JUMP_BACKWARD_IF_TRUE")
    _assert_fused(run, "guarded", "LOAD_FAST__POP_JUMP_FORWARD_IF_FALSE")


def test_returns_from_slots_and_constants(tmp_path):
    run = compare("""
import sys

def ident(x):
    return x

def nothing(x):
    x.append(1)

def gen(items):
    for x in items:
        yield x
    return "done"

class Owner:
    def __del__(self):
        # The frame that returned the last reference reports its line.
        print("freed at line", sys._getframe(1).f_lineno)

def drop():
    o = Owner()
    return None

big = object()
before = sys.getrefcount(big)
for _ in range(1000):
    assert ident(big) is big
print(sys.getrefcount(big) - before, nothing([]), list(gen(range(3))))
g = gen([1])
next(g)
try:
    next(g)
except StopIteration as stop:
    print("returned", stop.value)
drop()
""", tmp_path, functions=["ident", "nothing", "gen", "drop"])
    assert_native(run, "ident", "nothing", "gen", "drop")
    _assert_fused(run, "ident", "LOAD_FAST__RETURN_VALUE")
    _assert_fused(run, "nothing", "LOAD_CONST__RETURN_VALUE")
    _assert_fused(run, "gen", "LOAD_CONST__RETURN_VALUE")


def test_jumps_on_an_attribute_of_a_borrowed_owner(tmp_path):
    run = compare("""
import sys

class Truthy:
    seen = []
    def __init__(self, n):
        self.n = n
    def __bool__(self):
        Truthy.seen.append((sys.getrefcount(self), sys._getframe(1).f_lineno))
        return self.n > 0

class Broken:
    def __bool__(self):
        raise ValueError("no truth")

class Holder:
    def __init__(self, flag, nxt):
        self.flag = flag
        self.nxt = nxt

class Lazy:
    @property
    def flag(self):
        return [1]
    @property
    def nxt(self):
        return None

def classify(h):
    out = 0
    if h.flag:
        out += 1
    if not h.flag:
        out += 2
    if h.nxt is None:
        out += 4
    if h.nxt is not None:
        out += 8
    return out

def guarded(h):
    try:
        if h.flag:
            return "true"
        return "false"
    except (ValueError, AttributeError) as e:
        return "caught " + type(e).__name__

values = [True, False, None, 0, 3, "", "x", [], [0], Truthy(0), Truthy(2), 0.0, 1.5]
holders = [Holder(v, v) for v in values] + [Lazy()]
print([classify(h) for h in holders * 20][:len(holders)])
print(sorted(set(Truthy.seen)))
print([guarded(h) for h in (Holder(1, None), Holder(Broken(), None), Lazy(), object())])
classify(Holder(Broken(), None))
""", tmp_path, functions=["classify", "guarded"])
    assert run.returncode == 1 and "ValueError: no truth" in run.stderr
    assert_native(run, "classify", "guarded")
    _assert_fused(run, "classify", *(f"LOAD_FAST__LOAD_ATTR_CACHED__POP_JUMP_FORWARD_IF_{test}"
                                     for test in ("TRUE", "FALSE", "NONE", "NOT_NONE")))
    _assert_fused(run, "guarded", "LOAD_FAST__LOAD_ATTR_CACHED__POP_JUMP_FORWARD_IF_FALSE")


def test_subscripts_of_borrowed_locals(tmp_path):
    run = compare("""
import sys

class Table:
    seen = []
    def __init__(self):
        self.d = {}
    def __getitem__(self, key):
        Table.seen.append(sys.getrefcount(self))
        return self.d.get(key, 0)
    def __setitem__(self, key, value):
        Table.seen.append(sys.getrefcount(self))
        self.d[key] = value

class Gone:
    def __del__(self):
        print("freed at line", sys._getframe(1).f_lineno)

def shift(a, n):
    total = 0
    for i in range(n):
        total += a[i]
        a[i] = i * 2
    return total

def guarded(a, i):
    try:
        return a[i]
    except (IndexError, KeyError, TypeError) as e:
        return type(e).__name__

def store_guarded(a, i, v):
    try:
        a[i] = v
    except (IndexError, TypeError) as e:
        return type(e).__name__
    return "stored"

def late(flag, a):
    if flag:
        i = 0
    return a[i]

def replace(a, i):
    a[i] = None

lst = list(range(10))
shift(list(range(3)), 3)  # the recompile after the first call sees a list too
print(shift(lst, 10), lst, shift(Table(), 5), shift({i: i for i in range(5)}, 5))
print(sorted(set(Table.seen)))
print([guarded(x, i) for x in ([1, 2], (1, 2), {1: 2}, "ab") for i in (0, 1, -1, 5, 2**70, "k")])
print([store_guarded(x, i, 9) for x in ([1, 2], (1, 2)) for i in (0, -1, 5, "k")])
print(late(True, [7]))
replace([Gone()], 0)
try:
    late(False, [7])
except UnboundLocalError as e:
    print(e)
shift([1, 2], 3)
""", tmp_path, functions=["shift", "guarded", "store_guarded", "late", "replace"])
    assert run.returncode == 1 and "IndexError" in run.stderr
    assert_native(run, "shift", "guarded", "store_guarded", "late", "replace")
    _assert_fused(run, "shift", "LOAD_FAST__LOAD_FAST__BINARY_SUBSCR_LIST_INT",
                  "LOAD_FAST__LOAD_FAST__STORE_SUBSCR_LIST_INT")
    _assert_fused(run, "guarded", "LOAD_FAST__LOAD_FAST__BINARY_SUBSCR_LIST_INT")
    _assert_fused(run, "store_guarded", "LOAD_FAST__LOAD_FAST__STORE_SUBSCR_LIST_INT")
    _assert_fused(run, "late", "LOAD_FAST__LOAD_FAST__BINARY_SUBSCR_LIST_INT")
    _assert_fused(run, "replace", "LOAD_FAST__LOAD_FAST__STORE_SUBSCR_LIST_INT")


def test_tuple_subscripts(tmp_path):
    """`t[k]` on a tuple (BINARY_SUBSCR_TUPLE_INT, fused with the LOAD_FAST of the tuple and
    the LOAD_CONST of k where they come right before it): in-range indexes inline; negative,
    out-of-range and non-int indexes, tuple subclasses and other containers take the generic
    path, with CPython's results, errors and tracebacks."""
    run = compare("""
import collections, sys

Point = collections.namedtuple("Point", "x y")

class Table:
    seen = []
    def __getitem__(self, key):
        Table.seen.append(sys.getrefcount(self))
        return key * 10

def fields(item):
    return (-item[1], item[0], item[-1])

def at(t, i):
    return t[i]

def made(n):
    return (n, n + 1, str(n))[2]

def guarded(t):
    try:
        return t[5]
    except (IndexError, KeyError, TypeError) as e:
        return type(e).__name__

pairs = [("b", 2), ("a", 2), ("c", 7)]
print(fields(("w", 3, None)), sorted(pairs, key=lambda item: (-item[1], item[0])))
print(fields(Point(4, 5)), fields([1, 2, 3]), fields({0: "z", 1: 9, -1: "m"}), fields(Table()))
print(sorted(set(Table.seen)))
print([at((7, 8, 9), i) for i in (0, 2, -1, -3)], at([1, 2], 1), at("xyz", 2), at({"k": 1}, "k"))
print([made(n) for n in (1, 2**70)], guarded((1, 2)), guarded((0,) * 6), guarded({5: "five"}), guarded(3))
for bad in ((1, 2), (1,), ()):
    try:
        print(at(bad, 1), at(bad, True))
    except IndexError as e:
        print("IndexError", e)
fields(("too short",))
""", tmp_path, functions=["fields", "at", "made", "guarded"])
    assert run.returncode == 1 and "IndexError" in run.stderr
    assert_native(run, "fields", "at", "made", "guarded")
    _assert_fused(run, "fields", "LOAD_FAST__LOAD_CONST__BINARY_SUBSCR_TUPLE_INT")
    _assert_fused(run, "guarded", "LOAD_FAST__LOAD_CONST__BINARY_SUBSCR_TUPLE_INT")
    _assert_fused(run, "at", "BINARY_SUBSCR_TUPLE_INT")


def test_tuple_subscript_seen_by_cpython(tmp_path):
    """A container of unknown type that CPython's adaptive interpreter saw to be a tuple
    (calls before the threshold): the tuple form, whose unbound local exits for the
    interpreter to raise."""
    run = compare("""
def late(flag, t):
    if flag:
        item = t
    return item[0]

print(sum(late(True, (i, "x")) for i in range(300)), late(True, [5]), late(True, {0: 6}))
try:
    late(False, ("first",))
except UnboundLocalError as e:
    print(e)
""", tmp_path, env={"ACCEL_THRESHOLD": "100"}, functions=["late"])
    assert run.returncode == 0
    assert_native(run, "late")
    _assert_fused(run, "late", "LOAD_FAST__LOAD_CONST__BINARY_SUBSCR_TUPLE_INT")
    assert run.function("late")["site_exits"], run.function("late")["text"]
