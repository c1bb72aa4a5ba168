"""Model: which installed model Matome runs.

Choosing another model only changes Settings; when they are saved the store announces the
change and the model worker unloads the old model and loads the new one on its own thread,
with the status bar showing its progress. The list follows the model manager, so a model
downloaded or deleted on the Models page appears or disappears here at once.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, Qt, Slot
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QWidget

from app.core.models import InstalledModel
from app.core.settings import ModelSettings, Settings
from app.ui.model_manager_bridge import ModelManagerBridge
from app.ui.settings_pages.base import SettingsPage, note_label

PATH_ROLE = Qt.ItemDataRole.UserRole


def same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()
    except OSError:
        return str(a) == str(b)


def size_text(size_bytes: int) -> str:
    return QLocale().formattedDataSize(size_bytes, 1, QLocale.DataSizeFormat.DataSizeSIFormat)


class ModelPage(SettingsPage):
    def __init__(self, bridge: ModelManagerBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self._bridge = bridge
        self._loaded = ModelSettings()
        #: The choice as a path ("" = automatic); kept apart from the list, which may be
        #: rebuilt (or not be there yet) when the dialog saves.
        self._chosen = ""
        self._filling = False
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.model_list = QListWidget()
        self.model_list.setObjectName("installed-models")
        self.model_list.currentItemChanged.connect(self._on_model_list_current_changed)
        self.missing_note = note_label()
        self.missing_note.hide()
        self.note = note_label()
        self.body.addWidget(self.heading)
        self.body.addWidget(self.model_list, 1)
        self.body.addWidget(self.missing_note)
        self.body.addWidget(self.note)
        bridge.installed_changed.connect(self._on_bridge_installed_changed)
        self.retranslate()

    def title(self) -> str:
        return self.tr("Model")

    def retranslate(self) -> None:
        self.heading.setText(self.tr("The model that writes summaries and answers questions:"))
        self.note.setText(self.tr(
            "Matome loads the chosen model when you press OK; the status bar shows when it is ready. "
            "Download or import more models on the Models page."))
        self._fill(self._bridge.installed)

    def load(self, settings: Settings) -> None:
        self._loaded = dataclasses.replace(settings.models)
        self._chosen = settings.models.active_model
        self.missing_note.hide()
        self._fill(self._bridge.installed)

    def save(self, settings: Settings) -> None:
        settings.models = dataclasses.replace(self._loaded, active_model=self._chosen)

    def chosen_model(self) -> str:
        """The chosen model's path, or "" for "the best installed model"."""
        return self._chosen

    def choose(self, path: str | Path | None) -> bool:
        """Select the model at `path` (None or "" for automatic); False if it is not listed."""
        for row in range(self.model_list.count()):
            item = self.model_list.item(row)
            value = item.data(PATH_ROLE)
            if (not path and not value) or (path and value and same_file(value, path)):
                self.model_list.setCurrentItem(item)
                return True
        return False

    @Slot(object)
    def _on_bridge_installed_changed(self, models: list[InstalledModel]) -> None:
        self._fill(models)

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_model_list_current_changed(self, current: QListWidgetItem | None, _previous) -> None:
        if current is not None and not self._filling:
            self._chosen = current.data(PATH_ROLE) or ""

    def _fill(self, models: list[InstalledModel] | None) -> None:
        self._filling = True
        try:
            self.model_list.clear()
            automatic = QListWidgetItem(self.tr("Automatic: the best installed model"))
            automatic.setData(PATH_ROLE, "")
            automatic.setToolTip(self.tr("A downloaded or imported model if there is one, else the starter model."))
            self.model_list.addItem(automatic)
            if models is None:
                waiting = QListWidgetItem(self.tr("Looking for installed models…"))
                waiting.setFlags(Qt.ItemFlag.NoItemFlags)
                self.model_list.addItem(waiting)
            for model in models or ():
                item = QListWidgetItem(self.tr("{name} · {size} · {kind}").format(
                    name=model.name, size=size_text(model.size_bytes), kind=source_text(model)))
                item.setData(PATH_ROLE, str(model.path))
                item.setToolTip(str(model.path))
                self.model_list.addItem(item)
            found = self.choose(self._chosen)
            if models is not None and self._chosen and not found and Path(self._chosen).expanduser().is_file():
                # A model file chosen by path (e.g. with the command line) that Matome did not install.
                item = QListWidgetItem(self.tr("{name} · {kind}").format(
                    name=Path(self._chosen).stem, kind=source_text(None)))
                item.setData(PATH_ROLE, self._chosen)
                item.setToolTip(self._chosen)
                self.model_list.addItem(item)
                found = self.choose(self._chosen)
        finally:
            self._filling = False
        if models is not None and self._chosen and not found:
            # The chosen model was deleted (perhaps just now, on the Models page): fall back to
            # the best installed one rather than block OK on a choice that cannot work.
            self.missing_note.setText(self.tr(
                "The model chosen before ({path}) is not installed any more; Matome will use the best "
                "installed model.").format(path=self._chosen))
            self.missing_note.show()
            self._chosen = ""
            self.choose("")


def source_text(model: InstalledModel | None) -> str:
    """How a model came to be installed, in words (None: a file chosen by path)."""
    kinds = {
        "downloaded": QCoreApplication.translate("ModelPage", "downloaded"),
        "imported": QCoreApplication.translate("ModelPage", "imported"),
        "bundled": QCoreApplication.translate("ModelPage", "starter model"),
        "found": QCoreApplication.translate("ModelPage", "found in the models folder"),
        "file": QCoreApplication.translate("ModelPage", "a file chosen by path"),
    }
    if model is None:
        return kinds["file"]
    text = kinds.get(model.source, model.source)
    if model.linked:
        text += QCoreApplication.translate("ModelPage", " (linked)")
    return text
