"""Differential tests: UNPACK_SEQUENCE's specialized forms (stencils/objects.c), chosen from
type feedback (accel/specializer/specialize.py).  Each takes apart an exact tuple or list of
the expected length inline; anything else at the same site (other lengths, other sequences,
subclasses, iterators, non-iterables) takes the generic path and must behave as stock."""
from differential import assert_native, compare

ODD_VALUES = """
class T(tuple):
    def __iter__(self):
        return iter(("sub", "tuple"))

class L(list):
    def __iter__(self):
        return iter(["sub", "list", "x"][:len(self)])

def gen(n):
    for i in range(n):
        yield i * 7

def attempt(f, value):
    try:
        return f(value)
    except (ValueError, TypeError) as error:
        return f"{type(error).__name__}: {error}"

ODD = [(1,), (1, 2, 3), [1], [1, 2, 3], T((5, 6)), L([7, 8]), "ab", "abc", {"k": 1, "j": 2},
       gen(2), gen(3), iter([1, 2]), range(2), 5, None, b"xy", {9, 9, 9}, (), []]
"""


def test_pairs_triples_and_lists_with_misses(tmp_path):
    run = compare(ODD_VALUES + """
def pair(value):
    a, b = value
    return (b, a)

def triple(value):
    a, b, c = value
    return a, b, c

def from_list(n):
    items = [n, n + 1, n + 2, n + 3]
    w, x, y, z = items
    return w * x - y * z

for i in range(300):
    assert pair((i, -i)) == (-i, i)
    assert triple((i, str(i), None)) == (i, str(i), None)
    from_list(i)
print(pair(("a", "b")), triple(("x", 1.5, [])), from_list(7))
for value in ODD:
    print(attempt(pair, value), attempt(triple, value))
print(pair([3, 4]), triple([1, 2, 3]), pair(T((1, 2))), triple(L([1, 2, 3])))
for i in range(300):
    pair((i, -i))
    pair([i, i])
print(pair((object, type)), pair(T(("c", "d"))))
""", tmp_path, functions=["pair", "triple", "from_list"])
    assert "Traceback" not in run.stderr, run.stderr
    assert_native(run, "pair", "triple", "from_list", min_entries=5)
    # Each unpacking's items all go to locals: fused with the stores.
    assert "UNPACK_SEQUENCE_TUPLE_TO_LOCALS" in run.function("pair")["specialized"], run.function("pair")["text"]
    assert "UNPACK_SEQUENCE_TUPLE_TO_LOCALS" in run.function("triple")["specialized"], run.function("triple")["text"]
    assert "UNPACK_SEQUENCE_LIST_TO_LOCALS" in run.function("from_list")["specialized"], \
        run.function("from_list")["text"]


def test_loop_targets_and_nested_unpacking(tmp_path):
    run = compare(ODD_VALUES + """
def walk(rows):
    total = []
    for x, y, z in rows:
        total.append(x + y * z)
    for (a, b, c), [d, e, f] in zip(rows, rows):
        total.append((a, b * c, d - e, f))
    return total

def swaps(n):
    a, b, c = 1, 2, 3
    for i in range(n):
        a, b = b, a
        a, b, c = c, a, b
        a, b, c, d = [c, b, a, i]
    return a, b, c, d

rows = [(i, i + 1, i + 2) for i in range(50)]
for _ in range(20):
    walk(rows)
print(walk(rows)[-3:], swaps(1000))
print(attempt(walk, [(1, 2, 3), [4, 5, 6], T((1, 2, 3)), L([1, 2, 3]), "xyz", range(3)]))
for bad in ([(1, 2, 3), (1, 2)], [(1, 2, 3, 4)], [[1, 2, 3], 7], [gen(2)], [(1, 2, 3)] * 3 + [None]):
    print(attempt(walk, bad))
print(attempt(walk, [(1, (2, 3), 3)]), attempt(walk, [("ab", "c", 2)]))
""", tmp_path, functions=["walk", "swaps"])
    assert "Traceback" not in run.stderr, run.stderr
    assert_native(run, "walk", min_entries=5)
    assert_native(run, "swaps")
    walk = run.function("walk")
    assert "UNPACK_SEQUENCE_TUPLE_TO_LOCALS" in walk["specialized"], walk["text"]  # x, y, z; a, b, c; d, e, f
    assert "UNPACK_SEQUENCE_TWO_TUPLE" in walk["specialized"], walk["text"]  # the pair: items not to locals
    assert "UNPACK_SEQUENCE_LIST_TO_LOCALS" in run.function("swaps")["specialized"], run.function("swaps")["text"]


def test_unpacking_failure_tracebacks(tmp_path):
    run = compare("""
def first_two(seq):
    a, b = seq
    return a

for i in range(200):
    first_two((i, i))
print(first_two([1, 2]))
first_two([1, 2, 3])
""", tmp_path)
    assert "ValueError: too many values to unpack (expected 2)" in run.stderr, run.stderr


def test_unpacking_into_locals_with_finalizers(tmp_path):
    """The fused form (UNPACK_SEQUENCE_*_TO_LOCALS) stores the items straight into their
    locals; where a replaced value's finalizer runs, it must see what the separate
    STORE_FASTs would show: the locals stored so far, the line, and a sequence it may
    change or drop without harm.  Reference counts stay balanced."""
    run = compare("""
import functools
import sys

seen = []
holder = {}

class Noisy:
    def __init__(self, name, action=None):
        self.name, self.action = name, action
    def __del__(self):
        caller = sys._getframe(1)
        names = {k: (v.name if isinstance(v, Noisy) else v) for k, v in caller.f_locals.items()
                 if k in "abcde"}
        seen.append((self.name, caller.f_code.co_name, caller.f_lineno, sorted(names.items())))
        if self.action:
            self.action()

def fresh(t):
    i = t[0]
    a = Noisy(f"a{i}")
    b = Noisy(f"b{i}")
    c = Noisy(f"c{i}")
    a, b, c = t
    return a + b + c

def from_list(x, y, z):
    items = [x, y, z]
    a = Noisy("old-a", items.clear)  # its finalizer empties the list being unpacked
    b = Noisy("old-b", functools.partial(items.append, "late"))
    a, b, c = items
    return a, b, c, items

def via_generic_path(box):  # no type known: the tuple form, whose generic path takes the list
    items = box[0]
    a = Noisy("old-a", items.clear)
    b = Noisy("old-b", functools.partial(items.append, "late"))
    a, b, c = box[0]
    return a, b, c, items

def drops_sequence():
    a = Noisy("drops", lambda: holder.clear())  # the only other reference to the tuple
    holder["t"] = (Noisy("x"), "y")
    a, b = holder["t"]
    return a.name, b

def same_target(t):
    a, a, b = t
    return a, b

def unbound_then_bound(t, flag):
    if flag:
        a = 1
    a, b = t
    return a, b

marker = object()
before = sys.getrefcount(marker)
for i in range(300):
    fresh((i, i + 1, i + 2))
    same_target((marker, marker, i))
    unbound_then_bound((marker, i), i % 2)
print(sys.getrefcount(marker) - before)
print(fresh((1000, 1001, 1002)), same_target((1, 2, 3)), unbound_then_bound(("p", "q"), False))
print(from_list(1, 2, 3), via_generic_path([[4, 5, 6]]))
print(drops_sequence())
for line in seen[-14:]:
    print(line)
print(len(seen))
""", tmp_path, functions=["fresh", "from_list", "via_generic_path", "drops_sequence", "same_target",
                                  "unbound_then_bound"])
    assert "Traceback" not in run.stderr, run.stderr
    assert_native(run, "fresh", "same_target", "unbound_then_bound", min_entries=5)
    for name in ("fresh", "same_target", "unbound_then_bound", "drops_sequence", "via_generic_path"):
        assert "UNPACK_SEQUENCE_TUPLE_TO_LOCALS" in run.function(name)["specialized"], run.function(name)["text"]
    assert "UNPACK_SEQUENCE_LIST_TO_LOCALS" in run.function("from_list")["specialized"], \
        run.function("from_list")["text"]


def test_items_of_constants_and_displays_are_typed(tmp_path):
    """Tuple constants and tuple and list displays carry their items' types into what
    unpacks them (accel/specializer/types.py, Items): arithmetic on the unpacked ints runs
    on raw ints from the first call.  A list whose items change under the inference (a
    float, a str, another length) makes the guards fail: same results as stock."""
    run = compare("""
        def constants(rounds):
            t3 = (1, 2, 3)
            nested = ((4, 5), (6, (7, 8)))
            acc = 0
            for i in range(rounds):
                a, b, c = t3
                (d, e), [f, (g, h)] = nested
                a, b = b, a
                acc = (acc + a - b * c + d * e - f + g * h + i) & 0xFFFF
            return acc

        def displays(rounds, x):
            pair = [3, 4]
            quad = [*(5, 6, 7, 8)]
            acc = 0
            for i in range(rounds):
                p, q = pair
                first, *middle, last = quad
                u, v = (i, i + 1)
                acc = int(acc + p * q + first + len(middle) - last + u * v) & 0xFFFF
                if i == x:
                    pair[0] = 2.5      # the items are not what inference says any more
                    quad.append(1)
            return acc

        def changed(values):
            pair = [1, 2]
            out = []
            for v in values:
                a, b = pair
                out.append(a * b - a)
                pair = [v, v]
            return out

        print(constants(3000), constants(0))
        print(displays(3000, -1), displays(50, 20), displays(5, 0))
        print(changed([1, 2.5, "s", 2 ** 70, True]))
        try:
            changed([1, None])
        except TypeError as e:
            print("TypeError", e)
    """, tmp_path, functions=["constants", "displays", "changed"])
    assert_native(run, "constants", "displays", "changed")
    constants = run.function("constants")
    assert constants["recompiles"] == 0 and constants["exits"] == 0, constants["text"]
    for form in ("BINARY_OP_ADD_INT_RAW", "BINARY_OP_MULTIPLY_INT_RAW"):  # (or fused with their operands' loads)
        assert any(name.startswith(form) for name in constants["specialized"]), constants["text"]
    assert any(name.startswith("BINARY_OP_MULTIPLY_INT_RAW") for name in run.function("displays")["specialized"]), \
        run.function("displays")["text"]


def test_starred_unpacking_of_exact_lists_and_tuples(tmp_path):
    """UNPACK_EX takes an exact list or tuple apart inline (native/containers.c); other
    sequences, subclasses with their own __iter__, and too few items take the generic path."""
    run = compare(ODD_VALUES + """
import sys

def ends(value):
    first, *middle, last = value
    return first, middle, last

def head(value):
    a, b, *rest = value
    return a, b, rest

def tail(value):
    *init, z = value
    return init, z

def only(value):
    *everything, = value
    return everything

for f in (ends, head, tail, only):
    print(f.__name__, [attempt(f, v) for v in ODD + [(1, 2), [1, 2], tuple(range(9)), list(range(9))]])

source = [object() for _ in range(5)]
before = [sys.getrefcount(x) for x in source]
for _ in range(500):
    first, middle, last = ends(source)
    middle.append("mine")
    ends(tuple(source))
print(len(source), [sys.getrefcount(x) for x in source] == before, middle[-1], source[-1] is last)
""", tmp_path, functions=["ends", "head", "tail", "only"])
    assert_native(run, "ends", "head", "tail", "only")
    for name in ("ends", "head", "tail", "only"):
        assert "UNPACK_EX" in run.function(name)["specialized"], run.function(name)["text"]


def test_ints_of_two_digits_unboxed_inline(tmp_path):
    """A global mask of two digits, sums kept under it, and ints of three digits: raw where
    they fit, the same results as stock where they do not."""
    run = compare("""
MASK = 0xFFFF_FFFF
BIG = 2 ** 59 + 12345
HUGE = 2 ** 62

def masked(n, values):
    acc = 0
    for i in range(n):
        a, b, *rest = values
        acc = (acc + a * b + i + len(rest)) & MASK
    return acc

def near_limits(n):
    acc = -BIG
    for i in range(n):
        acc = (acc + BIG - i) & MASK
    return acc

def overflowing(n):
    acc = 0
    for i in range(n):
        acc = acc + HUGE + i
    return acc

print(masked(3000, [2 ** 31 + 5, 3, 4]), masked(10, (-(2 ** 40), 2 ** 35, 1, 2)))
print(near_limits(2000), overflowing(50), overflowing(3))
""", tmp_path, functions=["masked", "near_limits", "overflowing"])
    assert_native(run, "masked", "near_limits", "overflowing")
    assert run.function("near_limits")["exits"] == 0
    # masked's first call saw only ints of two digits at its `&`, which its recompile makes
    # a raw int operation: the second call's 76-bit product exits there once
    assert run.function("masked")["site_exits"] in ({}, {"GUARD_TYPE": 1}), run.function("masked")["text"]
