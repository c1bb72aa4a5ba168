"""The confirmation asked before a document is forgotten: what goes, and what stays."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

FORGET_BUTTON_NAME = "forget-button"


def confirm_forget(parent: QWidget, title: str) -> bool:
    """Ask whether to forget the document called `title`; True if the user said so. The
    safe choice (Cancel) is the default, since forgetting cannot be undone."""
    translate = QCoreApplication.translate
    box = QMessageBox(parent)
    box.setObjectName("forget-confirmation")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(translate("ForgetDialog", "Forget this document"))
    box.setText(translate("ForgetDialog", "Forget “{title}”?").format(title=title))
    box.setInformativeText(translate(
        "ForgetDialog", "Matome deletes its copy of the text, its summaries, questions and answers, and "
        "the notes saved while summarizing it, and closes it. The file itself is not touched. This "
        "cannot be undone."))
    forget = box.addButton(translate("ForgetDialog", "Forget"), QMessageBox.ButtonRole.DestructiveRole)
    forget.setObjectName(FORGET_BUTTON_NAME)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is forget
