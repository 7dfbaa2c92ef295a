"""The struct layout stencils rely on, checked against the compiler that builds native/.

Stencils are compiled by the stencil clang (musl target), native/ by the host compiler.
Each expression is evaluated by the first, and the generated table asserts (with
_Static_assert, compiled by the second) that the host sees the same value.
"""
from __future__ import annotations

import struct
from pathlib import Path

from elftools.elf.elffile import ELFFile

from . import toolchain

EXPRESSIONS = [
    "sizeof(_PyInterpreterFrame)",
    "offsetof(_PyInterpreterFrame, f_globals)",
    "offsetof(_PyInterpreterFrame, f_builtins)",
    "offsetof(_PyInterpreterFrame, f_code)",
    "offsetof(_PyInterpreterFrame, prev_instr)",
    "offsetof(_PyInterpreterFrame, stacktop)",
    "offsetof(_PyInterpreterFrame, localsplus)",
    "offsetof(PyThreadState, interp)",
    "offsetof(PyThreadState, cframe)",
    "offsetof(PyInterpreterState, ceval.eval_breaker)",
    "offsetof(PyInterpreterState, gc.enabled)",
    "offsetof(PyInterpreterState, gc.generations)",
    "offsetof(PyCodeObject, co_code_adaptive)",
    "offsetof(PyTypeObject, tp_iternext)",
    "offsetof(PyFloatObject, ob_fval)",
    "offsetof(PyLongObject, ob_digit)",
    "offsetof(PyListObject, ob_item)",
    "offsetof(PyTupleObject, ob_item)",
    "offsetof(PyMethodObject, im_self)",
    "offsetof(PyMethodObject, im_func)",
    "sizeof(digit)",
    "offsetof(PyDictObject, ma_version_tag)",
    "offsetof(PyTypeObject, tp_version_tag)",
    "offsetof(PyTypeObject, tp_flags)",
    "offsetof(PyHeapTypeObject, ht_cached_keys)",
    "offsetof(PyDictKeysObject, dk_nentries)",
    "offsetof(PyDictValues, values)",
    "sizeof(accel_cache)",
    "sizeof(accel_attr_way)",
    "offsetof(accel_attr_way, value)",
    "offsetof(accel_cache, misses)",
    "offsetof(PyModuleObject, md_dict)",
    "offsetof(_PyInterpreterFrame, f_func)",
    "offsetof(_PyInterpreterFrame, f_locals)",
    "offsetof(_PyCFrame, use_tracing)",
    "offsetof(PyInterpreterState, import_func)",
    "offsetof(PyCodeObject, co_nlocals)",
    "offsetof(PyCodeObject, co_nplaincellvars)",
    "offsetof(PyCodeObject, co_localsplusnames)",
    "offsetof(PyFunctionObject, func_closure)",
    "offsetof(PyGenObject, gi_frame_state)",
    "offsetof(PyGenObject, gi_iframe)",
    "offsetof(PyInterpreterState, eval_frame)",
    "offsetof(PyThreadState, recursion_remaining)",
    "offsetof(PyThreadState, datastack_top)",
    "offsetof(PyThreadState, datastack_limit)",
    "offsetof(_PyCFrame, current_frame)",
    "offsetof(PyFunctionObject, func_defaults)",
    "sizeof(accel_call_shape)",
    "offsetof(accel_code, recompile_requested)",
    "offsetof(accel_code, profile_until)",
    "offsetof(accel_code, native)",
    "offsetof(accel_native, start)",
    "(size_t)((char *)&_Py_ID(__import__) - (char *)&_PyRuntime)",
    "(size_t)((char *)&_Py_ID(__build_class__) - (char *)&_PyRuntime)",
    "(size_t)((char *)&_Py_ID(__init__) - (char *)&_PyRuntime)",
    "offsetof(PyTypeObject, tp_new)",
    "offsetof(PyTypeObject, tp_init)",
]


def probe(workdir: Path) -> dict[str, int]:
    """Evaluate EXPRESSIONS with the stencil compiler."""
    source = workdir / "layout_probe.c"
    values = ",\n    ".join(f"(unsigned long)({e})" for e in EXPRESSIONS)
    source.write_text(f'#include "stencil.h"\nconst unsigned long accel_layout[] = {{\n    {values}\n}};\n')
    obj = workdir / "layout_probe.o"
    toolchain.compile_object(source, obj)
    with obj.open("rb") as file:
        elf = ELFFile(file)
        symbol = elf.get_section_by_name(".symtab").get_symbol_by_name("accel_layout")[0]
        data = elf.get_section(symbol["st_shndx"]).data()[symbol["st_value"]:][: 8 * len(EXPRESSIONS)]
    return dict(zip(EXPRESSIONS, struct.unpack(f"<{len(EXPRESSIONS)}Q", data)))
