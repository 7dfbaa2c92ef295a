"""The process startup hook: accelerate this process when ACCEL=1 is in its environment.

accel.pth, which `pip install` puts into site-packages, runs at every interpreter startup

    import os; os.environ.get("ACCEL") == "1" and __import__("accel._startup")

so that with ACCEL unset it costs one dictionary look-up and imports nothing of accel.
`python -m accel` sets ACCEL=1, so its child processes (subprocess.run([sys.executable, ...]),
multiprocessing's spawn and forkserver workers, pytest-xdist workers) are accelerated too, with
the same ACCEL_* settings; forked children inherit the running JIT directly.

site processes .pth files directory by directory while it builds sys.path: accel's
dependencies may live in a directory that comes later (accel in a venv or the user site,
cffi and bytecode in the system's site-packages).  Then accel starts once site has added
them all, just before it imports sitecustomize.
"""
import importlib.util
import os
import sys

DEPENDENCIES = ("bytecode", "_cffi_backend")


def startup() -> None:
    if os.environ.get("ACCEL") != "1":
        return
    site = sys.modules.get("site")
    if site is not None and not all(importlib.util.find_spec(name) for name in DEPENDENCIES):
        run_sitecustomize = site.execsitecustomize

        def enable_then_sitecustomize() -> None:
            site.execsitecustomize = run_sitecustomize
            enable()
            run_sitecustomize()

        site.execsitecustomize = enable_then_sitecustomize
        return
    enable()


def enable() -> None:
    try:
        import accel
        from accel.runtime import native

        if not native.in_main_interpreter():
            return  # a subinterpreter (its site imports this too): the main one is accelerated
        accel.enable()
    except Exception as error:  # the program runs, unaccelerated; never fail interpreter startup
        print(f"accel: warning: running unaccelerated: {error}", file=sys.stderr)


startup()
