"""Models: the model manager's window — the catalog with hardware fit, downloads with progress,
pause, resume and cancel, and the installed models with verify, delete and import.

Everything here happens when the user presses a button, not on OK: downloading a model is an
action, not a preference. The page only asks the ModelManagerBridge to act and shows what it
reports; the Model page then offers what got installed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDir, Slot
from PySide6.QtWidgets import (
    QButtonGroup, QFileDialog, QGroupBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QRadioButton,
    QScrollArea, QVBoxLayout, QWidget,
)

from app.core.errors import MatomeError
from app.core.models import Catalog, CatalogEntry, Hardware, InstalledModel, load_catalog, probe_hardware
from app.ui.model_manager_bridge import (
    DELETE, DOWNLOAD, IMPORT, VERIFY, ModelManagerBridge, download_key, key_kind, verify_key,
)
from app.ui.settings_pages.base import SettingsPage, note_label
from app.ui.settings_pages.catalog_table import CatalogTable, fit_reason
from app.ui.settings_pages.installed_table import InstalledTable
from app.ui.settings_pages.transfer_widget import PAUSED, TransferWidget, bar_value, bytes_text, memory_text

ERROR_STYLE = "color: #c62828;"
TRANSFERS_MAX_HEIGHT = 240


class ModelsPage(SettingsPage):
    def __init__(self, bridge: ModelManagerBridge, parent: QWidget | None = None, *,
                 hardware: Hardware | None = None, catalog: Catalog | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.hardware = hardware or probe_hardware()
        self.catalog: Catalog | None = catalog
        self.transfers: dict[str, TransferWidget] = {}

        self.hardware_label = QLabel()
        self.hardware_label.setWordWrap(True)
        self.catalog_box = QGroupBox()
        self.catalog_table = CatalogTable()
        self.catalog_table.itemSelectionChanged.connect(self._on_catalog_selection_changed)
        self.entry_label = note_label()
        self.download_button = QPushButton()
        self.download_button.setObjectName("download")
        self.download_button.clicked.connect(self.download_selected)
        catalog_layout = QVBoxLayout(self.catalog_box)
        catalog_layout.addWidget(self.catalog_table, 1)
        row = QHBoxLayout()
        row.addWidget(self.entry_label, 1)
        row.addWidget(self.download_button)
        catalog_layout.addLayout(row)

        self.transfers_widget = QWidget()
        self.transfers_layout = QVBoxLayout(self.transfers_widget)
        self.transfers_layout.setContentsMargins(0, 0, 0, 0)
        self.transfers_scroll = QScrollArea()
        self.transfers_scroll.setWidgetResizable(True)
        self.transfers_scroll.setWidget(self.transfers_widget)
        self.transfers_scroll.setMaximumHeight(TRANSFERS_MAX_HEIGHT)
        self.transfers_scroll.hide()

        self.installed_box = QGroupBox()
        self.installed_table = InstalledTable()
        self.installed_table.itemSelectionChanged.connect(self._update_buttons)
        self.verify_button = QPushButton()
        self.delete_button = QPushButton()
        self.import_button = QPushButton()
        self.copy_radio = QRadioButton()
        self.link_radio = QRadioButton()
        self.copy_radio.setChecked(True)
        self.import_mode = QButtonGroup(self)
        self.import_mode.addButton(self.copy_radio)
        self.import_mode.addButton(self.link_radio)
        self.verify_button.clicked.connect(self.verify_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.import_button.clicked.connect(self.choose_import_file)
        installed_layout = QVBoxLayout(self.installed_box)
        installed_layout.addWidget(self.installed_table, 1)
        buttons = QHBoxLayout()
        for widget in (self.verify_button, self.delete_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        for widget in (self.import_button, self.copy_radio, self.link_radio):
            buttons.addWidget(widget)
        installed_layout.addLayout(buttons)

        self.notice_label = QLabel()
        self.notice_label.setWordWrap(True)
        self.notice_label.setObjectName("notice")
        for widget, stretch in ((self.hardware_label, 0), (self.catalog_box, 3), (self.transfers_scroll, 0),
                                (self.installed_box, 2), (self.notice_label, 0)):
            self.body.addWidget(widget, stretch)

        bridge.installed_changed.connect(self._on_bridge_installed_changed)
        bridge.transfer_started.connect(self._on_bridge_transfer_started)
        bridge.transfer_finished.connect(self._on_bridge_transfer_finished)
        bridge.transfer_paused.connect(self._on_bridge_transfer_ended)
        bridge.transfer_cancelled.connect(self._on_bridge_transfer_ended)
        bridge.transfer_failed.connect(self._on_bridge_transfer_failed)
        self._load_catalog()
        for key in bridge.running_keys():
            self._transfer_widget(key)
        if bridge.installed is not None:
            self._on_bridge_installed_changed(bridge.installed)
        self.retranslate()

    def title(self) -> str:
        return self.tr("Models")

    def retranslate(self) -> None:
        hw = self.hardware
        self.hardware_label.setText(self.tr(
            "This computer: {total} of memory ({free} free now), {cores} processor cores. Everything runs on "
            "this computer; a model is downloaded once and then used offline.").format(
            total=memory_text(hw.total_ram_bytes), free=memory_text(hw.available_ram_bytes), cores=hw.physical_cores))
        self.catalog_box.setTitle(self.tr("Available models (★ recommended for this computer)"))
        self.installed_box.setTitle(self.tr("Installed models"))
        self.verify_button.setText(self.tr("&Verify"))
        self.verify_button.setToolTip(self.tr("Check that the model file is whole and unchanged"))
        self.delete_button.setText(self.tr("De&lete…"))
        self.import_button.setText(self.tr("&Import a .gguf file…"))
        self.copy_radio.setText(self.tr("Copy it"))
        self.copy_radio.setToolTip(self.tr("Copy the file into Matome's models folder (safe to unplug the USB stick)"))
        self.link_radio.setText(self.tr("Link to it"))
        self.link_radio.setToolTip(self.tr("Use the file where it is (no copy; it must stay there)"))
        self.catalog_table.retranslate()
        self.installed_table.retranslate()
        self._update_states()

    # ----- actions ----------------------------------------------------------------------

    @Slot()
    def download_selected(self) -> str | None:
        entry = self.catalog_table.selected_entry()
        if entry is None:
            return None
        key = download_key(entry.id)
        self._transfer_widget(key)
        self.bridge.download(entry)
        self._update_states()
        return key

    @Slot()
    def verify_selected(self) -> str | None:
        model = self.installed_table.selected_model()
        return None if model is None else self.bridge.verify(model.id)

    @Slot()
    def delete_selected(self) -> str | None:
        model = self.installed_table.selected_model()
        if model is None or not model.removable:
            return None
        answer = QMessageBox.question(
            self, self.tr("Delete model?"),
            self.tr("Delete {name} ({size})? You can download or import it again later.").format(
                name=model.name, size=bytes_text(model.size_bytes)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return None
        return self.bridge.delete(model.id)

    @Slot()
    def choose_import_file(self) -> str | None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Import a model file"), QDir.homePath(),
            self.tr("GGUF models (*.gguf);;All files (*)"))
        return self.import_file(path) if path else None

    def import_file(self, path: str | Path) -> str:
        mode = "link" if self.link_radio.isChecked() else "copy"
        key = self.bridge.import_file(path, mode)
        self._transfer_widget(key)
        return key

    # ----- the bridge's news ----------------------------------------------------------------

    @Slot(object)
    def _on_bridge_installed_changed(self, models: list[InstalledModel]) -> None:
        self.installed_table.set_models(models)
        for entry in self.catalog_table.entries:
            waiting = self.bridge.partial_for(entry)
            key = download_key(entry.id)
            shown = self.transfers.get(key)
            # A failed download keeps its partial file too; its widget keeps showing the error.
            if waiting is not None and not self.bridge.is_running(key) and (shown is None or shown.state == PAUSED):
                self._transfer_widget(key).show_paused(waiting)
        self._update_states()

    @Slot(str)
    def _on_bridge_transfer_started(self, key: str) -> None:
        if key_kind(key) in (DOWNLOAD, IMPORT, VERIFY):
            self._transfer_widget(key)
        self._update_states()

    @Slot(str, object)
    def _on_bridge_transfer_finished(self, key: str, result) -> None:
        kind = key_kind(key)
        if kind == DOWNLOAD:
            self._notify(self.tr("{name} is downloaded, verified and installed.").format(name=result.name))
        elif kind == IMPORT:
            self._notify(self.tr("{name} is imported.").format(name=result.name))
        elif kind == VERIFY:
            model, compared = result
            self._notify(self.tr("{name} is intact: its SHA-256 matches.").format(name=model.name) if compared
                         else self.tr("{name} is a whole GGUF file (there is no recorded checksum to compare)."
                                      ).format(name=model.name))
            self._close_transfer(key)
        elif kind == DELETE:
            self._notify(self.tr("{name} is deleted.").format(name=result.name))
        self._update_states()

    @Slot(str, str)
    def _on_bridge_transfer_ended(self, key: str, _message: str) -> None:
        self._update_states()

    @Slot(str, str)
    def _on_bridge_transfer_failed(self, key: str, message: str) -> None:
        if key_kind(key) == DELETE or key not in self.transfers:
            self._notify(message, error=True)
        self._update_states()

    @Slot(str)
    def _close_transfer(self, key: str) -> None:
        widget = self.transfers.pop(key, None)
        if widget is not None:
            widget.hide()
            self.transfers_layout.removeWidget(widget)
            widget.deleteLater()
        self._fit_transfers()
        self._update_states()

    # ----- helpers ---------------------------------------------------------------------------

    def transfer_widget(self, key: str) -> TransferWidget | None:
        return self.transfers.get(key)

    def _transfer_widget(self, key: str) -> TransferWidget:
        widget = self.transfers.get(key)
        if widget is None:
            widget = TransferWidget(self.bridge, key, self._transfer_title(key))
            widget.closed.connect(self._close_transfer)
            self.transfers[key] = widget
            self.transfers_layout.addWidget(widget)
            self._fit_transfers()
        return widget

    def _fit_transfers(self) -> None:
        # Tall enough to show the transfers without scrolling, up to a limit.
        self.transfers_scroll.setVisible(bool(self.transfers))
        spacing = max(0, self.transfers_layout.spacing())
        height = sum(widget.sizeHint().height() + spacing for widget in self.transfers.values())
        self.transfers_scroll.setMinimumHeight(min(height + 2 * self.transfers_scroll.frameWidth(),
                                                   TRANSFERS_MAX_HEIGHT))

    def _transfer_title(self, key: str) -> str:
        kind, subject = key.split(":", 1)
        if kind == DOWNLOAD:
            entry = self.bridge.catalog_entry(subject)
            return self.tr("Downloading {name}").format(name=entry.name if entry else subject)
        if kind == IMPORT:
            return self.tr("Importing {file}").format(file=Path(subject).name)
        return self.tr("Checking {model}").format(model=subject)

    def _load_catalog(self) -> None:
        try:
            self.catalog = self.catalog or load_catalog()
        except MatomeError as error:
            self._notify(str(error), error=True)
            return
        self.catalog_table.set_catalog(self.catalog, self.hardware)

    def _notify(self, text: str, *, error: bool = False) -> None:
        self.notice_label.setStyleSheet(ERROR_STYLE if error else "")
        self.notice_label.setText(text)

    def _update_states(self) -> None:
        installed = self.bridge.installed or []
        installed_ids = {model.catalog_id for model in installed if model.catalog_id}
        states = {}
        for entry in self.catalog_table.entries:
            states[entry.id] = self._state_text(entry, installed_ids)
        self.catalog_table.set_states(states)
        self._on_catalog_selection_changed()
        self._update_buttons()

    def _state_text(self, entry: CatalogEntry, installed_ids: set[str]) -> str:
        if entry.id in installed_ids:
            return self.tr("Installed")
        key = download_key(entry.id)
        if self.bridge.is_running(key):
            return self.tr("Downloading…")
        waiting = self.bridge.partial_for(entry)
        if waiting is not None:
            percent = (bar_value(waiting.bytes_done, waiting.size) or 0) // 10
            return self.tr("Paused at {percent}%").format(percent=percent)
        return ""

    @Slot()
    def _on_catalog_selection_changed(self) -> None:
        entry = self.catalog_table.selected_entry()
        if entry is None:
            self.entry_label.setText(self.tr("Select a model to see what it is good at."))
            self.download_button.setText(self.tr("&Download"))
            self.download_button.setEnabled(False)
            return
        verdict = self.catalog_table.verdicts[entry.id]
        self.entry_label.setText(f"{entry.description}\n{fit_reason(verdict, self.hardware)}")
        installed = any(m.catalog_id == entry.id for m in self.bridge.installed or [])
        running = self.bridge.is_running(download_key(entry.id))
        paused = self.bridge.partial_for(entry) is not None
        if running:
            self.download_button.setText(self.tr("Downloading…"))
        else:
            self.download_button.setText(self.tr("&Resume download") if paused else self.tr("&Download"))
        self.download_button.setEnabled(not installed and not running)

    @Slot()
    def _update_buttons(self) -> None:
        model = self.installed_table.selected_model()
        busy = model is not None and self.bridge.is_running(verify_key(model.id))
        self.verify_button.setEnabled(model is not None and not busy)
        self.delete_button.setEnabled(model is not None and model.removable and not busy)
        self.delete_button.setToolTip(
            self.tr("The starter model comes with Matome and cannot be deleted.")
            if model is not None and not model.removable else "")
