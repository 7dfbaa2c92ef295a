"""Builds the native part (stencils + cffi module) where accel can accelerate.

Elsewhere the package installs without it, and `accel.enable()` says why it can't.

It also ships accel.pth into site-packages: the process startup hook that accelerates the
child processes of `python -m accel` (ACCEL=1 in their environment; inert without it).
- `pip install .`: a wheel installs `<name>.data/purelib/*` into site-packages, and bdist_wheel
  installs data_files into `<name>.data/data/`, so "../purelib" lands accel.pth there (and in
  the wheel's RECORD, so `pip uninstall` removes it).
- `pip install -e .` (PEP 660): setuptools' editable_wheel never installs data_files (as of
  setuptools 84 it looks for `has_data`, which distributions don't have), so EditableWheel adds
  accel.pth to the root of the editable wheel it built, with its RECORD row.
"""
import base64
import hashlib
import platform
import sys
import zipfile
from pathlib import Path

from setuptools import setup
from setuptools.command.editable_wheel import editable_wheel

SUPPORTED = sys.platform == "linux" and platform.machine() == "x86_64" and sys.version_info[:2] == (3, 11)
PTH = "accel.pth"


class EditableWheel(editable_wheel):
    def run(self):
        super().run()
        for wheel in Path(self.dist_dir).glob("*.editable-*.whl"):
            add_to_wheel(wheel, PTH, (Path(__file__).resolve().parent / PTH).read_bytes())


def add_to_wheel(wheel: Path, name: str, data: bytes) -> None:
    """Add a file at the root of a wheel (site-packages once installed) unless it is there."""
    with zipfile.ZipFile(wheel) as old:
        entries = [(info, old.read(info)) for info in old.infolist()]
    if any(info.filename.split("/")[-1] == name for info, _ in entries):
        return
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as new:
        new.writestr(name, data)
        for info, content in entries:
            if info.filename.endswith(".dist-info/RECORD"):
                content = content.rstrip(b"\n") + f"\n{name},sha256={digest},{len(data)}\n".encode()
            new.writestr(info, content)


setup(
    cffi_modules=["native/build.py:ffibuilder"] if SUPPORTED else [],
    data_files=[("../purelib", [PTH])],
    cmdclass={"editable_wheel": EditableWheel},
)
