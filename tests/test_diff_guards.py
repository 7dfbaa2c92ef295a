"""Differential tests: guards and exits to the interpreter.  A function compiled for some
types and then called with others must give stock results; its guards fail (GUARD_TYPE
exits); a guard that keeps failing leads to a recompile, after which it stops failing."""
from differential import assert_native, compare

KINDS = """
class F(float):
    def __add__(self, other):
        return F(float(self) + other + 100)
    def __mul__(self, other):
        return F(float(self) * 10)
    def __repr__(self):
        return f"F({float(self)!r})"

class I(int):
    def __add__(self, other):
        return I(int(self) + other + 1000)
    def __sub__(self, other):
        return I(int(self) - int(other) - 1000)
    def __lt__(self, other):
        return True

class Num:
    def __init__(self, v):
        self.v = v
    def __add__(self, other):
        return Num(self.v + getattr(other, "v", other))
    __radd__ = __add__
    def __mul__(self, other):
        return Num(self.v * getattr(other, "v", other))
    __rmul__ = __mul__
    def __sub__(self, other):
        return Num(self.v - getattr(other, "v", other))
    def __rsub__(self, other):
        return Num(getattr(other, "v", other) - self.v)
    def __truediv__(self, other):
        return Num(self.v / getattr(other, "v", other))
    def __rtruediv__(self, other):
        return Num(getattr(other, "v", other) / self.v)
    def __lt__(self, other):
        return self.v < getattr(other, "v", other)
    def __gt__(self, other):
        return self.v > getattr(other, "v", other)
    def __repr__(self):
        return f"Num({self.v!r})"
"""


def test_float_function_called_with_ints_bools_and_subclasses(tmp_path):
    run = compare(KINDS + """
def arith(x, y):
    return x * y + x - y

def ratio(x, y):
    return (x + 1.0) / (y * 2.0)

def loop(x, n):
    acc = 0.0
    for i in range(n):
        acc = acc + x * 0.5
    return acc

print(arith(1.5, 2.25), ratio(3.0, 4.0), loop(0.25, 10))   # compiled for floats
for a, b in [(3, 4), (True, True), (False, True), (2 ** 40, 3), (F(1.5), 2.0), (2.0, F(1.5)), (Num(2), 3.0),
             (1.5, 2), (2, 1.5), (True, 2.5), (-0.0, 0.5), (1.5, 2.25)]:
    print(repr(arith(a, b)), repr(ratio(a, b)), repr(loop(a, 3)))
for args in [("ab", 2), ([1], 2)]:
    try:
        print(arith(*args))
    except TypeError as error:
        print("TypeError", error)
""", tmp_path, functions=["arith", "ratio", "loop"])
    assert_native(run, "arith", "ratio", "loop")
    assert run.deopts("GUARD_TYPE") > 0, run.stats
    assert sum(run.function(f)["site_exits"].get("GUARD_TYPE", 0) for f in ("arith", "ratio", "loop")) > 0 \
        or run.stats["recompiles"] > 0, run.functions


def test_int_function_called_with_floats_bools_and_subclasses(tmp_path):
    run = compare(KINDS + """
def arith(x, y):
    return x * y + x - y

def less(x, y):
    if x < y:
        return "less"
    return "not less"

def count(x, n):
    k = 0
    while k < n:
        k = k + x
    return k

print(arith(3, 4), less(1, 2), count(1, 100))   # compiled for ints
for a, b in [(1.5, 2.25), (True, True), (False, 7), (2 ** 31, 2 ** 31), (-(2 ** 62), 3), (I(5), 3),
             (3, I(5)), (Num(4), 2), (float("nan"), 1), (1, float("nan")), (3, 4)]:
    print(repr(arith(a, b)), less(a, b), less(b, a), repr(count(a if a == a and a > 0 else 1, 10)))
""", tmp_path, functions=["arith", "less", "count"])
    assert_native(run, "arith", "less", "count")
    assert run.deopts("GUARD_TYPE") > 0, run.stats


def test_guard_fails_with_raw_floats_on_the_stack(tmp_path):
    """Exits in the middle of float expressions kept unboxed: the raw values below the
    failing operand must be boxed back for the interpreter."""
    run = compare(KINDS + """
def expr(a, b, c, d):
    return a * b + c * (d - a) / (b + 0.5) - d

def chained(a, b, c):
    t = a * 2.0 + b * 3.0 + c * 4.0
    return t * t - a

def with_call(a, b):
    return a * 1.5 + value_of(b) * 2.0

def value_of(v):
    return v

print(expr(1.0, 2.0, 3.0, 4.0), chained(1.0, 2.0, 3.0), with_call(1.0, 2.0))
for args in [(1.0, 2.0, 3.0, 4), (1.0, 2.0, 3, 4.0), (1.0, 2, 3.0, 4.0), (1, 2.0, 3.0, 4.0),
             (1.0, 2.0, 3.0, F(4.0)), (1.0, 2.0, Num(3.0), 4.0), (1.0, True, 3.0, 4.0), (1.0, 2.0, 3.0, 4.0)]:
    print(repr(expr(*args)))
for args in [(1.0, 2.0, 3), (1.0, 2, 3.0), (1, 2.0, 3.0), (1.0, 2.0, F(2.0)), (1.0, 2.0, Num(1.0))]:
    print(repr(chained(*args)))
for b in [2.0, 2, F(2.0), Num(2.0), True]:
    print(repr(with_call(1.0, b)), repr(with_call(b, 1.0)))
""", tmp_path, functions=["expr", "chained", "with_call"])
    assert_native(run, "expr", "chained", "with_call")
    assert run.deopts("GUARD_TYPE") > 0, run.stats


def test_guard_fails_inside_a_running_loop(tmp_path):
    """A guard fails in the middle of a loop: the interpreter finishes the loop, with the
    iterator and the accumulator as native code left them."""
    run = compare(KINDS + """
def accumulate(values):
    total = 0.0
    count = 0
    for v in values:
        total = total + v * 2.0
        count = count + 1
    return total, count

def doubling(n, limit):
    # k outgrows one digit after 30 rounds: the int guards of the compare fail mid-loop
    k = 1
    rounds = 0
    for i in range(n):
        if k > limit:
            rounds = rounds + 100
        k = k * 2 + 1
        rounds = rounds + 1
    return k, rounds

def while_doubling(limit):
    k = 1
    steps = 0
    while k < limit:
        k = k + k
        steps = steps + 1
    return k, steps

def sum_ints(values):
    total = 0
    for i in range(len(values)):
        total = total + values[i]
    return total

print(accumulate([1.0, 2.0, 3.0]))
print(accumulate([1.0, 2.0, 3, 4.0, 5.0]))
print(accumulate([1.0, F(2.0), 3.0]))
print(accumulate([1.0, 2.0, Num(3.0), 4.0]))
print(accumulate((x / 2 for x in range(7))))
print(sum_ints([1, 2, 3]), sum_ints([1, 2, 2 ** 80, 4]), sum_ints([1, 2.5, 3]), sum_ints([1, True, I(3)]))
print(doubling(10, 1000), doubling(70, 1000), doubling(70, 2 ** 40))
print(while_doubling(1000), while_doubling(2 ** 100))
""", tmp_path, functions=["accumulate", "sum_ints", "doubling", "while_doubling"])
    assert_native(run, "accumulate", "sum_ints", "doubling", "while_doubling")
    assert run.deopts("GUARD_TYPE") > 0, run.stats


def test_repeated_guard_failure_recompiles_and_stops_exiting(tmp_path):
    """Compiled for floats, then called 3000 times with ints: the guard keeps failing, the
    function is recompiled (a bounded number of times), and the exits stop."""
    run = compare("""
def mul_add(x, y):
    return x * y + y

print(mul_add(1.5, 2.0))
total = 0
for i in range(3000):
    total += mul_add(i, 3)
print(total)
""", tmp_path, functions=["mul_add"])
    assert_native(run, "mul_add")
    mul_add = run.function("mul_add")
    assert run.stats["recompiles"] >= 1, run.stats
    assert 1 <= mul_add["recompiles"] <= 3, mul_add["text"]
    # no deopt storm: after the recompile the ints go through without exits
    assert run.deopts("GUARD_TYPE") < 300, run.stats
    assert mul_add["exits"] < 300, mul_add["text"]
    assert mul_add["native_entries"] >= 3001 - mul_add["exits"], mul_add


def test_big_int_compare_guard_recompiles_and_stops_exiting(tmp_path):
    """An int comparison specialized for one-digit ints, then called 2000 times with a
    limit of 2**64: its guard keeps failing; after recompiling, calls must stop exiting."""
    run = compare("""
def loop_lt(n, limit):
    k = 0
    hits = 0
    while k < n:
        if k < limit:
            hits = hits + 1
        k = k + 1
    return hits

print(loop_lt(10, 5))
big = 2 ** 64
out = 0
for i in range(2000):
    out += loop_lt(2, big)
print(out)
""", tmp_path, functions=["loop_lt"])
    assert_native(run, "loop_lt")
    loop_lt = run.function("loop_lt")
    assert loop_lt["recompiles"] >= 1, loop_lt["text"]
    assert run.deopts("GUARD_TYPE") < 300, (run.stats, loop_lt["text"])
    assert loop_lt["exits"] < 300, loop_lt["text"]


def test_alternating_types_do_not_thrash(tmp_path):
    """Types that alternate call after call: bounded recompiles, bounded exits, right results."""
    run = compare(KINDS + """
def f(a, b):
    return a + b * 2

values = [(1, 2), (1.5, 2.5), (True, 3), (F(1.0), 2.0), ("x", "y"), (Num(1), 2), (2 ** 70, 1)]
out = []
for i in range(4000):
    a, b = values[i % len(values)]
    r = f(a, b)
    if i < len(values):
        out.append(repr(r))
print(out)
print(f(3, 4), f(0.5, 0.25))
""", tmp_path, functions=["f"])
    assert_native(run, "f")
    f = run.function("f")
    assert f["recompiles"] <= 3, f["text"]
    assert run.deopts("GUARD_TYPE") < 1000, run.stats


def test_globals_changing_under_compiled_code(tmp_path):
    """Specialization looks at globals and builtins (range, len, float...): rebinding them
    later must be seen by compiled code."""
    run = compare("""
SCALE = 2

def uses_globals(n):
    total = 0
    for i in range(n):
        total = total + i * SCALE
    return total, len([1, 2, 3]), float(n)

print(uses_globals(5))
SCALE = 10
print(uses_globals(5))
SCALE = 0.5
print(uses_globals(5))
def range(n):
    return [100, 200]
print(uses_globals(5))
def len(x):
    return "shadowed"
float = str
print(uses_globals(5))
del range, len, float
print(uses_globals(5))
del SCALE
try:
    uses_globals(5)
except NameError as error:
    print("NameError:", error)
""", tmp_path, functions=["uses_globals"])
    assert_native(run, "uses_globals")


def test_program_monkeypatching_builtins(tmp_path):
    """A program may rebind builtins.len and friends; compiled code sees the new ones, and
    accel itself (whose compiler runs later, for functions called after the change) must
    not be affected."""
    run = compare("""
import builtins

def measure(xs):
    n = len(xs)
    return n, abs(-n), float(n)

print(measure([1, 2, 3]))
real_len = builtins.len
builtins.len = lambda x: -1
builtins.abs = lambda x: "abs"
print(measure([1, 2, 3]))

def compiled_after_the_change(x):
    return x * 2

print(compiled_after_the_change(21))
builtins.len = real_len
print(measure([1]))
""", tmp_path, functions=["measure", "compiled_after_the_change"])
    assert_native(run, "measure", "compiled_after_the_change")


def test_builtins_rebound_before_the_compiler_loads(tmp_path):
    """The compiler loads with the first compile, which here comes after the program has
    rebound builtins that loading and compiling use: both see the builtins accel started
    with, and the program sees its own."""
    run = compare("""
import builtins
import sys

def boom(*args, **kwargs):
    raise RuntimeError("the program's builtin")

# No loop up to the first call of total(): code with one is compiled on its first call.
print("compiler loaded:", "accel.runtime.compiler" in sys.modules)
saved = len, frozenset, isinstance, getattr, sorted
builtins.len = builtins.frozenset = builtins.isinstance = builtins.getattr = builtins.sorted = boom

def total(n):
    t = 0
    for i in range(n):
        t = t + i
    return t

print(total(1000))
try:
    len([])
except RuntimeError as error:
    print(error)
builtins.len, builtins.frozenset, builtins.isinstance, builtins.getattr, builtins.sorted = saved
print(len([1, 2]))
""", tmp_path, env={"ACCEL_THRESHOLD": "200"}, functions=["total"])
    assert_native(run, "total")


def test_attribute_and_subscript_types_changing(tmp_path):
    run = compare("""
class P:
    def __init__(self, x):
        self.x = x

class Q:
    __slots__ = ("x",)
    def __init__(self, x):
        self.x = x

class R:
    def __getattr__(self, name):
        return f"dynamic {name}"

class Items(list):
    def __getitem__(self, i):
        return ("Items", i)

def get_x(o):
    return o.x

def set_x(o, v):
    o.x = v
    return o.x

def at(seq, i):
    return seq[i]

print(get_x(P(1)), get_x(Q(2)), get_x(R()), set_x(P(1), 5), set_x(Q(1), 6))
print(at([1, 2, 3], 1), at([1, 2, 3], -1), at((4, 5), 0), at("abc", 2), at({"k": 9}, "k"),
      at(Items([1, 2]), 0), at([1, 2, 3], True), at(range(10), 3), at([1, 2, 3], slice(1, None)),
      at([0] * 10, 2 ** 3), at(list(range(100)), 99))
""", tmp_path, functions=["get_x", "set_x", "at"])
    assert_native(run, "get_x", "set_x", "at")


def test_globals_and_builtins_changed_by_a_callee_mid_loop(tmp_path):
    """A compiled loop reads globals and builtins while a callee rebinds, shadows, deletes and
    restores them: every read must see the current binding."""
    run = compare("""
import builtins

X = 1

def change(i):
    global X
    if i == 2:
        X = 10
    if i == 4:
        globals()["len"] = lambda s: 1000
    if i == 6:
        del globals()["len"]
    if i == 7:
        builtins.max = lambda *s: -5
    if i == 8:
        del X
    if i == 9:
        globals()["X"] = "back"
    if i == 10:
        for k in range(300):          # the globals dict grows: it is resized
            globals()[f"filler{k}"] = k
    return 0

real_max = max

def loop(n):
    out = list()
    for i in range(n):
        change(i)
        try:
            out.append((X, len("abc"), max(1, 2)))
        except NameError as error:
            out.append(str(error))
    return out

print(loop(12))
builtins.max = real_max
print(loop(3))
""", tmp_path, functions=["loop", "change"])
    assert "name 'X' is not defined" in run.stdout
    assert_native(run, "loop", "change")


def test_attribute_and_method_caches_follow_class_and_instance_changes(tmp_path):
    """Attribute, method and module-attribute reads and writes from compiled code while the
    instance, its class and the module change under them: deleted and re-added attributes,
    a materialized __dict__, a property added and removed, an instance attribute shadowing
    a method, a method replaced on the class, __class__ reassigned, slots."""
    run = compare("""
import math, types

class P:
    def __init__(self, x):
        self.x = x
        self.y = 2
    def m(self):
        return "P.m"

class S:
    __slots__ = ("x", "y")
    def __init__(self, x):
        self.x = x
    def m(self):
        return "S.m"

class Q(P):
    def m(self):
        return "Q.m"

def read(o):
    try:
        return o.x
    except AttributeError as e:
        return f"AttributeError: {e}"

def write(o, v):
    o.x = v
    return o.x

def call(o):
    try:
        return o.m()
    except AttributeError as e:
        return f"AttributeError: {e}"

def pi(mod):
    return mod.pi

out = []
p = P(1)
for step in range(14):
    if step == 1: p.x = 5
    if step == 2: del p.x
    if step == 3: p.x = 7
    if step == 4: p.__dict__["x"] = 8
    if step == 5: P.x = property(lambda self: "property")
    if step == 6: del P.x
    if step == 7: p.m = lambda: "instance m"
    if step == 8: del p.m
    if step == 9: P.m = lambda self: "new P.m"
    if step == 10: p.__class__ = Q
    if step == 11: p = S(3)
    if step == 12: del p.x
    if step == 13: p = types.SimpleNamespace(x="ns", m=lambda: "ns.m")
    out.append((step, read(p), call(p)))
    out.append(write(p, step) if step not in (5, 12) else None)
for r in out: print(r)
mod = types.ModuleType("m"); mod.pi = 3
print(pi(math), pi(mod)); mod.pi = 4; print(pi(mod)); del mod.pi
try: pi(mod)
except AttributeError as e: print(e)
for i in range(3):
    ps = [P(i), S(i), Q(i)]
    print([read(o) for o in ps], [call(o) for o in ps], [write(o, -i) for o in ps])
""", tmp_path, functions=["read", "write", "call", "pi"])
    assert "module 'm' has no attribute 'pi'" in run.stdout
    assert_native(run, "read", "write", "call", "pi")


def test_class_attribute_whose_class_becomes_a_data_descriptor(tmp_path):
    """An instance attribute shadows a class attribute; the class attribute's own class
    then gains __get__ and __set__ (test_opcache's test_descriptor_added_after_optimization).
    The owner's version tag does not change, yet reads and writes must now go through the
    descriptor.  A class attribute of a built-in type (a default like `count = 0`) cannot
    change that way, and is still served from the cache."""
    run = compare("""
class Descriptor:
    pass

class C:
    x = Descriptor()
    count = 0
    def __init__(self):
        self.x = 1
        self.count = 1

def read(o):
    return o.x, o.count

def write(o, v):
    o.x = v
    o.count = v

log = []
o = C()
for i in range(100):
    read(o)
    write(o, 1)
Descriptor.__get__ = lambda self, instance, owner: ("descriptor", instance is o)
Descriptor.__set__ = lambda self, instance, value: log.append(value)
print(read(o))
write(o, 5)
print(read(o), log, o.__dict__)
""", tmp_path, functions=["read", "write"])
    assert "('descriptor', True)" in run.stdout
    assert_native(run, "read", "write")


def test_global_cache_follows_globals_and_builtins(tmp_path):
    """LOAD_GLOBAL's inline cache (stencils/cached.c): a name found among the globals
    is served under the globals' version alone, whatever the builtins become; one found
    among the builtins, under both versions.  A global that comes to shadow a builtin,
    goes away again, builtins rebound or deleted, a function made under other builtins
    (a dict, or a mapping that is no dict) sharing the code: all as stock."""
    run = compare("""
import builtins

SCALE = 3

def read(n):
    out = []
    for i in range(n):
        try:
            out.append((SCALE * i, len("ab"), abs(-i)))
        except NameError as e:
            out.append(("NameError", str(e)))
    return out[-1]

print(read(50))
builtins.extra_name = 1
print(read(5))
len = lambda s: -1
print(read(5))
del len
print(read(5))
saved = builtins.abs
builtins.abs = lambda x: "rebound"
print(read(5))
del builtins.abs
print(read(5))
builtins.abs = saved
del SCALE
print(read(5))
SCALE = 7
print(read(5))

class Mapping:
    def __getitem__(self, name):
        return getattr(builtins, name)
    def keys(self):
        return dir(builtins)

import types
for fake in ({"len": lambda s: 10, "abs": abs, "range": range, "NameError": NameError}, Mapping()):
    g = dict(globals())
    g["__builtins__"] = fake
    other = types.FunctionType(read.__code__, g)
    print(other(5), read(5))
""", tmp_path, functions=["read"])
    assert_native(run, "read")
