"""The history tab: past documents, newest first, and a search over their titles and text.

The panel asks for searches by signal (the window runs them on the task runner) and shows
the hits it is given; opening a hit shows its stored summary at once. "Forget this
document…" asks for confirmation first; the window does the forgetting.
"""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QEvent, QLocale, QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QMenu, QVBoxLayout, QWidget

from app.core.library import SearchHit
from app.ui.forget_dialog import confirm_forget
from app.ui.wording import pages_text

SHA_ROLE = Qt.ItemDataRole.UserRole
TITLE_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_DELAY_MS = 250


class HistoryPanel(QWidget):
    """Signals: search_requested(str), document_activated(str sha256),
    forget_requested(str sha256): the user confirmed that the document is to be forgotten."""

    search_requested = Signal(str)
    document_activated = Signal(str)
    forget_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.search_edit = QLineEdit()
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAcceptDrops(False)
        self.search_edit.textChanged.connect(self._on_search_text_changed)
        self.results = QListWidget()
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        self.results.itemActivated.connect(self._on_result_activated)
        self.results.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.results.customContextMenuRequested.connect(self._on_results_context_menu)
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.empty_label)
        # Typing a word should not run a search per keystroke.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self._retranslate()

    def query(self) -> str:
        return self.search_edit.text().strip()

    @Slot()
    def refresh(self) -> None:
        self._search_timer.stop()
        self.search_requested.emit(self.query())

    def show_results(self, hits: list[SearchHit]) -> None:
        self.results.clear()
        for hit in hits:
            document = hit.document
            when = QLocale().toString(QDateTime.fromSecsSinceEpoch(int(document.opened_at)),
                                      QLocale.FormatType.ShortFormat)
            details = " · ".join(part for part in (pages_text(document.page_count), when) if part)
            text = f"{document.title}\n{details}"
            if hit.snippet:
                text += f"\n{hit.snippet}"
            item = QListWidgetItem(text)
            item.setData(SHA_ROLE, document.sha256)
            item.setData(TITLE_ROLE, document.title)
            item.setToolTip(document.path)
            self.results.addItem(item)
        self.empty_label.setVisible(not hits)
        self.empty_label.setText(self.tr("Nothing found.") if self.query()
                                 else self.tr("Documents you open are kept here, with their summaries and answers."))

    @Slot(str)
    def _on_search_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    @Slot(QListWidgetItem)
    def _on_result_activated(self, item: QListWidgetItem) -> None:
        self.document_activated.emit(str(item.data(SHA_ROLE)))

    @Slot(QPoint)
    def _on_results_context_menu(self, position: QPoint) -> None:
        item = self.results.itemAt(position)
        if item is not None:
            menu = self.context_menu(item)
            menu.exec(self.results.viewport().mapToGlobal(position))
            menu.deleteLater()  # one menu per right-click; don't keep them all

    def context_menu(self, item: QListWidgetItem) -> QMenu:
        """The menu of one result: Open, Forget this document…"""
        sha256, title = str(item.data(SHA_ROLE)), str(item.data(TITLE_ROLE))
        menu = QMenu(self)
        menu.addAction(self.tr("Open")).triggered.connect(lambda: self.document_activated.emit(sha256))
        forget = menu.addAction(self.tr("Forget this document…"))
        forget.setToolTip(self.tr("Delete everything Matome keeps of it; the file itself stays"))
        forget.triggered.connect(lambda: self._forget(sha256, title))
        return menu

    def _forget(self, sha256: str, title: str) -> None:
        if confirm_forget(self, title):
            self.forget_requested.emit(sha256)

    def _retranslate(self) -> None:
        self.search_edit.setPlaceholderText(self.tr("Search past documents by title or content…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            # The result lines and the empty note are built from translated text: rebuild them.
            self.refresh()
        super().changeEvent(event)
