"""The process startup hook: accelerate this process when ACCEL=1 is in its environment.

accel.pth, installed into site-packages beside the package, runs at every interpreter startup

    import os; os.environ.get("ACCEL") == "1" and __import__("accel._startup")

so that with ACCEL unset it costs one dictionary look-up and imports nothing of accel.
`python -m accel` sets ACCEL=1, so child processes (subprocess.run([sys.executable, ...]),
multiprocessing's spawn and forkserver workers, pytest-xdist workers) are accelerated too, with
the same ACCEL_* settings; forked children inherit the running JIT directly.
"""
import os
import sys


def startup() -> None:
    if os.environ.get("ACCEL") != "1":
        return
    try:
        import accel

        accel.enable()
    except Exception as error:  # the program runs, unaccelerated; never fail interpreter startup
        print(f"accel: warning: running unaccelerated: {error}", file=sys.stderr)


startup()
