"""Differential tests of the command line: `python -m accel script.py args` must behave as
`python script.py args`, and `python -m accel -m module args` as `python -m module args`:
argv, __main__, paths, exit codes, tracebacks.  And accel's own options."""
import json
import os
import sys
import textwrap
from pathlib import Path

import accel
import pytest

from differential import assert_same, run_python

ACCEL = {"ACCEL_THRESHOLD": "0", "ACCEL_STATS": "json"}

SHOW_MAIN = """
import os
import sys

def describe():
    # compiled on its first call
    return {
        "argv": sys.argv,
        "name": __name__,
        "file": __file__,
        "path0": sys.path[0],
        "spec": None if __spec__ is None else __spec__.name,
        "package": __package__,
        "loader": type(__loader__).__name__,
        "cached": __cached__,
        "main_is_module": sys.modules["__main__"].__dict__ is globals(),
        "builtins": type(__builtins__).__name__,
        "cwd": os.getcwd(),
    }

for key, value in describe().items():
    print(key, repr(value))
"""


def write(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


def both(tmp_path: Path, argv: list[str], cwd: Path | None = None, env: dict | None = None):
    """`python *argv` and `python -m accel *argv`, in the same directory."""
    cwd = cwd or tmp_path
    stock = run_python(argv, cwd, env)
    accelerated = run_python(["-m", "accel", *argv], cwd, {**ACCEL, **(env or {})})
    return stock, accelerated


def assert_native_ran(run):
    assert run.stats, f"no stats line:\n{run.stderr[-3000:]}"
    assert run.stats["native_entries"] > 0 and run.stats["functions_compiled"] > 0, run.stats


@pytest.mark.parametrize("how", ["absolute", "relative", "dotted", "subdir"])
def test_script_sees_argv_main_file_and_path0(tmp_path, how):
    script = write(tmp_path / "pkgdir" / "script.py", SHOW_MAIN)
    args = ["one", "--two", "3"]
    if how == "absolute":
        stock, accelerated = both(tmp_path, [str(script), *args])
    elif how == "relative":
        stock, accelerated = both(tmp_path, ["script.py", *args], cwd=script.parent)
    elif how == "dotted":
        stock, accelerated = both(tmp_path, ["./script.py", *args], cwd=script.parent)
    else:
        stock, accelerated = both(tmp_path, ["pkgdir/script.py", *args])
    assert "name '__main__'" in stock.stdout
    assert_same(stock, accelerated)
    assert_native_ran(accelerated)


def test_script_through_a_symlink(tmp_path):
    """sys.path[0] is the directory of the real file; __file__ and argv keep the link."""
    real = write(tmp_path / "real" / "script.py", SHOW_MAIN)
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "link.py").symlink_to(real)
    stock, accelerated = both(tmp_path, ["links/link.py", "x"])
    assert_same(stock, accelerated)


def test_script_arguments_that_look_like_accel_options(tmp_path):
    """Everything after the script belongs to the script, even -m, --stats, --version, -h."""
    write(tmp_path / "script.py", "import sys\nprint(sys.argv)\n")
    for args in (["-m", "json.tool"], ["--stats"], ["--version"], ["-h"], ["--threshold", "5"], ["--", "-x"]):
        stock, accelerated = both(tmp_path, ["script.py", *args])
        assert stock.stdout == f"{['script.py', *args]}\n"
        assert_same(stock, accelerated)


def test_main_module_namespace(tmp_path):
    """The names a script finds in its own module at start (stock: __annotations__ too)."""
    write(tmp_path / "script.py", """
        '''The docstring.'''
        import sys
        print(sorted(globals()))
        print(__doc__)
        import __main__
        print(__main__.__dict__ is globals(), sys.modules["__main__"] is __main__)
    """)
    stock, accelerated = both(tmp_path, ["script.py"])
    assert_same(stock, accelerated)


@pytest.mark.parametrize("ending,code", [
    ("sys.exit(3)", 3),
    ("sys.exit('fatal: message')", 1),
    ("sys.exit(0)", 0),
    ("sys.exit(None)", 0),
    ("raise SystemExit(7)", 7),
    ("os._exit(5)", 5),
    ("raise ValueError('uncaught')", 1),
])
def test_exit_codes(tmp_path, ending, code):
    write(tmp_path / "script.py", f"""
        import os
        import sys

        def work(n):
            total = 0
            for i in range(n):
                total = total + i
            return total

        print(work(10), flush=True)
        {ending}
    """)
    stock, accelerated = both(tmp_path, ["script.py"])
    assert stock.returncode == code
    assert_same(stock, accelerated)


def test_uncaught_exception_traceback_from_compiled_code(tmp_path):
    write(tmp_path / "script.py", """
        def inner(x):
            return x["missing"]

        def outer():
            total = 0
            for i in range(3):
                total = total + i
            return inner({"present": total})

        outer()
    """)
    stock, accelerated = both(tmp_path, ["script.py"])
    assert stock.returncode == 1 and "KeyError: 'missing'" in stock.stderr
    assert_same(stock, accelerated)
    assert_native_ran(accelerated)


def test_uncaught_keyboard_interrupt(tmp_path):
    """Stock CPython ends with SIGINT after an uncaught KeyboardInterrupt."""
    write(tmp_path / "script.py", """
        def spin(n):
            total = 0
            for i in range(n):
                total = total + i
            raise KeyboardInterrupt

        spin(5)
    """)
    stock, accelerated = both(tmp_path, ["script.py"])
    assert stock.returncode == -2
    assert_same(stock, accelerated)


def test_script_sees_the_stack_and_interpreter_state_python_gives_it(tmp_path):
    """The script runs in the launcher's process (no second start-up), with nothing of the
    launcher in sight: no frame below its own, the whole recursion limit, sys.orig_argv,
    sys.excepthook and sys.modules as python leaves them."""
    write(tmp_path / "script.py", """
        import sys
        import traceback
        import warnings

        def depth(n=0):
            try:
                return depth(n + 1)
            except RecursionError:
                return n

        def deepest(n):
            total = 0
            for i in range(n):
                total = total + i
            return depth()

        print(sys._getframe().f_back, sys.orig_argv[1:])
        print(sys.excepthook is sys.__excepthook__, "runpy" in sys.modules)
        print("depth", deepest(3))
        sys.setrecursionlimit(400)
        print("depth", deepest(3))
        traceback.print_stack()
        warnings.warn("the stack ends here", stacklevel=2)
        print("second start-up", "accel._startup" in sys.modules, file=sys.stderr)
    """)
    stock, accelerated = both(tmp_path, ["script.py", "one"])
    assert "None ['script.py', 'one']" in stock.stdout and "sys:1: UserWarning" in stock.stderr
    assert "second start-up False" in accelerated.stderr
    assert_same(stock, accelerated)
    assert_native_ran(accelerated)


@pytest.mark.parametrize("option", ["-x", "-P"])
def test_interpreter_options_that_change_how_the_script_runs(tmp_path, option):
    """-x skips the first line, -P leaves the script's directory off sys.path."""
    write(tmp_path / "script.py", "this first line is skipped by -x\n" + textwrap.dedent("""
        import sys
        print(__file__, sys.flags.safe_path, sys.argv)
    """) if option == "-x" else """
        import os
        import sys
        print(os.path.dirname(__file__) in sys.path, sys.flags.safe_path, sys.argv)
    """)
    stock = run_python([option, "script.py", "a"], tmp_path)
    accelerated = run_python([option, "-m", "accel", "script.py", "a"], tmp_path, ACCEL)
    assert stock.returncode == 0, stock.stderr
    assert_same(stock, accelerated)


def test_run_directory_with_main(tmp_path):
    """A directory's __main__.py runs through runpy, as python runs it."""
    write(tmp_path / "app" / "__main__.py", MODULE.replace('__spec__.name', '__spec__ and __spec__.name'))
    stock, accelerated = both(tmp_path, ["app", "z"])
    assert "name '__main__'" in stock.stdout
    assert_same(stock, accelerated)


def test_pickle_instance_of_a_class_defined_in_the_script(tmp_path):
    write(tmp_path / "script.py", """
        import pickle

        class Point:
            def __init__(self, x, y):
                self.x = x
                self.y = y
            def norm2(self):
                return self.x * self.x + self.y * self.y

        def roundtrip(obj):
            return pickle.loads(pickle.dumps(obj))

        def scale(k):
            return k * 2

        p = roundtrip(Point(3.0, 4.0))
        print(type(p).__module__, type(p).__qualname__, p.norm2())
        print(roundtrip(scale) is scale, roundtrip(Point) is Point)
        print(pickle.dumps(Point(1, 2), protocol=4)[:60])
    """)
    stock, accelerated = both(tmp_path, ["script.py"])
    assert "__main__ Point 25.0" in stock.stdout
    assert_same(stock, accelerated)
    assert_native_ran(accelerated)


MODULE = """
import sys

def describe():
    return {"argv": sys.argv, "name": __name__, "file": __file__, "path0": sys.path[0],
            "spec": __spec__.name, "package": __package__}

def work(n):
    total = 0.0
    for i in range(n):
        total = total + i * 0.5
    return total

for key, value in describe().items():
    print(key, repr(value))
print(work(100))
if "--fail" in sys.argv:
    raise RuntimeError("module failed: " + sys.argv[-1])
"""


def test_run_module_argv_and_main(tmp_path):
    write(tmp_path / "somemodule.py", MODULE)
    stock, accelerated = both(tmp_path, ["-m", "somemodule", "a", "-m", "--stats"])
    assert "name '__main__'" in stock.stdout and "argv [" in stock.stdout
    assert_same(stock, accelerated)
    assert_native_ran(accelerated)


def test_run_package_main_module(tmp_path):
    write(tmp_path / "somepkg" / "__init__.py", "print('package init', __name__)\n")
    write(tmp_path / "somepkg" / "__main__.py", MODULE)
    stock, accelerated = both(tmp_path, ["-m", "somepkg", "x"])
    assert "package init somepkg" in stock.stdout
    assert_same(stock, accelerated)


def test_run_submodule(tmp_path):
    write(tmp_path / "outer" / "__init__.py", "")
    write(tmp_path / "outer" / "inner.py", MODULE)
    stock, accelerated = both(tmp_path, ["-m", "outer.inner", "y"])
    assert "package 'outer'" in stock.stdout
    assert_same(stock, accelerated)


def test_run_module_uncaught_traceback(tmp_path):
    write(tmp_path / "somemodule.py", MODULE)
    stock, accelerated = both(tmp_path, ["-m", "somemodule", "--fail", "boom"])
    assert stock.returncode == 1 and "RuntimeError: module failed: boom" in stock.stderr
    assert_same(stock, accelerated)


def test_run_missing_module(tmp_path):
    stock, accelerated = both(tmp_path, ["-m", "no_such_module_here"])
    assert stock.returncode == 1
    assert_same(stock, accelerated)


def test_run_missing_script(tmp_path):
    stock, accelerated = both(tmp_path, ["no_such_script.py"])
    assert stock.returncode == 2
    assert accelerated.returncode == stock.returncode, accelerated
    assert "no_such_script.py" in accelerated.stderr and "No such file or directory" in accelerated.stderr


def test_help(tmp_path):
    done = run_python(["-m", "accel", "--help"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m accel")
    for option in ("--threshold", "--stats", "--log", "--version", "-m module"):
        assert option in done.stdout
    assert done.stderr == ""


def test_version(tmp_path):
    done = run_python(["-m", "accel", "--version"], tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"accel {accel.__version__}")
    python = ".".join(map(str, sys.version_info[:3]))
    assert f"Python {python}" in done.stdout
    assert "supported" in lines[1] and "not supported" not in lines[1]
    assert any(line.startswith("stencils built with") and "clang" in line for line in lines), done.stdout


def test_opcode_table(tmp_path):
    """Every opcode of this Python is in the table, and every one that exits says why."""
    import dis

    done = run_python(["-m", "accel", "--opcodes"], tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [line.split("|")[1:4] for line in done.stdout.splitlines() if line.startswith("| `")]
    table = {name.strip(" `"): (status.strip(), detail.strip()) for name, status, detail in rows}
    assert set(table) == set(dis.opmap)
    assert {status for status, _ in table.values()} <= {"native", "folded", "exits"}
    assert all(detail and "not recorded" not in detail for _, detail in table.values()), table
    assert table["BINARY_OP"][0] == "native" and "BINARY_OP_ADD_FLOAT_RAW" in table["BINARY_OP"][1]
    assert table["LOAD_ATTR"][0] == "native" and table["KW_NAMES"][0] == "folded"
    assert table["RETURN_GENERATOR"][0] == "native" and table["GET_AWAITABLE"][0] == "native"
    # A fused stencil is listed under each opcode it runs, and every stencil somewhere.
    assert "LOAD_FAST__LOAD_ATTR_CACHED" in table["LOAD_FAST"][1] and "LOAD_FAST__LOAD_ATTR_CACHED" in table["LOAD_ATTR"][1]
    listed = {form for status, detail in table.values() if status == "native" for form in detail.split(", ")}
    (helpers,) = [line for line in done.stdout.splitlines() if "no opcode's form" in line]
    listed |= set(helpers.split(": ", 1)[1].split(", "))
    from accel.runtime import native
    assert listed == set(native.stencil_names())


def test_no_arguments_prints_usage(tmp_path):
    done = run_python(["-m", "accel"], tmp_path)
    assert done.returncode != 0
    assert "usage" in done.stderr


@pytest.mark.parametrize("flag", ["--stats", "--stats=1"])
def test_stats_table_on_stderr(tmp_path, flag):
    write(tmp_path / "script.py", """
        def f(x):
            return x * 2.5
        print(f(2.0))
    """)
    done = run_python(["-m", "accel", "--threshold", "0", flag, "script.py"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "5.0\n"
    assert "accel statistics" in done.stderr
    table = done.stderr.lower().replace("_", " ")
    for words in ("functions compiled", "native entries", "native code", "deopts"):
        assert words in table, done.stderr
    row = next(line for line in table.splitlines() if line.startswith("native entries"))
    assert int(row.split()[-1].replace(",", "")) > 0, row


def test_stats_json_on_stderr(tmp_path):
    write(tmp_path / "script.py", """
        import sys
        def f(x):
            return x * 2.5
        print(f(2.0))
        print("to stderr", file=sys.stderr)
    """)
    done = run_python(["-m", "accel", "--threshold=0", "--stats=json", "script.py"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "5.0\n"
    assert done.stderr == "to stderr\n"   # the JSON line was split off: it was the last line
    data = done.stats
    for key in ("functions_compiled", "compile_failures", "native_entries", "deopts", "native_code_bytes",
                "compile_seconds"):
        assert key in data, data
    assert data["native_entries"] > 0 and data["functions_compiled"] > 0
    json.dumps(data)


def test_options_reach_the_program_environment(tmp_path):
    """Each option sets its ACCEL_* variable, which the program (and its children) can see."""
    write(tmp_path / "script.py", """
        import os
        print(sorted((k, v) for k, v in os.environ.items() if k.startswith("ACCEL_")))
    """)
    done = run_python(["-m", "accel", "--threshold", "7", "--stats=json", "script.py"], tmp_path)
    assert "('ACCEL_THRESHOLD', '7')" in done.stdout
    assert "('ACCEL_STATS', 'json')" in done.stdout


def test_stdin_and_interactive_flags_of_the_program(tmp_path):
    """The program reads its stdin as under stock Python."""
    write(tmp_path / "script.py", """
        import sys

        def count(lines):
            n = 0
            for line in lines:
                n = n + len(line)
            return n

        data = sys.stdin.read().splitlines()
        print(len(data), count(data), sys.stdin.isatty())
    """)
    stock = run_python(["script.py"], tmp_path, stdin="a\nbb\nccc\n")
    accelerated = run_python(["-m", "accel", "script.py"], tmp_path, ACCEL, stdin="a\nbb\nccc\n")
    assert stock.stdout == "3 6 False\n"
    assert_same(stock, accelerated)


def test_environment_is_unchanged_for_the_program(tmp_path):
    """Apart from accel's own ACCEL* variables, the program sees the environment it was given."""
    write(tmp_path / "script.py", """
        import os
        print(sorted(k for k in os.environ if not k.startswith("ACCEL")))
    """)
    stock, accelerated = both(tmp_path, ["script.py"])
    assert_same(stock, accelerated)
    assert os.environ.get("PATH", "") == "" or "PATH" in stock.stdout
