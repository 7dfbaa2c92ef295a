"""The builtins as they were when accel started.

The compiler, and the standard modules it loads with the first compile, run with these,
whatever the program has rebound since (builtins.len = ...): captured at start, since the
compiler itself may load long after the program has begun.
"""
from __future__ import annotations

import builtins
import itertools
import operator
from builtins import any, map, zip  # this module's own: the program may rebind the builtins' names

_MISSING = object()
_names: tuple[str, ...] = ()
_values: tuple[object, ...] = ()


def capture() -> None:
    global _names, _values
    snapshot = dict(builtins.__dict__)
    _names, _values = tuple(snapshot), tuple(snapshot.values())


class builtins_restored:
    """`with builtins_restored():` runs its body with the captured builtins, and gives the
    program back its own afterwards."""

    __slots__ = ("changed",)

    def __enter__(self) -> None:
        current = builtins.__dict__
        self.changed: dict[str, object] = {}
        if not any(map(operator.is_not, map(current.get, _names, itertools.repeat(_MISSING)), _values)):
            return  # nothing rebound (the usual case, checked without a Python-level loop)
        self.changed = {name: current.get(name, _MISSING) for name, value in zip(_names, _values)
                        if current.get(name, _MISSING) is not value}
        current.update({name: value for name, value in zip(_names, _values) if name in self.changed})

    def __exit__(self, *exception) -> None:
        current = builtins.__dict__
        for name, value in self.changed.items():
            if value is _MISSING:
                del current[name]
            else:
                current[name] = value
