"""See inside the JIT: perf map, child processes, ACCEL_LOG=deopt, --stats, --version, explain(asm=True)."""
from __future__ import annotations

import dis
import json
import re
import shutil
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from differential import ROOT, _environment, run_accel, run_python

PERF_LINE = re.compile(r"^([0-9a-f]+) ([0-9a-f]+) (accel:.+)$")


def write(tmp_path: Path, source: str, name: str = "program.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def last_json_line(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def perf_map(pid: int) -> list[tuple[int, int, str]]:
    """The parsed /tmp/perf-<pid>.map; every line must be well-formed."""
    lines = Path(f"/tmp/perf-{pid}.map").read_text().splitlines()
    parsed = []
    for line in lines:
        match = PERF_LINE.match(line)
        assert match, f"malformed perf map line {line!r}"
        parsed.append((int(match[1], 16), int(match[2], 16), match[3]))
    return parsed


@pytest.fixture
def perf_maps():
    """Pids whose /tmp/perf-<pid>.map the test makes; removed afterwards."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        Path(f"/tmp/perf-{pid}.map").unlink(missing_ok=True)


# -- 1. Linux perf map --------------------------------------------------------------------------

PERF_PROGRAM = """
    import json, os, sys
    import accel
    from accel.runtime import native

    def square(x):
        return x * x

    class Box:
        def area(self, w, h):
            return w * h

    def loop(n):
        total = 0
        for i in range(n):
            total += square(i)
        return total

    square(2)  # (called from loop, it is inlined there: accel/specializer/inline.py)
    loop(100)
    Box().area(2, 3)
    accel.disable()  # nothing compiles from here on: the map is complete
    report = {"pid": os.getpid(), "compiled": accel.stats()["functions_compiled"], "functions": {}}
    for fn in (square, Box.area, loop):
        info = accel.explain(fn).info
        same = native.code_info(fn.__code__)
        assert (info.native_address, info.native_bytes) == (same.native_address, same.native_bytes)
        report["functions"][fn.__qualname__] = [info.native_address, info.native_bytes,
                                                fn.__code__.co_firstlineno]
    print(json.dumps(report))
"""


@pytest.mark.parametrize("how", ["env", "option"])
def test_perf_map_names_every_emitted_program(tmp_path, perf_maps, how):
    path = write(tmp_path, PERF_PROGRAM)
    if how == "env":
        run = run_accel(path, env={"ACCEL_PERF": "1"})
    else:
        run = run_python(["-m", "accel", "--perf", "--threshold", "0", "--stats=json", str(path)], tmp_path)
    assert run.returncode == 0, run.stderr
    report = last_json_line(run.stdout)
    perf_maps.append(report["pid"])
    entries = perf_map(report["pid"])
    # one line per emitted program; programs alive at the same time never overlap (the
    # memory of a program whose code object died may be reused by a later one)
    assert len(entries) == report["compiled"] == run.stats["functions_compiled"] > 3
    by_symbol = {}
    for start, size, symbol in entries:
        by_symbol.setdefault(symbol, []).append((start, size))
    for qualname, (address, size, line) in report["functions"].items():
        symbol = f"accel:{qualname}:{path}:{line}"
        assert by_symbol.get(symbol) == [(address, size)], (symbol, by_symbol.get(symbol))
        assert size > 0 and address > 0


def test_no_perf_map_without_the_knob(tmp_path):
    path = write(tmp_path, PERF_PROGRAM)
    run = run_accel(path)
    assert run.returncode == 0, run.stderr
    pid = last_json_line(run.stdout)["pid"]
    assert not Path(f"/tmp/perf-{pid}.map").exists()


def test_forked_child_has_its_own_perf_map_with_the_inherited_code(tmp_path, perf_maps):
    path = write(tmp_path, """
        import json, os

        def before(x):
            return x + 1

        before(1)
        child = os.fork()
        if child == 0:
            def after(x):
                return x * 2
            after(2)
            os._exit(0)
        os.waitpid(child, 0)
        print(json.dumps({"parent": os.getpid(), "child": child}))
    """)
    run = run_accel(path, env={"ACCEL_PERF": "1"})
    assert run.returncode == 0, run.stderr
    pids = last_json_line(run.stdout)
    perf_maps.extend([pids["parent"], pids["child"]])
    parent = [symbol for _, _, symbol in perf_map(pids["parent"])]
    child = [symbol for _, _, symbol in perf_map(pids["child"])]
    before, after = f"accel:before:{path}:4", f"accel:after.*:{path}:"
    assert before in parent and before in child
    assert not any(re.match(after, s) for s in parent)
    assert any(re.match(after, s) for s in child)
    # the child's map starts with what the parent had emitted before the fork
    assert child[: child.index(before) + 1] == parent[: parent.index(before) + 1]


# -- 2. child processes -------------------------------------------------------------------------

def make_venv(root: Path, dependencies_first: bool) -> Path:
    """A virtual environment with accel.pth in its site-packages, as `pip install .` leaves it;
    accel itself comes from PYTHONPATH.  Its dependencies (cffi, bytecode) are in the system's
    site-packages, which site adds after the venv's own .pth files ran (the startup hook then
    waits until site is done) -- or, with `dependencies_first`, on a path line of a .pth that
    sorts before accel.pth (the usual case of one site-packages: accel starts at once)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(root)],
                   check=True)
    python = root / "bin" / "python"
    paths = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = subprocess.run([str(python), "-c", paths], capture_output=True, text=True, check=True).stdout.strip()
    shutil.copy(ROOT / "accel.pth", purelib)
    if dependencies_first:
        system = subprocess.run([sys.executable, "-c", paths], capture_output=True, text=True, check=True)
        (Path(purelib) / "00-dependencies.pth").write_text(system.stdout)
    return python


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory) -> Path:
    return make_venv(tmp_path_factory.mktemp("venv"), dependencies_first=False)


@pytest.fixture(scope="module")
def venv_python_dependencies_first(tmp_path_factory) -> Path:
    return make_venv(tmp_path_factory.mktemp("venv-deps-first"), dependencies_first=True)


def run_venv(python: Path, argv: list[str], cwd: Path, env: dict[str, str] | None = None,
             timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), *argv], capture_output=True, text=True, cwd=cwd,
                          env=_environment(env), timeout=timeout)


CHILDREN_PROGRAM = """
    import json, multiprocessing, os, subprocess, sys

    PROBE = "import accel, json, os; print(json.dumps([os.getpid(), accel.is_enabled(), accel.stats()['functions_compiled']]))"

    def probe(_):
        import accel
        def work(n):
            return sum(i * i for i in range(n))
        accel.jit(work)(10)
        return [os.getpid(), accel.is_enabled(), accel.stats()["functions_compiled"]]

    if __name__ == "__main__":
        report = {"parent": [os.getpid(), "accel" in sys.modules]}
        done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
        report["subprocess"] = json.loads(done.stdout)
        for method in ("spawn", "fork"):
            with multiprocessing.get_context(method).Pool(2) as pool:
                report[method] = pool.map(probe, range(2))
        print(json.dumps(report))
"""


def test_python_m_accel_accelerates_child_processes(tmp_path, venv_python):
    path = write(tmp_path, CHILDREN_PROGRAM)
    done = run_venv(venv_python, ["-m", "accel", str(path)], tmp_path)
    assert done.returncode == 0, done.stderr
    report = last_json_line(done.stdout)
    parent_pid = report["parent"][0]
    pid, enabled, compiled = report["subprocess"]
    assert pid != parent_pid and enabled is True
    for method in ("spawn", "fork"):
        for pid, enabled, compiled in report[method]:
            assert pid != parent_pid and enabled is True and compiled >= 1, (method, report[method])


def test_without_accel_in_the_environment_children_run_stock(tmp_path, venv_python):
    path = write(tmp_path, CHILDREN_PROGRAM)
    done = run_venv(venv_python, [str(path)], tmp_path)
    assert done.returncode == 0, done.stderr
    report = last_json_line(done.stdout)
    assert report["parent"][1] is False  # the startup hook imported nothing of accel
    assert report["subprocess"][1] is False
    for method in ("spawn", "fork"):
        assert [enabled for _, enabled, _ in report[method]] == [False, False]


@pytest.mark.parametrize("value", [None, "0", ""])
def test_startup_hook_is_inert_unless_accel_is_1(tmp_path, venv_python, value):
    code = "import sys; print(sorted(m for m in sys.modules if m.split('.')[0] in ('accel', 'cffi', 'bytecode')))"
    done = run_venv(venv_python, ["-c", code], tmp_path, env=None if value is None else {"ACCEL": value})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert done.stderr == ""


@pytest.mark.parametrize("layout", ["dependencies later on sys.path", "dependencies first"])
def test_startup_hook_enables_accel_with_accel_1(tmp_path, venv_python, venv_python_dependencies_first, layout):
    python = venv_python if layout == "dependencies later on sys.path" else venv_python_dependencies_first
    code = "import sys, accel; print('accel._startup' in sys.modules, accel.is_enabled())"
    done = run_venv(python, ["-c", code], tmp_path, env={"ACCEL": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"] and done.stderr == ""


def test_options_given_to_python_m_accel_apply_after_the_startup_hook(tmp_path, venv_python):
    """ACCEL=1 inherited (accel started by accel.pth before accel's __main__ ran): the options
    still take effect in this process and reach its children."""
    path = write(tmp_path, """
        import json, os, subprocess, sys

        def once(x):
            return x + 1

        once(1)
        import accel
        child = subprocess.run([sys.executable, "-c", "import os; print(os.environ['ACCEL_THRESHOLD'])"],
                               capture_output=True, text=True).stdout.strip()
        print(json.dumps([accel.explain(once).state, child]))
    """)
    done = run_venv(venv_python, ["-m", "accel", "--threshold", "0", str(path)], tmp_path, env={"ACCEL": "1"})
    assert done.returncode == 0, done.stderr
    assert last_json_line(done.stdout) == ["compiled", "0"]


def test_pytest_xdist_workers_are_accelerated(tmp_path, venv_python):
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_worker.py").write_text(textwrap.dedent("""
        import os

        def test_in_an_accelerated_worker():
            import accel
            assert os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw")
            assert accel.is_enabled()
            assert os.environ["ACCEL"] == "1"
    """))
    done = run_venv(venv_python, ["-m", "accel", "-m", "pytest", "-n", "2", "-p", "no:cacheprovider", "-q",
                                  "test_worker.py"], suite)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


# -- 3. ACCEL_LOG=deopt -------------------------------------------------------------------------

DEOPT_PROGRAM = """
    import accel, json

    def add(a, b):
        return a + b

    def scale(x, k):
        y = x
        y = y * k
        return y

    for i in range(100):
        add(i, 1)
    for i in range(200):
        add(1.5, float(i))
    for i in range(5):
        scale(i, 2)
    for i in range(10):
        scale(0.5, 2.0)
    rows = {row.offset: row.exits for row in accel.explain(scale).rows if row.exits}
    print(json.dumps(rows))
"""


def deopt_lines(stderr: str, path: Path) -> dict[tuple[str, int, str, str], int]:
    """accel[deopt] deopt FUNC at FILE:LINE (INSTR, offset N): DESCRIPTION [REASON] × COUNT
    for sites in `path`: (function, line, offset, reason) -> count."""
    pattern = re.compile(rf"^accel\[deopt\] deopt (\S+) at {re.escape(str(path))}:(\d+) \((\w+), offset (\d+)\): "
                         r"(.+) \[(\w+)\] × (\d+)$")
    sites = {}
    for line in stderr.splitlines():
        match = pattern.match(line)
        if match:
            name, lineno, _, offset, _, reason, count = match.groups()
            sites[name, int(lineno), int(offset), reason] = int(count)
    return sites


def test_deopt_log_names_each_exit_site_with_line_reason_and_count(tmp_path):
    path = write(tmp_path, DEOPT_PROGRAM)
    run = run_accel(path, env={"ACCEL_LOG": "deopt"})
    assert run.returncode == 0, run.stderr
    log = run.stderr.splitlines()
    assert all(line.startswith("accel[deopt] ") for line in log), run.stderr
    sites = deopt_lines(run.stderr, path)

    # scale: 10 guard failures, too few for a recompile: the log agrees with accel.explain()
    explained = json.loads(run.stdout)
    scale_sites = {(offset, reason): count for (name, _, offset, reason), count in sites.items() if name == "scale"}
    assert scale_sites == {(int(offset), reason): count
                           for offset, exits in explained.items() for reason, count in exits.items()}
    assert sum(scale_sites.values()) == 10
    # ... at the line of `y = y * k`
    assert {line for (name, line, _, _) in sites if name == "scale"} == {9}

    # add: the guard kept failing, a recompile was requested and performed
    add_guards = {key: n for key, n in sites.items() if key[0] == "add" and key[3] == "GUARD_TYPE"}
    assert add_guards and {key[1] for key in add_guards} == {5}
    assert sum(add_guards.values()) >= 64
    requested = [l for l in log if l.startswith(f"accel[deopt] recompile requested for add ({path}:4)")]
    performed = [l for l in log if l.startswith(f"accel[deopt] recompiled add ({path}:4): recompile 1")]
    assert requested and "guard failed: operand type" in requested[0]
    assert performed and log.index(requested[0]) < log.index(performed[0])
    # the per-site counts, summed, are the process-wide counts for this file's functions
    assert sum(n for key, n in sites.items() if key[3] == "GUARD_TYPE") <= run.stats["deopts"]["GUARD_TYPE"]


def test_deopt_log_with_compile_and_nothing_without(tmp_path):
    path = write(tmp_path, """
        def f(x):
            return x + 1
        print(f(1))
    """)
    run = run_accel(path, env={"ACCEL_LOG": "compile,deopt"})
    assert run.returncode == 0, run.stderr
    assert f"accel[compile] compiled f ({path}:2)" in run.stderr
    assert "accel[deopt] exits to the interpreter by site:" in run.stderr
    assert run.stats["functions_compiled"] >= 1  # the JSON line is still the last one
    assert not [key for key in deopt_lines(run.stderr, path) if key[0] == "f"]  # f never left native code
    quiet = run_accel(path)
    assert "accel[" not in quiet.stderr


# -- 4. --stats ---------------------------------------------------------------------------------

STATS_PROGRAM = """
    import accel, os

    @accel.jit
    def hot(n):
        total = 0
        for i in range(n):
            total += i
        return total

    @accel.jit
    def picky(x):
        return x * 2

    for _ in range(1000):
        hot(10)
    picky(1)
    for _ in range(50):
        picky(1.5)
    print(os.getpid())
"""


def run_stats(path: Path, argv: list[str], env: dict[str, str] | None) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, *argv, str(path)], capture_output=True, text=True, cwd=path.parent,
                          env=_environment(env), timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def stats_program_instructions() -> int:
    """Bytecode instructions (CACHE entries and EXTENDED_ARG prefixes aside) of the two
    functions STATS_PROGRAM compiles."""
    module = compile(textwrap.dedent(STATS_PROGRAM), "program.py", "exec")
    codes = [c for c in module.co_consts if isinstance(c, types.CodeType) and c.co_name in ("hot", "picky")]
    assert len(codes) == 2
    return sum(1 for code in codes for i in dis.get_instructions(code) if i.opname != "EXTENDED_ARG")


def table_rows(table: str) -> dict[str, float]:
    values = {}
    for label in ("functions compiled", "functions not compiled", "bytecode instructions compiled", "time compiling",
                  "native code", "native entries", "deopts (exits to the interpreter)"):
        match = re.search(rf"^{re.escape(label)} +([\d,.]+)( ms| B)?", table, re.M)
        assert match, f"no {label!r} row in\n{table}"
        values[label] = float(match[1].replace(",", ""))
    return values


def test_stats_table_is_complete(tmp_path):
    """Without `python -m accel`, only the two @accel.jit functions compile: exact numbers."""
    path = write(tmp_path, STATS_PROGRAM)
    done = run_stats(path, [], {"ACCEL_STATS": "1"})
    table, pid = done.stderr, int(done.stdout)
    assert table.startswith(f"accel statistics (pid {pid})\n")
    values = table_rows(table)
    assert values["functions compiled"] == 2 and values["functions not compiled"] == 0
    assert values["native entries"] == 1051 and values["deopts (exits to the interpreter)"] == 50
    assert values["time compiling"] > 0 and values["native code"] > 100
    assert values["bytecode instructions compiled"] == stats_program_instructions()
    per_instruction = re.search(r"^time compiling +[\d,.]+ ms  \(([\d,.]+) µs per bytecode instruction\)$", table, re.M)
    assert per_instruction and float(per_instruction[1].replace(",", "")) > 0, table
    assert re.search(r"^loading the compiler +[\d,.]+ ms  \(once, at the first compile\)$", table, re.M), table
    native = re.search(r"^native code +([\d,]+) B  \(([\d,.]+) B per bytecode instruction\)$", table, re.M)
    assert native, table
    instructions = values["bytecode instructions compiled"]
    assert float(native[2].replace(",", "")) == pytest.approx(values["native code"] / instructions, abs=0.05)
    assert re.search(r"^deopts by reason:\n  guard failed: operand type \(GUARD_TYPE\) +50$", table, re.M)
    assert "not compiled, by reason:" not in table
    top_entries = table.split("top functions by native entries:\n")[1].splitlines()
    assert re.fullmatch(rf" +1,000  hot \({re.escape(str(path))}:4\)", top_entries[0]), top_entries
    assert re.fullmatch(rf" +51  picky \({re.escape(str(path))}:11\)", top_entries[1]), top_entries
    top_deopts = table.split("top functions by deopts:\n")[1].splitlines()
    assert top_deopts == [f"{50:>14}  picky ({path}:11)"]


def test_stats_json_is_one_machine_readable_line(tmp_path):
    path = write(tmp_path, STATS_PROGRAM)
    done = run_stats(path, [], {"ACCEL_STATS": "json"})
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    data = json.loads(lines[0])
    assert data["pid"] == int(done.stdout)
    assert data["functions_compiled"] == 2 and data["native_entries"] == 1051
    assert data["compile_seconds"] > 0 and data["native_code_bytes"] > 100
    assert data["compiler_load_seconds"] > 0  # by the first compile, apart from compile_seconds
    assert data["instructions_compiled"] == data["native_instructions"] == stats_program_instructions()
    assert data["compile_us_per_instruction"] == pytest.approx(
        data["compile_seconds"] * 1e6 / data["instructions_compiled"], rel=1e-3)
    assert data["native_bytes_per_instruction"] == pytest.approx(
        data["native_code_bytes"] / data["native_instructions"], abs=1e-3)
    assert data["deopts"] == {"GUARD_TYPE": 50}
    assert data["compile_failures"] == {} and data["recompiles"] == 0
    assert data["top_native_entries"] == [[f"hot ({path}:4)", 1000], [f"picky ({path}:11)", 51]]
    assert data["top_deopts"] == [[f"picky ({path}:11)", 50]]


@pytest.mark.parametrize("form", ["--stats", "--stats=json"])
def test_stats_options_of_python_m_accel(tmp_path, form):
    path = write(tmp_path, STATS_PROGRAM)
    done = run_stats(path, ["-m", "accel", form], None)
    pid = int(done.stdout)
    if form == "--stats":
        values = table_rows(done.stderr)
        assert values["functions compiled"] >= 2 and values["native entries"] >= 1051
        assert re.search(rf"^top functions by native entries:\n +1,000  hot \({re.escape(str(path))}:4\)$",
                         done.stderr, re.M)
        assert re.search(r"^  guard failed: operand type \(GUARD_TYPE\) +\d", done.stderr, re.M)
        assert done.stderr.startswith(f"accel statistics (pid {pid})\n")
    else:
        data = json.loads(done.stderr.splitlines()[-1])
        assert data["pid"] == pid and data["native_entries"] >= 1051 and data["deopts"]["GUARD_TYPE"] >= 50
        assert data["top_native_entries"][0] == [f"hot ({path}:4)", 1000]
        assert data["top_deopts"] and all(count > 0 for _, count in data["top_deopts"])


# -- 5. --version -------------------------------------------------------------------------------

def test_version(tmp_path):
    import accel
    from accel.runtime import native

    done = subprocess.run([sys.executable, "-m", "accel", "--version"], capture_output=True, text=True,
                          cwd=tmp_path, env=_environment(None))
    assert done.returncode == 0 and done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"accel {accel.__version__} (")
    python = f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    assert lines[1] == f"Python {python} (CPython, linux x86_64): supported"
    assert lines[2] == f"stencils built with {native.stencil_compiler()}"
    assert re.fullmatch(r"stencils built with clang version \d+\.\d+\.\d+.*", lines[2])
    assert lines[3].startswith("disassembler: capstone ")


# -- 6. explain(asm=True) -----------------------------------------------------------------------

ASM_PROGRAM = """
    import accel, json
    from accel.runtime import native

    @accel.jit
    def kernel(n):
        s = 0.0
        for i in range(n):
            s += i * 0.5
        return s

    kernel(1000)
    print(accel.explain(kernel, asm=True))
    info = native.code_info(kernel.__code__)
    print(json.dumps(native.code_bytes(kernel.__code__, info.native_bytes).hex()))
"""

X86_LINE = re.compile(r"^ {52}(0x[0-9a-f]{4,})  ([a-z][a-z0-9]*)(?: (.*))?$")


def test_explain_asm_lists_x86_instructions_for_each_stencil(tmp_path):
    import capstone  # the accel[asm] extra, installed for the tests

    path = write(tmp_path, ASM_PROGRAM)
    run = run_python([str(path)], tmp_path)
    assert run.returncode == 0, run.stderr
    text, code = run.stdout.rsplit("\n", 2)[0], bytes.fromhex(json.loads(run.stdout.splitlines()[-1]))
    assert re.search(rf"native code {len(code)} bytes at 0x[0-9a-f]+", text)
    listed = [(int(m[1], 16), m[2], m[3] or "") for m in map(X86_LINE.match, text.splitlines()) if m]
    # the listing is the disassembly of the function's native code, instruction by instruction
    # (by row: the code that boxes an unboxed loop's locals on its way out lies at the end of
    # the native code, listed under the row it leaves to)
    disassembler = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    expected = [(i.address, i.mnemonic, i.op_str) for i in disassembler.disasm(code, 0)]
    assert sorted(listed) == expected
    assert len(listed) > 50 and {"mov", "movabs", "ret", "push", "pop"} <= {m for _, m, _ in listed}
    # the entry code first, then each bytecode row that became native code with its own listing
    head, rows = text.split("\n  (entry)\n")
    assert "capstone is not installed" not in text
    assert re.search(r"^ +\d+ +\d+  FOR_ITER .*\n(?: {48}.*\n)* {52}0x", rows, re.M)
    # `return s`: the return fused with its LOAD_FAST (accel/specializer/borrow.py) lists on that row
    assert re.search(r"^ +\d+ +\d+  LOAD_FAST s +LOAD_FAST__RETURN_VALUE .*\n(?: {48}.*\n)* {52}0x", rows, re.M)


def test_explain_asm_without_capstone_says_how_to_get_it(tmp_path):
    path = write(tmp_path, "import sys\nsys.modules['capstone'] = None\n" + textwrap.dedent(ASM_PROGRAM))
    run = run_python([str(path)], tmp_path)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[2] == ("  cannot disassemble: capstone is not installed; pip install 'accel[asm]' (or capstone) "
                        "to see the native code")
    assert not any(X86_LINE.match(line) for line in lines)
    assert any("FOR_ITER" in line for line in lines)  # the rest of the explanation is there
