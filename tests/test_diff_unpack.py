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
    assert "UNPACK_SEQUENCE_TWO_TUPLE" in run.function("pair")["specialized"], run.function("pair")["text"]
    assert "UNPACK_SEQUENCE_TUPLE" in run.function("triple")["specialized"], run.function("triple")["text"]
    assert "UNPACK_SEQUENCE_LIST" in run.function("from_list")["specialized"], run.function("from_list")["text"]


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
    assert "UNPACK_SEQUENCE_TUPLE" in walk["specialized"], walk["text"]
    assert "UNPACK_SEQUENCE_TWO_TUPLE" in walk["specialized"], walk["text"]
    assert "UNPACK_SEQUENCE_LIST" in run.function("swaps")["specialized"], run.function("swaps")["text"]


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
