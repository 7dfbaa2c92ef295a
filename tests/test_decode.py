"""The front end's decoder (straight from co_code) against the `bytecode` library and dis."""
from __future__ import annotations

import dis
import importlib
import opcode
import types

import pytest
from bytecode import ConcreteBytecode

from accel.frontend.decode import decode, stack_depths

MODULES = ["argparse", "asyncio.base_events", "collections", "dataclasses", "difflib", "email.message",
           "enum", "inspect", "json.decoder", "pathlib", "re._parser", "typing", "unittest.case"]

# Code the stdlib rarely has: a jump long enough for EXTENDED_ARG, nested handlers, with-blocks.
UNUSUAL = """
def long_jumps(x):
    while x:
""" + "".join(f"        x = x + {i}\n" for i in range(300)) + """
    return x

def handlers(path):
    try:
        with open(path) as f:
            try:
                return f.read()
            except* ValueError:
                raise
            finally:
                print("done")
    except (OSError, KeyError) as error:
        return error
"""


def code_objects(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from code_objects(const)


def corpus() -> list[types.CodeType]:
    codes = list(code_objects(compile(UNUSUAL, "<unusual>", "exec")))
    for name in MODULES:
        module = importlib.import_module(name)
        with open(module.__file__, encoding="utf-8") as source:
            codes += code_objects(compile(source.read(), module.__file__, "exec"))
    return codes


def reference(code: types.CodeType):
    """Instructions and exception table as the `bytecode` library reads them."""
    concrete = ConcreteBytecode.from_code(code)
    instructions = []
    unit = 0
    for instr in concrete:
        if instr.name == "CACHE":
            continue
        op_unit = unit + instr.size // 2 - 1
        after = op_unit + 1 + opcode._inline_cache_entries[instr.opcode]
        arg = instr.arg if instr.opcode >= opcode.HAVE_ARGUMENT else 0
        target = None
        if instr.opcode in opcode.hasjrel:
            target = after - arg if "BACKWARD" in instr.name else after + arg
        instructions.append((instr.name, instr.opcode, arg, unit, op_unit, after, target))
        unit = after
    handlers = [(e.start_offset, e.stop_offset + 1, e.target, e.stack_depth, e.push_lasti)
                for e in concrete.exception_table]
    return instructions, handlers


CODES = corpus()


def test_the_corpus_has_what_the_decoder_must_handle():
    names = {instr.name for code in CODES for instr in decode(code).instructions}
    assert len(CODES) > 1500
    assert {"EXTENDED_ARG", "CACHE"}.isdisjoint(names)  # folded and skipped
    assert any(code.co_exceptiontable for code in CODES)
    assert any(opcode.EXTENDED_ARG in code.co_code[::2] for code in CODES)


@pytest.mark.parametrize("chunk", range(4))
def test_decode_matches_the_bytecode_library(chunk):
    for code in CODES[chunk::4]:
        decoded = decode(code)
        instructions, handlers = reference(code)
        assert [(i.name, i.opcode, i.arg, i.start, i.unit, i.next, i.target)
                for i in decoded.instructions] == instructions, code
        assert [(h.start, h.end, h.target, h.depth, h.lasti) for h in decoded.handlers] == handlers, code
        assert decoded.index == {i.start: n for n, i in enumerate(decoded.instructions)}
        assert decoded.jump_targets == {i.target for i in decoded.instructions if i.target is not None}


def test_opcode_units_are_where_dis_puts_them():
    for code in CODES[::7]:
        shown = {i.offset // 2: i for i in dis.get_instructions(code)}
        for instr in decode(code).instructions:
            assert shown[instr.unit].opname == instr.name
            if instr.opcode >= opcode.HAVE_ARGUMENT:
                assert shown[instr.unit].arg == instr.arg


def test_stack_depths_follow_the_exception_table():
    code = next(c for c in CODES if c.co_name == "handlers")
    decoded = decode(code)
    depths = stack_depths(decoded)
    assert depths[decoded.instructions[0].start] == 0
    for handler in decoded.handlers:
        assert depths[handler.target] == handler.depth + handler.lasti + 1
    # dis.stack_effect agrees along every fall-through edge it reaches
    for instr, following in zip(decoded.instructions, decoded.instructions[1:]):
        if instr.start in depths and following.start in depths and instr.falls_through and instr.target is None:
            effect = dis.stack_effect(instr.opcode, instr.stack_arg, jump=False)
            assert depths[following.start] == depths[instr.start] + effect
