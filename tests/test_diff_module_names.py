"""Differential tests: names in module code.  A module body's namespace is its globals;
LOAD_NAME reads a name found there straight from the entry of the globals' keys that its
cache remembers (stencils/names.c), while that entry still holds the name.  Deleting,
rebinding, growing the dict (new keys), a non-str key, a class body and exec() with other
namespaces must all read what stock reads."""
from differential import compare

THRESHOLD_0 = {"ACCEL_THRESHOLD": "0"}


def test_module_level_loop_reads_and_rebinds_names(tmp_path):
    run = compare("""
i = 0
s = 0.0
while i < 50_000:
    s += i * 0.5
    i += 1
print(s, i)
""", tmp_path)
    # the body runs natively, and its `while` loop is compiled again from its profile
    assert run.stats["functions_compiled"] >= 2 and run.stats["on_stack_replacements"] == 1, run.stats
    assert run.deopts("LOOP_HOT") == 1, run.stats


def test_names_deleted_rebound_and_the_dict_grown_under_a_loop(tmp_path):
    run = compare("""
import builtins
x = 1
total = 0
for k in range(3000):
    total += x
    if k == 100:
        del x
        try:
            total += x
        except NameError as error:
            print("NameError", error)
        x = 2
    if k == 200:
        for n in range(300):            # new keys: the dict's keys are rebuilt
            globals()[f"filler{n}"] = n
    if k == 300:
        globals()[42] = "int key"       # the keys are no longer str-only
    if k == 400:
        del globals()[42]
        x = 3.5
    if k == 500:
        len = lambda s: -1              # a global that shadows a builtin from now on
    if k == 600:
        del len
print(total, x, len("abc"))
""", tmp_path, env=THRESHOLD_0)
    assert run.stats["native_entries"] >= 1, run.stats


def test_class_bodies_and_exec_namespaces(tmp_path):
    run = compare("""
y = "global y"
class C:
    y = "class y"
    seen = [y for _ in range(2)]     # the comprehension reads the global
    again = y
print(C.again, C.seen)

code = compile("out = []\\nfor _ in range(3):\\n    out.append(y)\\n", "<exec>", "exec")
g = {"y": "exec global"}
exec(code, g)
print(g["out"])
loc = {"y": "exec local"}
exec(code, g, loc)
print(loc["out"])
exec(code, g, {})
print(g["out"])
for n in range(5):                   # the same code object, globals changing under it
    g2 = {"y": n}
    exec(code, g2)
    print(g2["out"], end=" ")
print()
""", tmp_path, env=THRESHOLD_0)
    assert run.stats["native_entries"] >= 1, run.stats
