"""Stencils for containers, unary operators, cells, `and`/`or`, globals, functions,
calls with * and **, raising, imports and classes (stencils/objects.c, unary.c, cells.c,
branches.c, misc.c), `with`, names in module and class bodies, `del obj.attr`,
annotations, `import *`, interactive expression statements (stencils/context.c, names.c),
pattern matching (stencils/matching.c) and `yield from` (stencils/yield_from.c).

Every program runs under stock CPython and under accel (differential.compare): output,
tracebacks and exit codes must be identical.  Each program also registers a probe that,
under accel only, writes what accel made of the functions it names (accel.explain) to a
file beside it: the tests assert that those functions ran natively, that the stencils
under test were emitted, and that no instruction handled by these stencils exited to the
interpreter as unsupported.
"""
import json
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from differential import compare

# The instructions these stencils compile: none of them may exit as UNSUPPORTED.
COMPILED_HERE = {
    "BUILD_TUPLE", "BUILD_LIST", "BUILD_SET", "BUILD_MAP", "BUILD_CONST_KEY_MAP", "LIST_APPEND", "SET_ADD",
    "MAP_ADD", "LIST_EXTEND", "SET_UPDATE", "DICT_UPDATE", "DICT_MERGE", "LIST_TO_TUPLE", "UNPACK_SEQUENCE",
    "UNPACK_EX", "BUILD_SLICE", "DELETE_SUBSCR", "CONTAINS_OP", "IS_OP", "GET_LEN", "BUILD_STRING",
    "FORMAT_VALUE", "UNARY_POSITIVE", "UNARY_NEGATIVE", "UNARY_NOT", "UNARY_INVERT", "MAKE_CELL",
    "COPY_FREE_VARS", "LOAD_CLOSURE", "LOAD_DEREF", "STORE_DEREF", "DELETE_FAST", "DELETE_DEREF",
    "LOAD_CLASSDEREF", "JUMP_IF_FALSE_OR_POP", "JUMP_IF_TRUE_OR_POP", "STORE_GLOBAL", "DELETE_GLOBAL",
    "LOAD_ASSERTION_ERROR", "MAKE_FUNCTION", "CALL_FUNCTION_EX", "RAISE_VARARGS", "IMPORT_NAME",
    "IMPORT_FROM", "LOAD_BUILD_CLASS", "BEFORE_WITH", "LOAD_NAME", "STORE_NAME", "DELETE_NAME", "DELETE_ATTR",
    "SETUP_ANNOTATIONS", "IMPORT_STAR", "PRINT_EXPR", "MATCH_MAPPING", "MATCH_SEQUENCE", "MATCH_KEYS",
    "MATCH_CLASS", "GET_YIELD_FROM_ITER",
}

PROBE = '''\
import atexit as _accel_atexit


def _accel_probe(*targets):
    """Under accel, write what it made of `targets` (and the code nested in them) at exit."""
    def report():
        import sys
        accel = sys.modules.get("accel")
        if accel is None:
            return
        import json, types

        def walk(code):
            yield code
            for const in code.co_consts:
                if isinstance(const, types.CodeType):
                    yield from walk(const)

        out = {}
        for target in targets:
            for code in walk(getattr(target, "__code__", target)):
                e = accel.explain(code)
                # Code compiled from a string for exec() goes by its made-up file name.
                made_up = code.co_qualname == "<module>" and code.co_filename.startswith("<")
                out[code.co_filename if made_up else code.co_qualname] = {
                    "state": e.state,
                    "entries": e.info.native_entries if e.info is not None else 0,
                    "emitted": sorted({r.specialized for r in e.rows
                                       if r.specialized and not r.specialized.startswith("(")}),
                    "exits": [[r.bytecode.split()[0], reason, n] for r in e.rows for reason, n in r.exits.items()],
                }
        with open("accel_probe.json", "w") as file:
            json.dump(out, file)
    _accel_atexit.register(report)


def _traceback(function, *args):
    """Call `function`; print the traceback of what it raises, as the interpreter formats it."""
    import sys, traceback
    try:
        function(*args)
    except BaseException:
        traceback.print_exc(file=sys.stdout)


'''


def check(tmp_path, source, expect, exits_allowed=None):
    """Run `source` both ways; `expect` maps qualnames to stencils that must have been emitted
    for them (and the code must have been entered natively).  Returns (run, report)."""
    run = compare(PROBE + textwrap.dedent(source), tmp_path)
    probe = tmp_path / "accel_probe.json"
    assert probe.exists(), f"the probe did not run\n{run.stderr}"
    report = json.loads(probe.read_text())
    for qualname, stencils in expect.items():
        assert qualname in report, (qualname, sorted(report))
        entry = report[qualname]
        assert entry["state"] == "compiled", (qualname, entry)
        assert entry["entries"] >= 1, (qualname, entry)
        missing = set(stencils) - set(entry["emitted"])
        assert not missing, (qualname, missing, entry["emitted"])
    for qualname, entry in report.items():
        unsupported = [e for e in entry["exits"] if e[1] == "UNSUPPORTED" and e[0] in COMPILED_HERE]
        assert not unsupported, (qualname, unsupported)
    assert run.stats["native_entries"] > 0
    return run, report


def exits_of(report, qualname, reason):
    return {e[0] for e in report[qualname]["exits"] if e[1] == reason}


# --- building containers -----------------------------------------------------------------------

def test_build_tuple_list_set(tmp_path):
    check(tmp_path, """
        import sys

        def build(a, b, c):
            t = (a, b, c)
            l = [a, b, c, a]
            e = []
            s = {a, b, c, a}
            one = (a,)
            return t, l, e, sorted(map(repr, s)), one, len(s)

        def unhashable(a):
            return {a, [a]}

        marker = object()
        for i in range(3):
            print(build(i, "x", 2.5))
        print(sys.getrefcount(marker), build(marker, marker, marker)[4][0] is marker, sys.getrefcount(marker))
        try:
            unhashable(1)
        except TypeError as e:
            print("TypeError", e)
        _traceback(unhashable, 2)
        _accel_probe(build, unhashable)
    """, {"build": {"BUILD_TUPLE", "BUILD_LIST", "BUILD_SET"}, "unhashable": {"BUILD_SET", "BUILD_LIST"}})


def test_build_map_small_large_and_sizes(tmp_path):
    run, report = check(tmp_path, """
        import sys

        def small(k1, k2, v):
            return {k1: v, k2: v}

        def large(a, b, c, d, e, f, g, v):
            return {a: v, b: v, c: v, d: v, e: v, f: v, g: v}

        def same_key(k, v):
            return {k: v, k: v + 1, k: v + 2, k: v + 3, k: v + 4, k: v + 5}

        def mixed(k, v):
            return {k: 1, 2: v, (k, v): 3, k + "x": 4, 5.5: 5, None: 6, v: 7}

        def bad_key(k):
            return {k: 1, [k]: 2}

        class BadHash:
            def __hash__(self):
                raise RuntimeError("no hash for you")

        def bad_large(a, v):
            return {a: v, 1: v, 2: v, 3: v, 4: v, 5: v, BadHash(): v}

        for i in range(3):
            print(small("a", "b", i), large(*"abcdefg", i), same_key("k", i), mixed("s", i))
        d = large(*"abcdefg", 0)
        print(sys.getsizeof(d), sys.getsizeof(same_key("k", 1)), sys.getsizeof(mixed("s", 2)), sys.getsizeof(small(1, 2, 3)))
        d["h"] = 1
        print(sys.getsizeof(d), list(d))
        try:
            bad_key("z")
        except TypeError as e:
            print("TypeError", e)
        try:
            bad_large("z", 1)
        except RuntimeError as e:
            print("RuntimeError", e)
        _traceback(bad_large, "y", 2)
        _accel_probe(small, large, same_key, mixed, bad_key, bad_large)
    """, {"small": {"BUILD_MAP"}, "large": {"BUILD_MAP"}, "same_key": {"BUILD_MAP"}, "mixed": {"BUILD_MAP"},
          "bad_large": {"BUILD_MAP"}})
    assert "Traceback" in run.stdout and "no hash for you" in run.stdout


def test_build_const_key_map(tmp_path):
    check(tmp_path, """
        import sys

        def two(x, y):
            return {"a": x, "b": y}

        def many(x):
            return {"k0": x, "k1": x, "k2": x, "k3": x, "k4": x, "k5": x, "k6": x, "k7": x,
                    "k8": x, "k9": x, "k10": x, "k11": x, "k12": x, "k13": x, "k14": x}

        def too_many_for_the_stack(x):
            return {"k0": x, "k1": x, "k2": x, "k3": x, "k4": x, "k5": x, "k6": x, "k7": x,
                    "k8": x, "k9": x, "k10": x, "k11": x, "k12": x, "k13": x, "k14": x, "k15": x}

        def numeric(x):
            return {1: x, 2.5: x, (1, 2): x, None: x, "s": x, 1.0: "dup"}

        for i in range(3):
            print(two(i, -i), many(i), numeric(i), too_many_for_the_stack(i))
        print(sys.getsizeof(two(1, 2)), sys.getsizeof(many(1)), sys.getsizeof(numeric(1)),
              sys.getsizeof(too_many_for_the_stack(1)))
        _accel_probe(two, many, numeric, too_many_for_the_stack)
    """, {"two": {"BUILD_CONST_KEY_MAP"}, "many": {"BUILD_CONST_KEY_MAP"}, "numeric": {"BUILD_CONST_KEY_MAP"},
          "too_many_for_the_stack": {"BUILD_MAP", "MAP_ADD"}})


def test_comprehensions_append_add(tmp_path):
    check(tmp_path, """
        def lists(n):
            return [i * i for i in range(n)]

        def sets(n):
            return {i % 7 for i in range(n)}

        def dicts(n):
            return {str(i): i for i in range(n)}

        def unhashable_set(items):
            return {x for x in items}

        def unhashable_dict(items):
            return {x: 1 for x in items}

        print(lists(0), lists(5), len(lists(10000)), sum(lists(1000)))
        print(sorted(sets(100)), dicts(5), len(dicts(3000)))
        for f in (unhashable_set, unhashable_dict):
            try:
                f([1, 2, [3]])
            except TypeError as e:
                print(f.__name__, "TypeError", e)
        _accel_probe(lists, sets, dicts, unhashable_set, unhashable_dict)
        _traceback(unhashable_dict, [{}])
    """, {"lists.<locals>.<listcomp>": {"LIST_APPEND", "BUILD_LIST"},
          "sets.<locals>.<setcomp>": {"SET_ADD", "BUILD_SET"},
          "dicts.<locals>.<dictcomp>": {"MAP_ADD", "BUILD_MAP"},
          "lists": {"MAKE_FUNCTION"}})


def test_star_unpacking_in_displays(tmp_path):
    run, report = check(tmp_path, """
        from collections import UserDict

        def lists(a, b):
            return [*a, *b], [1, 2, 3, a], (*a, *b), [*range(3), *"xy"]

        def sets(a, b):
            return sorted({*a, *b}), sorted({1, 2, 3, len(a)})

        def dicts(a, b):
            return {**a, "x": 1, **b}, {"y": 2, **UserDict(a)}

        def not_iterable_list(x):
            return [*x]

        def not_iterable_set(x):
            return {*x}

        def not_mapping(x):
            return {**x}

        def failing_iter():
            def gen():
                yield 1
                raise KeyError("mid-way")
            return [*gen()]

        for i in range(3):
            print(lists([i, 2], (3, i)), sets([i], {5, 6}), dicts({"a": i}, {"b": -i}))
        for f, arg in ((not_iterable_list, 5), (not_iterable_set, 5), (not_mapping, 5), (not_mapping, [1, 2])):
            try:
                f(arg)
            except TypeError as e:
                print(f.__name__, "TypeError", e)
        try:
            failing_iter()
        except KeyError as e:
            print("KeyError", e)
        _accel_probe(lists, sets, dicts, not_iterable_list, not_iterable_set, not_mapping, failing_iter)
        _traceback(not_iterable_list, None)
    """, {"lists": {"LIST_EXTEND", "LIST_EXTEND__LIST_TO_TUPLE", "BUILD_LIST"}, "sets": {"SET_UPDATE", "BUILD_SET"},
          "dicts": {"DICT_UPDATE", "BUILD_MAP"}, "not_mapping": {"DICT_UPDATE"},
          "failing_iter": {"LIST_EXTEND"}})
    # The reworded TypeError of LIST_EXTEND is the interpreter's: that site exits.
    assert "LIST_EXTEND" in exits_of(report, "not_iterable_list", "RAISE")
    assert "Value after * must be an iterable, not NoneType" in run.stdout


# --- calls with * and ** -----------------------------------------------------------------------

def test_call_function_ex(tmp_path):
    run, report = check(tmp_path, """
        from collections import UserDict

        def target(*args, **kwargs):
            return args, sorted(kwargs.items())

        def star(args):
            return target(*args)

        def star_star(args, kw):
            return target(*args, **kw)

        def mixed(a, kw):
            return target(1, *a, 2, x=1, **kw)

        def two_dicts(k1, k2):
            return target(**k1, **k2)

        def builtin(a):
            return max(*a), dict(**{"z": 1}), "{}-{}".format(*a)

        for i in range(3):
            print(star((i, 2)), star([i]), star(range(i)), star(x for x in "ab"), star("xyz"))
            print(star_star([i], {"k": i}), star_star((), {}), mixed([i], {"y": 2}), two_dicts({"a": 1}, {"b": i}))
            print(builtin([i, 5]))
        print(star_star([], UserDict(m=1)), two_dicts(UserDict(a=1), {"b": 2}))

        def not_iterable():
            return target(*5)

        def duplicate():
            return two_dicts({"a": 1}, {"a": 2})

        def not_mapping():
            return two_dicts({"a": 1}, 7)

        def not_str_key():
            return two_dicts({"a": 1}, {1: 2})

        def strict(a, b=0):
            return a + b

        def raising_callee():
            return strict(*(1,), **{"c": 2})

        def raising_iter():
            def gen():
                yield 1
                raise ValueError("in the generator")
            return star(gen())

        for f in (not_iterable, duplicate, not_mapping, not_str_key, raising_callee, raising_iter):
            try:
                f()
            except Exception as e:
                print(f.__name__, type(e).__name__, e)

        def positional_only(a, /):
            return a

        def bad_keywords():
            return positional_only(**{"a": 1})

        _accel_probe(star, star_star, mixed, two_dicts, builtin, not_iterable, duplicate, not_mapping,
                     not_str_key, raising_callee, raising_iter, bad_keywords)
        _traceback(bad_keywords)
    """, {"star": {"CALL_FUNCTION_EX"}, "star_star": {"CALL_FUNCTION_EX", "DICT_MERGE"},
          "mixed": {"CALL_FUNCTION_EX", "DICT_MERGE", "LIST_EXTEND", "LIST_TO_TUPLE"},
          "two_dicts": {"CALL_FUNCTION_EX", "DICT_MERGE"}, "builtin": {"CALL_FUNCTION_EX"},
          "raising_callee": {"CALL_FUNCTION_EX", "DICT_MERGE"}})
    assert "CALL_FUNCTION_EX" in exits_of(report, "not_iterable", "RAISE")
    assert "DICT_MERGE" in exits_of(report, "two_dicts", "RAISE")  # the repeated keyword
    assert "positional_only() got some positional-only arguments passed as keyword arguments" in run.stdout


# --- unpacking ---------------------------------------------------------------------------------

def test_unpack_sequence(tmp_path):
    run, report = check(tmp_path, """
        import sys

        def fast(t, l):
            a, b = t
            c, d, e = l
            return a, b, c, d, e

        def generic(x):
            p, q, r = x
            return p, q, r

        def swap(a, b):
            a, b = b, a
            return a, b

        class Seq:
            def __getitem__(self, i):
                if i < 3:
                    return i * 10
                raise IndexError(i)

        marker = object()
        for i in range(3):
            print(fast((i, 2), [3, i, 5]), generic("xyz"), generic(range(3)), generic(iter([1, 2, i])),
                  generic({7: 0, 8: 0, 9: 0}), generic(Seq()), generic([1, 2, 3]), generic((4, 5, 6)), swap(i, 0))
        before = sys.getrefcount(marker)
        for i in range(100):
            fast((marker, marker), [marker, marker, marker])
            generic(iter([marker, marker, marker]))
        print(sys.getrefcount(marker) - before)

        def too_many():
            return generic([1, 2, 3, 4])

        def too_few():
            return generic((1, 2))

        def too_many_generic():
            return generic(iter("abcd"))

        def too_few_generic():
            return generic(x for x in "a")

        def not_iterable():
            return generic(42)

        def raising():
            def gen():
                yield 1
                raise LookupError("gen failed")
            return generic(gen())

        for f in (too_many, too_few, too_many_generic, too_few_generic, not_iterable, raising):
            try:
                f()
            except Exception as e:
                print(f.__name__, type(e).__name__, e)
        _accel_probe(fast, generic, swap)
        _traceback(generic, None)
    """, {"fast": {"UNPACK_SEQUENCE_TUPLE_TO_LOCALS", "UNPACK_SEQUENCE_LIST_TO_LOCALS"},
        "generic": {"UNPACK_SEQUENCE"}})
    assert "cannot unpack non-iterable NoneType object" in run.stdout


def test_unpack_ex(tmp_path):
    run, report = check(tmp_path, """
        def head_rest(x):
            a, *b = x
            return a, b

        def around(x):
            a, *b, c, d = x
            return a, b, c, d

        def tail(x):
            *a, b = x
            return a, b

        for i in range(3):
            print(head_rest([i, 2, 3]), head_rest("a"), around(range(5 + i)), around((1, 2, 3)), tail(iter("xy")))
        for f, arg in ((around, [1, 2]), (around, ()), (head_rest, []), (tail, 5)):
            try:
                f(arg)
            except Exception as e:
                print(f.__name__, type(e).__name__, e)
        _accel_probe(head_rest, around, tail)
        _traceback(around, "ab")
    """, {"head_rest": {"UNPACK_EX"}, "around": {"UNPACK_EX"}, "tail": {"UNPACK_EX"}})
    assert "not enough values to unpack (expected at least 3, got 2)" in run.stdout


# --- subscripts, membership, identity, len -----------------------------------------------------

def test_slices_and_delete_subscript(tmp_path):
    check(tmp_path, """
        def slices(s, i, j):
            return s[i:j], s[i:], s[:j], s[::2], s[i:j:-1], s[::-1]

        def delete(d, k):
            del d[k]
            return d

        def delete_slice(l, i, j):
            del l[i:j]
            return l

        class Weird:
            def __getitem__(self, key):
                return key

        for i in range(3):
            print(slices("abcdefgh", i, 5), slices(list(range(8)), 1, -i), slices(Weird(), "x", None))
            print(delete({"a": 1, "b": 2}, "a"), delete([1, 2, 3], i), delete_slice(list(range(6)), i, 4))
        for f, args in ((delete, ({}, "k")), (delete, ([], 0)), (delete, ((1,), 0)), (slices, ([1], "a", 2))):
            try:
                f(*args)
            except Exception as e:
                print(f.__name__, type(e).__name__, e)
        _accel_probe(slices, delete, delete_slice)
        _traceback(delete, {"a": 1}, "missing")
    """, {"slices": {"BUILD_SLICE__BINARY_SUBSCR"}, "delete": {"DELETE_SUBSCR"},
          "delete_slice": {"BUILD_SLICE", "DELETE_SUBSCR"}})


def test_contains_is_and_len(tmp_path):
    check(tmp_path, """
        def member(x, container):
            return x in container, x not in container

        def identity(a, b):
            return a is b, a is not b, a is None, b is not None

        class Contains:
            def __contains__(self, item):
                return item == 3

        class Broken:
            def __contains__(self, item):
                raise RuntimeError("broken __contains__")

        def match(x):
            match x:
                case [a, b]:
                    return "two", a, b
                case [a, *rest]:
                    return "many", a, rest
                case _:
                    return "other"

        for i in range(3):
            print(member(i, [0, 1]), member(str(i), "012"), member(i, {1: 2}), member(3, Contains()),
                  identity(i, i), identity(None, i), match([1, i]), match((1, 2, i)), match(i))
        try:
            member(1, 5)
        except TypeError as e:
            print("TypeError", e)
        _accel_probe(member, identity, match)
        _traceback(member, 1, Broken())
    """, {"member": {"CONTAINS_OP"}, "identity": {"IS_OP"}})


# --- strings -----------------------------------------------------------------------------------

def test_fstrings(tmp_path):
    check(tmp_path, """
        class Fancy:
            def __format__(self, spec):
                return "<" + spec + ">"
            def __repr__(self):
                return "Fancy()"
            def __str__(self):
                return "fancy"

        class BadStr:
            def __str__(self):
                return 42

        def fmt(x, width):
            return f"{x}|{x!r}|{x!s}|{x!a}|{x:>{width}}|{x!r:^{width}}|"

        def plain(name, n):
            return f"hello {name}, {n:05d} {n:x} {n / 3:.3f} {'é'!a}"

        def bad_spec(x):
            return f"{x:q}"

        def bad_str(x):
            return f"{x!s}"

        for i in range(3):
            print(fmt(i, 5), fmt("é", 4), fmt(Fancy(), 3), fmt(2.5, i + 3), plain("bob", i))
        for f, arg in ((bad_spec, 1), (bad_spec, "s"), (bad_str, BadStr())):
            try:
                f(arg)
            except Exception as e:
                print(f.__name__, type(e).__name__, e)
        _accel_probe(fmt, plain, bad_spec, bad_str)
        _traceback(bad_str, BadStr())
    """, {"fmt": {"FORMAT_VALUE", "BUILD_STRING"}, "plain": {"FORMAT_VALUE", "BUILD_STRING"},
          "bad_spec": {"FORMAT_VALUE"}})


# --- unary operators and and/or ----------------------------------------------------------------

def test_unary(tmp_path):
    check(tmp_path, """
        class Num:
            def __neg__(self):
                return "neg"
            def __pos__(self):
                return "pos"
            def __invert__(self):
                return "inv"
            def __bool__(self):
                return False

        class BadBool:
            def __bool__(self):
                return 2

        def unary(x):
            return -x, +x, ~x, not x

        def negate(x):
            return -x

        def invert(x):
            return ~x

        def logical_not(x):
            return not x

        for x in (0, 5, -7, 2 ** 70, True, Num()):
            print(unary(x))
        for x in (0.0, -2.5, "", "a", [], [1], None, 1.5):
            print(negate(x) if isinstance(x, float) else "-", logical_not(x))
        for f, arg in ((negate, "s"), (invert, 1.5), (logical_not, BadBool()), (unary, None)):
            try:
                f(arg)
            except TypeError as e:
                print(f.__name__, "TypeError", e)
        _accel_probe(unary, negate, invert, logical_not)
        _traceback(invert, [])
    """, {"unary": {"UNARY_NEGATIVE", "UNARY_POSITIVE", "UNARY_INVERT", "UNARY_NOT"},
          "logical_not": {"UNARY_NOT"}})


def test_and_or_values(tmp_path):
    check(tmp_path, """
        class Truthy:
            def __init__(self, value):
                self.value = value
            def __bool__(self):
                return self.value
            def __repr__(self):
                return f"Truthy({self.value})"

        class Broken:
            def __bool__(self):
                raise ValueError("no truth")
            def __repr__(self):
                return "Broken()"

        def and_or(a, b, c):
            x = a and b
            y = a or b
            z = a and b or c
            return x, y, z

        def chained(a, b, c):
            return a < b < c

        values = (0, 1, "", "s", None, True, False, [], [0], Truthy(True), Truthy(False))
        for a in values:
            print([and_or(a, b, "c") for b in values])
        print(chained(1, 2, 3), chained(3, 2, 1), chained(1, 3, 2), chained("a", "b", "c"))
        for args in ((Broken(), 1, 2), (0, Broken(), 1), (1, 0, Broken())):
            try:
                print(and_or(*args))
            except ValueError as e:
                print("ValueError", e)
        _accel_probe(and_or, chained)
        _traceback(and_or, Broken(), 0, 0)
    """, {"and_or": {"JUMP_IF_FALSE_OR_POP", "JUMP_IF_TRUE_OR_POP"}, "chained": {"JUMP_IF_FALSE_OR_POP"}})


# --- cells and free variables ------------------------------------------------------------------

def test_closures(tmp_path):
    run, report = check(tmp_path, """
        def counter(start):
            count = start
            def step(by=1):
                nonlocal count
                count += by
                return count
            return step

        def argument_cell(x, y):
            def get():
                return x + y
            x = x * 2
            return get()

        def deleted():
            value = 1
            def read():
                return value
            first = read()
            del value
            return first, read

        def class_in_function(n):
            k = n * 2
            class C:
                doubled = k
                items = [k + i for i in range(3)]
                def method(self):
                    return k
            return C.doubled, C.items, C().method()

        def lambdas(n):
            return [f(n) for f in [lambda x, i=i: x + i for i in range(3)]]

        step = counter(10)
        print(step(), step(5), step(), counter(0)(), argument_cell(3, 4), lambdas(10))
        first, read = deleted()
        print(first, class_in_function(4), class_in_function(5))
        try:
            read()
        except NameError as e:
            print("NameError", e, e.name)

        def unbound_cell():
            def inner():
                return late
            before = inner()
            late = 1
            return before

        def unbound_local_cell():
            print(cell)
            cell = 1
            return lambda: cell

        def delete_unbound_cell():
            def inner():
                return gone
            del gone
            gone = 1

        for f in (unbound_cell, unbound_local_cell, delete_unbound_cell):
            try:
                f()
            except NameError as e:
                print(f.__name__, type(e).__name__, e)
        _accel_probe(counter, argument_cell, deleted, class_in_function, lambdas, unbound_cell,
                     unbound_local_cell, delete_unbound_cell)
        _traceback(read)
    """, {"counter": {"MAKE_CELL", "STORE_DEREF", "LOAD_CLOSURE", "MAKE_FUNCTION"},
          "counter.<locals>.step": {"COPY_FREE_VARS", "LOAD_DEREF", "STORE_DEREF"},
          "argument_cell": {"MAKE_CELL", "LOAD_DEREF", "STORE_DEREF"},
          "argument_cell.<locals>.get": {"COPY_FREE_VARS", "LOAD_DEREF"},
          "deleted": {"MAKE_CELL", "DELETE_DEREF"},
          "class_in_function": {"MAKE_CELL", "LOAD_BUILD_CLASS", "LOAD_CLOSURE"},
          "lambdas": {"MAKE_FUNCTION"}})
    assert "LOAD_DEREF" in exits_of(report, "deleted.<locals>.read", "RAISE")
    assert "cannot access free variable 'value'" in run.stdout


def test_class_body_free_variables(tmp_path):
    run, report = check(tmp_path, """
        class Namespace(dict):
            pass

        class Prepared(type):
            @classmethod
            def __prepare__(mcls, name, bases, **kwargs):
                return {"x": "from __prepare__"}

        class Subclassed(type):
            @classmethod
            def __prepare__(mcls, name, bases, **kwargs):
                return Namespace()

        def make(n):
            x = n
            class C:
                y = x
            class D(metaclass=Prepared):
                y = x
            class E(metaclass=Subclassed):
                y = x
            return C.y, D.y, E.y

        def unbound():
            class C:
                y = later
            later = 1

        for i in range(3):
            print(make(i))
        _accel_probe(make, unbound)
        _traceback(unbound)
    """, {"make": {"LOAD_BUILD_CLASS", "MAKE_CELL", "LOAD_CLOSURE"},
          "make.<locals>.C": {"COPY_FREE_VARS", "LOAD_NAME", "STORE_NAME", "LOAD_CLASSDEREF"},
          "make.<locals>.D": {"LOAD_NAME", "STORE_NAME", "LOAD_CLASSDEREF"},
          "make.<locals>.E": {"LOAD_NAME", "STORE_NAME"}})
    # A namespace that is not an exact dict leaves LOAD_CLASSDEREF to the interpreter.
    assert "LOAD_CLASSDEREF" in exits_of(report, "make.<locals>.E", "GUARD_TYPE")
    assert "LOAD_CLASSDEREF" in exits_of(report, "unbound.<locals>.C", "RAISE")
    assert "cannot access free variable 'later'" in run.stdout


def test_delete_fast(tmp_path):
    run, report = check(tmp_path, """
        import sys

        def delete(x):
            y = x
            del x
            z = y
            del y
            return z

        def delete_twice(x):
            del x
            del x

        def use_after_delete(x):
            del x
            return x

        marker = object()
        before = sys.getrefcount(marker)
        for i in range(3):
            print(delete(i))
        for i in range(100):
            delete(marker)
        print(sys.getrefcount(marker) - before)
        try:
            use_after_delete(1)
        except UnboundLocalError as e:
            print("UnboundLocalError", e)
        _accel_probe(delete, delete_twice, use_after_delete)
        _traceback(delete_twice, 1)
    """, {"delete": {"DELETE_FAST"}, "delete_twice": {"DELETE_FAST"}})
    assert "DELETE_FAST" in exits_of(report, "delete_twice", "RAISE")


# --- globals, assertions, functions, raising ---------------------------------------------------

def test_globals(tmp_path):
    run, report = check(tmp_path, """
        def store(v):
            global G
            G = v
            return G

        def delete():
            global G
            del G

        def read():
            return G

        print(store(1), read(), store("two"), read())
        delete()
        try:
            read()
        except NameError as e:
            print("NameError", e)
        try:
            delete()
        except NameError as e:
            print("NameError", e, e.name)
        print(store(3))
        _accel_probe(store, delete, read)
        delete()
        _traceback(delete)
    """, {"store": {"STORE_GLOBAL"}, "delete": {"DELETE_GLOBAL"}})
    assert "DELETE_GLOBAL" in exits_of(report, "delete", "RAISE")
    assert "NameError: name 'G' is not defined" in run.stdout


def test_assert_and_raise(tmp_path):
    run, report = check(tmp_path, """
        def check(x):
            assert x > 0
            assert x < 10, f"too big: {x}"
            return x

        def raise_instance(x):
            raise ValueError(x)

        def raise_class():
            raise KeyError

        def raise_from(x):
            try:
                return 1 / x
            except ZeroDivisionError as e:
                raise ArithmeticError("wrapped") from e

        def raise_non_exception():
            raise 42

        print(check(1), check(9))
        for f, args in ((check, (0,)), (check, (10,)), (raise_instance, ("v",)), (raise_class, ()),
                        (raise_from, (0,)), (raise_non_exception, ())):
            try:
                f(*args)
            except Exception as e:
                print(f.__name__, type(e).__name__, e, repr(e.__cause__))
        _accel_probe(check, raise_instance, raise_class, raise_from)
        _traceback(raise_from, 0)
    """, {"check": {"LOAD_ASSERTION_ERROR"}, "raise_instance": {"RAISE_VARARGS"},
          "raise_class": {"RAISE_VARARGS"}})
    assert "RAISE_VARARGS" in exits_of(report, "raise_instance", "ERROR")
    assert "The above exception was the direct cause" in run.stdout


def test_make_function(tmp_path):
    check(tmp_path, """
        def factory(d):
            def f(a, b=d, *args, c=d + 1, d: int = 4, **kw) -> str:
                return (a, b, args, c, d, sorted(kw.items()))
            g = lambda x=d: x * 2
            return f, g

        def annotated(t):
            def h(x: t, y: "str" = "s") -> t:
                return x
            return h.__annotations__, h.__defaults__, h.__kwdefaults__, h.__name__, h.__qualname__

        for i in range(3):
            f, g = factory(i)
            print(f(0), f(0, 1, 2, c=3, e=5), g(), g(7), f.__defaults__, f.__kwdefaults__, f.__annotations__)
            print(annotated(int), f.__module__, g.__name__, g.__qualname__)
        _accel_probe(factory, annotated)
    """, {"factory": {"MAKE_FUNCTION", "BUILD_TUPLE", "BUILD_CONST_KEY_MAP"},
          "annotated": {"MAKE_FUNCTION"}})


# --- imports and classes -----------------------------------------------------------------------

def test_imports(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("VALUE = 1\n")
    (tmp_path / "pkg" / "sub.py").write_text("THING = 'thing'\n")
    (tmp_path / "pkg" / "lazy.py").write_text("def __getattr__(name):\n    return name.upper()\n")
    run, report = check(tmp_path, """
        def plain():
            import os
            import os.path
            import os.path as p
            from os import path, sep
            from pkg import sub, VALUE
            from pkg.sub import THING
            import pkg.sub
            return os.name, p is path, sep, sub.THING, VALUE, THING, pkg.sub is sub

        def lazy():
            from pkg.lazy import anything
            return anything

        def missing_module():
            import no_such_module_here

        def missing_name():
            from os import no_such_name

        def relative():
            from . import nothing

        for i in range(3):
            print(plain(), lazy())
        for f in (missing_module, missing_name, relative):
            try:
                f()
            except ImportError as e:
                print(f.__name__, type(e).__name__, e)

        import builtins
        original = builtins.__import__
        def logging_import(name, globals=None, locals=None, fromlist=(), level=0):
            print("importing", name, fromlist, level)
            return original(name, globals, locals, fromlist, level)
        builtins.__import__ = logging_import
        try:
            print(plain())
        finally:
            builtins.__import__ = original
        _accel_probe(plain, lazy, missing_module, missing_name, relative)
        _traceback(missing_name)
    """, {"plain": {"IMPORT_NAME", "IMPORT_FROM"}, "missing_module": {"IMPORT_NAME"},
          "lazy": {"IMPORT_NAME", "IMPORT_FROM"}})
    assert "IMPORT_FROM" in exits_of(report, "lazy", "GUARD_VALUE")
    assert "cannot import name 'no_such_name' from 'os'" in run.stdout


def test_classes(tmp_path):
    run, report = check(tmp_path, """
        import builtins

        def make(base, n):
            class A(base):
                value = n
                def get(self):
                    return self.value
            class B(A):
                def get(self):
                    return super().get() * 2
            return A().get(), B().get(), B.__mro__[1].__name__, B.__qualname__

        def no_build_class():
            class C:
                pass

        for i in range(3):
            print(make(object, i), make(int, i))
        saved = builtins.__build_class__
        del builtins.__build_class__
        try:
            no_build_class()
        except NameError as e:
            print("NameError", e)
        finally:
            builtins.__build_class__ = saved
        _accel_probe(make, no_build_class)
    """, {"make": {"LOAD_BUILD_CLASS", "MAKE_FUNCTION", "MAKE_CELL"}})
    assert "LOAD_BUILD_CLASS" in exits_of(report, "no_build_class", "RAISE")


# --- with ---------------------------------------------------------------------------------------

def test_with_statement(tmp_path):
    run, report = check(tmp_path, """
        import contextlib, sys

        class Manager:
            def __init__(self, name, suppress=False):
                self.name, self.suppress = name, suppress
            def __enter__(self):
                print("enter", self.name)
                return self.name.upper()
            def __exit__(self, kind, value, tb):
                print("exit", self.name, kind.__name__ if kind else None, value)
                return self.suppress

        @contextlib.contextmanager
        def generated(tag):
            print("before", tag)
            yield tag * 2
            print("after", tag)

        def plain(n):
            with Manager("a") as a, Manager("b") as b:
                with generated(n) as g:
                    result = (a, b, g)
            with Manager("c"):
                pass
            return result

        def in_loop(n):
            out = []
            for i in range(n):
                with Manager(str(i)) as name:
                    if i == 1:
                        continue
                    if i == 3:
                        break
                    out.append(name)
            return out

        def returns_inside():
            with Manager("r") as r:
                return r

        def body_raises(suppress):
            with Manager("s", suppress):
                raise KeyError("in body")
            return "after the block"

        class EnterRaises:
            def __enter__(self):
                raise ValueError("no entry")
            def __exit__(self, *exc):
                print("never")

        class NoExit:
            def __enter__(self):
                return self

        class NotSpecial:
            pass

        def enter_raises():
            with EnterRaises():
                print("never")

        def no_exit():
            with NoExit():
                print("never")

        def not_a_manager(obj):
            with obj:
                print("never")

        def not_a_manager_in_try(obj):
            try:
                with Manager("outer"):
                    with obj:
                        print("never")
            except TypeError as e:
                return str(e)

        print(plain(3), in_loop(5), returns_inside(), body_raises(True))
        instance = NotSpecial()
        instance.__enter__ = lambda: 1
        instance.__exit__ = lambda *a: None
        for f, args in ((body_raises, (False,)), (enter_raises, ()), (no_exit, ()), (not_a_manager, (1,)),
                        (not_a_manager, (instance,))):
            try:
                f(*args)
            except Exception as e:
                print(f.__name__, type(e).__name__, e)
        print(not_a_manager_in_try(None))
        _traceback(no_exit)
        _traceback(enter_raises)

        manager = Manager("m")
        before = sys.getrefcount(manager), sys.getrefcount(Manager.__exit__)
        for i in range(1000):
            with manager:
                pass
        print(sys.getrefcount(manager) - before[0], sys.getrefcount(Manager.__exit__) - before[1])
        _accel_probe(plain, in_loop, returns_inside, body_raises, enter_raises, no_exit, not_a_manager,
                     not_a_manager_in_try)
    """, {"plain": {"BEFORE_WITH"}, "in_loop": {"BEFORE_WITH"}, "returns_inside": {"BEFORE_WITH"},
          "body_raises": {"BEFORE_WITH", "RAISE_VARARGS"}, "enter_raises": {"BEFORE_WITH"},
          "no_exit": {"BEFORE_WITH"}, "not_a_manager": {"BEFORE_WITH"}, "not_a_manager_in_try": {"BEFORE_WITH"}})
    # Errors in BEFORE_WITH are handed to the interpreter as exceptions; nothing else exits there.
    for name in ("plain", "in_loop", "returns_inside"):
        assert not report[name]["exits"], (name, report[name]["exits"])
    assert exits_of(report, "no_exit", "ERROR") == {"BEFORE_WITH"}
    assert exits_of(report, "not_a_manager", "ERROR") == {"BEFORE_WITH"}
    assert "\n0 0\n" in run.stdout


def test_with_switching_tracing_and_profiling_on(tmp_path):
    run, report = check(tmp_path, """
        import cProfile, io, pstats, sys

        events = []

        def tracer(frame, event, arg):
            events.append((event, frame.f_code.co_name, frame.f_lineno))
            return tracer

        class Tracing:
            def __enter__(self):
                sys.settrace(tracer)
                return self
            def __exit__(self, *exc):
                sys.settrace(None)

        def helper(x):
            return x + 1

        def traced():
            with Tracing():
                a = helper(1)
                b = a + 1
            return b

        def profiled():
            with cProfile.Profile() as profile:
                helper(2)
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("name").print_stats("helper|profiled")
            return [line.split()[-1] for line in out.getvalue().splitlines() if "(helper)" in line]

        print(traced(), events)
        print(profiled())
        _accel_probe(traced, profiled)
    """, {"traced": {"BEFORE_WITH"}, "profiled": {"BEFORE_WITH"}})
    # The interpreter takes over after BEFORE_WITH: the exit counts against the next instruction.
    assert exits_of(report, "traced", "TRACING") == {"POP_TOP"}


# --- names in module and class bodies -----------------------------------------------------------

def test_module_body_names(tmp_path):
    run, report = check(tmp_path, """
        import sys

        total = 0
        for i in range(1000):
            total = total + i
        squares = [i * i for i in range(5)]
        name_from_builtins = len(squares)
        del i
        print(total, squares, name_from_builtins, "i" in globals())

        def later_deleted():
            return "function"
        alias = later_deleted
        del later_deleted
        print(alias(), "later_deleted" in globals())

        marker = object()
        before = sys.getrefcount(marker)
        for _ in range(1000):
            held = marker
            del held
        print(sys.getrefcount(marker) - before)
        _accel_probe(sys._getframe().f_code)
    """, {"<module>": {"LOAD_NAME", "STORE_NAME", "DELETE_NAME"}})
    assert not report["<module>"]["exits"], report["<module>"]["exits"]
    assert run.stdout.endswith("\n0\n")


def test_names_in_other_namespaces(tmp_path):
    run, report = check(tmp_path, """
        import builtins, collections.abc, sys

        class Logged(collections.abc.MutableMapping):
            \"\"\"A namespace that is not a dict: every access goes through these methods.\"\"\"
            def __init__(self, **items):
                self.data = dict(items)
            def __getitem__(self, key):
                print("get", key)
                return self.data[key]
            def __setitem__(self, key, value):
                print("set", key, value)
                self.data[key] = value
            def __delitem__(self, key):
                print("del", key)
                del self.data[key]
            def __iter__(self):
                return iter(self.data)
            def __len__(self):
                return len(self.data)

        class Missing(dict):
            def __missing__(self, key):
                return "missing:" + key

        class Broken(Logged):
            def __getitem__(self, key):
                raise RuntimeError("cannot read " + key)
            def __delitem__(self, key):
                raise RuntimeError("cannot delete " + key)

        body = compile(
            "x = 1\\n"
            "y = x + here\\n"
            "z = len\\n"
            "del x\\n"
            "w = x if False else glob\\n", "<names>", "exec")
        for namespace in (Logged(here=10), Missing(here=20), {"here": 30}):
            exec(body, {"glob": "global"}, namespace)
            print(type(namespace).__name__, sorted(namespace.items()))

        missing = compile("print(undefined_name)", "<missing>", "exec")
        delete_missing = compile("del undefined_name", "<delete>", "exec")
        suggest = compile("lenn = 1\\ndel lenn\\nprint(lenn)", "<suggest>", "exec")
        for code, namespace in ((missing, {}), (missing, Logged()), (missing, Broken()),
                                (delete_missing, {}), (delete_missing, Logged()), (delete_missing, Broken()),
                                (suggest, {})):
            try:
                exec(code, {}, namespace)
            except Exception as e:
                print(type(e).__name__, e, getattr(e, "name", None))

        class Builtins(dict):
            pass

        own_builtins = compile("print('own builtins')\\nabs(nothing_here)", "<builtins>", "exec")
        for mapping in (Builtins(print=print), Logged(print=print)):
            try:
                exec(own_builtins, {"__builtins__": mapping})
            except NameError as e:
                print(type(mapping).__name__, "NameError", e)

        class Prepared(type):
            @classmethod
            def __prepare__(mcls, name, bases):
                return Logged(prepared=1)
            def __new__(mcls, name, bases, namespace):
                return super().__new__(mcls, name, bases, dict(namespace))

        class WithLogged(metaclass=Prepared):
            a = prepared + 1
            b = a * 2
            del a

        print(WithLogged.b, hasattr(WithLogged, "a"))
        _accel_probe(body, missing, delete_missing, suggest, own_builtins, sys._getframe().f_code)
        # Uncaught, for the interpreter's report: it suggests a name from the one on the NameError.
        exec(suggest, {})
    """, {"<names>": {"LOAD_NAME", "STORE_NAME", "DELETE_NAME"}, "<missing>": {"LOAD_NAME"},
          "<delete>": {"DELETE_NAME"}, "<builtins>": {"LOAD_NAME"},
          "WithLogged": {"LOAD_NAME", "STORE_NAME", "DELETE_NAME"}})
    for name in ("<missing>", "<delete>", "<builtins>"):
        assert exits_of(report, name, "ERROR") <= {"LOAD_NAME", "DELETE_NAME"}, report[name]["exits"]
    assert "NameError: name 'lenn' is not defined. Did you mean: 'len'?" in run.stderr
    assert "cannot read" in run.stdout and "RuntimeError" in run.stdout


def test_delete_attr(tmp_path):
    run, report = check(tmp_path, """
        import sys

        class Plain:
            pass

        class Slotted:
            __slots__ = ("a",)

        class Guarded:
            def __delattr__(self, name):
                raise PermissionError("keep " + name)

        class WithProperty:
            def __init__(self):
                self._x = 1
            @property
            def x(self):
                return self._x
            @x.deleter
            def x(self):
                print("deleting x")
                del self._x

        def delete(obj, twice=False):
            del obj.a
            if twice:
                del obj.a
            return obj

        def delete_property(obj):
            del obj.x
            return hasattr(obj, "_x")

        p = Plain()
        p.a = 1
        s = Slotted()
        s.a = 2
        print(vars(delete(p)), hasattr(delete(s), "a"), delete_property(WithProperty()))
        for obj, twice in ((Plain(), False), (p, True), (Slotted(), False), (Guarded(), False), (1, False)):
            if isinstance(obj, Plain) and twice:
                obj.a = 1
            try:
                delete(obj, twice)
            except Exception as e:
                print(type(e).__name__, e)
        _traceback(delete, Guarded())

        value = object()
        before = sys.getrefcount(value), sys.getrefcount(p)
        for i in range(1000):
            p.a = value
            delete(p)
        print(sys.getrefcount(value) - before[0], sys.getrefcount(p) - before[1])
        _accel_probe(delete, delete_property)
    """, {"delete": {"DELETE_ATTR"}, "delete_property": {"DELETE_ATTR"}})
    assert exits_of(report, "delete", "ERROR") == {"DELETE_ATTR"}
    assert run.stdout.endswith("\n0 0\n")


def test_setup_annotations(tmp_path):
    run, report = check(tmp_path, """
        import sys

        count: int = 1
        other: "forward"
        print(__annotations__)

        class Annotated:
            a: int
            b: str = "b"
            print(sorted(__annotations__))

        class Namespace(dict):
            pass

        class Logged(Namespace):
            def __getitem__(self, key):
                print("get", key)
                return super().__getitem__(key)

        class Broken(Namespace):
            def __getitem__(self, key):
                raise RuntimeError("cannot read " + key)

        body = compile("x: int = 1\\ny: list\\n", "<annotated>", "exec")
        for namespace in ({}, Namespace(), Logged(), Logged(__annotations__={"kept": 1}), Broken()):
            try:
                exec(body, {}, namespace)
                print(type(namespace).__name__, namespace["__annotations__"])
            except RuntimeError as e:
                print(type(namespace).__name__, "RuntimeError", e)
        _accel_probe(sys._getframe().f_code, body)
    """, {"<module>": {"SETUP_ANNOTATIONS"}, "Annotated": {"SETUP_ANNOTATIONS"},
          "<annotated>": {"SETUP_ANNOTATIONS"}})
    assert exits_of(report, "<annotated>", "ERROR") == {"SETUP_ANNOTATIONS"}
    assert "cannot read __annotations__" in run.stdout


def test_import_star(tmp_path):
    (tmp_path / "starred.py").write_text("__all__ = ['public', 'listed_private']\n"
                                         "public = 1\n_hidden = 2\nlisted_private = 3\nunlisted = 4\n")
    (tmp_path / "no_all.py").write_text("a = 1\n_b = 2\n")
    run, report = check(tmp_path, """
        import sys, types

        from starred import *
        from no_all import *
        print(public, listed_private, "unlisted" in globals(), "_hidden" in globals(), a, "_b" in globals())

        def fake(name, **attributes):
            module = types.ModuleType(name)
            vars(module).update(attributes)
            sys.modules[name] = module
            return module

        class Sequence:
            def __getitem__(self, index):
                if index < 2:
                    return "abc"[index]
                raise IndexError(index)

        class BrokenSequence:
            def __getitem__(self, index):
                raise RuntimeError("broken at %d" % index)

        fake("with_sequence", __all__=Sequence(), a="A", b="B")
        fake("bad_item", __all__=["ok", 1], ok=1)
        fake("bad_key", ok=2).__dict__[3] = 3
        fake("bad_name", __all__=[None], __name__=7)
        fake("missing", __all__=["absent"])
        fake("broken", __all__=BrokenSequence())
        sys.modules["no_dict"] = 42

        class Logged(dict):
            def __setitem__(self, key, value):
                print("set", key, value)
                super().__setitem__(key, value)

        for module in ("with_sequence", "bad_item", "bad_key", "bad_name", "missing", "broken", "no_dict"):
            code = compile(f"from {module} import *", f"<{module}>", "exec")
            namespace = Logged()
            try:
                exec(code, {}, namespace)
                print(module, sorted(namespace))
            except Exception as e:
                print(module, type(e).__name__, e)
        _traceback(exec, compile("from bad_item import *", "<bad_item>", "exec"), {})
        _accel_probe(sys._getframe().f_code)
    """, {"<module>": {"IMPORT_STAR"}})
    assert "Item in bad_item.__all__ must be str, not int" in run.stdout
    assert "Key in bad_key.__dict__ must be str, not int" in run.stdout
    assert "from-import-* object has no __dict__ and no __all__" in run.stdout


def test_print_expr(tmp_path):
    run, report = check(tmp_path, """
        import sys

        interactive = compile("for i in range(3): i * 2; None; 'text'\\n", "<stdin>", "single")
        exec(interactive)

        def hook(value):
            print("hook got", repr(value))

        def failing_hook(value):
            raise ValueError("hook failed on %r" % (value,))

        sys.displayhook = hook
        exec(interactive)
        sys.displayhook = failing_hook
        for setup in ("failing", "deleted"):
            if setup == "deleted":
                del sys.displayhook
            try:
                exec(interactive)
            except Exception as e:
                print(setup, type(e).__name__, e)
        sys.displayhook = sys.__displayhook__
        _accel_probe(interactive)
    """, {"<stdin>": {"PRINT_EXPR"}})
    assert exits_of(report, "<stdin>", "ERROR") == {"PRINT_EXPR"}
    assert "lost sys.displayhook" in run.stdout


# --- pattern matching ---------------------------------------------------------------------------

def test_pattern_matching(tmp_path):
    run, report = check(tmp_path, """
        import collections, gc, sys
        from dataclasses import dataclass

        @dataclass
        class Point:
            x: int
            y: int

        class Plain:
            def __init__(self, **attributes):
                vars(self).update(attributes)

        class Registered:
            def __init__(self, data):
                self.data = data
            def __getitem__(self, key):
                return self.data[key]
            def __len__(self):
                return len(self.data)
            def get(self, key, default=None):
                print("get", key)
                return self.data.get(key, default)
            def __iter__(self):
                return iter(self.data)
            def keys(self):
                return self.data.keys()

        collections.abc.Mapping.register(Registered)

        class MyInt(int):
            __match_args__ = ("real", "imag")

        def describe(subject):
            match subject:
                case {"kind": "point", "x": x, **rest}:
                    return ("mapping", x, rest)
                case {}:
                    return ("empty-or-other mapping", len(subject))
                case [1, 2, *tail]:
                    return ("sequence", tail)
                case (a, b):
                    return ("pair", a, b)
                case Point(0, y=y):
                    return ("on the y axis", y)
                case Point(x, y) if x == y:
                    return ("diagonal", x)
                case Point(x=x):
                    return ("point", x)
                case MyInt(r, i):
                    return ("myint", r, i)
                case bool(b) | int(b) | str(b):
                    return ("self-matching", b)
                case Plain(a=1, b=b):
                    return ("plain", b)
                case _:
                    return ("other", type(subject).__name__)

        subjects = [{"kind": "point", "x": 1, "y": 2}, {"kind": "line"}, collections.defaultdict(list),
                    Registered({"kind": "point", "x": 5}), Registered({}), [1, 2, 3, 4], (7, 8), "ab",
                    Point(0, 4), Point(3, 3), Point(1, 2), MyInt(6), True, 9, "text", Plain(a=1, b=2),
                    Plain(a=2), None, 2.5]
        for subject in subjects:
            print(describe(subject))
        print(dict(subjects[2]))

        class Key:
            one = "k"
            same = "k"
            unhashable = []

        class BadArgs:
            __match_args__ = ["a"]

        class NonStrArgs:
            __match_args__ = (1,)

        class RaisingAttr:
            @property
            def a(self):
                raise RuntimeError("attribute failed")

        class BadGet(dict):
            def get(self, key, default=None):
                raise LookupError("get failed")

        def duplicate_key(subject):
            match subject:
                case {Key.one: 1, Key.same: 2}:
                    return "matched"

        def unhashable_key(subject):
            match subject:
                case {Key.unhashable: 1}:
                    return "matched"

        def not_a_type(subject):
            match subject:
                case Key.one():
                    return "matched"

        def bad_match_args(subject):
            match subject:
                case BadArgs(a):
                    return a

        def non_str_match_args(subject):
            match subject:
                case NonStrArgs(a):
                    return a

        def too_many(subject):
            match subject:
                case Point(1, 2, 3):
                    return "matched"
                case int(1, 2):
                    return "int"

        def repeated(subject):
            match subject:
                case Point(x, x=y):
                    return "matched"

        def raising_attribute(subject):
            match subject:
                case RaisingAttr(a=1):
                    return "matched"

        for f, subject in ((duplicate_key, {"k": 1, "j": 2}), (unhashable_key, {"a": 1}), (not_a_type, 1),
                           (bad_match_args, BadArgs()), (non_str_match_args, NonStrArgs()),
                           (too_many, Point(1, 2)), (too_many, 5), (repeated, Point(1, 2)),
                           (raising_attribute, RaisingAttr()), (describe, BadGet(kind="point", x=1))):
            try:
                print(f.__name__, f(subject))
            except Exception as e:
                print(f.__name__, type(e).__name__, e)
        _traceback(repeated, Point(1, 2))

        # Objects of this test only (a constant like "kind" is shared with code the program
        # compiles meanwhile), counted with cyclic garbage (earlier tracebacks) collected.
        point = Point(5, 6)
        key = "".join(["ki", "nd"])
        gc.collect()
        before = sys.getrefcount(point), sys.getrefcount(point.x), sys.getrefcount(key)
        for i in range(1000):
            describe(point)
            describe({key: "point", "x": point})
        gc.collect()
        print(sys.getrefcount(point) - before[0], sys.getrefcount(point.x) - before[1],
              sys.getrefcount(key) - before[2])
        _accel_probe(describe, duplicate_key, unhashable_key, not_a_type, bad_match_args, non_str_match_args,
                     too_many, repeated, raising_attribute)
    """, {"describe": {"MATCH_MAPPING", "MATCH_SEQUENCE", "MATCH_KEYS", "MATCH_CLASS"},
          "duplicate_key": {"MATCH_KEYS"}, "unhashable_key": {"MATCH_KEYS"}, "not_a_type": {"MATCH_CLASS"},
          "bad_match_args": {"MATCH_CLASS"}, "non_str_match_args": {"MATCH_CLASS"}, "too_many": {"MATCH_CLASS"},
          "repeated": {"MATCH_CLASS"}, "raising_attribute": {"MATCH_CLASS"}})
    assert exits_of(report, "describe", "ERROR") == {"MATCH_KEYS"}
    assert "mapping pattern checks duplicate key ('k')" in run.stdout
    assert "Point() accepts 2 positional sub-patterns (3 given)" in run.stdout
    assert run.stdout.endswith("\n0 0 0\n")


# --- raise --------------------------------------------------------------------------------------

def test_raise_forms(tmp_path):
    run, report = check(tmp_path, """
        import gc, sys

        class Odd(Exception):
            def __new__(cls, *args):
                return "not an exception"

        class FailingInit(Exception):
            def __init__(self):
                raise OSError("init failed")

        def raise_it(exc):
            raise exc

        def raise_from(exc, cause):
            raise exc from cause

        def inside_handler():
            try:
                {}["missing"]
            except KeyError:
                raise_it(ValueError("while handling"))

        def reraise():
            raise

        def reraise_in_handler():
            try:
                1 / 0
            except ZeroDivisionError:
                reraise()

        def describe(e):
            return (type(e).__name__, str(e), repr(e.__cause__), repr(e.__context__), e.__suppress_context__)

        cases = [(raise_it, (ValueError,)), (raise_it, (ValueError("v"),)), (raise_it, (42,)), (raise_it, (Odd,)),
                 (raise_it, (FailingInit,)), (raise_from, (KeyError, None)), (raise_from, (KeyError("k"), TypeError)),
                 (raise_from, (KeyError, TypeError("t"))), (raise_from, (KeyError, 3)), (raise_from, (KeyError, Odd)),
                 (raise_from, (KeyError, FailingInit)), (raise_from, (3, None)), (inside_handler, ()), (reraise, ()),
                 (reraise_in_handler, ())]
        for f, args in cases:
            try:
                f(*args)
            except BaseException as e:
                print(f.__name__, describe(e))
        _traceback(inside_handler)
        _traceback(raise_from, KeyError("k"), TypeError)
        _traceback(reraise_in_handler)

        error = ValueError("kept")
        gc.collect()
        before = sys.getrefcount(error), sys.getrefcount(ValueError)
        for i in range(1000):
            try:
                raise_it(error)
            except ValueError:
                pass
            try:
                raise_from(ValueError, None)
            except ValueError:
                pass
        error.__traceback__ = None
        gc.collect()
        print(sys.getrefcount(error) - before[0], sys.getrefcount(ValueError) - before[1])
        _accel_probe(raise_it, raise_from, reraise)
    """, {"raise_it": {"RAISE_VARARGS"}, "raise_from": {"RAISE_VARARGS"}, "reraise": {"RAISE_VARARGS"}})
    assert exits_of(report, "raise_it", "ERROR") == {"RAISE_VARARGS"}
    assert exits_of(report, "raise_from", "ERROR") == {"RAISE_VARARGS"}
    # A bare raise keeps the traceback it has: the interpreter does it.
    assert exits_of(report, "reraise", "RAISE") == {"RAISE_VARARGS"}
    assert "should have returned an instance of BaseException" in run.stdout
    assert "exception causes must derive from BaseException" in run.stdout
    assert run.stdout.endswith("\n0 0\n")


# --- yield from ---------------------------------------------------------------------------------

def test_yield_from_iterators(tmp_path):
    run, report = check(tmp_path, """
        import gc, sys

        def inner():
            received = yield "first"
            print("inner received", received)
            yield "second"
            return "inner result"

        def delegate(source):
            result = yield from source
            print("delegate got", result)
            yield "last"

        class Countdown:
            def __init__(self, n):
                self.n = n
            def __iter__(self):
                return self
            def __next__(self):
                if self.n == 0:
                    raise StopIteration("countdown over")
                self.n -= 1
                return self.n

        def only_delegates(source):
            yield from source

        async def coroutine():
            return 1

        def from_coroutine():
            yield from coroutine()

        for source in (inner(), [1, 2], "ab", range(3), Countdown(2), iter({"k": 1})):
            print(list(delegate(source)))
        generator = delegate(inner())
        print(next(generator), generator.send("hello"), next(generator))
        for f, args in ((only_delegates, (5,)), (only_delegates, (None,)), (from_coroutine, ())):
            try:
                list(f(*args))
            except TypeError as e:
                print(f.__name__, "TypeError", e)

        items = [object(), object()]
        gc.collect()
        before = sys.getrefcount(items), sys.getrefcount(items[0])
        for i in range(1000):
            for item in delegate(items):
                pass
        gc.collect()
        print(sys.getrefcount(items) - before[0], sys.getrefcount(items[0]) - before[1])
        _accel_probe(delegate, only_delegates, from_coroutine)
    """, {"delegate": {"GET_YIELD_FROM_ITER"}, "only_delegates": {"GET_YIELD_FROM_ITER"},
          "from_coroutine": {"GET_YIELD_FROM_ITER"}})
    assert exits_of(report, "only_delegates", "ERROR") == {"GET_YIELD_FROM_ITER"}
    assert exits_of(report, "from_coroutine", "ERROR") == {"GET_YIELD_FROM_ITER"}
    assert "cannot 'yield from' a coroutine object in a non-coroutine generator" in run.stdout
    assert "coroutine 'coroutine' was never awaited" in run.stderr
    assert run.stdout.endswith("\n0 0\n")


# --- reference counts across everything above --------------------------------------------------

def test_reference_counts_are_balanced(tmp_path):
    check(tmp_path, """
        import sys

        def work(x, key):
            t = (x, x)
            l = [x, x, *t]
            s = {x}
            d = {key: x, "b": x}
            d2 = {key + str(i): x for i in range(6)}
            d3 = {**d, **d2}
            a, b = t
            c, *rest = l
            f = f"{x!r}{key}"
            y = l[0:2]
            del l[0]
            closure = lambda: x
            g = closure()
            h = x in l and x is x or not x
            return len(d3) + len(rest) + len(f) + len(s) + len(y) + (g is x) + bool(h)

        marker = object()
        key = "k"
        before = sys.getrefcount(marker), sys.getrefcount(key)
        total = 0
        for i in range(2000):
            total += work(marker, key)
        after = sys.getrefcount(marker), sys.getrefcount(key)
        print(total, after[0] - before[0], after[1] - before[1])
        _accel_probe(work)
    """, {"work": {"BUILD_TUPLE", "BUILD_LIST", "BUILD_SET", "BUILD_MAP", "DICT_UPDATE",
                   "UNPACK_SEQUENCE_TUPLE_TO_LOCALS",
                   "UNPACK_EX", "FORMAT_VALUE", "BUILD_STRING", "BUILD_SLICE__BINARY_SUBSCR", "DELETE_SUBSCR", "MAKE_CELL",
                   "CONTAINS_OP_JUMP", "IS_OP", "UNARY_NOT", "LIST_EXTEND"}})


# --- a broad sample of stdlib-style code -------------------------------------------------------

def test_stdlib_functions_compile_and_run(tmp_path):
    run = compare("""
        import argparse, ast, collections, csv, dataclasses, decimal, difflib, enum, fractions, functools
        import io, itertools, json, operator, pprint, re, statistics, string, textwrap, tokenize, typing
        import urllib.parse, email.message, configparser, inspect, heapq, bisect, base64, hashlib, random

        @dataclasses.dataclass(order=True)
        class Point:
            x: int
            y: int = 0
            tags: list = dataclasses.field(default_factory=list)

        class Color(enum.Enum):
            RED = 1
            GREEN = 2

        def main():
            data = {"a": [1, 2.5, None, True], "b": {"c": "é\\n"}}
            text = json.dumps(data, indent=2, sort_keys=True)
            print(text, json.loads(text) == data)
            print(re.sub(r"(\\w+)@(\\w+)", r"\\2 at \\1", "me@home you@work"), re.findall(r"\\d+", "a1b22c333"))
            print(textwrap.fill("lorem ipsum dolor sit amet " * 5, width=30))
            print(textwrap.dedent("    a\\n      b\\n"), textwrap.shorten("hello world again", 12))
            print(list(difflib.unified_diff(["a\\n", "b\\n"], ["a\\n", "c\\n"])))
            print(statistics.mean([1, 2, 3, 4]), statistics.median([3, 1, 2]), statistics.stdev([1.0, 2.0, 4.0]))
            print(fractions.Fraction(3, 4) + fractions.Fraction(1, 6), decimal.Decimal("1.10") * 3)
            pprint.pprint({"k%d" % i: list(range(i)) for i in range(8)}, width=40)
            print(Point(1, 2) < Point(2, 0), dataclasses.asdict(Point(3, tags=["t"])), repr(Point(0)))
            print(Color.RED, Color["GREEN"], list(Color), Color(2).name)
            parser = argparse.ArgumentParser(prog="demo")
            parser.add_argument("--n", type=int, default=3)
            parser.add_argument("words", nargs="*")
            print(parser.parse_args(["--n", "5", "x", "y"]))
            tree = ast.parse("def f(a, *b, c=1, **d):\\n    return [x for x in b if x]\\n")
            print(ast.dump(tree)[:200], ast.unparse(tree))
            tokens = list(tokenize.generate_tokens(io.StringIO("x = (1 + 2) * y\\n").readline))
            print([t.string for t in tokens])
            print(collections.Counter("abracadabra").most_common(3), collections.OrderedDict(a=1, b=2))
            print(collections.deque(range(5), maxlen=3), collections.ChainMap({"a": 1}, {"b": 2})["b"])
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerows([["a", "b,c"], [1, 2]])
            print(out.getvalue(), list(csv.reader(io.StringIO(out.getvalue()))))
            print(string.Template("$who likes $what").substitute(who="tim", what="pie"), string.capwords("a b"))
            print(urllib.parse.urlparse("http://x.org/p?q=1#f"), urllib.parse.urlencode({"a": 1, "b": "c d"}))
            msg = email.message.EmailMessage()
            msg["Subject"] = "hi"
            msg.set_content("body")
            print(msg["Subject"], msg.get_content_type())
            config = configparser.ConfigParser()
            config.read_string("[s]\\nk = v\\n")
            print(dict(config["s"]))
            print(inspect.signature(main), inspect.signature(Point))
            print(functools.reduce(operator.add, range(10)), list(itertools.accumulate([1, 2, 3])))
            print(heapq.nsmallest(2, [5, 1, 3]), bisect.bisect([1, 3, 5], 4), base64.b64encode(b"xyz"))
            print(hashlib.sha256(b"abc").hexdigest()[:16], typing.get_type_hints(Point))
            rng = random.Random(42)
            print([rng.randint(0, 100) for _ in range(5)], rng.choice("abc"), rng.sample(range(10), 3))

        main()
    """, tmp_path)
    assert run.stats["functions_compiled"] >= 200, run.stats
    assert run.stats["native_entries"] >= 1000, run.stats


# --- slices without slice objects (stencils/slices.c) ---------------------------------------------

def test_slices_fused_with_their_subscript(tmp_path):
    run, report = check(tmp_path, """
        import sys

        def reads(seq, n):
            out = []
            for i in range(-n - 2, n + 3):
                for step in (None, 1, 2, 3, -1, -2, -5):
                    out.append((seq[i:], seq[:i], seq[i::step], seq[:i:step], seq[i:i + 3:step], seq[::step]))
            return out, seq[:], seq[::-1]

        def stores(items, n):
            work = items[:]
            for i in range(-n - 1, n + 2):
                work[i:] = items[i::-1]
                work[:i + 1] = (x * 2 for x in items[:2])
                work[i:i] = "ab"
                work[:2] = work
                work[::2] = work[::2][::-1]
            return work

        class Seq(list):
            def __getitem__(self, key):
                return ("Seq", key.start, key.stop, key.step)

        class Index:
            def __index__(self):
                return 2

        for seq in (list(range(7)), tuple("abcdefg"), "hello, world", "", (), [], Seq([1, 2]), range(9), b"bytes"):
            out, whole, backwards = reads(seq, 8)
            print(type(seq).__name__, len(out), out[::17], whole, backwards)
        print(stores(list(range(6)), 6), stores([], 1))
        t = tuple(range(5))
        print(reads(t, 1)[1] is t, reads("abc", 1)[1] == "abc", reads([True], 1)[0][:3])
        big = list(range(40))
        print(big[2 ** 40:], big[-2 ** 40:3], big[Index():Index()], big[True:5], big[1:9:Index()])
        before = sys.getrefcount(t), sys.getrefcount(big[3])
        for _ in range(300):
            reads(t, 2), stores(big[:8], 3)
        print(sys.getrefcount(t) - before[0], sys.getrefcount(big[3]) - before[1])
        for seq, key in (([1], (None, None, 0)), ((1,), ("a", None, None)), ("ab", (1.5, None, None)),
                         (5, (1, 2, None)), ([1, 2], (0, 1, 0))):
            try:
                seq[slice(*key)]
            except (TypeError, ValueError) as e:
                print(type(e).__name__, e)

        def step_zero(seq):
            return seq[::0]

        def bad_store(seq):
            seq[::2] = [1]

        def not_iterable(seq):
            seq[1:2] = 5

        _accel_probe(reads, stores, step_zero, bad_store, not_iterable)
        _traceback(step_zero, [1, 2])
        _traceback(bad_store, [1, 2, 3, 4, 5])
        _traceback(not_iterable, [1, 2, 3])
        _traceback(not_iterable, (1, 2, 3))
    """, {"reads": {"BUILD_SLICE__BINARY_SUBSCR"}, "stores": {"BUILD_SLICE__STORE_SUBSCR", "BUILD_SLICE__BINARY_SUBSCR"},
          "step_zero": {"BUILD_SLICE__BINARY_SUBSCR"}, "bad_store": {"BUILD_SLICE__STORE_SUBSCR"},
          "not_iterable": {"BUILD_SLICE__STORE_SUBSCR"}})
    assert "ValueError: slice step cannot be zero" in run.stdout
    assert "TypeError: must assign iterable to extended slice" not in run.stdout
    assert "attempt to assign sequence of size 1 to extended slice of size 3" in run.stdout
    assert all(entry["exits"] == [] for name, entry in report.items() if name in ("reads", "stores")), report


# --- `in` fused with its jump, tuples iterated inline (stencils/objects.c, iter.c) -------------

def test_contains_fused_with_its_jump(tmp_path):
    run, report = check(tmp_path, """
        import sys

        def count(items, probes):
            n = 0
            for p in probes:
                if p in items:
                    n += 1
                if p not in items:
                    n += 10
            return n

        def search(items, limit):
            i = 0
            while i not in items and i < limit:
                i += 1
            while True:
                i += 1
                if i in items or i > limit:
                    break
            return i

        class Evens:
            def __contains__(self, x):
                if x == 3:
                    raise KeyError(x)
                return x % 2 == 0

        class Truthy:
            def __contains__(self, x):
                return [x]  # any object: its truth is the answer

        marker = object()
        before = sys.getrefcount(marker)
        for _ in range(200):
            count([marker], [marker, 1])
        print(sys.getrefcount(marker) - before)
        print(count({1, 2, 3}, range(6)), count({1: 2, 4: 5}, [1, 2, 4, 5]), count([1, "a", 2.0], [1, 2, "a", "b"]),
              count(frozenset([5]), [5]), count("hello", "hel"), count(Evens(), [2, 4]), count(Truthy(), [0]))
        print(search({7, 9}, 20), search([], 5), search(range(3, 4), 9), search(Evens(), 1))
        for items, probes in ((Evens(), [1, 3]), ({1}, [[1]]), (5, [1]), ("abc", [1])):
            try:
                count(items, probes)
            except (KeyError, TypeError) as e:
                print(type(e).__name__, e)
        _accel_probe(count, search)
        _traceback(count, Evens(), [3])
    """, {"count": {"CONTAINS_OP_JUMP"}, "search": {"CONTAINS_OP_JUMP"}})
    assert "KeyError: 3" in run.stdout and "in count" in run.stdout


def test_tuples_iterated_inline(tmp_path):
    run, report = check(tmp_path, """
        import sys

        def walk(table, keys):
            total = 0
            for k in keys:
                for n in table[k]:
                    total += n
                for n in table[k]:
                    if n > 2:
                        break
            return total

        def pairs(seq):
            out = []
            for a, b in seq:
                out.append(a - b)
            return out

        def shrinking(t):
            it = iter(t)
            got = []
            for x in it:
                got.append(x)
                got.extend(it)  # the loop's own iterator exhausted under it
            return got

        table = {i: tuple(range(i)) for i in range(6)}
        table[9] = [7, 8]
        table[8] = iter((1, 2))
        print(walk(table, [0, 1, 5, 9, 3]), walk(table, [8]), pairs(((5, 1), (7, 2))), pairs([(1, 1)]))
        print(shrinking((1, 2, 3)), shrinking(()), shrinking([4, 5]))
        item = object()
        t = (item,) * 4
        before = sys.getrefcount(item), sys.getrefcount(t)
        for _ in range(200):
            walk({0: t, 1: ()}, (0, 1)) if False else [x for x in t]
            for x in t:
                pass
        print(sys.getrefcount(item) - before[0], sys.getrefcount(t) - before[1])
        try:
            walk({0: (1, "a")}, [0])
        except TypeError as e:
            print("TypeError", e)
        _accel_probe(walk, pairs, shrinking)
    """, {"walk": {"FOR_ITER_LIST"}, "pairs": {"FOR_ITER_LIST"}, "shrinking": {"FOR_ITER_LIST"}})
    assert "FOR_ITER_LIST_GUARDED" in report["walk"]["emitted"], report["walk"]
    # tuples' iterators never exit, in loops that keep ints raw (FOR_ITER_LIST_GUARDED) too
    assert all(op != "FOR_ITER" for name in ("walk", "pairs", "shrinking") for op, _, _ in report[name]["exits"]), report


def test_zip_and_enumerate_loops_stay_generic(tmp_path):
    """zip() and enumerate() make iterators of their own kind: their loops take the generic
    FOR_ITER (never the list form, whose guarded variant, in loops that keep floats raw
    after the first call's profile, would exit at every call)."""
    run, report = check(tmp_path, """
        def pick(u, thresholds, names):
            for threshold, name in zip(thresholds, names):
                if u < threshold:
                    return name
            return names[-1]

        def weighted(values):
            total = 0.0
            for i, v in enumerate(values, 1):
                total += v * 0.5
            return total

        for k in range(40):
            print(pick(k / 40, [0.1, 0.5, 0.9], ["a", "b", "c"]), weighted([k * 1.5, 2.5]), end=" ")
        print()
        _accel_probe(pick, weighted)
    """, {"pick": {"FOR_ITER"}, "weighted": {"FOR_ITER"}})
    for name in ("pick", "weighted"):
        assert "FOR_ITER_LIST" not in report[name]["emitted"], report[name]
        assert not [e for e in report[name]["exits"] if e[0] == "FOR_ITER"], report[name]
