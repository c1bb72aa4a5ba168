"""Document limits: how large a file Matome opens, and how long and how much memory reading
one may take. The readers' messages point here ("raise the limit in Settings → Documents")."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QLabel, QSpinBox, QWidget

from app.core.settings import LimitSettings, Settings
from app.ui.settings_pages.base import SettingsPage, form_layout, note_label

# (field, lowest, highest, step): the lowest values are those Settings.validate accepts.
FIELDS = (
    ("max_megabytes", 1, 100_000, 50),
    ("max_pages", 1, 1_000_000, 500),
    ("max_unpacked_megabytes", 1, 100_000, 250),
    ("max_zip_members", 10, 1_000_000, 1000),
    ("max_read_seconds", 5, 86_400, 30),
    ("max_reader_megabytes", 512, 1_000_000, 512),
)


class DocumentsPage(SettingsPage):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._loaded = LimitSettings()
        self.spins: dict[str, QSpinBox] = {}
        self.labels: dict[str, QLabel] = {}
        self.form = form_layout()
        for name, low, high, step in FIELDS:
            spin = QSpinBox()
            spin.setRange(low, high)
            spin.setSingleStep(step)
            spin.setGroupSeparatorShown(True)
            label = QLabel()
            label.setBuddy(spin)
            self.form.addRow(label, spin)
            self.spins[name], self.labels[name] = spin, label
        self.body.addLayout(self.form)
        self.note = note_label()
        self.body.addWidget(self.note)
        self.body.addStretch(1)
        self.retranslate()

    def title(self) -> str:
        return self.tr("Documents")

    def retranslate(self) -> None:
        megabytes = " MB"  # the same in every language the app speaks
        pages, parts, seconds = self.tr(" pages"), self.tr(" parts"), self.tr(" s")
        texts = {
            "max_megabytes": (self.tr("Largest &file:"), megabytes),
            "max_pages": (self.tr("Most &pages:"), pages),
            "max_unpacked_megabytes": (self.tr("Word file &unpacked:"), megabytes),
            "max_zip_members": (self.tr("Word file p&arts:"), parts),
            "max_read_seconds": (self.tr("&Time to read a file:"), seconds),
            "max_reader_megabytes": (self.tr("&Memory to read a file:"), megabytes),
        }
        for name, (label, suffix) in texts.items():
            self.labels[name].setText(label)
            self.spins[name].setSuffix(suffix)
        self.note.setText(self.tr(
            "Files are read in a separate process that is stopped when it passes these limits, so a "
            "damaged or hostile file costs one error message, never the app. Raise a limit only for "
            "a file you trust."))

    def load(self, settings: Settings) -> None:
        self._loaded = dataclasses.replace(settings.limits)
        for name, spin in self.spins.items():
            spin.setValue(getattr(settings.limits, name))

    def save(self, settings: Settings) -> None:
        settings.limits = dataclasses.replace(
            self._loaded, **{name: spin.value() for name, spin in self.spins.items()})
