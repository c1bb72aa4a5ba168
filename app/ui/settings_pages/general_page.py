"""General: the interface language, where the history library lives, and deleting all history."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QVBoxLayout,
    QWidget,
)

from app.core import paths
from app.core.settings import UI_LANGUAGES, Settings, UISettings
from app.ui.settings_pages.base import SettingsPage, form_layout, note_label


class GeneralPage(SettingsPage):
    """Signals: delete_history_requested(): the user confirmed deleting all history. The
    dialog passes it on; the window (which owns the library) does the deleting."""

    delete_history_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._loaded = UISettings()
        self.language_combo = QComboBox()
        self.language_label = QLabel()
        self.language_label.setBuddy(self.language_combo)
        self.language_note = note_label()
        form = form_layout()
        form.addRow(self.language_label, self.language_combo)
        form.addRow("", self.language_note)
        self.body.addLayout(form)

        self.history_box = QGroupBox()
        history = QVBoxLayout(self.history_box)
        self.library_label = QLabel()
        self.library_edit = QLineEdit()
        self.library_edit.setClearButtonEnabled(True)
        self.library_label.setBuddy(self.library_edit)
        self.browse_button = QPushButton()
        self.browse_button.clicked.connect(self.choose_library_folder)
        row = QHBoxLayout()
        row.addWidget(self.library_label)
        row.addWidget(self.library_edit, 1)
        row.addWidget(self.browse_button)
        history.addLayout(row)
        self.library_note = note_label()
        history.addWidget(self.library_note)
        self.delete_button = QPushButton()
        self.delete_button.setObjectName("delete-history")
        self.delete_button.clicked.connect(self.confirm_delete_history)
        self.delete_note = note_label()
        delete_row = QHBoxLayout()
        delete_row.addWidget(self.delete_button)
        delete_row.addWidget(self.delete_note, 1)
        history.addLayout(delete_row)
        self.body.addWidget(self.history_box)
        self.body.addStretch(1)
        self.retranslate()

    def title(self) -> str:
        return self.tr("General")

    def retranslate(self) -> None:
        self.language_label.setText(self.tr("Interface &language:"))
        names = {"system": self.tr("Follow the system"), "ja": "日本語", "en": "English"}
        current = self.language_combo.currentData()
        self.language_combo.clear()
        for code in UI_LANGUAGES:
            self.language_combo.addItem(names[code], code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(current)))
        self.language_note.setText(self.tr("Matome switches to the new language when you press OK."))
        self.history_box.setTitle(self.tr("History"))
        self.library_label.setText(self.tr("&Library folder:"))
        self.library_edit.setPlaceholderText(str(paths.data_dir()))
        self.browse_button.setText(self.tr("&Browse…"))
        self.library_note.setText(self.tr(
            "Summaries and answers are kept in this folder on this computer. Leave it empty for the "
            "default. History already in the old folder stays there."))
        self.delete_button.setText(self.tr("&Delete all history…"))
        self.delete_note.setText(self.tr("Forgets every document, summary and answer. Your files are not touched."))

    def load(self, settings: Settings) -> None:
        self._loaded = dataclasses.replace(settings.ui)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(settings.ui.language)))
        self.library_edit.setText(settings.ui.library_dir)

    def check(self) -> list[str]:
        text = self.library_edit.text().strip()
        if not text:
            return []
        folder = Path(text).expanduser()
        if not folder.is_absolute():
            return [self.tr("The library folder must be a full path, such as {example}.").format(
                example=str(paths.data_dir()))]
        if folder.exists() and not folder.is_dir():
            return [self.tr("The library folder {path} is a file, not a folder.").format(path=str(folder))]
        existing = next((parent for parent in (folder, *folder.parents) if parent.exists()), None)
        if existing is None or not existing.is_dir():
            return [self.tr("The library folder {path} cannot be created.").format(path=str(folder))]
        return []

    def save(self, settings: Settings) -> None:
        settings.ui = dataclasses.replace(self._loaded, language=self.language_combo.currentData(),
                                          library_dir=self.library_edit.text().strip())

    @Slot()
    def choose_library_folder(self) -> None:
        start = self.library_edit.text().strip() or str(paths.data_dir())
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose the library folder"), start)
        if folder:
            self.library_edit.setText(folder)

    @Slot()
    def confirm_delete_history(self) -> bool:
        answer = QMessageBox.question(
            self, self.tr("Delete all history?"),
            self.tr("Matome will forget every document it has read, with their summaries and answers. "
                    "This cannot be undone. Your own files are not touched."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.delete_history_requested.emit()
        self.delete_note.setText(self.tr("All history is being deleted."))
        return True
