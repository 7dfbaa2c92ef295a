"""Builds the native part (stencils + cffi module) where accel can accelerate.

Elsewhere the package installs without it, and `accel.enable()` says why it can't.

It also ships accel.pth, the process startup hook that accelerates child processes of
`python -m accel` (ACCEL=1 in their environment; inert without it), into site-packages.
A wheel installs `<name>.data/purelib/*` into site-packages, and both the regular wheel
(bdist_wheel) and the editable one (PEP 660, editable_wheel) install data_files into
`<name>.data/data/`: so "../purelib" puts accel.pth there for `pip install .` and
`pip install -e .` alike, and pip records it for uninstall.
"""
import platform
import sys

from setuptools import setup

SUPPORTED = sys.platform == "linux" and platform.machine() == "x86_64" and sys.version_info[:2] == (3, 11)

setup(
    cffi_modules=["native/build.py:ffibuilder"] if SUPPORTED else [],
    data_files=[("../purelib", ["accel.pth"])],
)
