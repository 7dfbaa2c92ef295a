"""Differential tests: coroutine and async-generator bodies run natively, made by
RETURN_GENERATOR and resumed at each await and yield (native/hook.c,
native/generators.c, stencils/coroutines.c, RETURN_GENERATOR, SEND and YIELD_VALUE in
stencils/control.c); the interpreter runs throw()."""
from differential import assert_native, compare

COROUTINES = """
import asyncio
import sys
import traceback
import types

async def leaf(x):
    await asyncio.sleep(0)
    return x * 2

async def middle(n):
    total = 0
    for i in range(n):
        total += await leaf(i)
    return total

async def countdown(n):
    while n:
        await asyncio.sleep(0)
        yield n
        n -= 1

async def consume(n):
    out = []
    async for v in countdown(n):
        out.append(v)
    return out

async def comprehensions():
    return ([x async for x in countdown(4)], {x: -x async for x in countdown(3) if x != 2},
            [await leaf(i) for i in range(3)], [y async for y in countdown(2) async for _ in countdown(y)])

@types.coroutine
def old_style(n):
    got = yield n
    return got

class Awaitable:
    def __await__(self):
        value = yield "from __await__"
        return value

async def awaits_others():
    a = await old_style(5)
    b = await Awaitable()
    return a, b

async def fails(n):
    await asyncio.sleep(0)
    raise ValueError(f"failed with {n}")

async def catches():
    try:
        await fails(1)
    except ValueError as error:
        print("caught", error)
    results = await asyncio.gather(fails(2), leaf(3), return_exceptions=True)
    print([repr(r) for r in results])

async def sleeper():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("cancelled inside")
        raise

async def cancels():
    task = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("cancelled outside", task.cancelled())

async def main():
    print(await middle(10))
    print(await asyncio.gather(middle(3), middle(4), leaf(7)))
    print(await consume(5))
    print(await comprehensions())
    await catches()
    await cancels()
    try:
        await fails(3)
    except ValueError:
        traceback.print_exc(file=sys.stdout)

def drive():
    c = awaits_others()
    print(c.send(None), c.send("sent"))
    try:
        c.send("result")
    except StopIteration as stop:
        print("returned", stop.value)

for _ in range(3):
    asyncio.run(main())
    drive()
"""


def test_coroutines_run_natively(tmp_path):
    names = ["leaf", "middle", "countdown", "consume", "comprehensions", "awaits_others", "catches", "main"]
    run = compare(COROUTINES, tmp_path, functions=names)
    assert "caught failed with 1" in run.stdout and "Traceback" in run.stdout and "cancelled outside True" in run.stdout
    assert_native(run, *names, min_entries=3)
    assert "coroutine: compiled with 2 resume points" in run.function("leaf")["text"]
    assert "async generator: compiled with 3 resume points" in run.function("countdown")["text"]
    for name in ("leaf", "middle", "countdown", "consume", "awaits_others"):
        assert run.function(name)["exits"] == 0, (name, run.function(name))
    specialized = run.function("consume")["specialized"]
    assert {"GET_AITER", "GET_ANEXT", "SEND", "YIELD_VALUE", "END_ASYNC_FOR"} <= set(specialized), specialized
    assert "GET_AWAITABLE" in run.function("middle")["specialized"]
    assert "ASYNC_GEN_WRAP" in run.function("countdown")["specialized"]


def test_async_with_and_async_generator_methods(tmp_path):
    run = compare("""
import asyncio

class Manager:
    def __init__(self, name, swallow=False):
        self.name, self.swallow = name, swallow

    async def __aenter__(self):
        await asyncio.sleep(0)
        print("enter", self.name)
        return self

    async def __aexit__(self, kind, value, tb):
        await asyncio.sleep(0)
        print("exit", self.name, kind.__name__ if kind else None)
        return self.swallow

async def managed():
    async with Manager("a") as a, Manager("b") as b:
        print("inside", a.name, b.name)
    async with Manager("c", swallow=True):
        raise KeyError("swallowed")
    try:
        async with Manager("d"):
            raise KeyError("escapes")
    except KeyError as error:
        print("caught", error)
    return "done"

async def numbers():
    try:
        got = yield 1
        print("got", got)
        yield 2
        yield 3
    except KeyError as error:
        print("numbers caught", error)
        yield "after throw"
    finally:
        print("numbers finally")

async def methods():
    g = numbers()
    print(await g.__anext__(), await g.asend("hello"))
    await g.aclose()
    g = numbers()
    print(await g.__anext__())
    print(await g.athrow(KeyError("thrown")))
    try:
        await g.__anext__()
    except StopAsyncIteration:
        print("exhausted")
    g = numbers()
    print(await g.__anext__())
    try:
        await g.athrow(ValueError("not caught"))
    except ValueError as error:
        print("propagated", error)

async def main():
    print(await managed())
    await methods()

for _ in range(3):
    asyncio.run(main())
""", tmp_path, functions=["managed", "numbers", "methods", "Manager.__aenter__", "Manager.__aexit__"])
    assert "numbers caught 'thrown'" in run.stdout and "propagated not caught" in run.stdout
    assert_native(run, "managed", "numbers", "methods", "Manager.__aenter__", "Manager.__aexit__", min_entries=3)
    assert "BEFORE_ASYNC_WITH" in run.function("managed")["specialized"]


def test_errors_have_stock_messages(tmp_path):
    run = compare("""
import asyncio
import sys
import traceback

class NoAwait:
    pass

class EnterReturnsPlain:
    async def __aexit__(self, *exc):
        return False
    def __aenter__(self):
        return 42

class ExitReturnsPlain:
    async def __aenter__(self):
        return self
    def __aexit__(self, *exc):
        return 7

class OnlyEnter:
    async def __aenter__(self):
        return self

class AwaitReturnsCoroutine:
    def __await__(self):
        return waited()

class AwaitReturnsList:
    def __await__(self):
        return [1]

class BadAnext:
    def __aiter__(self):
        return self
    def __anext__(self):
        return 5

class NoAnext:
    def __aiter__(self):
        return 1

class Fails:
    def __aiter__(self):
        return self
    async def __anext__(self):
        raise OSError("anext failed")

async def waited():
    return 1

async def await_int():
    await 5

async def await_object():
    return await NoAwait()

async def enter_plain():
    async with EnterReturnsPlain():
        pass

async def exit_plain():
    async with ExitReturnsPlain():
        pass

async def only_enter():
    async with OnlyEnter():
        pass

async def not_a_manager():
    async with 3:
        pass

async def await_returns_coroutine():
    await AwaitReturnsCoroutine()

async def await_returns_list():
    await AwaitReturnsList()

async def bad_anext():
    async for _ in BadAnext():
        pass

async def no_anext():
    async for _ in NoAnext():
        pass

async def no_aiter():
    async for _ in 3:
        pass

async def anext_fails():
    async for _ in Fails():
        pass

async def awaits(c):
    return await c

async def awaited_twice():
    inner = asyncio.sleep(0)
    outer = awaits(inner)
    outer.send(None)
    try:
        await inner
    finally:
        outer.close()

CASES = [await_int, await_object, enter_plain, exit_plain, only_enter, not_a_manager,
         await_returns_coroutine, await_returns_list, bad_anext, no_anext, no_aiter, anext_fails,
         awaited_twice]

async def main():
    for case in CASES:
        try:
            await case()
        except Exception as error:
            print(case.__name__, type(error).__name__, error, repr(error.__cause__))
            traceback.print_exc(file=sys.stdout)

for _ in range(2):
    asyncio.run(main())
""", tmp_path, functions=["await_int", "enter_plain", "bad_anext", "anext_fails", "awaited_twice"])
    assert "object int can't be used in 'await' expression" in run.stdout
    assert "coroutine is being awaited already" in run.stdout
    assert "'async for' received an invalid object from __anext__: int" in run.stdout
    assert "received an object from __aenter__ that does not implement __await__: int" in run.stdout
    assert_native(run, "await_int", "enter_plain", "bad_anext", "anext_fails", "awaited_twice")
    # END_ASYNC_FOR hands an exception other than StopAsyncIteration to the interpreter.
    assert run.function("anext_fails")["site_exits"].get("RAISE", 0) >= 1, run.function("anext_fails")
