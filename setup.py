"""Builds the native part (stencils + cffi module) where accel can accelerate.

Elsewhere the package installs without it, and `accel.enable()` says why it can't.
"""
import platform
import sys

from setuptools import setup

SUPPORTED = sys.platform == "linux" and platform.machine() == "x86_64" and sys.version_info[:2] == (3, 11)

setup(cffi_modules=["native/build.py:ffibuilder"] if SUPPORTED else [])
