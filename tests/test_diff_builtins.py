"""Differential tests: the forms of their own for calls of len, isinstance, list.append
and set.add (stencils/builtin_calls.c): the same results, errors and tracebacks as
stock, and an exit (never a wrong call) when the callee is not what the site was
specialized for: the builtin rebound or shadowed mid-run, a method of another type."""
from differential import assert_native, compare

FORMS = {"CALL_BUILTIN_LEN", "CALL_BUILTIN_ISINSTANCE", "CALL_LIST_APPEND", "CALL_SET_ADD"}


def test_builtin_and_method_calls_in_place(tmp_path):
    run = compare("""
import sys
import traceback

class Sized:
    def __len__(self):
        return sys._getframe(1).f_lineno

class BadLen:
    def __len__(self):
        return -1

class Meta(type):
    def __instancecheck__(cls, obj):
        return sys._getframe(1).f_lineno > 0 and obj == 7

class Checked(metaclass=Meta):
    pass

class MyList(list):
    pass

class LoudList(list):
    def append(self, x):
        super().append(("loud", x))

class MySet(set):
    pass

class Key:
    def __hash__(self):
        raise ValueError("unhashable here")

class Dies:
    def __del__(self):
        print("del at", sys._getframe(1).f_lineno)

def work(items, out, seen, probe):
    n = 0
    for x in items:
        out.append(x)
        seen.add(x)
        n += len(out) + len(seen) + len(probe)
        if isinstance(x, int):
            n += 1
        if isinstance(x, (str, float)):
            n += 10
        if isinstance(x, Checked):
            n += 100
    return n, out, sorted(seen, key=repr)

def bad(kind):
    if kind == 0:
        return len(5)
    if kind == 1:
        return len(BadLen())
    if kind == 2:
        return isinstance(1, 2)
    if kind == 3:
        s = set()
        s.add([])
    if kind == 4:
        s = set()
        s.add(Key())

def temporaries():
    out = []
    out.append(Dies())
    out.clear()
    print("after clear")
    print(len([Dies()]), isinstance(Dies(), Dies))
    [].append(Dies())
    print("done")

print(work(range(6), [], set(), "abc"))
print(work([1, "a", 2.5, 7], MyList(), MySet(), Sized()))
print(work([3, 4], LoudList(), {1}, [0]))
print(work([1], [], set(), [0] * 1000))
for kind in range(5):
    try:
        bad(kind)
    except Exception:
        traceback.print_exc(file=sys.stdout)
temporaries()
big = []
for i in range(100):
    big.append(i)
print(len(big), big[-1])
""", tmp_path, functions=["work", "bad", "temporaries"])
    assert run.stdout.count("Traceback") == 5
    assert_native(run, "work", "bad", "temporaries")
    # (len's result goes into int arithmetic raw: CALL_BUILTIN_LEN_RAW)
    specialized = {name.removesuffix("_RAW") for name in run.function("work")["specialized"]}
    assert FORMS <= specialized, run.function("work")["text"]


def test_rebound_and_shadowed_builtins_exit(tmp_path):
    """len and isinstance rebound in builtins, or shadowed by a global, mid-run: the site's
    guard fails and the interpreter calls what the name now holds."""
    run = compare("""
import builtins

def count(items):
    total = 0
    for x in items:
        total += len(x) + isinstance(x, str)
    return total

def add_all(target, items):
    for x in items:
        target.add(x)
    return target

print(count(["ab", [1], "c"]))
real_len, real_isinstance = builtins.len, builtins.isinstance
builtins.len = lambda x: 100
print(count(["ab", [1], "c"]))
builtins.len = real_len
len = lambda x: 1000
print(count(["ab", [1], "c"]))
del len
builtins.isinstance = lambda x, c: 7
print(count(["ab", "c"]))
builtins.isinstance = real_isinstance
print(count(["ab", "c"]))

class Bag:
    def __init__(self):
        self.items = []
    def add(self, x):
        self.items.append(x)

print(sorted(add_all(set(), [3, 1, 2])))
print(add_all(Bag(), [3, 1, 2]).items)
print(sorted(add_all(set(), [5, 4])))
""", tmp_path, functions=["count", "add_all"])
    assert_native(run, "count", "add_all")
    assert run.deopts("GUARD_VALUE") >= 1, run.stats
    assert "CALL_BUILTIN_LEN" in run.function("count")["text"] or run.function("count")["recompiles"], \
        run.function("count")["text"]


def test_dict_subscripts_and_get(tmp_path):
    """d[k], d[k] = v and d.get(k[, default]) on dicts: a missing key's KeyError and its
    traceback, unhashable keys, a key whose __eq__ is Python code, dict subclasses'
    __missing__ and __setitem__, other containers and another `get`."""
    run = compare("""
import sys
import traceback

class Missing(dict):
    def __missing__(self, key):
        return ("missing", key)

class Loud(dict):
    def __setitem__(self, key, value):
        super().__setitem__(key, ("loud", value))

class Key:
    def __init__(self, v):
        self.v = v
    def __hash__(self):
        return 1
    def __eq__(self, other):
        print("eq at", sys._getframe(1).f_lineno)
        return isinstance(other, Key) and self.v == other.v

class Store:
    def get(self, key, default=None):
        return ("store", key, default)

def count(tokens):
    words = {}
    pairs = {}
    previous = ""
    for token in tokens:
        words[token] = words.get(token, 0) + 1
        if previous:
            key = f"{previous} {token}"
            pairs[key] = pairs.get(key) or 0
            pairs[key] += 1
        previous = token
    return sorted(words.items()), sorted(pairs.items()), words["b"], words.get("zz")

def look(d, k):
    return d[k]

def put(d, k, v):
    d[k] = v
    return d

def fetch(d, k):
    return d.get(k), d.get(k, "default")

print(count("a b a c b a".split()))
print(look(Missing(a=1), "a"), look(Missing(), "b"), look([5, 6], 1), look("xyz", 2))
print(put(Loud(), "k", 1), put([0, 0], 1, 9), put({}, (1, 2), 3))
k1, k2 = Key(1), Key(2)
d = {k1: "one"}
print(look(d, Key(1)), fetch(d, Key(1)), fetch(d, k2))
print(put(d, Key(1), "uno")[k1])
print(fetch(Store(), "x"), fetch(Missing(), "x"))
for bad in ({}, {"y": 1}):
    try:
        look(bad, "x")
    except KeyError:
        traceback.print_exc(file=sys.stdout)
for bad in (look, put, fetch):
    try:
        bad({}, [], 1) if bad is put else bad({}, [])
    except TypeError:
        traceback.print_exc(file=sys.stdout)
""", tmp_path, functions=["count", "look", "put", "fetch"])
    assert run.stdout.count("Traceback") == 5
    assert_native(run, "count", "look", "put", "fetch")
    specialized = set(run.function("count")["specialized"])
    assert {"BINARY_SUBSCR_DICT", "STORE_SUBSCR_DICT", "CALL_DICT_GET"} <= specialized, run.function("count")["text"]


def test_site_cpython_specialized_for_another_callee_stays_generic(tmp_path):
    """A site that CPython's adaptive interpreter saw call something else (deque.append, a
    class's own add) before it compiled keeps the generic CALL: no exit at its first call."""
    run = compare("""
from collections import deque

class Bag:
    def __init__(self):
        self.items = []
    def add(self, x):
        self.items.append(x)

def push(target, x):
    target.append(x)
    return len(target)

def put(target, x):
    target.add(x)

queue, bag = deque(), Bag()
for i in range(1000):
    push(queue, i)
    put(bag, i)
print(len(queue), len(bag.items), queue[-1])
""", tmp_path, env={"ACCEL_THRESHOLD": "500"}, functions=["push", "put"])
    assert_native(run, "push", "put")
    assert "CALL_LIST_APPEND" not in run.function("push")["specialized"], run.function("push")["text"]
    assert "CALL_BUILTIN_LEN" in run.function("push")["specialized"], run.function("push")["text"]
    assert "CALL_SET_ADD" not in run.function("put")["specialized"], run.function("put")["text"]
    assert run.deopts("GUARD_VALUE") == 0, run.stats


def test_len_as_a_raw_int(tmp_path):
    """len(x) whose result goes into int arithmetic is pushed raw (CALL_BUILTIN_LEN_RAW), and
    a raw value below it stays raw: exact containers and strs, a __len__ written in Python
    that collects garbage and looks at the caller's frame, one that raises or returns a bad
    value, an empty container as a divisor (ZeroDivisionError, stock's traceback)."""
    run = compare("""
        import gc
        import sys

        class Sized:
            def __init__(self, n):
                self.n = n
            def __len__(self):
                gc.collect()
                frame = sys._getframe(1)
                print("len from", frame.f_code.co_name, frame.f_lineno, sorted(frame.f_locals))
                return self.n

        class BadLen:
            def __len__(self):
                return -1

        class Raises:
            def __len__(self):
                raise KeyError("no length")

        def pick(n, items, state):
            out = []
            for _ in range(n):
                state = (state * 1103515245 + 12345) & 0x7FFF_FFFF
                rank = (state >> 4) % len(items)
                out.append(rank * rank // len(items) + len(items) - 1)
            return out, state

        def mixed(containers, state):
            total = 0
            for c in containers:
                total += (state >> 3) % len(c) + len(c) * 2
            return total

        data = ["w%d" % i for i in range(600)]
        first, state = pick(2000, data, 7)
        second, state = pick(2000, data, state)
        print(first[:6], second[-6:], state)
        print(pick(5, tuple(data[:7]), 3)[0], pick(5, "abcdefghij", 3)[0], pick(5, {1: 2, 3: 4}, 3)[0])
        print(pick(3, {1, 2, 3}, 9)[0], pick(2, Sized(5), 11)[0], pick(2, Sized(2 ** 40), 11)[0])
        print(mixed([[1], (1, 2), "abc", {4: 5}, frozenset({6}), Sized(9), range(70)], 12345))
        for bad in (BadLen(), Raises(), Sized(-3), 5):
            try:
                pick(2, bad, 1)
            except (ValueError, KeyError, TypeError) as error:
                print(type(error).__name__, error)
        try:
            pick(2, [], 1)
        except ZeroDivisionError as error:
            print("caught", error)
        mixed([[1, 2], ()], 5)
    """, tmp_path, functions=["pick", "mixed"])
    assert "ZeroDivisionError: integer modulo by zero" in run.stderr, run.stderr
    assert_native(run, "pick", "mixed")
    assert "CALL_BUILTIN_LEN_RAW" in run.function("pick")["specialized"], run.function("pick")["text"]
