"""@datatype: classes declared as dataclasses are (annotated fields, defaults), made at a
fraction of the cost.

The compiler's modules load with the first compile of every accelerated process, and
`import dataclasses` alone (it imports inspect, which imports ast, dis, tokenize...) costs
more than all of them; making a dataclass costs a few hundred microseconds more, each.
This makes the __init__, __repr__ and __eq__ (and __hash__ when frozen) dataclasses would,
the way it does: from source text, compiled once per class.
"""
from __future__ import annotations

import _thread

_in_repr: set[tuple[int, int]] = set()  # (object, thread) whose repr is being made: a cycle shows as ...


def datatype(cls: type | None = None, /, *, eq: bool = True, frozen: bool = False, slots: bool = False):
    """@datatype, or @datatype(eq=..., frozen=..., slots=...), as @dataclasses.dataclass(...)."""

    def make(cls: type) -> type:
        fields = tuple(cls.__dict__.get("__annotations__", {}))
        defaults = {name: cls.__dict__[name] for name in fields if name in cls.__dict__}
        if slots:  # a new class: slots and class attributes of the same names can't coexist
            body = {key: value for key, value in cls.__dict__.items()
                    if key not in defaults and key not in ("__dict__", "__weakref__")}
            cls = type(cls)(cls.__name__, cls.__bases__, {**body, "__slots__": fields})
        for name, method in _methods(fields, defaults, eq, frozen).items():
            if method is not None:
                method.__qualname__ = f"{cls.__qualname__}.{name}"
            setattr(cls, name, method)
        return cls

    return make if cls is None else make(cls)


def _methods(fields: tuple[str, ...], defaults: dict, eq: bool, frozen: bool) -> dict:
    params = "".join(f", {name}=_default_{name}" if name in defaults else f", {name}" for name in fields)
    assign = "object.__setattr__(self, {0!r}, {0})" if frozen else "self.{0} = {0}"
    values = "(" + "".join(f"self.{name}, " for name in fields) + ")"
    source = [f"def __init__(self{params}):", *[f"    {assign.format(name)}" for name in fields], "    pass"]
    if eq:
        source += ["def __eq__(self, other):",
                   "    if other.__class__ is not self.__class__:",
                   "        return NotImplemented",
                   f"    return {values} == {values.replace('self.', 'other.')}"]
    if frozen and eq:
        source += ["def __hash__(self):", f"    return hash({values})"]
    namespace = {f"_default_{name}": value for name, value in defaults.items()}
    exec("\n".join(source), namespace)
    methods = {"__init__": namespace["__init__"], "__repr__": _repr(fields)}
    if eq:
        methods["__eq__"] = namespace["__eq__"]
        methods["__hash__"] = namespace["__hash__"] if frozen else None  # as dataclasses: eq without frozen is unhashable
    if frozen:
        methods["__setattr__"] = methods["__delattr__"] = _refuse
    return methods


def _repr(fields: tuple[str, ...]):
    def __repr__(self) -> str:
        key = id(self), _thread.get_ident()
        if key in _in_repr:
            return "..."
        _in_repr.add(key)
        try:
            return f"{type(self).__qualname__}({', '.join(f'{name}={getattr(self, name)!r}' for name in fields)})"
        finally:
            _in_repr.discard(key)

    return __repr__


def _refuse(self, name: str, value: object = None) -> None:
    raise AttributeError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")
