"""Summary options above the summary: length, format, output language, focus, and Regenerate."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.core.settings import FORMATS, LENGTHS, OUTPUT_LANGUAGES
from app.core.summarize import SummaryOptions


class SummaryOptionsBar(QWidget):
    """Signals: options_changed(SummaryOptions), regenerate_requested()."""

    options_changed = Signal(object)
    regenerate_requested = Signal()

    def __init__(self, options: SummaryOptions | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.length_label = QLabel()
        self.length_combo = QComboBox()
        self.format_label = QLabel()
        self.format_combo = QComboBox()
        self.language_label = QLabel()
        self.language_combo = QComboBox()
        self.focus_edit = QLineEdit()
        self.focus_edit.setAcceptDrops(False)
        self.focus_edit.setClearButtonEnabled(True)
        self.focus_edit.setMinimumWidth(160)
        self.regenerate_button = QPushButton()
        self.regenerate_button.clicked.connect(self.regenerate_requested)
        for label, combo in ((self.length_label, self.length_combo), (self.format_label, self.format_combo),
                             (self.language_label, self.language_combo)):
            label.setBuddy(combo)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.length_label, self.length_combo, self.format_label, self.format_combo,
                       self.language_label, self.language_combo):
            layout.addWidget(widget)
        layout.addWidget(self.focus_edit, 1)
        layout.addWidget(self.regenerate_button)
        self._retranslate()
        self.set_options(options or SummaryOptions())
        for combo in (self.length_combo, self.format_combo, self.language_combo):
            combo.currentIndexChanged.connect(self._on_any_changed)
        self.focus_edit.editingFinished.connect(self._on_any_changed)

    def options(self) -> SummaryOptions:
        return SummaryOptions(
            length=self.length_combo.currentData() or "medium",
            format=self.format_combo.currentData() or "bullets",
            language=self.language_combo.currentData() or "auto",
            focus=self.focus_edit.text().strip(),
        )

    def set_options(self, options: SummaryOptions) -> None:
        for combo, value in ((self.length_combo, options.length), (self.format_combo, options.format),
                             (self.language_combo, options.language)):
            index = combo.findData(value)
            combo.setCurrentIndex(max(0, index))
        self.focus_edit.setText(options.focus)

    @Slot()
    def _on_any_changed(self) -> None:
        self.options_changed.emit(self.options())

    def _retranslate(self) -> None:
        self.length_label.setText(self.tr("&Length:"))
        self.format_label.setText(self.tr("&Format:"))
        self.language_label.setText(self.tr("Lan&guage:"))
        self.focus_edit.setPlaceholderText(self.tr("Focus (optional), e.g. deadlines and amounts"))
        self.regenerate_button.setText(self.tr("&Regenerate"))
        self.regenerate_button.setToolTip(self.tr("Summarize the selected document again with these options"))
        names = {
            "short": self.tr("Short"), "medium": self.tr("Medium"), "long": self.tr("Long"),
            "bullets": self.tr("Bullet points"), "paragraph": self.tr("Paragraph"), "key_points": self.tr("Key points"),
            # Language names are written in their own language, as language menus usually are.
            "auto": self.tr("Same as the document"), "ja": "日本語", "en": "English",
        }
        for combo, values in ((self.length_combo, LENGTHS), (self.format_combo, FORMATS),
                              (self.language_combo, OUTPUT_LANGUAGES)):
            current = combo.currentData()
            blocked = combo.blockSignals(True)
            combo.clear()
            for value in values:
                combo.addItem(names.get(value, value), value)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(blocked)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)
