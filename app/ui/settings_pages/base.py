"""What every settings page has: a title, load/check/save, and a place to show its problems."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from app.core.settings import Settings

PROBLEM_STYLE = "color: #ffffff; background-color: #b3261e; padding: 6px; border-radius: 4px;"
NOTE_STYLE = "color: palette(placeholder-text);"


class SettingsPage(QWidget):
    """A page of the Settings dialog. Subclasses build their widgets into `self.body` (a
    QVBoxLayout under the problem banner) and implement the four methods below."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet(PROBLEM_STYLE)
        self.problem_label.setObjectName("problems")
        self.problem_label.hide()
        outer.addWidget(self.problem_label)
        self.body = QVBoxLayout()
        outer.addLayout(self.body, 1)

    def title(self) -> str:
        raise NotImplementedError

    def load(self, settings: Settings) -> None:
        """Show `settings`' values."""

    def check(self) -> list[str]:
        """Problems with the values entered, as sentences for the user; empty when fine."""
        return []

    def save(self, settings: Settings) -> None:
        """Write the entered values into `settings` (only called after every page checked fine)."""

    def retranslate(self) -> None:
        """Set every visible text; called at construction and when the language changes."""

    def show_problems(self, problems: list[str]) -> None:
        self.problem_label.setText("\n".join(problems))
        self.problem_label.setVisible(bool(problems))

    def problems_shown(self) -> list[str]:
        return [] if self.problem_label.isHidden() else self.problem_label.text().splitlines()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def note_label(text: str = "") -> QLabel:
    """A muted, wrapping line of explanation under a setting."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(NOTE_STYLE)
    return label


def form_layout() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    return form
