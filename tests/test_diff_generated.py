"""Differential tests on generated programs: seeded random functions of int and float
arithmetic, comparisons, conditional expressions, nested loops, break and continue, each
compiled on its first call and then called with ints, floats, bools and big ints (so that
guards fail), compared line by line with stock CPython.  The seeds are fixed: the programs
are the same on every run."""
import random

import pytest

from differential import compare


def expr(r, names, depth=0, kind="num"):
    if depth > 2 or r.random() < 0.3:
        c = r.random()
        if c < 0.6:
            return r.choice(names)
        if c < 0.8:
            return repr(r.choice([0, 1, 2, 3, 7, -1, 100]))
        return repr(r.choice([0.5, 1.25, -2.0, 3.0, 0.0]))
    op = r.choice(["+", "-", "*", "+", "*", "/c", "tern", "neg"])
    a = expr(r, names, depth + 1)
    b = expr(r, names, depth + 1)
    if op == "/c":
        return f"({a} / {r.choice(['2.0', '4', '0.5'])})"
    if op == "tern":
        return f"({a} if {cond(r, names)} else {b})"
    if op == "neg":
        return f"(-{a})"
    return f"({a} {op} {b})"

def cond(r, names):
    return f"{r.choice(names)} {r.choice(['<', '<=', '>', '>=', '==', '!='])} {expr(r, names, 2)}"

def body(r, names, indent, depth):
    lines = []
    for _ in range(r.randint(1, 4)):
        c = r.random()
        target = r.choice(names[2:]) if len(names) > 2 else names[0]
        if c < 0.45:
            lines.append(f"{indent}{target} = {expr(r, names)}")
        elif c < 0.6:
            lines.append(f"{indent}{target} {r.choice(['+=', '-=', '*='])} {expr(r, names, 1)}")
        elif c < 0.75:
            lines.append(f"{indent}if {cond(r, names)}:")
            lines += body(r, names, indent + "    ", depth + 1)
            if r.random() < 0.5:
                lines.append(f"{indent}else:")
                lines += body(r, names, indent + "    ", depth + 1)
        elif c < 0.8 and depth > 0:
            lines.append(f"{indent}if {cond(r, names)}:")
            lines.append(f"{indent}    {r.choice(['break', 'continue'])}")
        elif c < 0.9 and depth < 2:
            v = f"i{depth}"
            lines.append(f"{indent}for {v} in range({r.randint(0, 6)}):")
            lines += body(r, names + [v], indent + "    ", depth + 1)
        else:
            lines.append(f"{indent}{target} = {target} if {target} < 1e6 else {target} / 1024")
    return lines

def function(r, k):
    names = ["a", "b", "x", "y"]
    lines = [f"def f{k}(a, b):", f"    x = {r.choice(['a', 'b', '0', '1.5', 'a * b'])}", f"    y = {r.choice(['a', 'b', '2', '0.25'])}"]
    lines.append(f"    for n in range({r.randint(1, 30)}):")
    lines += body(r, names + ["n"], "        ", 1)
    lines.append("        x = x if x < 1e12 else x / 1e6")
    lines.append("        x = x if x > -1e12 else x / 1e6")
    lines.append("        y = y if y < 1e12 else y / 1e6")
    lines.append("        y = y if y > -1e12 else y / 1e6")
    lines.append("    return x, y")
    return "\n".join(lines)

def program(seed, count):
    r = random.Random(seed)
    out = ["import math", "def show(v):", "    return tuple(('nan' if isinstance(z, float) and math.isnan(z) else z) for z in v)"]
    for k in range(count):
        out.append(function(r, k))
    out.append("ARGS = [(3, 4), (1.5, -2.25), (2, 0.5), (0.75, 5), (True, 2), (-7, 3), (10**20, 3), (3, 4)]")
    out.append(f"for k in range({count}):")
    out.append("    fn = globals()[f'f{k}']")
    out.append("    for args in ARGS:")
    out.append("        try:")
    out.append("            print(k, args, show(fn(*args)))")
    out.append("        except (ZeroDivisionError, OverflowError) as e:")
    out.append("            print(k, args, type(e).__name__, e)")
    return "\n".join(out) + "\n"



@pytest.mark.parametrize("seed", range(31, 37))
def test_generated_arithmetic_programs(seed, tmp_path):
    source = program(seed, 40)
    run = compare(source, tmp_path)
    assert run.stdout.count("\n") == 40 * 8
    assert run.stats["functions_compiled"] >= 40, run.stats
    assert run.stats["native_entries"] >= 40 * 8, run.stats
