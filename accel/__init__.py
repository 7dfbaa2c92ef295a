"""accel: a copy-and-patch JIT for stock CPython 3.11, plugged in through PEP 523.

    import accel
    accel.enable()          # accelerate every function that gets hot
    accel.disable()

    @accel.jit              # compile this one on its first call
    def kernel(...): ...

    accel.stats()           # what ran natively, what fell back and why
    accel.explain(kernel)   # the specialized instructions beside the bytecode
"""
from __future__ import annotations

import atexit
import time
import warnings

from .runtime import config, costs, pristine

# The heavy parts load on first use: the native module when accel starts, the compiler (and
# what it imports) with the first compile.  `import accel` stays cheap, and so does the
# startup hook (accel/_startup.py).

__version__ = "0.1.0"
__all__ = ["UnsupportedPython", "enable", "disable", "is_enabled", "jit", "stats", "explain", "Explanation"]


class UnsupportedPython(RuntimeError):
    """accel cannot accelerate this interpreter; the program runs unaccelerated."""


_started = False
_at_exit_registered = False
_stats_format: str | None = None
_compiler = None  # accel.runtime.compiler, once the first compile has loaded it


def _start() -> None:
    """Load the native part once: raise UnsupportedPython where it can't run."""
    global _started
    if _started:
        return
    from .runtime import native

    reason = native.available()
    if reason is not None:
        raise UnsupportedPython(reason)
    native.init()
    pristine.capture()
    _started = True
    _configure()


def _configure() -> None:
    """Apply the ACCEL_* knobs.  Run at start, and again by enable(): `python -m accel --threshold 0`
    sets them after the startup hook (accel.pth, with ACCEL=1 inherited) may have started accel."""
    global _at_exit_registered, _stats_format
    from .runtime import log, native, own_code, perfmap

    native.set_threshold(config.threshold())
    native.set_library(*config.library_prefixes())
    native.set_own_code(own_code.AUDIT_SILENT)
    log.configure()
    perfmap.configure()
    _install_compiler()
    _stats_format = config.stats_format()
    if (_stats_format is not None or log.enabled("deopt")) and not _at_exit_registered:
        atexit.register(_at_exit)
        _at_exit_registered = True


def _install_compiler() -> None:
    """Give the hook the compiler (wrapped to log recompiles as they happen with ACCEL_LOG=deopt),
    or, until the first compile, _load_compiler: importing the compiler costs more than many
    programs' whole start-up, and programs that never compile anything never pay for it."""
    from .runtime import log, native

    if _compiler is None:
        native.set_compiler(_load_compiler)
    elif log.enabled("deopt"):
        native.set_compiler(log.observing(_compiler.compile_code))
    else:
        native.set_compiler(_compiler.compile_code)


def _load_compiler(code, argument_types: tuple, globals_: dict) -> None:
    """The first compile (the hook bypassed, as for every compile): load the compiler, with the
    builtins accel started with, then compile."""
    global _compiler
    began = time.perf_counter()
    with pristine.builtins_restored():
        try:
            from .runtime import compiler
        except Exception as error:  # the hook marks this code failed; the next compile tries again
            from .runtime import log, records

            reason = f"loading the compiler failed: {type(error).__name__}: {error}"
            costs.count_failure(reason)
            records.save_failure(code, reason)
            log.log("compile", f"not compiled {log.where(code)}: {reason}")
            return
        if _compiler is None:  # (not loaded by another thread meanwhile)
            costs.totals.load_seconds += time.perf_counter() - began
            _compiler = compiler
            _install_compiler()
    compiler.compile_code(code, argument_types, globals_)


def _at_exit() -> None:
    """The deopt log, then the statistics: ACCEL_STATS=json's line is the last one on stderr.
    The JIT is off from here on, so that neither the report's own code nor exit handlers that
    run after it (those registered before accel started) compile or count anything more."""
    from .runtime import log, native, stats

    native.set_mode("off")
    log.report_at_exit()
    if _stats_format is not None:
        stats.print_at_exit(_stats_format)


def enable() -> None:
    """Install the hook: every code object that gets hot is compiled from here on."""
    _start()
    _configure()
    from .runtime import native

    native.set_mode("all")


def disable() -> None:
    """Remove the hook (restoring a hook that was there before); compiled code stays unused."""
    if _started:
        from .runtime import native

        native.set_mode("off")


def is_enabled() -> bool:
    if not _started:
        return False
    from .runtime import native

    return native.mode() == "all"


def explain(target, asm: bool = False):
    """What the JIT made of a function (or code object), beside its bytecode; with asm=True,
    the machine code too.  Returns an accel.Explanation, which prints as a table."""
    from .introspect import explain as explain_code

    return explain_code(target, asm)


def __getattr__(name: str):
    # Explanation loads with accel/introspect.py, on first use: `import accel` stays cheap.
    if name == "Explanation":
        from .introspect import Explanation

        return Explanation
    raise AttributeError(f"module 'accel' has no attribute {name!r}")


def stats() -> dict:
    """What the JIT did in this process: compiled functions, native entries, deopts by reason..."""
    from .runtime import stats

    return stats.stats()


def jit(function=None, /):
    """Compile `function` on its first call, whatever its hotness; returns it unchanged."""
    if function is None:
        return jit
    code = getattr(function, "__code__", None)
    if code is None:
        raise TypeError(f"accel.jit needs a Python function, not {type(function).__name__}")
    try:
        _start()
    except UnsupportedPython as error:
        warnings.warn(f"accel.jit: running {function.__qualname__} unaccelerated: {error}", RuntimeWarning,
                      stacklevel=2)
        return function
    from .runtime import native

    native.request_jit(code)
    if native.mode() == "off":
        native.set_mode("marked")
    return function
