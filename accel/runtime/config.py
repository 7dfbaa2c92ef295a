"""The knobs, each an environment variable so that it reaches child processes too."""
from __future__ import annotations

import os

DEFAULT_THRESHOLD = 200


def threshold() -> int:
    """ACCEL_THRESHOLD: calls before a code object is compiled (0: on its first call)."""
    value = os.environ.get("ACCEL_THRESHOLD", "")
    try:
        return max(0, int(value)) if value else DEFAULT_THRESHOLD
    except ValueError:
        raise ValueError(f"ACCEL_THRESHOLD must be a number of calls, not {value!r}") from None


def library_prefixes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Where the standard library's code comes from (file-name prefixes), and the
    directories inside it that hold installed packages, which are the program's own."""
    stdlib = os.path.dirname(os.__file__)
    return (("<frozen", stdlib + os.sep),
            tuple(os.path.join(stdlib, name) + os.sep for name in ("site-packages", "dist-packages")))


def stats_format() -> str | None:
    """ACCEL_STATS: '1' (a table) or 'json', printed to stderr at exit."""
    value = os.environ.get("ACCEL_STATS", "")
    if value in ("", "0"):
        return None
    return "json" if value == "json" else "table"


def log_categories() -> frozenset[str]:
    """ACCEL_LOG: comma-separated categories (compile, deopt), or 1/all for every one."""
    value = os.environ.get("ACCEL_LOG", "")
    if value in ("1", "all"):
        return frozenset({"compile", "deopt"})
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def perf_map() -> bool:
    """ACCEL_PERF: 1 writes /tmp/perf-<pid>.map, naming accel's native code for Linux perf."""
    return os.environ.get("ACCEL_PERF", "") not in ("", "0")

