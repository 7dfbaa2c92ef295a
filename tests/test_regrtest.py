"""CPython's own regression tests must give the same outcomes under accel.

A fast, representative subset of tests/regrtest/modules.txt runs under stock
python and under ``python -m accel`` with ACCEL_THRESHOLD=0 (every function
compiled on its first call); every test case must end the same way on both
sides.  One pytest test per module, so pytest-xdist can spread them.

The full list, and runs against stock python while accel is unfinished:

    python tests/regrtest/run.py --accel-cmd python -j 2
"""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import pytest

RUN_PY = Path(__file__).resolve().parent / "regrtest" / "run.py"
ACCEL_CMD = (sys.executable, "-m", "accel")


def _load_run_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("accel_regrtest_run", RUN_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their defining module up in sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


run = _load_run_module()

# Stock seconds per module as measured through run.py (best of four runs on
# a shared 2-core machine); 74 modules, about 100 s of stock time in all.
# Modules where accel still differs from stock, left out of the CI subset until fixed
# (README, "CPython's regression suite"); `python tests/regrtest/run.py` runs them.
KNOWN_DIFFERENCES = {
    "test_threading": "test_interrupt_main_subthread, now and then: the KeyboardInterrupt arrives "
                      "while accel compiles Condition._acquire_restore on its first call (Python "
                      "code, which runs the handler), a window stock CPython has too, but a few "
                      "instructions wide",
    "test_dis": "10 assertions on code._co_code_adaptive after warm-up calls: compiled code never "
                "runs the interpreter's RESUME/JUMP_BACKWARD warm-up or adaptive instructions, so "
                "CPython neither quickens nor specializes it (libpython exports neither step)",
}

SUBSET = [
    # Language core
    "test_grammar",              # 0.2
    "test_scope",                # 0.2
    "test_class",                # 0.1
    "test_descr",                # 0.4
    "test_generators",           # 0.2
    "test_coroutines",           # 0.5
    "test_asyncgen",             # 0.9
    "test_patma",                # 0.2
    "test_listcomps",            # 0.2
    "test_genexps",              # 0.2
    "test_with",                 # 0.1
    "test_contextlib",           # 0.2
    "test_contextlib_async",     # 0.2
    "test_unpack_ex",            # 0.2
    "test_keywordonlyarg",       # 0.2
    "test_positional_only_arg",  # 0.2
    "test_funcattrs",            # 0.2
    "test_code",                 # 0.3
    "test_compile",              # 1.9
    "test_opcodes",              # 0.2
    "test_extcall",              # 0.2
    "test_call",                 # 0.2
    "test_super",                # 0.1
    "test_fstring",              # 0.6
    "test_opcache",              # 0.6
    "test_gc",                   # 1.8
    "test_weakref",              # 2.1
    # Exceptions
    "test_exceptions",           # 1.4
    "test_raise",                # 0.1
    "test_exception_group",      # 0.1
    "test_except_star",          # 0.1
    # Numbers and built-in types
    "test_int",                  # 0.5
    "test_long",                 # 1.0
    "test_float",                # 0.2
    "test_math",                 # 1.0
    "test_builtin",              # 0.3
    "test_list",                 # 0.2
    "test_dict",                 # 0.4
    "test_set",                  # 2.1
    "test_unicode",              # 0.8
    "test_iter",                 # 0.2
    # Collections, itertools, functools
    "test_collections",          # 0.4
    "test_deque",                # 0.6
    "test_itertools",            # 1.3
    "test_functools",            # 0.5
    "test_operator",             # 0.2
    # sys, frames, inspect, traceback
    "test_sys",                  # 2.3
    "test_frame",                # 0.2
    "test_inspect",              # 0.6
    "test_traceback",            # 1.1
    "test_warnings",             # 1.1
    # Tracing and profiling
    "test_sys_settrace",         # 0.4
    "test_sys_setprofile",       # 0.2
    "test_trace",                # 1.9
    "test_bdb",                  # 0.3
    "test_pdb",                  # 2.9
    "test_cprofile",             # 0.9
    # Threads and signals
    "test_thread",               # 1.2
    "test_threadsignals",        # 5.0
    # Standard library
    "test_json",                 # 2.7
    "test_re",                   # 0.6
    "test_difflib",              # 0.6
    "test_statistics",           # 1.0
    "test_decimal",              # 1.6
    "test_enum",                 # 1.0
    "test_dataclasses",          # 0.7
    "test_argparse",             # 1.9
    "test_pickle",               # 5.1
    "test_typing",               # 0.7
    "test_datetime",             # 2.8
    "test_unittest",             # 3.8
    "test_doctest",              # 2.0
    "test_os",                   # 1.9  (generators resumed natively, under the cycle GC)
    "test_capi",                 # 4.5  (another PEP 523 hook; allocations failing on purpose)
]


@functools.cache
def accel_import_problem() -> str | None:
    """Why `python -m accel` cannot run here, or None if it can."""
    with tempfile.TemporaryDirectory() as work_dir:
        config = run.RunConfig(accel_cmd=ACCEL_CMD, work_dir=Path(work_dir))
        # Same interpreter, environment and kind of cwd as the real runs.
        probe = subprocess.run(
            [sys.executable, "-c",
             "import importlib.util, sys; "
             "sys.exit(importlib.util.find_spec('accel') is None)"],
            cwd=work_dir, env=run.side_environment(run.ACCEL, config),
            capture_output=True, text=True, check=False)
    if probe.returncode == 0:
        return None
    return (f"module 'accel' is not importable by {sys.executable}, so "
            f"`python -m accel` cannot run: install the project first.\n"
            f"{probe.stderr}")


@pytest.mark.parametrize("module", SUBSET)
def test_regrtest_module_matches_stock(module: str, tmp_path: Path) -> None:
    # Fail, never skip, when accel is missing: a skip would prove nothing.
    problem = accel_import_problem()
    if problem is not None:
        pytest.fail(problem)
    config = run.RunConfig(accel_cmd=ACCEL_CMD, work_dir=tmp_path,
                           accel_env={"ACCEL_THRESHOLD": "0"})
    # Stock timing flakes (threads, signals) under a loaded machine must
    # not fail the suite; a rerun keeps only differences that reproduce.
    comparison = run.compare_module(module, config, rerun=True)

    passed, failed, _ = comparison.stock.counts()
    assert passed + failed > 0, (
        f"{module} ran no test under stock python; see "
        f"{comparison.stock.log_path}")
    assert not comparison.differences, run.format_differences([comparison])
    # Equal outcomes prove nothing unless the tests really ran under accel.
    stats = comparison.accel.stats
    assert stats is not None, (
        "accel was not loaded in the regrtest process, so nothing ran "
        f"accelerated; see {comparison.accel.log_path}")
    assert stats.get("functions_compiled", 0) > 0, (
        f"accel compiled no function while running {module}: {stats}")
