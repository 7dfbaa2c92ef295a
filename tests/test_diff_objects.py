"""Differential tests: forms for the object-heavy kernels (conversions of builtins on raw
values, containers, iteration), compiled on their first call (ACCEL_THRESHOLD=0) and
compared with stock CPython, with proof (explain) that the form ran and that its guards
fall back to stock's behaviour."""
import re
import textwrap

from differential import assert_native, compare


def test_int_of_float_is_truncated_raw(tmp_path):
    run = compare(textwrap.dedent("""
        def cells(points, scale, offset):
            out = []
            for x in points:
                col = int((x - offset) * scale)
                out.append(col)
            return out

        def shown(points, scale, offset):
            try:
                return cells(points, scale, offset)
            except (ValueError, OverflowError) as error:
                return f"{type(error).__name__}: {error}"

        VALUES = [0.0, -0.0, 0.5, -0.5, 0.999, -0.999, 1.5, -1.5, 2.5, 1e15 + 0.5, -1e15 - 0.5,
                  9.2e18, -9.2e18, 5e-324]
        for _ in range(3):
            print(shown(VALUES, 1.0, 0.0), shown(VALUES, 3.7, -1.25))
        # beyond a raw int (2**63 and up): the interpreter makes the big int
        print(shown([9.3e18, -9.3e18, 2.0 ** 63, -(2.0 ** 63), 1e300], 1.0, 0.0))
        print(shown([float("inf")], 1.0, 0.0), shown([float("-inf")], 1.0, 0.0), shown([float("nan")], 1.0, 0.0))
        int = lambda value: round(value)  # the global is another function now: the guard on the callee exits
        print(shown([1.5, 2.5, -0.5], 1.0, 0.0))
        del int
        print(shown([1.5, 2.5, -0.5], 1.0, 0.0))
    """), tmp_path, functions=["cells"])
    assert_native(run, "cells")
    assert "CALL_INT_OF_FLOAT_RAW" in run.function("cells")["specialized"], run.function("cells")["text"]
    assert run.deopts("GUARD_VALUE") >= 1, run.stats  # the infinities, the NaN, the rebound global


def test_int_comparisons_by_condition(tmp_path):
    run = compare(textwrap.dedent("""
        def outcomes(pairs):
            out = []
            for a, b in pairs:
                x = a + 0
                y = b - 0
                flags = 0
                if x < y:
                    flags |= 1
                if x <= y:
                    flags |= 2
                if x == y:
                    flags |= 4
                if x != y:
                    flags |= 8
                if x > y:
                    flags |= 16
                if x >= y:
                    flags |= 32
                if not x < y:
                    flags |= 64
                out.append(flags)
            return out

        EDGES = [0, 1, -1, 2, 255, 256, 257, -5, -6, 2**30 - 1, -(2**30 - 1), 12345678]
        pairs = [(a, b) for a in EDGES for b in EDGES]
        for _ in range(12):  # (the comparisons' operand kinds profiled, then recompiled for ints)
            print(outcomes(pairs))
        # beyond one digit, or not ints: the guards exit
        print(outcomes([(2**30, 1), (1, -(2**62)), (2**64, 2**64), (1.5, 1), (True, 1)]))
    """), tmp_path, functions=["outcomes"])
    assert_native(run, "outcomes")
    specialized = set(run.function("outcomes")["specialized"])
    for condition in ("LT", "LE", "EQ", "NE", "GT", "GE"):  # (alone, or fused with the loads of its operands)
        assert any(re.fullmatch(f"COMPARE_OP_INT_JUMP_(RAW_)?{condition}(_[A-Z]+_[A-Z]+)?", name)
                   for name in specialized), run.function("outcomes")["text"]


def test_pairs_unpacked_into_locals_with_finalizers(tmp_path):
    """The pair form, unrolled: a replaced value's finalizer, for either item, sees the
    locals stored so far and its own line, and may drop the pair."""
    run = compare(textwrap.dedent("""
        import sys

        seen = []
        holder = {}

        class Noisy:
            def __init__(self, name, action=None):
                self.name, self.action = name, action
            def __del__(self):
                caller = sys._getframe(1)
                names = {k: "marker" if v is marker else getattr(v, "name", v)
                         for k, v in caller.f_locals.items() if k in "ab"}
                seen.append((self.name, caller.f_code.co_name, caller.f_lineno, sorted(names.items())))
                if self.action:
                    self.action()

        def second_released(t, i):
            a = i
            b = Noisy(f"b{i}", lambda: holder.clear())
            a, b = t
            return a, b

        def both_released(t, i):
            a = Noisy(f"a{i}")
            b = Noisy(f"b{i}")
            a, b = t
            return a, b

        def from_list(items, i):
            a = Noisy(f"la{i}")
            b = i
            a, b = items
            return a, b

        marker = object()
        before = sys.getrefcount(marker)
        for i in range(50):
            holder["t"] = (marker, i)
            first, second = second_released(holder["t"], i)
            print(first is marker, second, both_released((i, marker), i)[0], from_list([i, marker], i)[0])
        print(sys.getrefcount(marker) - before)
        for line in seen[-6:]:
            print(line)
        print(len(seen))
    """), tmp_path, functions=["second_released", "both_released", "from_list"])
    assert_native(run, "second_released", "both_released", "from_list", min_entries=5)
    for name in ("second_released", "both_released"):
        assert "UNPACK_SEQUENCE_TUPLE_TO_LOCALS" in run.function(name)["specialized"], run.function(name)["text"]


def test_int_comparisons_fused_with_their_loads(tmp_path):
    """`a < b`, `a == 3` on int locals: one instruction reads the locals where they are
    (boxed ones unboxed in place, raw ones in a loop that keeps them raw); a local that is
    not such an int, or unbound, exits before anything and the interpreter compares."""
    run = compare(textwrap.dedent("""
        def boxed(values, limit):
            hits = []
            for v in values:
                w = v
                if w < limit:
                    hits.append(-1)
                elif w == limit:
                    hits.append(0)
                if w >= 3:
                    hits.append(3)
                if w != 7:
                    hits.append(7)
            return hits

        def raw_loop(n, k):
            total = 0
            i = 0
            while i != n:
                j = i * 2
                if j > k:
                    total += 1
                if j <= 10:
                    total += 100
                i += 1
            return total

        def maybe_unbound(flag):
            if flag:
                x = 5
            if x > 2:
                return "big"
            return "small"

        VALUES = [0, 1, 2, 3, 7, 8, -1, 2**30 - 1, -(2**30 - 1), 5]
        for _ in range(12):
            print(boxed(VALUES, 5), raw_loop(20, 7))
        print(boxed([5, 2**40, 7.0, 3.5, True, -(2**62)], 5))  # big ints, floats, a bool: the guards exit
        print(raw_loop(3, -1), raw_loop(0, 0))
        print(maybe_unbound(True))
        try:
            maybe_unbound(False)
        except UnboundLocalError as error:
            print("UnboundLocalError", error)
    """), tmp_path, functions=["boxed", "raw_loop", "maybe_unbound"])
    assert_native(run, "boxed", "raw_loop", "maybe_unbound")
    fused = [name for f in ("boxed", "raw_loop") for name in run.function(f)["specialized"]
             if name.startswith("COMPARE_OP_INT_JUMP_") and "_RAW" not in name]
    assert any(name.endswith("_LOCAL_LOCAL") for name in fused), fused
    assert any(name.endswith("_LOCAL_CONST") for name in fused), fused
    assert any(name.endswith("_FAST_CONST") or name.endswith("_FAST_FAST") for name in fused), fused


def test_int_globals_loaded_raw(tmp_path):
    """A module's int constant compared with an int: loaded raw from the global's cache;
    the global rebound (another int, a float, a big int) or deleted: the new value, or an
    exit for the interpreter to load it (and raise the NameError)."""
    run = compare(textwrap.dedent("""
        UNSET = -1
        LIMIT = 3

        def classify(values):
            out = []
            for v in values:
                w = v + 0
                if w == UNSET:
                    out.append("unset")
                elif w > LIMIT:
                    out.append("big")
                else:
                    out.append("small")
            return out

        VALUES = [-1, 0, 3, 4, -2, 2**20]
        for _ in range(12):
            print(classify(VALUES))
        LIMIT = 0  # another int: the cache misses and loads it
        print(classify(VALUES))
        for other in (0.5, 2**70, True):  # not an int that fits a raw int: the guard exits
            LIMIT = other
            print(classify(VALUES))
        del LIMIT
        try:
            classify([5])
        except NameError as error:
            print("NameError", error)
    """), tmp_path, functions=["classify"])
    assert_native(run, "classify")
    assert "LOAD_GLOBAL_CACHED_UNBOX_INT" in run.function("classify")["specialized"], run.function("classify")["text"]


def test_len_of_exact_containers_inline(tmp_path):
    """len() of an exact list, tuple, dict, set or frozenset is read inline; subclasses
    with their own __len__, strs and other objects take PyObject_Size (a __len__ that
    raises, or returns a bad value, raises as stock does); a container whose last
    reference len() held frees its items, whose finalizers see the line of the call."""
    run = compare(textwrap.dedent("""
        import sys

        class Sized(list):
            def __len__(self):
                return 42

        class Bad:
            def __init__(self, value):
                self.value = value
            def __len__(self):
                return self.value

        class Noisy:
            def __del__(self):
                print("freed at line", sys._getframe(1).f_lineno)

        def lengths(items):
            out = []
            for x in items:
                try:
                    out.append(len(x))
                except (TypeError, ValueError, OverflowError) as error:
                    out.append(f"{type(error).__name__}: {error}")
            return out

        def temporary():
            return len([Noisy(), Noisy()])

        d = {1: 2, 3: 4}
        del d[1]
        s = {1, 2, 3}
        s.discard(2)
        ITEMS = [[], [1, 2, 3], (), (1,), d, s, frozenset({1, 2}), "héllo", b"abc", range(7), Sized([1]),
                 Bad(3), Bad(-1), Bad("x"), Bad(2**70), 5, None]
        for _ in range(3):
            print(lengths(ITEMS))
        print(temporary())
    """), tmp_path, functions=["lengths", "temporary"])
    assert_native(run, "lengths", "temporary")
    assert "CALL_BUILTIN_LEN" in run.function("lengths")["specialized"], run.function("lengths")["text"]


def test_membership_in_exact_sets_and_dicts(tmp_path):
    """`in` on an exact set or frozenset (for an int or str) or dict asks it directly; a set as the item (which
    sets retry as a frozenset), unhashable items, keys whose __eq__ or __hash__ is Python
    code (which raises), subclasses with their own __contains__: as stock."""
    run = compare(textwrap.dedent("""
        class Key:
            def __init__(self, n):
                self.n = n
            def __hash__(self):
                if self.n < 0:
                    raise ValueError("no hash")
                return self.n % 3
            def __eq__(self, other):
                return isinstance(other, Key) and self.n == other.n

        class Always(set):
            def __contains__(self, item):
                return True

        def members(containers, items):
            out = []
            for c in containers:
                for x in items:
                    try:
                        out.append(x in c)
                        if x not in c:
                            out.append("absent")
                    except (TypeError, ValueError) as error:
                        out.append(f"{type(error).__name__}: {error}")
            return out

        CONTAINERS = [{1, 2, "a", frozenset({3})}, frozenset({Key(1), Key(4)}), {1: "x", Key(2): "y"},
                      Always(), [1, 2], "abc", {frozenset(): 1}]
        ITEMS = [1, "a", 3, Key(1), Key(2), Key(-1), {3}, frozenset({3}), [], set(), "b"]
        for _ in range(3):
            print(members(CONTAINERS, ITEMS))
    """), tmp_path, functions=["members"])
    assert_native(run, "members")
    specialized = run.function("members")["specialized"]
    assert "CONTAINS_OP_JUMP" in specialized or "CONTAINS_OP" in specialized, run.function("members")["text"]


def test_container_globals_typed_by_value(tmp_path):
    """A module's dict, tuple or list is typed by its value (NEIGHBORS[p] a dict subscript,
    PUNCTUATION[i] a tuple's); rebound to another type, a subclass with its own
    __getitem__, or deleted, the forms take the generic path and give stock's results."""
    run = compare(textwrap.dedent("""
        TABLE = {1: "one", 2: "two"}
        MARKS = (".", "!", "?")
        ROWS = [10, 20, 30]

        class Loud(dict):
            def __getitem__(self, key):
                return f"loud {key}"

        def look(keys):
            out = []
            for k in keys:
                try:
                    out.append((TABLE[k], MARKS[k % 3], ROWS[k % 3], len(MARKS)))
                    a, b, c = MARKS
                    out.append(a + b + c)
                except (KeyError, IndexError, TypeError) as error:
                    out.append(f"{type(error).__name__}: {error}")
            return out

        for _ in range(3):
            print(look([1, 2, 3]))
        TABLE, MARKS, ROWS = Loud(), ["x", "y", "z"], (1, 2, 3)
        print(look([1, 2]))
        TABLE, MARKS, ROWS = [0, 1, 2, 3], "abc", {0: "zero", 1: "one", 2: "two"}
        print(look([1, 2, 5]))
        del TABLE
        try:
            look([1])
        except NameError as error:
            print("NameError", error)
    """), tmp_path, functions=["look"])
    assert_native(run, "look")
    specialized = run.function("look")["specialized"]
    assert "BINARY_SUBSCR_DICT" in specialized and "BINARY_SUBSCR_TUPLE_INT" in specialized, \
        run.function("look")["text"]


def test_star_tuple_displays(tmp_path):
    """`(a, *rest)` (LIST_EXTEND__LIST_TO_TUPLE): a fresh list and an exact list or tuple
    make the tuple at once (the list's items moved, the rest's copied: a later change to
    `rest` does not show); strs, generators, dicts, ranges, list subclasses and classes
    with __iter__ extend and convert; a non-iterable raises stock's reworded TypeError;
    finalizers run when stock runs them."""
    run = compare("""
        class Dies:
            def __init__(self, name):
                self.name = name
            def __del__(self):
                print("del", self.name)

        class Items:
            def __iter__(self):
                yield from (7, 8)

        class MyList(list):
            def __iter__(self):
                return iter(["mine"])

        def display(first, rest):
            return (first, *rest)

        def two(first, rest, more):
            return (first, *rest, *more)

        def walk(cells, neighbors):
            seen = []
            for cell in cells:
                for c in (cell, *neighbors[cell]):
                    seen.append(c)
            return seen

        rest = [2, 3]
        t = display(1, rest)
        rest.append(4)
        print(t, rest, display(1, ()), display(1, []), display(1, (2,)))
        for other in ("ab", (x for x in range(3)), {5: 6}, range(4), MyList([1, 2]), Items(), {9}):
            print(display(0, other))
        print(two(0, [1], (2, 3)), two(0, (), []))
        neighbors = [[1, 2], [0, 2, 3], [0, 1], [1]]
        print(walk(range(4), neighbors), walk([3, 3], neighbors))
        print(display(Dies("first"), [Dies("rest")])[1].name)
        print("after")
        try:
            display(1, 5)
        except TypeError as error:
            print(error)
        display(1, None)
    """, tmp_path, functions=["display", "two", "walk"])
    assert "TypeError: Value after * must be an iterable, not NoneType" in run.stderr, run.stderr
    assert_native(run, "display", "two", "walk")
    for name in ("display", "walk"):
        assert "LIST_EXTEND__LIST_TO_TUPLE" in run.function(name)["specialized"], run.function(name)["text"]
