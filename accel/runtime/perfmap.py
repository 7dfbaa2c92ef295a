"""Names for accel's native code in Linux perf (ACCEL_PERF=1, `python -m accel --perf`).

perf attributes samples in anonymous executable memory through /tmp/perf-<pid>.map: one line
per symbol, `START SIZE name`, START and SIZE in hex.  Each program accel emits gets a line

    7f3a5c001000 93b accel:Particle.advance:/home/me/sim.py:42

right after it is installed, so `perf record` / `perf report` show which Python function the
time went to.  A recompiled function gets a second line for its new code.  A forked child
runs its parent's native code at the same addresses, so its own map starts with the parent's
lines.  Writing must never disturb the program: if the map can't be written, accel says so once
and stops trying.
"""
from __future__ import annotations

import os
import sys
import types

from . import config, native

_enabled = False
_lines: list[str] = []  # every line written by this process (and inherited from its parent)
_file = None
_file_pid = 0


def configure() -> None:
    global _enabled
    _enabled = config.perf_map()


def path(pid: int | None = None) -> str:
    return f"/tmp/perf-{os.getpid() if pid is None else pid}.map"


def symbol(code: types.CodeType) -> str:
    return f"accel:{code.co_qualname}:{code.co_filename}:{code.co_firstlineno}"


def line(code: types.CodeType) -> str | None:
    info = native.code_info(code)
    if info is None or not info.native_address or not info.native_bytes:
        return None
    return f"{info.native_address:x} {info.native_bytes:x} {symbol(code)}\n"


def emitted(code: types.CodeType) -> None:
    """Called by the compiler right after native code for `code` was installed."""
    if not _enabled:
        return
    entry = line(code)
    if entry is not None:
        _write(entry)


def _write(entry: str | None) -> None:
    """Append `entry` to this process's map; a forked child first writes the lines it inherited
    (whichever comes first: its first emit, even in an at-fork handler, or our own at-fork hook)."""
    global _file, _file_pid, _enabled
    try:
        if _file is None or _file_pid != os.getpid():  # a map left by an earlier process with this pid is stale
            _file = open(path(), "w", encoding="utf-8")
            _file_pid = os.getpid()
            _file.writelines(_lines)
        if entry is not None:
            _file.write(entry)
            _lines.append(entry)
        _file.flush()
    except OSError as error:
        _enabled = False
        print(f"accel: warning: cannot write the perf map {path()}: {error}; no more perf symbols",
              file=sys.stderr)


def _after_fork_in_child() -> None:
    if _enabled and _lines and _file_pid != os.getpid():
        _write(None)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
