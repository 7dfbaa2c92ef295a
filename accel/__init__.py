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
import warnings

from .explain import Explanation, explain
from .runtime import compiler, config, native
from .runtime.stats import print_at_exit, stats

__version__ = "0.1.0"
__all__ = ["UnsupportedPython", "enable", "disable", "is_enabled", "jit", "stats", "explain", "Explanation"]


class UnsupportedPython(RuntimeError):
    """accel cannot accelerate this interpreter; the program runs unaccelerated."""


_started = False


def _start() -> None:
    """Load the native part once: raise UnsupportedPython where it can't run."""
    global _started
    if _started:
        return
    reason = native.available()
    if reason is not None:
        raise UnsupportedPython(reason)
    native.init()
    native.set_threshold(config.threshold())
    compiler.start()
    form = config.stats_format()
    if form is not None:
        atexit.register(print_at_exit, form)
    _started = True


def enable() -> None:
    """Install the hook: every code object that gets hot is compiled from here on."""
    _start()
    native.set_mode("all")


def disable() -> None:
    """Remove the hook (restoring a hook that was there before); compiled code stays unused."""
    if _started:
        native.set_mode("off")


def is_enabled() -> bool:
    return _started and native.mode() == "all"


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
    native.request_jit(code)
    if native.mode() == "off":
        native.set_mode("marked")
    return function
