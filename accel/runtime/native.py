"""The one place where Python meets native/: cffi's `lib`, and how objects cross.

Objects cross as their addresses (`id()`); whoever passes one keeps it alive for the call.
"""
from __future__ import annotations

import struct
import types

from . import platform

try:
    from .._native import ffi, lib
except ImportError as error:  # not built: an unsupported platform, or a broken install
    ffi = lib = None
    IMPORT_ERROR: str | None = str(error)
else:
    IMPORT_ERROR = None

EXIT_REASONS = {
    "ERROR": "exception handed to the interpreter",
    "UNSUPPORTED": "instruction not compiled",
    "GUARD_TYPE": "guard failed: operand type",
    "GUARD_VALUE": "guard failed: operand value",
    "EVAL_BREAKER": "eval breaker (signal, thread switch)",
    "RAISE": "error raised by the interpreter",
    "TRACING": "tracing or profiling switched on",
    "LOOP_HOT": "hot loop: compiled again, entered at its head",
    "EVAL_BREAKER_LOOP": "eval breaker at a loop's back edge (signal, thread switch)",
}
STATES = {0: "cold", 1: "compiled", 2: "failed"}
MODES = {"off": 0, "marked": 1, "all": 2}

SUBINTERPRETER = "accel runs in the main interpreter only; this is a subinterpreter"

_initialized = False


def in_main_interpreter() -> bool:
    """(Asked in Python: the GIL-state API behind lib's functions assumes the main one.)"""
    import _xxsubinterpreters

    return _xxsubinterpreters.get_current() == _xxsubinterpreters.get_main()


def available() -> str | None:
    """None if native code can run here, else why not."""
    reason = platform.unsupported_reason()
    if reason is None and lib is None:
        reason = platform.not_built(IMPORT_ERROR)
    if reason is None and not in_main_interpreter():
        reason = SUBINTERPRETER
    return reason


def init() -> None:
    global _initialized
    if not _initialized:
        if lib.accel_init() != 0:
            raise RuntimeError(ffi.string(lib.accel_init_error()).decode())
        _initialized = True


def exit_reason_names() -> list[str]:
    """Index -> name, read from the enum in native/exits.h."""
    names = [""] * lib.ACCEL_EXIT_COUNT
    for name in EXIT_REASONS:
        names[getattr(lib, "ACCEL_EXIT_" + name)] = name
    return names


def stencil_names() -> list[str]:
    return [ffi.string(lib.accel_stencil_name(i)).decode() for i in range(lib.ACCEL_STENCIL_COUNT)]


_stencil_ids: dict[str, int] = {}


def stencil_id(name: str) -> int:
    number = _stencil_ids.get(name)
    if number is None:
        number = _stencil_ids[name] = getattr(lib, "ACCEL_STENCIL_" + name)
    return number


def stencil_size(name: str) -> int:
    return lib.accel_stencil_size(stencil_id(name))


def set_mode(mode: str) -> None:
    lib.accel_set_mode(MODES[mode])


def mode() -> str:
    return {v: k for k, v in MODES.items()}[lib.accel_get_mode()]


def set_threshold(calls: int) -> None:
    lib.accel_set_threshold(calls)


def set_library(prefixes: tuple[str, ...], packages: tuple[str, ...]) -> None:
    """Code from files under `prefixes`, except under `packages`, waits for the call
    threshold even if it has a loop."""
    lib.accel_set_library(id(prefixes), id(packages))


def set_own_code(prefixes: tuple[str, ...]) -> None:
    """Audit events raised while compiling, by code from files under `prefixes` only, reach
    no audit hook (native/audit.c)."""
    lib.accel_set_own_code(id(prefixes))


def set_compiler(function) -> None:
    lib.accel_set_compiler(id(function))


def run_main_file(filename: str) -> str:
    """Run the file as `python filename` runs its script (native/launch.c): 'ok', 'failed'
    (reported as python reports it), 'interrupted' (a KeyboardInterrupt nothing caught) or
    'not opened' (nothing ran)."""
    result = lib.accel_run_main_file(id(filename))
    return {lib.ACCEL_RUN_OK: "ok", lib.ACCEL_RUN_FAILED: "failed", lib.ACCEL_RUN_INTERRUPTED: "interrupted",
            lib.ACCEL_RUN_NOT_OPENED: "not opened"}[result]


def emit(code: types.CodeType, program, n: int, keepalive: tuple) -> int:
    """Install native code for `code`; its size in bytes, or -1."""
    return lib.accel_emit(id(code), program, n, id(keepalive))


# accel_instr's fields, in the order lower.py gives them (checked against native/accel.h).
PROGRAM_FIELDS = ("stencil", "instr", "resume", "next", "oparg", "oparg2", "target", "resumes", "handler", "operand",
                  "raw_locals", "raw_stack", "raw_int_locals", "raw_int_stack")


_instr_format: struct.Struct | None = None


def instr_layout() -> struct.Struct:
    """How to pack one accel_instr (its PROGRAM_FIELDS in order) into a program's buffer: its
    layout, padding included, as cffi reads it from native/accel.h.  Packing a program into
    one buffer costs a fraction of setting cffi fields one by one."""
    global _instr_format
    if _instr_format is None:
        _instr_format = _read_instr_struct()
    return _instr_format


def _read_instr_struct() -> struct.Struct:
    fields = ffi.typeof("accel_instr").fields
    if tuple(name for name, _ in fields) != PROGRAM_FIELDS:
        raise RuntimeError(f"accel_instr's fields are {[name for name, _ in fields]}, not {PROGRAM_FIELDS}")
    codes = {"int": "i", "uint64_t": "Q"}
    layout, end = "=", 0
    for _, field in fields:
        layout += "x" * (field.offset - end) + codes[field.type.cname]
        end = field.offset + ffi.sizeof(field.type)
    return struct.Struct(layout + "x" * (ffi.sizeof("accel_instr") - end))


def program(buffer: bytearray):
    """The accel_instr array accel_emit takes, over a buffer of packed instructions."""
    return ffi.from_buffer("accel_instr[]", buffer)


def set_state(code: types.CodeType, state: str) -> None:
    lib.accel_set_state(id(code), {v: k for k, v in STATES.items()}[state])


def request_jit(code: types.CodeType) -> None:
    lib.accel_request_jit(id(code))


class CodeInfo:
    """native/'s record of one code object (accel_code_info), as it was when read.  A plain
    class: this module loads at every accelerated start-up, and dataclasses costs more than it."""

    __slots__ = ("state", "jit_requested", "recompile_requested", "recompiles", "calls", "native_entries", "exits",
                 "native_bytes", "native_address", "ninstrs")

    def __init__(self, info) -> None:  # info: an accel_code_info
        self.state: str = STATES[info.state]
        self.jit_requested = bool(info.jit_requested)
        self.recompile_requested = bool(info.recompile_requested)
        self.recompiles: int = info.recompiles
        self.calls: int = info.calls
        self.native_entries: int = info.native_entries
        self.exits: int = info.exits
        self.native_bytes: int = info.native_bytes
        self.native_address: int = info.native_address
        self.ninstrs: int = info.ninstrs

    def __repr__(self) -> str:
        return f"CodeInfo({', '.join(f'{name}={getattr(self, name)!r}' for name in self.__slots__)})"


def code_info(code: types.CodeType) -> CodeInfo | None:
    info = ffi.new("accel_code_info *")
    if not lib.accel_code_info_get(id(code), info):
        return None
    return CodeInfo(info)


def code_layout(code: types.CodeType, ninstrs: int) -> list[int]:
    """Where each instruction's hot part starts in the native code, then where they end."""
    offsets = ffi.new("uint32_t[]", ninstrs + 1)
    count = lib.accel_code_layout(id(code), offsets, ninstrs + 1)
    return list(offsets)[: count + 1] if count >= 0 else []


def code_bytes(code: types.CodeType, size: int) -> bytes:
    buffer = ffi.new("unsigned char[]", max(size, 1))
    got = lib.accel_code_bytes(id(code), buffer, size)
    return ffi.buffer(buffer, max(got, 0))[:] if got > 0 else b""


def site_exits(code: types.CodeType) -> dict[str, dict[int, int]]:
    """Exits to the interpreter since the last compile: reason -> {code unit: count}."""
    nunits = lib.accel_site_exits(id(code), ffi.NULL, 0, 0)
    counts = ffi.new("uint32_t[]", max(nunits, 1))
    result = {}
    for reason, name in enumerate(exit_reason_names()):
        if name and lib.accel_site_exits(id(code), counts, nunits, reason) >= 0:
            sites = {unit: n for unit, n in enumerate(counts[0:nunits]) if n}
            if sites:
                result[name] = sites
    return result


def profile_operands(code: types.CodeType, entries: int, sites: list[int], learns_callees: bool) -> None:
    """Compile `code` again after `entries` more native entries if one of `sites`
    (program positions) has seen only floats or only ints by then, or in any case if
    it learns_callees (calls left plain for want of their arguments' types); 0 entries:
    never."""
    lib.accel_profile_operands(id(code), entries, ffi.new("int[]", sites) if sites else ffi.NULL, len(sites),
                               learns_callees)


def operand_kinds(code: types.CodeType, ninstrs: int) -> list[int]:
    """The operand kinds (native/operand_kinds.h bits) each instruction of the current
    program has seen; meaningful for the instructions that profile them only."""
    kinds = ffi.new("uint32_t[]", max(ninstrs, 1))
    count = lib.accel_operand_kinds(id(code), kinds, ninstrs)
    return list(kinds)[: max(min(count, ninstrs), 0)]


def operand_kind_bits() -> dict[str, int]:
    """accel_operand_kind's values, by the name after ACCEL_OPERANDS_."""
    return {name.removeprefix("ACCEL_OPERANDS_"): getattr(lib, name)
            for name in ("ACCEL_OPERANDS_FLOAT", "ACCEL_OPERANDS_INT", "ACCEL_OPERANDS_OTHER")}


def max_recompiles() -> int:
    """How many times code whose guard keeps failing is compiled again (native/accel.h)."""
    return lib.ACCEL_MAX_RECOMPILES


def inline_limits() -> tuple[int, int]:
    """Slots of the scratch frame an inlined call's body runs in, and the arguments an
    inlined call may pass (native/inline.h)."""
    return lib.ACCEL_INLINE_SLOTS, lib.ACCEL_INLINE_MAX_ARGS


def counters() -> dict:
    totals = ffi.new("accel_counters *")
    lib.accel_counters_get(totals)
    names = exit_reason_names()
    return {
        "native_entries": totals.native_entries,
        "native_calls": totals.native_calls,
        "native_calls_from_c": totals.native_calls_from_c,
        "generators_resumed_from_c": totals.generators_resumed_from_c,
        "generators_resumed_at_sites": totals.generators_resumed_at_sites,
        "sums_fused": totals.sums_fused,
        "items_summed": totals.items_summed,
        "all_any_fused": totals.all_any_fused,
        "items_tested": totals.items_tested,
        "generators_closed_quietly": totals.generators_closed_quietly,
        "builtins_computed": totals.builtins_computed,
        "attribute_misses": totals.attribute_misses,
        "global_misses": totals.global_misses,
        "inlined_calls": totals.inlined_calls,
        "operator_calls": totals.operator_calls,
        "site_c_calls": totals.site_c_calls,
        "loop_head_entries": totals.loop_head_entries,
        "on_stack_replacements": totals.on_stack_replacements,
        "back_edge_entries": totals.back_edge_entries,
        "resumption_entries": totals.resumption_entries,
        "exits": {names[i]: totals.exits[i] for i in range(len(names)) if names[i] and totals.exits[i]},
        "functions_compiled": totals.functions_compiled,
        "native_code_bytes": totals.native_bytes,
    }


def binary_op_function(oparg: int) -> int:
    return lib.accel_binary_op_function(oparg)


def private_layout_ok() -> bool:
    return bool(lib.accel_private_layout_ok())


def stencil_compiler() -> str:
    return ffi.string(lib.accel_stencil_compiler()).decode()


def set_summary(code: types.CodeType, summary: bytes) -> None:
    lib.accel_set_summary(id(code), id(summary))


def get_summary(code: types.CodeType) -> bytes | None:
    size = lib.accel_get_summary(id(code), ffi.NULL, 0)
    while size >= 0:
        buffer = ffi.new("char[]", max(size, 1))
        copied = lib.accel_get_summary(id(code), buffer, size)
        if copied == size:
            return ffi.buffer(buffer, size)[:]
        size = copied  # another thread's compile saved a new summary between the calls
    return None


def summarized_codes() -> list[types.CodeType]:
    """The code objects with a summary."""
    import ctypes  # only for reports: the compiler itself never needs it

    count = lib.accel_summarized_codes(ffi.NULL, 0)
    out = ffi.new("uintptr_t[]", max(count, 1))
    held = min(count, lib.accel_summarized_codes(out, count))  # references, dropped below
    try:
        return [ctypes.cast(out[i], ctypes.py_object).value for i in range(held)]
    finally:
        lib.accel_release_objects(out, held)
