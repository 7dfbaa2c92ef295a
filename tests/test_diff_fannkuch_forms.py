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
    assert {"BUILD_SLICE__STORE_SUBSCR"} <= specialized(run, "flip") & specialized(run, "fill")
    assert run.function("flip")["exits"] == 0 and run.function("fill")["exits"] == 0
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
                perm[:first + 1] = perm[first::-1]
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
