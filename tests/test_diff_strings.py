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


def test_fstring_pieces_joined(tmp_path):
    """BUILD_STRING joins exact strs of one byte per character itself (native/fstrings.c),
    and FORMAT_VALUE passes an exact str with no conversion or spec through: ASCII and
    Latin-1 pieces, empty pieces, pieces of wider kinds and str subclasses (the generic
    join), one piece (the str itself), and __format__/__str__ that raise or return a
    subclass, with stock's tracebacks."""
    run = compare("""
        class Loud(str):
            def __format__(self, spec):
                return Loud(self.upper() + spec)
            def __str__(self):
                return "loud!"

        class Broken:
            def __format__(self, spec):
                raise ValueError(f"no format {spec!r}")

        def pieces(a, b, n):
            out = []
            for i in range(n):
                key = f"{a} {b}"
                out.append((key, f"{a}{b}{i}", f"[{a}]", f"{a}", f"{a!s}{b!r}", f"{i:>4}|{a:<3}|"))
            return out

        def counts(tokens):
            bigrams = {}
            previous = ""
            for token in tokens:
                if previous:
                    key = f"{previous} {token}"
                    bigrams[key] = bigrams.get(key, 0) + 1
                previous = token
            return bigrams

        def single(s):
            return f"{s}"

        def broken(x):
            return f"value: {x}"

        for a, b in (("ab", "cd"), ("", ""), ("é", "x"), ("ÿ", "é"), ("€", "a"), ("a", "😀"),
                     (Loud("ab"), "c"), ("a", Loud("b")), ("x" * 300, "y" * 5)):
            result = pieces(a, b, 3)
            print(result[-1], [type(s).__name__ for s in result[-1]], [s.isascii() for s in result[-1]])
            print([hash(s) == hash(str(s)) for s in result[-1]])
        words = "the cat sat on the mat the cat ran é ü ÿ € the cat".split()
        print(sorted(counts(words * 50).items()))
        s = "identity"
        print(single(s) is s, single(Loud("q")), type(single(Loud("q"))).__name__)
        print(broken("ok"), broken(3))
        try:
            broken(Broken())
        except ValueError as error:
            print("caught", error)
        broken(Broken())
    """, tmp_path, functions=["pieces", "counts", "single", "broken"])
    assert "ValueError: no format ''" in run.stderr, run.stderr
    assert_native(run, "pieces", "counts", "single", "broken")
    for name in ("pieces", "counts"):
        facts = run.function(name)
        assert "BUILD_STRING" in facts["specialized"] and facts["exits"] == 0, facts["text"]
