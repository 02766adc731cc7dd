"""A guard against a reference-count fault of the installed PySide6 6.12 on Python 3.11: its
bindings drop one reference to None on every call of a void method (setText, processEvents, ...)
and to True/False on every signal emit, as if those objects were immortal — which they are only
from Python 3.12. A till makes more calls than None has references within minutes, and the
interpreter then aborts ("deallocating None"). Raising the three singletons' counts by 2**40 makes
them immortal in effect, as 3.12 does; nothing frees them anyway.
"""

from __future__ import annotations

import ctypes
import sys

_OFFSET = 1 << 40
_applied = False


def make_singletons_immortal() -> None:
    global _applied
    if _applied or sys.version_info >= (3, 12):
        return
    for obj in (None, True, False):
        # ob_refcnt is the first field of every PyObject (CPython), at the object's address.
        ctypes.c_ssize_t.from_address(id(obj)).value += _OFFSET
    _applied = True
