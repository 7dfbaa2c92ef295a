"""The forms fannkuch's loops run on: a slice of an exact list replaced by a fresh list
of as many items (native/containers.c trades the items over), the truth of an int in a
condition (stencils/control.c), and a profile that goes on while a site has not run
(native/deopt.c).  Each program runs under stock CPython and under accel
(differential.compare); the probes show that the functions ran natively, with the forms
under test, and without exits where none is due."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from differential import assert_native, compare


def specialized(run, name: str) -> set[str]:
    return set(run.function(name)["specialized"])


def test_slice_replaced_by_a_fresh_list_of_as_many_items(tmp_path):
    """(flip's statement is one SLICE_COPY; the others store a list made before.)"""
    run = compare("""
        import sys

        def flip(perm, k):
            perm[:k + 1] = perm[k::-1]
            return perm

        def fill(items, a, b, c):
            items[1:4] = [a, b, c]
            return items

        def store(items, i, j, value):
            items[i:j] = value
            return items

        class Sub(list):
            pass

        base = list(range(8))
        for k in (0, 1, 3, 7, 8, 20, -1, -3, -8, -9, 2 ** 40, -2 ** 40):
            print(k, flip(base[:], k))
        print(flip(Sub(range(5)), 2), type(flip(Sub(range(5)), 2)).__name__)
        print(fill(list("abcdef"), 1, 2, 3), fill(list("ab"), 1, 2, 3), fill([], "x", "y", "z"))
        kept = [10, 11, 12]
        print(store(list(range(6)), 0, 3, kept), kept)                   # the value is held elsewhere
        print(store(list(range(6)), 1, 3, Sub([7, 8])))                  # a list subclass as the value
        print(store(list(range(6)), 1, 3, (7, 8)), store(list(range(6)), 4, 1, [9, 9, 9]))
        print(store(list(range(6)), -2, 2 ** 70, [1]), store(list(range(3)), 0, 3, [5, 6]))
        mine = list(range(4))
        print(store(mine, 0, 4, mine[::-1]), store(mine, 1, 3, mine))     # the value is the list itself
        items = [object() for _ in range(4)]
        before = [sys.getrefcount(x) for x in items]
        work = items[:]
        for _ in range(1000):
            flip(work, 3)
            store(work, 0, 4, work[::-1])
        print(work == items, [sys.getrefcount(x) for x in items] == before)
        try:
            store([1, 2, 3], 0, 2, 5)
        except TypeError as e:
            print("TypeError", e)
        store((1, 2), 0, 1, [3])
    """, tmp_path, functions=["flip", "fill", "store"])
    assert_native(run, "flip", "fill", "store")
    assert "SLICE_COPY" in specialized(run, "flip") and "BUILD_SLICE__STORE_SUBSCR" in specialized(run, "fill")
    assert run.function("fill")["exits"] == 0  # (flip exits for the bounds of two digits)
    assert "TypeError: 'tuple' object does not support item assignment" in run.stderr


def test_replaced_items_released_last_first_with_any_code_in_their_finalizers(tmp_path):
    """The items a slice store replaces die in the order stock releases them, and their
    finalizers may change the list itself, look for the emptied temporary list, or collect."""
    compare("""
        import gc

        log = []

        class Noisy:
            def __init__(self, name, target=None, action=None):
                self.name, self.target, self.action = name, target, action

            def __del__(self):
                log.append(self.name)
                if self.action == "append":
                    self.target.append("late")
                elif self.action == "clear":
                    self.target.clear()
                elif self.action == "scan":
                    log.append(sum(1 for o in gc.get_objects() if type(o) is list and o == []) >= 0)
                elif self.action == "collect":
                    gc.collect()

        def replace(items, k):
            items[:k] = [f"new{i}" for i in range(k)]
            return [x.name if isinstance(x, Noisy) else x for x in items]

        def reverse(items, k):
            items[:k + 1] = items[k::-1]
            return items

        for action in (None, "append", "clear", "scan", "collect"):
            target = []
            target.extend(Noisy(f"{action}-{i}", target, action) for i in range(4))
            print(action, replace(target, 3), log)
            log.clear()
        target = [Noisy("a"), Noisy("b"), Noisy("c")]
        print([x.name if isinstance(x, Noisy) else x for x in reverse(target, 2)], log)
        del target
        print(log)
    """, tmp_path, functions=["replace", "reverse"])


def test_int_truth_in_conditions(tmp_path):
    run = compare("""
        def count_down(n):
            steps = 0
            while n:
                n = n - 1 if n > 0 else n + 1
                steps += 1
            return steps

        def truths(values):
            out = []
            for v in values:
                if v:
                    out.append(1)
                else:
                    out.append(0)
                x = v
                out.append(2 if x else 3)
            return out

        class Falsy(int):
            def __bool__(self):
                return False

        class Raises(int):
            def __bool__(self):
                raise ValueError("no truth")

        print(count_down(5), count_down(-4), count_down(0), count_down(2 ** 3))
        print(truths([0, 1, -1, 2 ** 70, -2 ** 70, True, False, Falsy(3), 0.0, "", "x", None, [0]]))
        truths([Raises(1)])
    """, tmp_path, functions=["count_down", "truths"])
    assert_native(run, "count_down", "truths")
    assert "ValueError: no truth" in run.stderr
    assert run.function("count_down")["exits"] == 0


def test_profile_waits_for_a_site_the_first_calls_skipped(tmp_path):
    """count_flips's first call skips its loop: the profile goes on until the loop's
    arithmetic has run, and the code is compiled again with raw int operations there."""
    run = compare("""
        def flips(perm):
            perm = perm[:]
            n = 0
            first = perm[0]
            while first:
                k = first + 1
                perm[:k] = perm[k - 1::-1]
                n += 1
                first = perm[0]
            return n

        total = 0
        for i in range(50):
            total += flips([0, 1, 2, 3] if i < 3 else [3, 1, 0, 2])
        print(total, flips([2.0, 1, 0]) if False else flips([2, 1, 0]))
    """, tmp_path, functions=["flips"])
    assert_native(run, "flips")
    facts = run.function("flips")
    assert facts["recompiles"] == 1, facts["text"]
    assert "BINARY_OP_ADD_INT_OR_FLOAT" not in facts["specialized"], facts["text"]


def test_slice_copy_between_locals(tmp_path):
    """`dst[a:b] = src[c:d:e]` as one SLICE_COPY: every bound form, steps, one list or two,
    slices of other lengths, copies longer than the stencil's buffer, and operands that
    are not exact lists or int bounds (an exit, and after enough of them the plain forms)."""
    run = compare("""
        import sys

        def reverse_prefix(perm, k):
            perm[:k + 1] = perm[k::-1]
            return perm

        def rotate(perm, r):
            perm[:r] = perm[1:r + 1]
            return perm

        def copy(dst, src, a, b, c, d):
            dst[a:b] = src[c:d]
            return dst

        def stepped(dst, src, a, b):
            dst[a - 2:b] = src[b:a:-2]
            return dst

        def constant_bounds(dst, src):
            dst[-3:] = src[1:4]
            dst[:2] = src[::3]
            return dst

        base = list(range(10))
        for k in (-12, -10, -3, -1, 0, 1, 4, 9, 10, 30, None, True, 2 ** 40, -2 ** 40):
            try:
                print(k, reverse_prefix(base[:], k))
            except TypeError as e:
                print(k, "TypeError", e)
            try:
                print(k, rotate(base[:], k))
            except TypeError as e:
                print(k, "TypeError", e)
        for bounds in ((0, 3, 5, 8), (2, 2, 0, 4), (0, 5, 3, 4), (-4, None, None, 2), (None, None, None, None),
                       (8, 1, 0, 3), (3, 100, -100, 3)):
            print(bounds, copy(list("abcdefghij"), list(range(10)), *bounds))
        shared = list(range(10))
        print(copy(shared, shared, 2, 6, 0, 4), copy(shared, shared, 0, 4, 3, 7), copy(shared, shared, 0, 2, 0, 8))
        print(stepped(list(range(10)), list("abcdefghij"), 6, 2), stepped(list(range(10)), list("abcdefghij"), 9, 0))
        print(constant_bounds(list(range(8)), list("abcdefgh")), constant_bounds([1], [2]))
        big = list(range(200))
        print(sum(copy(big[:], big, 0, 150, 50, 200)), sum(copy(big[:], big, 0, 150, 10, 200)),
              sum(reverse_prefix(big[:], 120)), sum(reverse_prefix(big[:], 63)), sum(reverse_prefix(big[:], 64)))
        items = [object() for _ in range(6)]
        before = [sys.getrefcount(x) for x in items]
        work = items[:]
        for i in range(2000):
            reverse_prefix(work, i % 6)
            rotate(work, 5)
            copy(work, items, 0, 6, 0, 6)
        print(work == items, [sys.getrefcount(x) for x in items] == before)

        class Sub(list):
            def __setitem__(self, key, value):
                print("Sub.__setitem__", key, value)
                super().__setitem__(key, value)

        print(copy(Sub("xyz"), [1, 2, 3], 0, 1, 1, 2), copy([1, 2, 3], Sub("xyz"), 0, 1, 1, 3))
        print(copy([0, 1], (5, 6, 7), 0, 1, 0, 3), copy([0, 1], "abc", 0, 1, 0, 3))
        try:
            copy((0, 1), [5], 0, 1, 0, 1)
        except TypeError as e:
            print("TypeError", e)
        try:
            copy([0, 1], [5], 1.5, 2, 0, 1)
        except TypeError as e:
            print("TypeError", e)
        reverse_prefix(None, 3)
    """, tmp_path, functions=["reverse_prefix", "rotate", "copy", "stepped", "constant_bounds"])
    assert_native(run, "reverse_prefix", "rotate", "copy", "stepped", "constant_bounds")
    for name in ("reverse_prefix", "rotate", "copy", "stepped", "constant_bounds"):
        assert "SLICE_COPY" in specialized(run, name), run.function(name)["text"]
    assert run.function("stepped")["exits"] == 0 and run.function("constant_bounds")["exits"] == 0
    assert "TypeError: 'NoneType' object is not subscriptable" in run.stderr


def test_slice_copy_keeps_the_exits_few_and_the_plain_forms_after(tmp_path):
    """A SLICE_COPY whose operands keep being something else (tuples) exits a bounded
    number of times, then the code is compiled again with the two subscripts as they are."""
    run = compare("""
        def copy(dst, src, n):
            dst[:n] = src[:n]
            return dst

        out = []
        for i in range(300):
            out.append(copy([0] * 4, (1, 2, 3, 4) if i % 2 else [5, 6, 7, 8], i % 5))
        print(out[-5:], len(out))

        def unbound(flag):
            if flag:
                dst = [1, 2]
            dst[:1] = [0, 1][:1]
            return dst

        print(unbound(True))
        unbound(False)
    """, tmp_path, functions=["copy", "unbound"])
    assert_native(run, "copy", "unbound")
    facts = run.function("copy")
    assert facts["recompiles"] >= 1 and "SLICE_COPY" not in facts["specialized"], facts["text"]
    assert "UnboundLocalError" in run.stderr


def test_slice_copy_releases_replaced_items_as_stock_does(tmp_path):
    compare("""
        log = []

        class Noisy:
            def __init__(self, name, target=None):
                self.name, self.target = name, target

            def __del__(self):
                log.append(self.name)
                if self.target is not None:
                    self.target.append(Noisy("late"))
                    self.target[:2] = self.target[-2:]

        def copy(dst, src, a, b):
            dst[a:b] = src[a:b]
            return [x.name for x in dst]

        def shift(dst):
            dst[:3] = dst[1:4]
            return [x.name for x in dst]

        for n in (3, 80):
            target = [Noisy(f"old{i}") for i in range(n)]
            target.append(Noisy("mutator", target))
            print(copy(target, [Noisy(f"new{i}") for i in range(n + 1)], 0, n + 1)[-3:], log[-4:], len(log))
            log.clear()
        print(shift([Noisy(c) for c in "abcde"]), log)
    """, tmp_path, functions=["copy", "shift"])


def test_delete_list_item_by_int_index(tmp_path):
    """`del items[i]` of an exact list and an int index in range deletes inline; other
    indexes, containers and list subclasses take the generic path (the IndexError too)."""
    run = compare("""
        import sys

        log = []

        class Noisy:
            def __init__(self, name, target=None):
                self.name, self.target = name, target

            def __del__(self):
                log.append(self.name)
                if self.target is not None:
                    self.target.insert(0, "from finalizer")

        class Sub(list):
            def __delitem__(self, key):
                print("Sub.__delitem__", key)
                super().__delitem__(key)

        def delete(items, i):
            del items[i]
            return items

        def window(values, size):
            out, win = [], []
            for v in values:
                win.append(v)
                if len(win) == size:
                    out.append(tuple(win))
                    del win[0]
            return out

        for i in (0, 2, 4, -1, -5, 5, -6, 2 ** 40, True, False, 1.0, slice(1, 3), "x"):
            try:
                print(i, delete(list(range(5)), i))
            except (IndexError, TypeError) as e:
                print(i, type(e).__name__, e)
        print(delete(Sub([1, 2, 3]), 1), delete({"k": 1, "j": 2}, "k"))
        try:
            delete((1, 2), 0)
        except TypeError as e:
            print("TypeError", e)
        target = []
        target.extend([Noisy("a", target), Noisy("b"), 3])
        print([getattr(x, "name", x) for x in delete(target, 0)], log)
        print(delete([Noisy("c"), 1], -2), log)
        print(window(range(10), 3)[-2:], len(window(range(1000), 4)))
        big = list(range(100))
        obj = object()
        before = sys.getrefcount(obj)
        for _ in range(300):
            big.append(obj)
            delete(big, -1)
            big.insert(50, obj)
            delete(big, 50)
        print(len(big), sys.getrefcount(obj) == before, sys.getsizeof(delete(list(range(64)), 3)))
        delete([], 0)
    """, tmp_path, functions=["delete", "window"])
    assert_native(run, "delete", "window")
    assert "DELETE_SUBSCR" in specialized(run, "delete") and "DELETE_SUBSCR" in specialized(run, "window")
    assert run.function("window")["exits"] == 0
    assert "IndexError: list assignment index out of range" in run.stderr


def test_int_local_updated_by_a_constant(tmp_path):
    """`x += k` / `x -= k` on a boxed int local in a loop that may run Python code: one
    INT_LOCAL_ADD_CONST / INT_LOCAL_SUBTRACT_CONST; other types, results that do not fit
    64 bits and unbound locals exit before the statement, where the interpreter does it."""
    run = compare("""
        import sys

        def count(items, start, step_back):
            n = start
            total = 0
            for x in items:
                n += 1
                total -= 3
                if x:
                    n -= 1000
                frame_n = sys._getframe().f_locals["n"]
                assert frame_n == n
            return n, total

        def edge(n, rounds):
            for _ in range(rounds):
                n += 1
            return n

        def unbound(flag):
            if flag:
                x = 1
            for _ in range(2):
                x += 1
            return x

        print(count(range(50), 0, 1), count([0, 1, 0], 2 ** 62, 1), count([1, 1], -2 ** 63 + 1000, 1))
        print(count([0, 0], 1.5, 1), count([0], True, 1), count([], 5, 1))
        print(edge(2 ** 63 - 3, 5), edge(-2 ** 63, 2), edge(2 ** 30 - 2, 4), edge(-2 ** 30 - 1, 3), edge(2 ** 100, 2))
        print(unbound(True))
        unbound(False)
    """, tmp_path, functions=["count", "edge", "unbound"])
    assert_native(run, "count", "edge", "unbound")
    assert {"INT_LOCAL_ADD_CONST", "INT_LOCAL_SUBTRACT_CONST"} <= specialized(run, "count"), \
        run.function("count")["text"]
    assert "UnboundLocalError" in run.stderr


def test_list_item_at_a_constant_index(tmp_path):
    run = compare("""
        class Sub(list):
            def __getitem__(self, key):
                return ("Sub", key)

        def first(items):
            return items[0], items[2]

        def last(items):
            return items[-1]

        for value in ([1, 2, 3], (4, 5, 6), "abc", Sub([7, 8, 9]), {0: "a", 2: "b", -1: "c"}, range(3)):
            print(first(value), last(value))
        for value in ([1, 2], [], None):
            try:
                print(first(value))
            except (IndexError, TypeError) as e:
                print(type(e).__name__, e)
        first([9])
    """, tmp_path, functions=["first", "last"])
    assert_native(run, "first", "last")
    assert "LOAD_FAST__LOAD_CONST__BINARY_SUBSCR_LIST_INT" in specialized(run, "first")
    assert "IndexError: list index out of range" in run.stderr


def test_list_item_updated_by_a_constant(tmp_path):
    """`items[i] += k` / `items[i] -= k` as one LIST_ITEM_ADD_INT_CONST; anything but an
    exact list, an index in range and an int item exits before the statement."""
    run = compare("""
        import sys

        def histogram(values, size):
            counts = [0] * size
            for v in values:
                counts[v] += 1
            return counts

        def drain(counts, i, times):
            for _ in range(times):
                counts[i] -= 3
            return counts

        class Sub(list):
            def __setitem__(self, key, value):
                print("Sub.__setitem__", key, value)
                super().__setitem__(key, value)

        print(histogram([1, 2, 2, 0, 3, 3, 3], 4), histogram(range(100), 100)[-3:])
        print(drain([10, 20], 1, 5), drain([2 ** 62, 0], 0, 3), drain([-2 ** 63 + 4, 1], 0, 3))
        print(drain([1.5, 2], 0, 2), drain(Sub([5, 6]), 1, 2), drain({"k": 9}, "k", 2), drain([5, 6, 7], -1, 2))
        print(drain([2 ** 100], 0, 2), drain([True], 0, 2))
        for args in (((1, 2), 0, 1), ([1, 2], 2, 1), ([None], 0, 1)):
            try:
                drain(*args)
            except (TypeError, IndexError) as e:
                print(type(e).__name__, e)
        item = 10 ** 6 + 1
        before = sys.getrefcount(item)
        histogram([0] * 500, 1)
        print(sys.getrefcount(item) == before)
        histogram([5], 2)
    """, tmp_path, functions=["histogram", "drain"])
    assert_native(run, "histogram", "drain")
    assert "LIST_ITEM_ADD_INT_CONST" in specialized(run, "histogram"), run.function("histogram")["text"]
    assert run.function("histogram")["site_exits"] == {} or run.function("histogram")["exits"] <= 1
    assert "IndexError: list index out of range" in run.stderr
