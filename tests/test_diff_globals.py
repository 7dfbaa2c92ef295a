"""Differential tests: LOAD_GLOBAL's inline cache (stencils/cached.c, native/caches.c).
It holds the entry of the name in the globals' keys (or the builtins', for a builtin)
under the keys versions of both dicts: a version changes when a name is added or deleted,
not when a value is stored.  So a module whose code rebinds globals in a loop (a script's
`for` loop at module level) keeps its functions' caches, and every kind of change of the
names (a global shadowing a builtin, deleted again, builtins replaced or deleted, a
non-str key, a copied globals dict) must read what stock reads."""
from differential import assert_native, compare


def test_module_loop_rebinding_globals_keeps_the_caches(tmp_path):
    run = compare("""
def f(x):
    return abs(x) + len(TABLE) + SCALE

TABLE = [1, 2, 3]
SCALE = 10
total = 0
for i in range(20_000):
    total += f(-i)        # stores `total` and `i` in the globals each time
    if i == 10_000:
        SCALE = 20        # a value stored: read at once, the cache still holds
print(total)
""", tmp_path, functions=["f"])
    assert_native(run, "f", min_entries=20_000)
    # f's three sites miss once each to fill (the rest is the startup's code); under
    # caches that a stored value invalidates, each of its 20,000 calls would miss three times
    assert run.stats["global_misses"] < 2_000, run.stats


def test_names_added_deleted_and_builtins_changed_under_the_cache(tmp_path):
    run = compare("""
import builtins

def g(x):
    return len(x), abs(-3), VALUE

VALUE = 1
out = []
for k in range(600):
    if k == 100:
        len = lambda x: -1            # a global now shadows the builtin
    if k == 200:
        del len                       # the builtin again
    if k == 300:
        builtins.abs = lambda x: 99   # the builtin's value replaced
    if k == 400:
        del builtins.abs              # gone: NameError
    if k == 450:
        builtins.abs = abs_saved
    if k == 500:
        globals()[7] = "a non-str key"
    if k == 0:
        abs_saved = builtins.abs
    try:
        out.append(g("abc"))
    except NameError as error:
        out.append(str(error))
    VALUE += 1
print(out[::37], len(out))
""", tmp_path, functions=["g"])
    assert_native(run, "g")


def test_functions_over_copied_and_other_globals(tmp_path):
    run = compare("""
import types

def reader():
    return NAME, len(NAME)

base = {"NAME": "base", "__builtins__": __builtins__}
copy = dict(base)               # same keys, same version: values read from the copy's entry
fresh = {"NAME": "fresh!", "__builtins__": __builtins__}
funcs = [types.FunctionType(reader.__code__, g) for g in (base, copy, fresh)]
out = []
for k in range(300):
    if k == 150:
        copy["NAME"] = "copy changed"
        base["OTHER"] = 1       # a name added to one of them only
    out.append(tuple(f() for f in funcs))
print(out[0], out[-1], len(set(out)))

class Namespace(dict):
    pass

odd = types.FunctionType(reader.__code__, Namespace(NAME="subclass", __builtins__=__builtins__))
print(odd())
""", tmp_path, functions=["reader"])
    assert_native(run, "reader")
