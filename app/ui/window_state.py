"""Window geometry and panel sizes, kept apart from the preferences in settings.json."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

from app.core import paths


def _store() -> QSettings:
    return QSettings(str(paths.config_dir() / "window.ini"), QSettings.Format.IniFormat)


def restore(window: QMainWindow, splitter: QSplitter) -> None:
    state = _store()
    geometry, sizes = state.value("geometry"), state.value("splitter")
    if geometry is not None:
        window.restoreGeometry(geometry)
    if sizes is not None:
        splitter.restoreState(sizes)


def save(window: QMainWindow, splitter: QSplitter) -> None:
    state = _store()
    state.setValue("geometry", window.saveGeometry())
    state.setValue("splitter", splitter.saveState())
    state.sync()
