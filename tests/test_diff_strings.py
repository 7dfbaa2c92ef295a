"""Differential tests: string concatenation into a local (`s += piece`, `s = s + piece`),
fused with its STORE_FAST as 3.11's BINARY_OP_INPLACE_ADD_UNICODE so that the string
grows in place; aliases, other targets and non-str operands take the generic path."""
from differential import assert_native, compare


def test_concatenation_into_a_local(tmp_path):
    run = compare("""
import time

def build(n):
    s = ""
    for i in range(n):
        s += "ab"
        s = s + f"{i % 10}"
    return s

def aliased(n):
    s = "x"
    seen = []
    for i in range(n):
        seen.append(s)      # another reference: the string must not change under it
        s += str(i)
    return s, seen[:4], seen[-1]

def elsewhere(n):
    s = "a"
    t = ""
    for i in range(n):
        t = s + "b"         # stored to another local
        s += "c"
    return s, t

def mixed(values):
    total = ""
    for v in values:
        total += v
    return total

start = time.perf_counter()
s = build(200_000)
linear = time.perf_counter() - start < 5  # quadratic copying takes minutes
print(len(s), s[:12], s[-12:], linear)
print(aliased(30))
print(elsewhere(5))
print(mixed(["p", "q", "r"]))
print(mixed([[1], [2]]) if False else mixed(("s", "t")))
try:
    mixed(["a", 1])
except TypeError as e:
    print("TypeError", e)
class Piece(str):
    def __radd__(self, other):
        return "radd"
print(mixed(["a", Piece("b")]))
mixed(["a", None])
""", tmp_path, functions=["build", "aliased", "elsewhere", "mixed"])
    assert "TypeError: can only concatenate str" in run.stderr
    assert_native(run, "build", "aliased", "elsewhere", "mixed")
    forms = run.function("build")["specialized"]
    assert forms.count("BINARY_OP_INPLACE_ADD_UNICODE") == 2, forms
