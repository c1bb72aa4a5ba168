"""A guard against a reference-count bug of PySide6 6.12.0 on CPython before 3.12.

Measured here (PySide6-Essentials 6.12.0, CPython 3.11): every PySide6 call that returns None
— `label.setText()`, `timer.start()`, `app.processEvents()`… — leaves `None` one reference
short, and every `signal.emit()` does the same to `True`. CPython 3.12 made these objects
immortal, which hides the bug; on 3.11 their counts run down as the window works and after
some thousands of calls CPython aborts with "Fatal Python error: none_dealloc: deallocating
None" (or bool_dealloc) — in the middle of a summary or at exit.

`install()` measures whether the running PySide6 loses references and, only then, gives
None, True and False a reserve of 2**40 references: the same thing CPython 3.12 does to make
them immortal. The singletons are never freed anyway, so the reserve costs nothing, and
a fixed PySide6 is left alone.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

_PROBE_CALLS = 64
_RESERVE = 1 << 40
_installed = False


class _Probe(QObject):
    fired = Signal()


def references_lost_per_call() -> dict[str, float]:
    """How many references of None (per void call) and True (per emit) PySide6 loses."""
    probe = _Probe()
    before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(_PROBE_CALLS):
        probe.setObjectName("probe")
        probe.fired.emit()
    after = sys.getrefcount(None), sys.getrefcount(True)
    return {"None": (before[0] - after[0]) / _PROBE_CALLS, "True": (before[1] - after[1]) / _PROBE_CALLS}


def _add_references(value: object, count: int) -> None:
    # CPython (before 3.12, not free-threaded) keeps ob_refcnt, a Py_ssize_t, at the start of
    # every object.
    ctypes.c_ssize_t.from_address(id(value)).value += count


def install() -> bool:
    """Protect None, True and False if this PySide6 needs it; True if it did."""
    global _installed
    if _installed:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # immortal singletons: nothing to protect
    lost = references_lost_per_call()
    if max(lost.values()) < 0.5:
        return False  # another thread may move a count a little; the bug loses one per call
    for value in (None, True, False):
        _add_references(value, _RESERVE)
    _installed = True
    log.info("this PySide6 loses references to None/True (%s); they are protected", lost)
    return True
