"""The welcome shown on first start while only the bundled starter model is installed.

It says that everything stays on this computer, recommends one model for this machine's
memory and the user's language (with a Download button and its progress inside the dialog),
and offers to import a model file or to carry on with the starter model. Once the user has
answered it (or a real model is installed) it is not shown again; that is remembered in a
small UI-state file beside, but apart from, the settings (the user never edits it).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDir, QEvent, QLocale, QObject, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox, QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget,
)

from app.core import paths
from app.core.atomic import atomic_write_json
from app.core.errors import MatomeError
from app.core.models import Catalog, CatalogEntry, Hardware, InstalledModel, load_catalog, probe_hardware
from app.core.settings import Settings
from app.ui.model_manager_bridge import ModelManagerBridge
from app.ui.settings_pages.catalog_table import FIT_COLOURS, fit_label, fit_reason
from app.ui.settings_pages.transfer_widget import TransferWidget, bytes_text, memory_text
from app.ui.settings_store import SettingsError, SettingsStore

log = logging.getLogger(__name__)

UI_STATE_NAME = "ui-state.json"
FIRST_RUN_DONE = "first_run_done"


# ----- the UI-state file ----------------------------------------------------------------------

def ui_state_path() -> Path:
    return paths.config_dir() / UI_STATE_NAME


def read_ui_state() -> dict[str, Any]:
    try:
        data = json.loads(ui_state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or damaged: at worst the welcome shows once more
    return data if isinstance(data, dict) else {}


def write_ui_state(**values: Any) -> None:
    state = read_ui_state()
    state.update(values)
    try:
        atomic_write_json(ui_state_path(), state)
    except OSError as error:
        log.warning("cannot write %s: %s", ui_state_path(), error)


def first_run_done() -> bool:
    return bool(read_ui_state().get(FIRST_RUN_DONE))


def needs_first_run(installed: list[InstalledModel]) -> bool:
    """True while nothing but bundled starter models is installed and the user has not answered
    the welcome yet."""
    return all(model.source == "bundled" for model in installed) and not first_run_done()


def documents_language(settings: Settings) -> str:
    """"ja" or "en": the interface language chosen, or the system's."""
    if settings.ui.language in ("ja", "en"):
        return settings.ui.language
    return "ja" if QLocale.system().language() == QLocale.Language.Japanese else "en"


# ----- the dialog ------------------------------------------------------------------------------

class FirstRunDialog(QDialog):
    """The welcome. It downloads through the bridge and, once a model is installed, makes it the
    active model through the settings store (whose listeners load it)."""

    def __init__(self, store: SettingsStore, bridge: ModelManagerBridge, parent: QWidget | None = None, *,
                 hardware: Hardware | None = None, catalog: Catalog | None = None):
        super().__init__(parent)
        self.setObjectName("first-run")
        self.store = store
        self.bridge = bridge
        self.hardware = hardware or probe_hardware()
        self.catalog = catalog
        self.entry: CatalogEntry | None = None
        self.transfer_key: str | None = None
        self.transfer: TransferWidget | None = None
        self.installed_model: InstalledModel | None = None

        self.heading = QLabel()
        self.heading.setObjectName("heading")
        self.privacy_label = QLabel()
        self.privacy_label.setWordWrap(True)
        self.language_label = QLabel()
        self.language_combo = QComboBox()
        self.language_combo.addItem("日本語", "ja")
        self.language_combo.addItem("English", "en")
        self.language_combo.setCurrentIndex(self.language_combo.findData(documents_language(store.settings)))
        self.language_label.setBuddy(self.language_combo)
        self.language_combo.currentIndexChanged.connect(self._on_language_changed)
        self.recommendation_label = QLabel()
        self.recommendation_label.setObjectName("recommendation")
        self.recommendation_label.setWordWrap(True)
        self.fit_label = QLabel()
        self.download_button = QPushButton()
        self.download_button.setObjectName("download")
        self.download_button.setDefault(True)
        self.download_button.clicked.connect(self.start_download)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.import_button = QPushButton()
        self.import_button.clicked.connect(self.choose_import_file)
        self.skip_button = QPushButton()
        self.skip_button.setObjectName("skip")
        self.skip_button.clicked.connect(self.skip)

        language_row = QHBoxLayout()
        language_row.addWidget(self.language_label)
        language_row.addWidget(self.language_combo)
        language_row.addStretch(1)
        recommendation_row = QHBoxLayout()
        recommendation_row.addWidget(self.recommendation_label, 1)
        recommendation_row.addWidget(self.fit_label)
        recommendation_row.addWidget(self.download_button)
        self.transfer_area = QVBoxLayout()
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.privacy_label)
        layout.addLayout(language_row)
        layout.addLayout(recommendation_row)
        layout.addLayout(self.transfer_area)
        layout.addWidget(self.status_label)
        layout.addLayout(buttons)
        self.setMinimumWidth(620)

        bridge.transfer_finished.connect(self._on_bridge_transfer_finished)
        bridge.transfer_failed.connect(self._on_bridge_transfer_failed)
        bridge.transfer_cancelled.connect(self._on_bridge_transfer_stopped)
        bridge.transfer_paused.connect(self._on_bridge_transfer_stopped)
        self._choose_entry()
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Welcome to Matome"))
        self.heading.setText("<h2>" + self.tr("Welcome to Matome") + "</h2>")
        self.privacy_label.setText(self.tr(
            "Matome summarizes your documents and answers questions about them with a language model that "
            "runs on this computer. Your documents, summaries and questions never leave it.\n\n"
            "A small starter model is already installed. For better summaries, download a larger model once; "
            "after that, Matome works offline."))
        self.language_label.setText(self.tr("My documents are mostly in:"))
        self.import_button.setText(self.tr("&Import a model file…"))
        self._show_entry()
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ----- the recommendation -----------------------------------------------------------------

    def _choose_entry(self) -> None:
        try:
            self.catalog = self.catalog or load_catalog()
        except MatomeError as error:
            self.entry = None
            self.status_label.setText(str(error))
            return
        self.entry = self.catalog.recommend(self.hardware.total_ram_bytes, self.language_combo.currentData())

    def _show_entry(self) -> None:
        entry = self.entry
        self.recommendation_label.setVisible(entry is not None)
        self.fit_label.setVisible(entry is not None)
        self.download_button.setVisible(entry is not None)
        if entry is None:
            return
        self.recommendation_label.setText(self.tr(
            "Recommended for this computer ({memory} of memory): <b>{name}</b>, a {size} download.<br>{about}"
        ).format(memory=memory_text(self.hardware.total_ram_bytes), name=entry.name,
                 size=bytes_text(entry.size_bytes), about=entry.description))
        verdict = entry.fit(self.hardware)
        self.fit_label.setText(f"● {fit_label(verdict.fit)}")
        self.fit_label.setStyleSheet(f"color: {FIT_COLOURS[verdict.fit]};")
        self.fit_label.setToolTip(fit_reason(verdict, self.hardware))
        paused = self.bridge.partial_for(entry) is not None
        self.download_button.setText(self.tr("&Resume download") if paused else self.tr("&Download"))

    @Slot()
    def _on_language_changed(self) -> None:
        if self.transfer_key is None:
            self._choose_entry()
            self._show_entry()

    # ----- actions ----------------------------------------------------------------------------

    @Slot()
    def start_download(self) -> str | None:
        if self.entry is None:
            return None
        self.transfer_key = self.bridge.download(self.entry)
        self._follow(self.transfer_key, self.tr("Downloading {name}").format(name=self.entry.name))
        return self.transfer_key

    @Slot()
    def choose_import_file(self) -> str | None:
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("Import a model file"), QDir.homePath(),
                                                    self.tr("GGUF models (*.gguf);;All files (*)"))
        return self.import_file(path) if path else None

    def import_file(self, path: str | Path) -> str:
        self.transfer_key = self.bridge.import_file(path, "copy")
        self._follow(self.transfer_key, self.tr("Importing {file}").format(file=Path(path).name))
        return self.transfer_key

    @Slot()
    def skip(self) -> None:
        """Carry on with the starter model (or, after a download, close the welcome)."""
        self.accept()

    def done(self, result: int) -> None:
        # However the welcome is closed, it has been answered. A download still running carries
        # on in the background and shows on Settings › Models.
        write_ui_state(**{FIRST_RUN_DONE: True})
        super().done(result)

    # ----- progress -------------------------------------------------------------------------

    def _follow(self, key: str, title: str) -> None:
        if self.transfer is not None:
            self.transfer.deleteLater()
        self.transfer = TransferWidget(self.bridge, key, title)
        self.transfer_area.addWidget(self.transfer)
        self.status_label.clear()
        self._update_buttons()

    @Slot(str, object)
    def _on_bridge_transfer_finished(self, key: str, model: InstalledModel) -> None:
        if key != self.transfer_key:
            return
        self.transfer_key = None
        self.installed_model = model
        settings = self.store.settings
        settings.models.active_model = str(model.path)
        try:
            self.store.apply(settings)  # the model worker hears of it and loads the new model
        except SettingsError as error:
            self.status_label.setText(str(error))
        else:
            self.status_label.setText(self.tr("{name} is installed. Matome is loading it now.").format(name=model.name))
        self._update_buttons()

    @Slot(str, str)
    def _on_bridge_transfer_failed(self, key: str, message: str) -> None:
        if key == self.transfer_key:
            self.status_label.setText(message)
            self._update_buttons()

    @Slot(str, str)
    def _on_bridge_transfer_stopped(self, key: str, _message: str) -> None:
        if key == self.transfer_key:
            self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.transfer_key is not None and self.bridge.is_running(self.transfer_key)
        self.download_button.setEnabled(not running and self.installed_model is None)
        self.import_button.setEnabled(not running and self.installed_model is None)
        self.language_combo.setEnabled(not running and self.installed_model is None)
        if self.installed_model is not None:
            self.skip_button.setText(self.tr("&Start using Matome"))
        elif running:
            self.skip_button.setText(self.tr("&Continue in the background"))
        else:
            self.skip_button.setText(self.tr("&Skip — use the starter model"))


# ----- deciding whether to show it ---------------------------------------------------------------

class FirstRunOffer(QObject):
    """Shows the welcome if it is needed, once the installed models are known.

    Signals: decided(bool): True when the welcome was shown (it is then `self.dialog`).
    """

    decided = Signal(bool)

    def __init__(self, store: SettingsStore, bridge: ModelManagerBridge, parent: QWidget | None = None, *,
                 hardware: Hardware | None = None, catalog: Catalog | None = None):
        super().__init__(parent)  # reached as parent(), not kept in an attribute: no reference cycle
        self.store = store
        self.bridge = bridge
        self.hardware = hardware
        self.catalog = catalog
        self.dialog: FirstRunDialog | None = None
        self._waiting = False

    def start(self) -> None:
        """Decide now if the user already answered, else when the bridge has listed the models."""
        if first_run_done():
            self.decided.emit(False)
            return
        self._waiting = True
        self.bridge.installed_changed.connect(self._on_bridge_installed_changed)
        self.bridge.refresh()

    @Slot(object)
    def _on_bridge_installed_changed(self, installed: list[InstalledModel]) -> None:
        if not self._waiting:
            return
        self._waiting = False
        self.bridge.installed_changed.disconnect(self._on_bridge_installed_changed)
        if not needs_first_run(installed):
            self.decided.emit(False)
            return
        self.dialog = FirstRunDialog(self.store, self.bridge, self.parent(), hardware=self.hardware,
                                     catalog=self.catalog)
        self.dialog.open()
        self.decided.emit(True)


def offer_first_run(window: QWidget, store: SettingsStore, bridge: ModelManagerBridge) -> FirstRunOffer:
    """Show the welcome over `window` if it is needed (call once, after the window is shown)."""
    offer = FirstRunOffer(store, bridge, window)
    offer.start()
    return offer
