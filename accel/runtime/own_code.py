"""Where the code that runs while accel compiles lives, by filename prefix.

The compiler (accel/runtime/compiler.py) tells its own exceptions from the program's by it,
and native/audit.c the audit events the compiler raises from the program's."""
from __future__ import annotations

import collections
import dis
import enum
import functools
import opcode
import os
import types
import weakref

ACCEL_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
# accel's own code, by the path it was imported from and by its real path.
ACCEL_PREFIX = (ACCEL_DIR + os.sep, os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep)
# Accel, the standard modules it uses, and accel.datatype's methods (made by exec); an
# exception raised anywhere else came from the program's own code (a signal handler, a
# finalizer) and is the program's.
OWN_CODE = (ACCEL_DIR, "<string>",
            *(m.__file__ for m in (dis, opcode, enum, functools, types, weakref, collections)))
# ... and, for audit events, the import machinery: the first compile imports the compiler.
AUDIT_SILENT = (*OWN_CODE, "<frozen importlib.")
