"""The settings store and the Settings dialog: OK checks every page before saving any, saves
atomically, announces what changed; Reset; a corrupt settings file; the window hooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QWidget

from app.core import settings as core_settings
from app.core.models.hardware import GIB, Hardware
from app.core.settings import InferenceSettings, Settings
from app.ui.model_manager_bridge import ModelManagerBridge
from app.ui.settings_dialog import SettingsDialog, SettingsHooks
from app.ui.settings_store import SettingsError, SettingsStore

LAPTOP = Hardware(total_ram_bytes=8 * GIB, available_ram_bytes=6 * GIB, physical_cores=4, logical_cores=8)


@pytest.fixture
def store():
    return SettingsStore.load()


@pytest.fixture
def widgets():
    """Top-level widgets a test makes, kept until the bridge's threads have stopped: PySide can
    crash when a pool thread collects garbage while the main thread tears down a widget tree."""
    kept = []
    yield kept
    for widget in kept:
        widget.close()
    kept.clear()


@pytest.fixture
def bridge(store, widgets):
    bridge = ModelManagerBridge(store)
    yield bridge
    assert bridge.shutdown(10_000)


@pytest.fixture
def make_dialog(qtbot, store, bridge, widgets):
    def make(settings_store: SettingsStore = store) -> SettingsDialog:
        dialog = SettingsDialog(settings_store, bridge, hardware=LAPTOP)
        qtbot.addWidget(dialog)
        widgets.append(dialog)
        return dialog

    return make


@pytest.fixture
def open_dialog(make_dialog):
    def make() -> SettingsDialog:
        dialog = make_dialog()
        dialog.show()
        return dialog

    return make


def saved_json() -> dict:
    return json.loads(core_settings.settings_path().read_text(encoding="utf-8"))


def press_ok(dialog: SettingsDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


# ----- the store ---------------------------------------------------------------------------------

def test_store_saves_atomically_and_announces_the_changed_sections(qtbot, store):
    new = store.settings
    new.inference.temperature = 0.7
    new.summary.length = "long"
    with qtbot.waitSignal(store.changed, timeout=1000) as changed:
        assert store.apply(new) == {"inference", "summary"}
    assert changed.args == [frozenset({"inference", "summary"})]
    assert saved_json()["inference"]["temperature"] == 0.7
    assert store.settings.summary.length == "long"
    # Written through a temporary file renamed into place: nothing is left beside it.
    assert sorted(p.name for p in core_settings.settings_path().parent.iterdir()) == ["settings.json"]
    with qtbot.assertNotEmitted(store.changed):
        assert store.apply(store.settings) == frozenset()


def test_store_refuses_invalid_settings_and_a_failed_write_changes_nothing(qtbot, store, monkeypatch):
    first = store.settings
    first.inference.n_threads = 3
    store.apply(first)
    before = core_settings.settings_path().read_bytes()

    invalid = store.settings
    invalid.inference.temperature = 9.0
    with qtbot.assertNotEmitted(store.changed), pytest.raises(SettingsError, match="Temperature"):
        store.apply(invalid)

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    valid = store.settings
    valid.inference.n_threads = 5
    with qtbot.assertNotEmitted(store.changed), pytest.raises(SettingsError, match="No space left.*Nothing was changed"):
        store.apply(valid)
    assert core_settings.settings_path().read_bytes() == before
    assert store.settings.inference.n_threads == 3
    assert [p.name for p in core_settings.settings_path().parent.iterdir()] == ["settings.json"]


def test_corrupt_settings_file_gives_defaults_and_the_user_is_told_once(qtbot, make_dialog):
    path = core_settings.settings_path()
    path.write_text("{ this is not JSON", encoding="utf-8")
    store = SettingsStore.load()
    assert store.settings == Settings()
    assert store.has_problem
    assert list(path.parent.glob("settings.json.corrupt-*")), "the damaged file is kept aside"

    # Whoever shows it first takes it: here the Settings dialog, in its banner.
    first = make_dialog(store)
    assert not first.banner.isHidden() and "could not be read" in first.banner.text()
    second = make_dialog(store)
    assert second.banner.isHidden()
    assert store.take_problem() is None


# ----- the dialog ---------------------------------------------------------------------------------

def test_ok_with_an_invalid_value_shows_the_problem_and_saves_nothing(qtbot, store, open_dialog):
    dialog = open_dialog()
    dialog.summary_page.length_combo.setCurrentIndex(dialog.summary_page.length_combo.findData("long"))
    dialog.inference_page.temperature_spin.setValue(0.8)
    dialog.inference_page.context_spin.setValue(100)  # below the 512-token minimum
    dialog.show_page(dialog.general_page)

    with qtbot.assertNotEmitted(store.changed):
        press_ok(dialog)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.current_page() is dialog.inference_page  # taken to the problem
    [problem] = dialog.inference_page.problems_shown()
    assert "Context size" in problem and "512" in problem
    assert dialog.summary_page.problems_shown() == []
    assert not dialog.banner.isHidden()
    assert not core_settings.settings_path().exists()  # not even the valid summary change
    assert store.settings == Settings()

    dialog.inference_page.context_spin.setValue(4096)
    with qtbot.waitSignal(store.changed, timeout=1000) as changed:
        press_ok(dialog)
    assert changed.args == [frozenset({"inference", "summary"})]
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    saved = saved_json()
    assert (saved["inference"]["n_ctx"], saved["inference"]["temperature"], saved["summary"]["length"]) == (
        4096, 0.8, "long")


def test_an_unusable_library_folder_is_refused(qtbot, store, open_dialog, tmp_path):
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("x")
    dialog = open_dialog()
    dialog.general_page.library_edit.setText(str(not_a_folder))
    press_ok(dialog)
    assert dialog.current_page() is dialog.general_page
    assert "is a file, not a folder" in dialog.general_page.problems_shown()[0]
    assert not core_settings.settings_path().exists()


def test_valid_changes_on_every_page_are_saved_together(qtbot, store, open_dialog, tmp_path):
    dialog = open_dialog()
    dialog.general_page.language_combo.setCurrentIndex(dialog.general_page.language_combo.findData("ja"))
    dialog.general_page.library_edit.setText(str(tmp_path / "history"))
    dialog.inference_page.threads_spin.setValue(2)
    dialog.summary_page.format_combo.setCurrentIndex(dialog.summary_page.format_combo.findData("paragraph"))
    dialog.summary_page.focus_edit.setText("deadlines")
    with qtbot.waitSignal(store.changed, timeout=1000) as changed:
        press_ok(dialog)
    assert changed.args == [frozenset({"ui", "inference", "summary"})]
    saved = core_settings.load()
    assert saved.problem is None
    assert (saved.settings.ui.language, saved.settings.ui.library_dir) == ("ja", str(tmp_path / "history"))
    assert (saved.settings.inference.n_threads, saved.settings.summary.format, saved.settings.summary.focus) == (
        2, "paragraph", "deadlines")
    assert saved.settings == store.settings


def test_reset_restores_the_inference_defaults(qtbot, store, open_dialog):
    custom = store.settings
    custom.inference = InferenceSettings(n_ctx=2048, n_threads=3, n_batch=128, n_gpu_layers=-1, temperature=1.1,
                                         top_p=0.5, repeat_penalty=1.5, seed=7)
    store.apply(custom)
    dialog = open_dialog()
    page = dialog.inference_page
    assert (page.context_spin.value(), page.temperature_spin.value()) == (2048, 1.1)
    page.reset_button.click()
    assert (page.context_spin.value(), page.threads_spin.value(), page.gpu_layers_spin.value(),
            page.temperature_spin.value()) == (0, 0, 0, 0.2)
    assert page.context_spin.text() == "Automatic (the model's own)"
    with qtbot.waitSignal(store.changed, timeout=1000) as changed:
        press_ok(dialog)
    assert changed.args == [frozenset({"inference"})]
    assert store.settings.inference == InferenceSettings()
    assert core_settings.load().settings.inference == InferenceSettings()


def test_delete_all_history_asks_first(qtbot, open_dialog, monkeypatch):
    dialog = open_dialog()
    answers = iter([QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: next(answers))
    with qtbot.assertNotEmitted(dialog.history_deletion_requested):
        dialog.general_page.delete_button.click()
    with qtbot.waitSignal(dialog.history_deletion_requested, timeout=1000):
        dialog.general_page.delete_button.click()


def test_model_page_lists_the_starter_and_a_switch_is_announced(qtbot, store, bridge, open_dialog,
                                                                 starter_model_path):
    dialog = open_dialog()
    page = dialog.model_page
    qtbot.waitUntil(lambda: bridge.installed is not None, timeout=5000)
    texts = [page.model_list.item(row).text() for row in range(page.model_list.count())]
    assert texts[0].startswith("Automatic")
    assert any("SmolLM2-135M" in text and "starter model" in text for text in texts[1:])
    assert page.choose(starter_model_path)
    with qtbot.waitSignal(store.changed, timeout=1000) as changed:
        press_ok(dialog)
    assert changed.args == [frozenset({"models"})]
    assert store.settings.models.active_model == str(starter_model_path)


class FakeWindow(QWidget):
    """The part of MainWindow the hooks use."""

    settings_requested = Signal()

    def __init__(self):
        super().__init__()
        self.applied: list[Settings] = []
        self.history_deleted = 0

    def apply_settings(self, settings: Settings) -> None:
        self.applied.append(settings)

    def delete_all_history(self) -> None:
        self.history_deleted += 1


def test_hooks_open_the_dialog_and_pass_saved_settings_to_the_window(qtbot, store, bridge, widgets, monkeypatch):
    window = FakeWindow()
    qtbot.addWidget(window)
    widgets.append(window)
    hooks = SettingsHooks(window, store, bridge)
    window.settings_requested.emit()
    dialog = hooks.dialog
    assert dialog is not None and dialog.isVisible()
    window.settings_requested.emit()
    assert hooks.dialog is dialog  # one dialog at a time

    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    dialog.general_page.delete_button.click()
    assert window.history_deleted == 1

    installed_languages = []
    monkeypatch.setattr("app.ui.application.install_translations",
                        lambda app, language: installed_languages.append(language))
    monkeypatch.setattr("app.ui.application.choose_font", lambda app, language: True)
    dialog.inference_page.gpu_layers_spin.setValue(8)
    dialog.general_page.language_combo.setCurrentIndex(dialog.general_page.language_combo.findData("ja"))
    press_ok(dialog)
    [applied] = window.applied
    assert applied.inference.n_gpu_layers == 8 and applied == store.settings
    assert installed_languages == ["ja"]  # the interface switches language at once
    qtbot.waitUntil(lambda: hooks.dialog is None, timeout=2000)  # deleted on close


def test_window_modules_import_neither_llama_cpp_nor_the_hub_client():
    code = ("import sys, app.ui.settings_dialog, app.ui.first_run, app.ui.model_manager_bridge; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('llama_cpp', 'huggingface_hub')]; "
            "sys.exit(str(bad) if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr or result.stdout


def test_the_documents_page_saves_the_limits_the_readers_name(qtbot, store, open_dialog):
    # The readers' messages say "raise the limit in Settings → Documents": the page must exist.
    dialog = open_dialog()
    assert "Documents" in [dialog.navigation.item(row).text() for row in range(dialog.navigation.count())]
    page = dialog.documents_page
    page.spins["max_pages"].setValue(5000)
    page.spins["max_read_seconds"].setValue(600)
    with qtbot.waitSignal(store.changed, timeout=1000) as changed:
        press_ok(dialog)
    assert changed.args == [frozenset({"limits"})]
    saved = saved_json()["limits"]
    assert (saved["max_pages"], saved["max_read_seconds"]) == (5000, 600)
    assert saved["max_megabytes"] == Settings().limits.max_megabytes  # untouched fields kept


def test_the_documents_page_allows_no_value_the_settings_would_refuse(open_dialog):
    page = open_dialog().documents_page
    lowest = Settings()
    for name, spin in page.spins.items():
        setattr(lowest.limits, name, spin.minimum())
    assert lowest.validate() == []
    for name, spin in page.spins.items():
        broken = Settings()
        setattr(broken.limits, name, spin.minimum() - 1)
        assert broken.validate(), name
