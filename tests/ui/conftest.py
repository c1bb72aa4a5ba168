"""Fixtures for the window tests: a main window with a scripted or real engine, small documents,
and a guard that fails any test which leaves a thread, a pool job or a timer running."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QThread, QThreadPool, QTimer

from app.core.settings import Settings
from tests.ui.fakes import EngineFactory

UI_TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    # Qt warnings ("QObject: Cannot create children for a parent in a different thread"…) are
    # bugs; make them fail the window tests.
    for item in items:
        if Path(str(item.fspath)).resolve().parent == UI_TESTS:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            # The offscreen platform plugin's own limitation, not a bug of ours.
            item.add_marker(pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)"))


@pytest.fixture(autouse=True)
def no_leftover_threads_or_timers(monkeypatch):
    """Record every QThread, thread-pool job and QTimer a test starts; after the test none may
    still be running."""
    threads, pools, timers = [], [], []

    def recording(cls, method, into):
        original = getattr(cls, method)

        def record(self, *args, **kwargs):
            into.append(self)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(cls, method, record)

    recording(QThread, "start", threads)
    recording(QThreadPool, "start", pools)
    recording(QTimer, "start", timers)
    yield
    running_threads = [t for t in threads if shiboken6.isValid(t) and t.isRunning()]
    busy_pools = [p for p in pools if shiboken6.isValid(p) and p.activeThreadCount() > 0]
    active_timers = [t for t in timers if shiboken6.isValid(t) and t.isActive()]
    assert not running_threads, f"threads still running after the test: {running_threads}"
    assert not busy_pools, "thread-pool jobs still running after the test"
    assert not active_timers, f"timers still active after the test: {[t.parent() for t in active_timers]}"


@pytest.fixture
def engine_factory() -> EngineFactory:
    return EngineFactory()


@pytest.fixture
def make_window(qtbot):
    """Build main windows (several, for "restart" tests); each is closed, its threads joined,
    at the end of the test if the test did not close it."""
    from app.ui.main_window import MainWindow

    windows = []

    def make(settings: Settings | None = None, engine_factory=None) -> MainWindow:
        window = MainWindow(settings or Settings(), engine_factory=engine_factory or EngineFactory())
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        assert not window.model_service.running
        assert not window.tasks.busy


@pytest.fixture
def window(make_window, engine_factory):
    return make_window(engine_factory=engine_factory)


@pytest.fixture
def write_text(tmp_path):
    """Write a small text document and return its path."""
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


REPORT_TEXT = (
    "Quarterly report\n\n"
    "The annual budget was set at 48 million yen, approved by Director Akiyama.\n\n"
    "The new Fukuoka office opens on 14 April with room for 220 staff.\n\n"
    "Sales in Vietnam grew by 64 percent, led by the regional manager Nguyen Linh.\n"
)


def wait_until(qtbot, condition, timeout_ms: int = 10_000) -> float:
    """Wait for `condition()`, failing after `timeout_ms`; returns the seconds it took."""
    started = time.monotonic()
    qtbot.waitUntil(lambda: bool(condition()), timeout=timeout_ms)
    return time.monotonic() - started
