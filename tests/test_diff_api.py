"""The Python API: accel.enable/disable/is_enabled, @accel.jit, accel.stats(), accel.explain(),
accel.UnsupportedPython.  Each test runs its program in a fresh `python` (not `-m accel`), so
that the process-wide hook state never leaks between tests; the program prints one JSON
line of facts, which the test checks."""
import json
import textwrap
from pathlib import Path

from differential import assert_same, run_python

PRELUDE = """
import json
import sys

import accel

facts = {}

def entries(fn):
    info = accel.explain(fn).info
    return 0 if info is None else info.native_entries

def state(fn):
    return accel.explain(fn).state
"""


def api(tmp_path: Path, source: str, env: dict | None = None, prelude: str = PRELUDE) -> dict:
    """Run the program with stock `python`; return the JSON object it printed last."""
    path = tmp_path / "api_program.py"
    path.write_text(prelude + textwrap.dedent(source) + "\nprint(json.dumps(facts, default=repr))\n")
    done = run_python([str(path)], tmp_path, env)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_enable_disable_is_enabled(tmp_path):
    facts = api(tmp_path, """
        def hot(n):
            t = 0.0
            for i in range(n):
                t = t + i * 0.5
            return t

        def later(x):
            return x * 3

        facts["initially"] = accel.is_enabled()
        accel.enable()
        facts["after_enable"] = accel.is_enabled()
        facts["result"] = hot(100)
        facts["hot_state"] = state(hot)
        facts["hot_entries"] = entries(hot)
        accel.disable()
        facts["after_disable"] = accel.is_enabled()
        for i in range(5):
            hot(10)
        facts["hot_entries_while_disabled"] = entries(hot)
        for i in range(500):
            later(i)
        facts["later_state_while_disabled"] = state(later)
        accel.enable()
        accel.enable()          # idempotent
        facts["after_reenable"] = accel.is_enabled()
        for i in range(3):
            hot(10)
        facts["hot_entries_reenabled"] = entries(hot)
        accel.disable()
        accel.disable()         # idempotent
        facts["after_second_disable"] = accel.is_enabled()
    """, env={"ACCEL_THRESHOLD": "0"})
    assert facts["initially"] is False
    assert facts["after_enable"] is True
    assert facts["result"] == sum(i * 0.5 for i in range(100))
    assert facts["hot_state"] == "compiled"
    assert facts["hot_entries"] >= 1
    assert facts["after_disable"] is False
    assert facts["hot_entries_while_disabled"] == facts["hot_entries"]
    assert facts["later_state_while_disabled"] == "cold"
    assert facts["after_reenable"] is True
    assert facts["hot_entries_reenabled"] == facts["hot_entries"] + 3
    assert facts["after_second_disable"] is False


def test_enable_compiles_after_the_threshold(tmp_path):
    facts = api(tmp_path, """
        def f(x):
            return x + 1

        accel.enable()
        for i in range(150):
            f(i)
        facts["at_150"] = state(f)
        for i in range(100):
            f(i)
        facts["at_250"] = state(f)
        facts["entries"] = entries(f)
        accel.disable()
    """)  # ACCEL_THRESHOLD unset: the default, 200 calls
    assert facts["at_150"] == "cold"
    assert facts["at_250"] == "compiled"
    assert 1 <= facts["entries"] <= 50


def test_jit_returns_the_very_same_function(tmp_path):
    facts = api(tmp_path, """
        import inspect
        import pickle

        def plain(a, b: float = 2.0, *rest, key=None, **kw) -> float:
            "The docstring."
            return a * b

        original_signature = str(inspect.signature(plain))
        same = accel.jit(plain)
        called = accel.jit()(plain)

        @accel.jit
        def decorated(x, y=3):
            "Decorated."
            return x * y

        @accel.jit()
        def decorated_called(x):
            return x - 1

        facts["identity"] = same is plain and called is plain
        facts["name"] = [plain.__name__, decorated.__name__, decorated_called.__name__]
        facts["qualname"] = decorated.__qualname__
        facts["doc"] = decorated.__doc__
        facts["signature"] = [str(inspect.signature(plain)) == original_signature, str(inspect.signature(decorated))]
        facts["wrapped"] = hasattr(decorated, "__wrapped__")
        facts["types"] = [type(decorated).__name__, type(decorated_called).__name__]
        facts["pickle"] = [pickle.loads(pickle.dumps(decorated)) is decorated,
                           pickle.loads(pickle.dumps(plain)) is plain]
        facts["module"] = decorated.__module__
        facts["results"] = [plain(2.0), decorated(2, 5), decorated_called(10)]
    """)
    assert facts["identity"] is True
    assert facts["name"] == ["plain", "decorated", "decorated_called"]
    assert facts["qualname"] == "decorated"
    assert facts["doc"] == "Decorated."
    assert facts["signature"] == [True, "(x, y=3)"]
    assert facts["wrapped"] is False
    assert facts["types"] == ["function", "function"]
    assert facts["pickle"] == [True, True]
    assert facts["module"] == "__main__"
    assert facts["results"] == [4.0, 10, 9]


def test_jit_compiles_on_the_first_call_and_runs_natively(tmp_path):
    facts = api(tmp_path, """
        @accel.jit
        def kernel(x, n):
            acc = 0.0
            for i in range(n):
                acc = acc + x * 0.5
            return acc

        def not_marked(x):
            return x + 1

        facts["before"] = state(kernel)
        facts["global_before"] = accel.stats()["native_entries"]
        facts["result"] = kernel(2.0, 10)
        facts["after_first_call"] = state(kernel)
        facts["entries_1"] = entries(kernel)
        for i in range(10):
            kernel(1.5, 3)
        facts["entries_11"] = entries(kernel)
        facts["global_after"] = accel.stats()["native_entries"]
        for i in range(1000):
            not_marked(i)
        facts["not_marked"] = state(not_marked)
        facts["enabled"] = accel.is_enabled()
    """)
    assert facts["before"] == "cold"
    assert facts["result"] == 10.0
    assert facts["after_first_call"] == "compiled"
    assert facts["entries_1"] >= 1
    assert facts["entries_11"] >= facts["entries_1"] + 10
    assert facts["global_after"] >= facts["global_before"] + 11
    assert facts["not_marked"] == "cold"     # jit marks one function, it does not enable everything
    assert facts["enabled"] is False


def test_jit_on_things_that_are_not_python_functions(tmp_path):
    facts = api(tmp_path, """
        import warnings

        errors = []
        for thing in (len, 42, "text", type):
            try:
                accel.jit(thing)
                errors.append(None)
            except TypeError as error:
                errors.append(str(error))
        facts["errors"] = errors

        @accel.jit
        def gen(n):
            for i in range(n):
                yield i * 2

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            facts["generator"] = list(gen(3))
        facts["generator_state"] = state(gen)

        class C:
            @accel.jit
            def method(self, x):
                return x * 2.0
        facts["method"] = C().method(1.5)
        facts["method_state"] = state(C.method)
        facts["bound_state"] = state(C().method)
    """)
    assert all(error is not None and "function" in error for error in facts["errors"]), facts["errors"]
    assert facts["generator"] == [0, 2, 4]
    assert facts["generator_state"] == "compiled"
    assert facts["method"] == 3.0
    assert facts["method_state"] == "compiled"
    assert facts["bound_state"] == "compiled"


def test_stats_keys_and_types(tmp_path):
    facts = api(tmp_path, """
        @accel.jit
        def f(x, y):
            return x * y

        f(1.5, 2.0)
        f(3, 4)          # a guard fails: an exit to the interpreter
        facts["stats"] = accel.stats()
    """)
    stats = facts["stats"]
    for key, kind in (("functions_compiled", int), ("compile_failures", dict), ("native_entries", int),
                      ("deopts", dict), ("native_code_bytes", int), ("compile_seconds", float),
                      ("instructions_compiled", int), ("native_instructions", int),
                      ("compile_us_per_instruction", float), ("native_bytes_per_instruction", float)):
        assert key in stats, stats
        assert isinstance(stats[key], kind), (key, stats[key])
    assert stats["functions_compiled"] >= 1
    assert stats["native_entries"] >= 2
    assert stats["native_code_bytes"] > 0
    assert stats["compile_seconds"] > 0
    assert stats["deopts"].get("GUARD_TYPE", 0) >= 1, stats
    assert all(isinstance(v, int) for v in stats["deopts"].values())


def test_explain_shows_float_specialization_and_guards(tmp_path):
    facts = api(tmp_path, """
        @accel.jit
        def mul(x, y):
            return x * y

        facts["cold"] = str(accel.explain(mul))
        mul(1.5, 2.0)
        e = accel.explain(mul)
        facts["state"] = e.state
        facts["text"] = str(e)
        facts["repr"] = repr(e)
    """)
    assert "cold" in facts["cold"].splitlines()[0]
    text = facts["text"]
    assert facts["state"] == "compiled"
    assert "compiled" in text.splitlines()[0] and "mul" in text.splitlines()[0]
    assert "BINARY_OP_MULTIPLY_FLOAT" in text, text
    assert "guard" in text, text
    assert "BINARY_OP" in text and "RETURN_VALUE" in text   # the bytecode column
    assert facts["repr"] == text


def test_explain_after_guard_failures_shows_exits(tmp_path):
    facts = api(tmp_path, """
        @accel.jit
        def add(x, y):
            return x + y

        add(1.5, 2.5)
        for i in range(10):
            add(i, 1)
        facts["text"] = str(accel.explain(add))
        facts["info_exits"] = accel.explain(add).info.exits
    """)
    assert facts["info_exits"] >= 1
    assert "exits here" in facts["text"], facts["text"]
    assert "guard" in facts["text"]


def test_explain_shows_a_generator_compiled_whole(tmp_path):
    """Every opcode has a stencil now, RETURN_GENERATOR included: explain shows a
    generator's every instruction in native code, none left to the interpreter."""
    facts = api(tmp_path, """
        @accel.jit
        def countdown(n):
            while n > 0:
                yield n       # RETURN_GENERATOR, which makes the generator, runs natively too
                n -= 1

        facts["result"] = list(countdown(3))
        e = accel.explain(countdown)
        facts["text"] = str(e)
        facts["rows"] = [(row.bytecode, row.specialized, row.note) for row in e.rows]
    """)
    assert facts["result"] == [3, 2, 1]
    text = facts["text"]
    assert "EXIT_INTERPRETER" not in text, text
    assert ("RETURN_GENERATOR", "RETURN_GENERATOR") in [(b.split()[0], s) for b, s, _ in facts["rows"]], text
    assert "generator: compiled with 2 resume points" in text, text


def test_explain_of_refused_code_and_bad_arguments(tmp_path):
    facts = api(tmp_path, """
        own = accel.jit(accel.is_enabled)  # accel never compiles its own code
        own()
        e = accel.explain(own)
        facts["own"] = [e.state, e.reason]
        try:
            accel.explain(42)
        except TypeError as error:
            facts["bad"] = str(error)
        facts["code_object"] = accel.explain(own.__code__).state
    """)
    assert facts["own"] == ["failed", "accel's own code"]
    assert "function" in facts["bad"]
    assert facts["code_object"] == "failed"


UNSUPPORTED_BY_PLATFORM = """
import accel.runtime.platform as _accel_platform

# Pretend to run on another machine: accel's own check then says what it supports.
_real_found = _accel_platform.found
_accel_platform.found = lambda: (*_real_found()[:3], "riscv64")
"""

UNSUPPORTED_BY_FUNCTION = """
import accel.runtime.platform as _accel_platform

_accel_platform.unsupported_reason = lambda: (
    f"accel supports {_accel_platform.SUPPORTED}; this is SimulatedPython 9.9 on plan9 mips")
"""


def test_unsupported_python_enable_raises(tmp_path):
    facts = api(tmp_path, """
        facts["subclass"] = issubclass(accel.UnsupportedPython, RuntimeError)
        try:
            accel.enable()
            facts["raised"] = None
        except accel.UnsupportedPython as error:
            facts["raised"] = str(error)
        facts["enabled"] = accel.is_enabled()
        accel.disable()   # harmless
    """, prelude=UNSUPPORTED_BY_PLATFORM + PRELUDE)
    message = facts["raised"]
    assert message is not None, "accel.enable() did not raise UnsupportedPython"
    assert "3.11" in message and "x86_64" in message and "Linux" in message, message
    assert "riscv64" in message
    assert facts["subclass"] is True
    assert facts["enabled"] is False


def test_unsupported_python_jit_warns_and_runs_unaccelerated(tmp_path):
    facts = api(tmp_path, """
        import warnings

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")

            @accel.jit
            def f(x):
                return x * 2

        facts["result"] = f(21)
        facts["warnings"] = [(w.category.__name__, str(w.message), w.lineno) for w in caught]
        try:
            accel.enable()
        except accel.UnsupportedPython as error:
            facts["enable"] = str(error)
    """, prelude=UNSUPPORTED_BY_FUNCTION + PRELUDE)
    assert facts["result"] == 42
    assert len(facts["warnings"]) == 1, facts["warnings"]
    category, message, line = facts["warnings"][0]
    assert category == "RuntimeWarning"
    assert "unaccelerated" in message and "SimulatedPython" in message
    assert "3.11" in facts["enable"] and "SimulatedPython" in facts["enable"]


def _unsupported_site(tmp_path: Path, source: str) -> dict:
    site = tmp_path / "site_unsupported"
    site.mkdir()
    (site / "sitecustomize.py").write_text(source)
    return {"PYTHONPATH": str(site)}


def test_unsupported_python_cli_warns_once_and_runs_the_program(tmp_path):
    env = _unsupported_site(tmp_path, UNSUPPORTED_BY_PLATFORM)
    program = tmp_path / "program.py"
    program.write_text(textwrap.dedent("""
        import sys

        def work(n):
            total = 0
            for i in range(n):
                total = total + i
            return total

        print(work(100), sys.argv[1:], __name__)
        sys.exit(4)
    """))
    stock = run_python([str(program), "a", "b"], tmp_path, env)
    accelerated = run_python(["-m", "accel", "--stats=json", str(program), "a", "b"], tmp_path,
                             {**env, "ACCEL_THRESHOLD": "0"})
    assert stock.stdout == "4950 ['a', 'b'] __main__\n" and stock.returncode == 4
    assert accelerated.stdout == stock.stdout
    assert accelerated.returncode == stock.returncode
    warnings = [line for line in accelerated.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1, accelerated.stderr
    assert warnings[0].startswith("accel: warning:") and "unaccelerated" in warnings[0]
    assert "3.11" in warnings[0] and "x86_64" in warnings[0] and "riscv64" in warnings[0]


def test_unsupported_python_cli_module_mode(tmp_path):
    env = _unsupported_site(tmp_path, UNSUPPORTED_BY_FUNCTION)
    (tmp_path / "somemodule.py").write_text("import sys\nprint('module', sys.argv[1:], __name__)\n")
    stock = run_python(["-m", "somemodule", "x"], tmp_path, env)
    accelerated = run_python(["-m", "accel", "-m", "somemodule", "x"], tmp_path, env)
    assert accelerated.stdout == stock.stdout == "module ['x'] __main__\n"
    assert accelerated.returncode == 0
    lines = [line for line in accelerated.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "SimulatedPython" in lines[0], accelerated.stderr


def test_programs_using_the_api_under_python_m_accel(tmp_path):
    """A program that calls the API itself gives the same output under `python -m accel`."""
    program = tmp_path / "program.py"
    program.write_text(textwrap.dedent("""
        import accel

        @accel.jit
        def f(x):
            return x * 2.0

        accel.enable()
        print(f(1.5), accel.is_enabled(), accel.explain(f).state)
        accel.disable()
        print(accel.is_enabled())
    """))
    stock = run_python([str(program)], tmp_path)
    accelerated = run_python(["-m", "accel", str(program)], tmp_path, {"ACCEL_THRESHOLD": "0"})
    assert stock.stdout == "3.0 True compiled\nFalse\n"
    assert_same(stock, accelerated)
