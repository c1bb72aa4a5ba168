"""Asking for the password of an encrypted PDF.

The reader says a PDF is protected; the window asks for the password in a non-blocking dialog
and the document is read again with it. The password stays in memory with the open document:
it is never saved, logged or put in the library.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

PROMPT_NAME = "pdf-password"


class PasswordPrompt(QObject):
    """One open question per document; answering reads it again through `read_with_password`."""

    def __init__(self, window: QWidget, read_with_password: Callable[[int, str], None],
                 name_of: Callable[[int], str | None]):
        super().__init__(window)
        self._window = window
        self._read_with_password = read_with_password
        self._name_of = name_of
        self._open: dict[int, QInputDialog] = {}

    def ask(self, entry_id: int, wrong: bool) -> QInputDialog | None:
        name = self._name_of(entry_id)
        if name is None or entry_id in self._open:
            return None
        dialog = QInputDialog(self._window)
        dialog.setObjectName(PROMPT_NAME)
        dialog.setWindowTitle(self.tr("Password needed"))
        text = (self.tr("That password did not open “{name}”. Try again:") if wrong
                else self.tr("“{name}” is protected by a password. Enter it to read the document:"))
        dialog.setLabelText(text.format(name=name))
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        self._open[entry_id] = dialog

        def answered(password: str) -> None:
            if password:
                self._read_with_password(entry_id, password)

        dialog.textValueSelected.connect(answered)
        dialog.finished.connect(lambda _result: self._open.pop(entry_id, None))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog
