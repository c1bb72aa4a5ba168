"""Summary defaults: the length, format, output language and focus new summaries start with."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QSpinBox, QWidget

from app.core.settings import FORMATS, LENGTHS, OUTPUT_LANGUAGES, Settings, SummarySettings
from app.ui.settings_pages.base import SettingsPage, form_layout, note_label

MIN_CHUNK, MAX_CHUNK = 256, 16384


class SummaryPage(SettingsPage):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._loaded = SummarySettings()
        self.length_combo = QComboBox()
        self.format_combo = QComboBox()
        self.language_combo = QComboBox()
        self.focus_edit = QLineEdit()
        self.focus_edit.setClearButtonEnabled(True)
        self.chunk_spin = QSpinBox()
        self.chunk_spin.setRange(1, MAX_CHUNK)
        self.chunk_spin.setSingleStep(250)
        self.form = form_layout()
        self.labels = [QLabel() for _ in range(5)]
        for label, field in zip(self.labels, (self.length_combo, self.format_combo, self.language_combo,
                                              self.focus_edit, self.chunk_spin)):
            label.setBuddy(field)
            self.form.addRow(label, field)
        self.body.addLayout(self.form)
        self.note = note_label()
        self.body.addWidget(self.note)
        self.body.addStretch(1)
        self.retranslate()

    def title(self) -> str:
        return self.tr("Summary defaults")

    def retranslate(self) -> None:
        for label, text in zip(self.labels, (self.tr("&Length:"), self.tr("&Format:"), self.tr("Output &language:"),
                                             self.tr("F&ocus:"), self.tr("&Part size:"))):
            label.setText(text)
        self.focus_edit.setPlaceholderText(self.tr("Optional, e.g. deadlines and amounts"))
        self.chunk_spin.setSuffix(self.tr(" tokens"))
        self.chunk_spin.setToolTip(self.tr(
            "Long documents are summarized in parts of at most this size. Small models keep the thread "
            "better with smaller parts."))
        self.note.setText(self.tr(
            "New documents are summarized with these options; the bar above the summary changes them "
            "for one document."))
        names = {
            "short": self.tr("Short"), "medium": self.tr("Medium"), "long": self.tr("Long"),
            "bullets": self.tr("Bullet points"), "paragraph": self.tr("Paragraph"),
            "key_points": self.tr("Key points"),
            # Language names are written in their own language, as language menus usually are.
            "auto": self.tr("Same as the document"), "ja": "日本語", "en": "English",
        }
        for combo, values in ((self.length_combo, LENGTHS), (self.format_combo, FORMATS),
                              (self.language_combo, OUTPUT_LANGUAGES)):
            current = combo.currentData()
            combo.clear()
            for value in values:
                combo.addItem(names.get(value, value), value)
            combo.setCurrentIndex(max(0, combo.findData(current)))

    def load(self, settings: Settings) -> None:
        self._loaded = dataclasses.replace(settings.summary)
        for combo, value in ((self.length_combo, settings.summary.length),
                             (self.format_combo, settings.summary.format),
                             (self.language_combo, settings.summary.language)):
            combo.setCurrentIndex(max(0, combo.findData(value)))
        self.focus_edit.setText(settings.summary.focus)
        self.chunk_spin.setValue(settings.summary.chunk_tokens)

    def check(self) -> list[str]:
        if not MIN_CHUNK <= self.chunk_spin.value() <= MAX_CHUNK:
            return [self.tr("Part size must be between {low} and {high} tokens.").format(
                low=MIN_CHUNK, high=f"{MAX_CHUNK:,}")]
        return []

    def save(self, settings: Settings) -> None:
        settings.summary = dataclasses.replace(
            self._loaded,
            length=self.length_combo.currentData(),
            format=self.format_combo.currentData(),
            language=self.language_combo.currentData(),
            focus=self.focus_edit.text().strip(),
            chunk_tokens=self.chunk_spin.value(),
        )
