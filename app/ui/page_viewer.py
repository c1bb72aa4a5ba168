"""A small window with the text a citation points to ("p. 12" of the document)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget


class PageViewer(QDialog):
    """Non-modal: the reader keeps it open beside the summary and clicks other citations."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModal(False)
        self.resize(560, 640)
        self.heading_label = QLabel()
        self.heading_label.setWordWrap(True)
        self.text_view = QTextBrowser()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading_label)
        layout.addWidget(self.text_view, 1)
        layout.addWidget(buttons)

    def show_citation(self, title: str, location: str, text: str) -> None:
        self.setWindowTitle(self.tr("{location} — {title}").format(location=location, title=title))
        self.heading_label.setText(self.tr("<b>{location}</b> of “{title}”").format(
            location=location.replace("&", "&amp;").replace("<", "&lt;"),
            title=title.replace("&", "&amp;").replace("<", "&lt;")))
        self.text_view.setPlainText(text or self.tr("This place could not be found in the document."))
        self.show()
        self.raise_()
        self.activateWindow()
