"""Start-up, settings changes and shutdown: threads are joined, nothing is left half-done."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QApplication, QMessageBox

from app.core import paths
from app.core.library import Library
from app.core.settings import Settings
from app.ui import application
from app.ui.document_entry import DONE, SUMMARIZING
from tests.ui.conftest import REPORT_TEXT, wait_until
from tests.ui.fakes import EngineFactory


def test_closing_the_window_during_a_summary_cancels_it_and_joins_the_thread(make_window, write_text, qtbot):
    factory = EngineFactory(delay=0.2)
    window = make_window(engine_factory=factory)
    entry = window.controller.entry(window.open_paths([write_text("r.txt", REPORT_TEXT)])[0])
    wait_until(qtbot, lambda: entry.status == SUMMARIZING and entry.summary)

    started = time.monotonic()
    window.close()

    assert time.monotonic() - started < 1.0
    assert not window.model_service.running
    assert factory.engine.closed  # closed on its own thread before the thread ended
    assert not factory.engine.streaming.is_set()
    library = Library()
    assert library.document(entry.sha256) is not None
    assert library.find_summary(entry.sha256) is None  # no half summary was stored


def test_applying_new_settings_reloads_the_model_on_the_worker(window, engine_factory, qtbot, starter_model_path):
    wait_until(qtbot, lambda: window.model_service.model is not None)
    first_engine = engine_factory.engine
    assert "Scripted model" in window.status_bar.model_label.text()
    changed = Settings()
    changed.models.active_model = str(starter_model_path)
    changed.inference.n_ctx = 2048

    window.apply_settings(changed)

    wait_until(qtbot, lambda: len(engine_factory.engines) == 2 and window.model_service.model is not None)
    assert first_engine.closed
    assert engine_factory.settings_seen[-1].models.active_model == str(starter_model_path)
    assert window.controller.settings is changed


def test_a_model_that_cannot_load_is_reported_and_documents_show_why(make_window, write_text, qtbot):
    from app.core.errors import ModelNotFoundError

    def no_model(_settings):
        raise ModelNotFoundError("No model is installed. Download one in Settings → Models.")

    window = make_window(engine_factory=no_model)
    entry = window.controller.entry(window.open_paths([write_text("r.txt", REPORT_TEXT)])[0])
    wait_until(qtbot, lambda: entry.status == "error")
    assert entry.error == "No model is installed. Download one in Settings → Models."
    assert window.status_bar.model_label.text() == "No model loaded"
    assert "No model is installed" in window.status_bar.model_label.toolTip()


def test_start_up_opens_command_line_files_and_reports_a_corrupt_settings_file(qtbot, write_text):
    settings_file = paths.config_dir() / "settings.json"
    settings_file.write_text("{ not json", encoding="utf-8")
    path = write_text("from-the-command-line.txt", REPORT_TEXT)
    factory = EngineFactory()

    app, window = application.build_main_window([str(path)], engine_factory=factory)
    qtbot.addWidget(window)
    try:
        assert app is QApplication.instance()
        assert app.applicationName() == "Matome" and not app.windowIcon().isNull()
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        assert len(boxes) == 1 and "settings file could not be read" in boxes[0].text()
        boxes[0].close()
        entries = window.controller.entries()
        assert [entry.name for entry in entries] == ["from-the-command-line.txt"]
        wait_until(qtbot, lambda: entries[0].status == DONE)
    finally:
        window.close()
    assert not window.model_service.running


def test_translations_load_when_present_and_are_optional(qtbot, tmp_path, monkeypatch):
    app = QApplication.instance()
    monkeypatch.setattr(application, "translations_dir", lambda: tmp_path)
    try:
        # No Matome .qm for English, and English needs none: nothing to load, nothing breaks.
        assert not [name for name in application.install_translations(app, "en") if name.startswith("matome")]
        # Japanese without Matome's .qm still gets Qt's own dialog strings when Qt ships them.
        loaded = application.install_translations(app, "ja")
        assert not any(name.startswith("matome") for name in loaded)
        assert application.interface_locale("ja").name() == "ja_JP"
    finally:
        application.install_translations(app, "en")


def test_a_missing_xcb_library_is_named_with_the_package_to_install(monkeypatch):
    monkeypatch.setattr(application.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(application.ctypes.util, "find_library",
                        lambda name: None if name == "xcb-cursor" else f"lib{name}.so")
    problem = application.display_problem()
    assert problem is not None and "sudo apt-get install -y libxcb-cursor0 fonts-noto-cjk" in problem
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert application.display_problem() is None


def test_the_window_state_survives_a_restart(make_window):
    first = make_window()
    first.resize(1100, 520)
    default_sizes = first.splitter.sizes()
    first.splitter.setSizes([420, 662, 0])  # the Q&A panel folded away
    size, sizes = first.size(), first.splitter.sizes()
    assert size.height() == 520
    first.close()
    assert (paths.config_dir() / "window.ini").is_file()
    second = make_window()
    # (The offscreen screen is narrower than the window, so only the height can be compared.)
    assert second.height() == size.height()
    assert default_sizes[2] > 0 and sizes[2] == 0
    assert second.splitter.sizes()[2] == 0


def test_a_file_the_system_asks_to_open_opens_in_the_running_window(qtbot, write_text):
    # macOS's Finder and Dock hand documents to a running app as FileOpen events.
    from PySide6.QtGui import QFileOpenEvent

    path = write_text("from-finder.txt", REPORT_TEXT)
    app, window = application.build_main_window([], engine_factory=EngineFactory())
    qtbot.addWidget(window)
    try:
        QApplication.sendEvent(app, QFileOpenEvent(str(path)))
        entries = window.controller.entries()
        assert [entry.name for entry in entries] == ["from-finder.txt"]
        wait_until(qtbot, lambda: entries[0].status == DONE)
    finally:
        window.close()
