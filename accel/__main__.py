"""python -m accel [options] script.py [args] | -m module [args]

Runs the program exactly as `python` would, accelerated.

A script (`script.py`) runs in this process: accel starts, and native/launch.c runs the file
through the function `python script.py` runs it with, on a thread state that looks as it
does at that point of a stock start-up (no Python frame below the script's, the whole
recursion limit ahead), with sys.argv, sys.orig_argv, sys.path[0] and a fresh __main__ as
python sets them.  Starting a second interpreter would cost as much as a whole stock
start-up on every accelerated run.

Otherwise (`-m module`, a directory or zip file, interpreter options that change how python
runs its script: -i, -x, -P, -I), where accel is installed (its startup hook, accel.pth, is
in site-packages), this process replaces itself with `python script.py [args]` (or
`python -m module [args]`, with the same interpreter options) and ACCEL=1 in the
environment, so the program runs in a fresh interpreter exactly as without accel, and the
startup hook switches accel on before it starts.  Without the startup hook (accel run from
a source tree), the program runs in this process through runpy.

This process does as little as it can before either: no argparse unless accel's options
are given, no native part before it is needed."""
from __future__ import annotations

import os
import sys

LAUNCHER = __file__  # this file; the program may reuse the __main__ name
USAGE = "python -m accel [options] (script.py | -m module) [args ...]"


class Options:
    """accel's options as parsed (None or False when not given), and the program to run."""

    threshold: int | None = None
    stats: str | None = None
    log: str | None = None
    perf = False
    version = False
    opcodes = False
    module: str | None = None
    target: str | None = None
    args: list[str] = []


def parse(argv: list[str]) -> Options:
    """accel's options come first; the script or -m module ends them, and what follows
    belongs to the program untouched."""
    options, rest = _split(argv)
    parsed = Options()
    if options:  # (argparse costs a few milliseconds: only when there is something to parse)
        _parser().parse_args(["--stats=1" if arg == "--stats" else arg for arg in options], namespace=parsed)
    if rest and rest[0] == "-m":
        parsed.module, rest = (rest[1], rest[2:]) if len(rest) > 1 else (None, [])
    elif rest:
        parsed.target, rest = rest[0], rest[1:]
    parsed.args = rest
    return parsed


def _parser():
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m accel", usage=USAGE,
        description="Run a Python program with accel's JIT: exactly as `python` runs it, faster.",
        epilog="Each option sets an environment variable, so that it reaches child processes too: "
               "ACCEL_THRESHOLD, ACCEL_STATS, ACCEL_LOG, ACCEL_PERF; and ACCEL=1 makes accel's startup hook "
               "accelerate child Python processes (subprocess, multiprocessing, pytest-xdist workers).")
    parser.add_argument("--threshold", type=int, metavar="N",
                        help="calls before a function is compiled; 0 compiles on the first call (ACCEL_THRESHOLD)")
    parser.add_argument("--stats", choices=["1", "json"],
                        help="print a summary to stderr at exit; --stats=json for JSON (ACCEL_STATS)")
    parser.add_argument("--log", metavar="CATEGORIES",
                        help="log compile decisions and exits: compile,deopt or all (ACCEL_LOG)")
    parser.add_argument("--perf", action="store_true",
                        help="write /tmp/perf-<pid>.map so that Linux perf names accel's native code (ACCEL_PERF)")
    parser.add_argument("--version", action="store_true", help="print accel's version and toolchain, and exit")
    parser.add_argument("--opcodes", action="store_true",
                        help="print which opcodes run natively and which exit to the interpreter (why), and exit")
    return parser


def _split(argv: list[str]) -> tuple[list[str], list[str]]:
    """(accel's options, the rest: -m module ... or script ...)."""
    count = 0
    while count < len(argv) and argv[count].startswith("-") and argv[count] != "-m":
        count += 1 + (argv[count] in ("--threshold", "--log"))
    return argv[:count], argv[count:]


def export(options: Options) -> None:
    """Into the environment, which child processes inherit: with ACCEL=1, accel.pth's startup
    hook accelerates them with the same settings."""
    os.environ["ACCEL"] = "1"
    if options.threshold is not None:
        os.environ["ACCEL_THRESHOLD"] = str(options.threshold)
    if options.stats is not None:
        os.environ["ACCEL_STATS"] = "json" if options.stats == "json" else "1"
    if options.log is not None:
        os.environ["ACCEL_LOG"] = options.log
    if options.perf:
        os.environ["ACCEL_PERF"] = "1"


def version() -> str:
    """accel's version, the Python, whether accel can accelerate it, and the stencil toolchain."""
    import platform

    import accel
    from accel.runtime import native

    reason = native.available()
    lines = [f"accel {accel.__version__} ({os.path.dirname(accel.__file__)})",
             f"Python {platform.python_version()} ({platform.python_implementation()}, {sys.platform} "
             f"{platform.machine()}): " + ("supported" if reason is None else f"not supported — {reason}")]
    if native.lib is not None:
        lines.append(f"stencils built with {native.stencil_compiler()}")
    else:
        lines.append("stencils: not built (no native part)")
    try:
        import capstone

        lines.append(f"disassembler: capstone {capstone.__version__} (accel.explain(fn, asm=True))")
    except ImportError:
        lines.append("disassembler: capstone not installed (pip install 'accel[asm]' for accel.explain(fn, asm=True))")
    return "\n".join(lines)


def opcode_table() -> str:
    """The opcodes of this Python, and whether each runs natively (accel/opcodes.py)."""
    from accel import opcodes
    from accel.runtime import native

    reason = native.available()
    if reason is not None:
        return f"accel cannot accelerate this Python: {reason}"
    stencils = frozenset(native.stencil_names())
    rows = opcodes.coverage(stencils)
    return opcodes.markdown(rows, opcodes.helper_stencils(rows, stencils))


def supported() -> bool:
    """Say, on stderr, if accel can't accelerate this interpreter, as far as this process can
    tell without loading accel's native part: otherwise the startup hook that loads it in the
    program's process says so, if it fails (so the warning comes once, from one of the two)."""
    from importlib.machinery import PathFinder

    import accel
    from accel.runtime import platform

    reason = platform.unsupported_reason()
    if reason is None and PathFinder.find_spec("accel._native", accel.__path__) is None:
        reason = platform.not_built("no accel._native module")
    if reason is not None:
        print(f"accel: warning: running unaccelerated: {reason}", file=sys.stderr)
    return reason is None


def enable() -> None:
    import accel

    try:
        accel.enable()
    except accel.UnsupportedPython as error:
        print(f"accel: warning: running unaccelerated: {error}", file=sys.stderr)


def startup_hook_installed() -> bool:
    """Whether a fresh interpreter will run accel.pth, which starts accel when ACCEL=1."""
    if sys.flags.no_site:
        return False
    import site

    directories = [*site.getsitepackages(), site.getusersitepackages() if site.ENABLE_USER_SITE else ""]
    return any(d and os.path.exists(os.path.join(d, "accel.pth")) for d in directories)


def interpreter_options() -> list[str]:
    """The options this interpreter was started with, before `-m accel`."""
    argv = sys.orig_argv[1:]
    for at in range(len(argv)):
        if argv[at] == "-m" and at + 1 < len(argv) and argv[at + 1] == "accel" or argv[at] == "-maccel":
            return argv[:at]
    return []


def exec_program(options: Options) -> None:
    """Become `python [interpreter options] script.py|-m module [args]`."""
    target = ["-m", options.module] if options.module is not None else [options.target]
    argv = [sys.executable, *interpreter_options(), *target, *options.args]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)


def runs_here(path: str) -> bool:
    """Whether `python path` would run path as a plain source file, the way native/launch.c
    runs it: a readable .py file (not a directory or zip file, whose __main__ python runs
    through runpy), and none of the options that change how python runs its script (-i's
    prompt afterwards, -x's skipped line, -P/-I's sys.path without the script's directory)."""
    if sys.flags.inspect or sys.flags.safe_path:
        return False
    if any(option.startswith("-") and not option.startswith("--") and ("x" in option or "i" in option)
           for option in interpreter_options()):
        return False  # (-x and -i may come grouped with other one-letter options: any doubt execs)
    return path.endswith(".py") and os.path.isfile(path) and os.access(path, os.R_OK)


def run_file_here(options: Options) -> None:
    """Start accel, then run the script in this process, as `python script.py args` would.
    (What has a loop runs before accel starts: compiled, or found to be accel's own code,
    it would load the compiler.)"""
    import types
    from importlib.machinery import BuiltinImporter

    import accel

    given = options.target
    # __file__ as python makes it absolute: the working directory joined, nothing normalized
    filename = given if given.startswith(os.sep) else os.getcwd() + os.sep + given
    orig_argv = [sys.orig_argv[0], *interpreter_options(), given, *options.args]
    path0 = os.path.dirname(os.path.realpath(filename))
    try:
        accel.enable()
    except accel.UnsupportedPython as error:
        print(f"accel: warning: running unaccelerated: {error}", file=sys.stderr)
        del os.environ["ACCEL"]  # (warned once: the program and its children run as they are)
        exec_program(options)
    from accel.runtime import native

    sys.argv[:] = [given, *options.args]
    sys.orig_argv = orig_argv
    sys.path[0] = path0
    # __main__ as the interpreter makes it at start-up: python's script runs in that module
    main = types.ModuleType("__main__")
    main.__dict__.update(__annotations__={}, __builtins__=sys.modules["builtins"], __loader__=BuiltinImporter)
    sys.modules["__main__"] = main
    sys.modules.pop("runpy", None)  # (it ran this launcher; python's script finds it unimported)
    outcome = native.run_main_file(filename)
    if outcome == "not opened":
        exec_program(options)  # (unreadable after all: python says why)
    if outcome == "failed":
        sys.exit(1)  # python's status after the report native.run_main_file printed
    # "interrupted": the interpreter ends this process by SIGINT as it leaves, as python's does


def run_script(path: str, args: list[str]) -> None:
    """As `python script.py` does: a fresh __main__, sys.argv, sys.path[0]; the code's
    file name is absolute, sys.argv[0] as given."""
    import types
    from importlib.machinery import SourceFileLoader

    given, path = path, os.path.abspath(path)
    with open(path, "rb") as file:
        source = file.read()
    code = compile(source, path, "exec", dont_inherit=True)
    main = types.ModuleType("__main__")

    main.__dict__.update(__file__=path, __cached__=None, __builtins__=__builtins__,
                         __loader__=SourceFileLoader("__main__", path))
    sys.modules["__main__"] = main
    sys.argv[:] = [given, *args]
    sys.path[0] = os.path.dirname(os.path.realpath(path))
    _hide_own_frames()
    exec(code, main.__dict__)


def run_module(name: str, args: list[str]) -> None:
    """As `python -m module` does, through the same runpy function, in a fresh __main__
    (runpy runs the module in the namespace of whatever __main__ is)."""
    import runpy
    import types

    sys.argv[:] = [name, *args]
    sys.path[0] = os.getcwd()
    main = types.ModuleType("__main__")
    main.__builtins__ = __builtins__
    sys.modules["__main__"] = main
    _hide_own_frames()
    runpy._run_module_as_main(name, alter_argv=True)


def _hide_own_frames() -> None:
    """Tracebacks of uncaught exceptions start where `python` would start them: after
    this file's frames (and the runpy frames that ran it)."""
    original = sys.excepthook

    def excepthook(kind, value, tb):
        entry = tb
        while entry is not None:
            if entry.tb_frame.f_code.co_filename == LAUNCHER:
                tb = entry.tb_next
            entry = entry.tb_next
        if isinstance(value, BaseException):
            value.__traceback__ = tb  # what the default hook prints
        original(kind, value, tb)

    sys.excepthook = excepthook


def main() -> None:
    options = parse(sys.argv[1:])
    if options.version:
        print(version())
        return
    if options.opcodes:
        print(opcode_table())
        return
    if options.module is None and options.target is None:
        sys.exit(f"usage: {USAGE}\ntry 'python -m accel --help' for the options")
    if not supported():
        exec_program(options)  # exactly python, unaccelerated
    export(options)
    if options.target is not None and runs_here(options.target):
        run_file_here(options)
        return
    if startup_hook_installed():
        exec_program(options)
    enable()
    if options.module is not None:
        run_module(options.module, options.args)
    else:
        run_script(options.target, options.args)


if __name__ == "__main__":
    main()
