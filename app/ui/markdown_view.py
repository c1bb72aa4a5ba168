"""A read-only Markdown view that takes streamed text and paints it on a timer.

Tokens arrive up to a hundred times a second; re-laying out the document for each one would
waste the main thread. Streamed text is buffered and rendered at most every PAINT_INTERVAL_MS.
The timer runs only while text is waiting, so an idle view holds no running timer.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

from app.ui.citations import linkify, location_from_link

PAINT_INTERVAL_MS = 50
# Model output is shown as Markdown but never as HTML: a document could contain markup that a
# small model copies into its answer.
_FEATURES = (QTextDocument.MarkdownFeature.MarkdownDialectGitHub
             | QTextDocument.MarkdownFeature.MarkdownNoHTML)


class MarkdownView(QTextBrowser):
    """Signals: citation_activated(str): a citation link was clicked; the location ("p. 12")."""

    citation_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setAcceptDrops(False)  # dropped files go to the window, which opens them
        self.anchorClicked.connect(self._on_anchor_clicked)
        self._markdown = ""
        self._pending: list[str] = []
        self.render_count = 0
        self._paint_timer = QTimer(self)
        self._paint_timer.setInterval(PAINT_INTERVAL_MS)
        self._paint_timer.timeout.connect(self._on_paint_timer_timeout)

    def markdown(self) -> str:
        """Everything received so far, painted or not."""
        return self._markdown + "".join(self._pending)

    def set_markdown(self, text: str) -> None:
        self._pending.clear()
        self._paint_timer.stop()
        self._markdown = text
        self._render(keep_bottom=False)

    def append_text(self, text: str) -> None:
        if not text:
            return
        self._pending.append(text)
        if not self._paint_timer.isActive():
            self._paint_timer.start()

    def flush(self) -> None:
        """Paint buffered text now (at the end of a stream)."""
        self._paint_timer.stop()
        if self._pending:
            self._markdown += "".join(self._pending)
            self._pending.clear()
            self._render(keep_bottom=True)

    @Slot()
    def _on_paint_timer_timeout(self) -> None:
        if not self._pending:
            self._paint_timer.stop()
            return
        self.flush()

    def _render(self, keep_bottom: bool) -> None:
        scroll = self.verticalScrollBar()
        at_bottom = scroll.value() >= scroll.maximum() - 4
        position = scroll.value()
        self.document().setMarkdown(linkify(self._markdown), _FEATURES)
        self.render_count += 1
        scroll.setValue(scroll.maximum() if (keep_bottom and at_bottom) else position)

    @Slot(QUrl)
    def _on_anchor_clicked(self, url: QUrl) -> None:
        location = location_from_link(bytes(url.toEncoded().data()).decode("ascii", "replace"))
        if location:
            self.citation_activated.emit(location)
