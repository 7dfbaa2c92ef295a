"""The process startup hook: accelerate this process when ACCEL=1 is in its environment.

accel.pth, which `pip install` puts into site-packages, runs at every interpreter startup

    import os; os.environ.get("ACCEL") == "1" and __import__("accel._startup")

so that with ACCEL unset it costs one dictionary look-up and imports nothing of accel.
`python -m accel` sets ACCEL=1, so its child processes (subprocess.run([sys.executable, ...]),
multiprocessing's spawn and forkserver workers, pytest-xdist workers) are accelerated too, with
the same ACCEL_* settings; forked children inherit the running JIT directly.

accel starts once site has processed every .pth file, just before it imports sitecustomize:
- site processes .pth files directory by directory while it builds sys.path, and accel's
  dependencies may live in a directory that comes later (accel in a venv or the user site,
  cffi in the system's site-packages);
- the .pth files after this one are interpreter start-up, not the program: setuptools'
  distutils-precedence.pth, for one, imports a module whose body has a loop, which accel
  would compile on its first call (loading the compiler to do so) in every process.
"""
import os
import sys


def startup() -> None:
    if os.environ.get("ACCEL") != "1":
        return
    site = sys.modules.get("site")
    if site is not None and _in_site_main(site):
        run_sitecustomize = site.execsitecustomize

        def enable_then_sitecustomize() -> None:
            site.execsitecustomize = run_sitecustomize
            enable()
            run_sitecustomize()

        site.execsitecustomize = enable_then_sitecustomize
        return
    enable()  # not at start-up: a .pth file processed later (site.addsitedir()), or imported directly


def _in_site_main(site) -> bool:
    """Whether site.main() is running (processing .pth files at start-up): then it imports
    sitecustomize next."""
    main = getattr(getattr(site, "main", None), "__code__", None)
    frame = sys._getframe()
    while frame is not None and frame.f_code is not main:
        frame = frame.f_back
    return frame is not None


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
