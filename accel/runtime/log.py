"""Debug log of compile decisions and exits to the interpreter (ACCEL_LOG)."""
from __future__ import annotations

import sys
import types

from . import config

_categories = config.log_categories()


def enabled(category: str) -> bool:
    return category in _categories


def where(code: types.CodeType) -> str:
    return f"{code.co_qualname} ({code.co_filename}:{code.co_firstlineno})"


def log(category: str, message: str) -> None:
    if category in _categories:
        print(f"accel[{category}] {message}", file=sys.stderr)
