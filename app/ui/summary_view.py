"""The centre of the window: the selected document's summary, streamed as it is written.

Shows the title and where the summary came from, a progress line (stage and time left) with
Cancel while the model works, notes and errors, and the summary as Markdown with clickable
citations. It only displays: Cancel and citation clicks go out as signals.
"""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QEvent, QLocale, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.core.events import Progress
from app.ui.document_entry import CANCELLED, ERROR, QUEUED, READING, SUMMARIZING, DocumentEntry
from app.ui.markdown_view import MarkdownView
from app.ui.wording import pages_text, progress_text


class SummaryView(QWidget):
    """Signals: cancel_requested(), citation_activated(str location)."""

    cancel_requested = Signal()
    citation_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title_label = QLabel()
        title_font = QFont(self.title_label.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.35)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setWordWrap(True)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.source_label = QLabel()
        self.source_label.setWordWrap(True)
        self.source_label.setEnabled(False)  # greyed: secondary information
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(10)
        self.progress_label = QLabel()
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.notice_label = QLabel()
        self.notice_label.setWordWrap(True)
        self.notice_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text_view = MarkdownView()
        self.text_view.citation_activated.connect(self.citation_activated)

        progress_row = QWidget()
        row = QHBoxLayout(progress_row)
        row.setContentsMargins(0, 0, 0, 0)
        column = QVBoxLayout()
        column.addWidget(self.progress_label)
        column.addWidget(self.progress_bar)
        row.addLayout(column, 1)
        row.addWidget(self.cancel_button)
        self.progress_row = progress_row

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title_label)
        layout.addWidget(self.source_label)
        layout.addWidget(progress_row)
        layout.addWidget(self.notice_label)
        layout.addWidget(self.text_view, 1)
        self._entry: DocumentEntry | None = None
        self._retranslate()
        self.show_entry(None)

    # ----- what the controller tells it ------------------------------------------------

    @property
    def entry_id(self) -> int | None:
        return self._entry.id if self._entry is not None else None

    def show_entry(self, entry: DocumentEntry | None) -> None:
        """Show `entry` (or the empty-window hint) from scratch."""
        self._entry = entry
        if entry is None:
            self.title_label.setText(self.tr("No document selected"))
            self.source_label.setText("")
            self.text_view.set_markdown(self.tr(
                "Drop PDF, Word, text or Markdown files (or a folder) anywhere on this window, or "
                "choose **Open…** (Ctrl+O).\n\nEverything stays on this computer: the summary is "
                "written by a model that runs here, offline."))
            self._show_progress(None)
            self._show_notice("")
            return
        self.title_label.setText(entry.display_title)
        self.source_label.setText(self._source_text(entry))
        self.text_view.set_markdown(entry.summary)
        self._show_progress(entry)
        self._show_notice(entry.error if entry.status == ERROR else entry.notice)

    def refresh(self) -> None:
        """The entry's state changed (not its text): update the labels and progress."""
        if self._entry is not None:
            entry = self._entry
            self.title_label.setText(entry.display_title)
            self.source_label.setText(self._source_text(entry))
            self._show_progress(entry)
            self._show_notice(entry.error if entry.status == ERROR else entry.notice)

    def append_text(self, text: str) -> None:
        self.text_view.append_text(text)

    def finish(self) -> None:
        """The stream ended: show the final text exactly and hide the progress."""
        if self._entry is not None:
            self.text_view.flush()
            if self._entry.summary != self.text_view.markdown():
                self.text_view.set_markdown(self._entry.summary)
        self.refresh()

    def set_progress(self, progress: Progress) -> None:
        self.progress_label.setText(progress_text(progress))
        if progress.total > 0 and progress.stage not in ("loading", "reading"):
            self.progress_bar.setRange(0, progress.total)
            self.progress_bar.setValue(max(0, progress.step - 1))
        else:
            self.progress_bar.setRange(0, 0)

    def markdown(self) -> str:
        return self.text_view.markdown()

    # ----- internals -------------------------------------------------------------------

    def _show_progress(self, entry: DocumentEntry | None) -> None:
        working = entry is not None and entry.status in (QUEUED, READING, SUMMARIZING)
        self.progress_row.setVisible(working)
        if not working:
            return
        if entry.progress is not None:
            self.set_progress(entry.progress)
        else:
            self.progress_bar.setRange(0, 0)
            self.progress_label.setText(self.tr("Reading the document…") if entry.status == READING
                                        else self.tr("Waiting for the model…"))

    def _show_notice(self, text: str) -> None:
        self.notice_label.setText(text)
        self.notice_label.setVisible(bool(text))

    def _source_text(self, entry: DocumentEntry) -> str:
        parts = [entry.name, pages_text(entry.page_count)]
        stored = entry.stored_summary
        if stored is not None:
            when = QLocale().toString(QDateTime.fromSecsSinceEpoch(int(stored.created_at)),
                                      QLocale.FormatType.ShortFormat)
            parts.append(self.tr("summary from the history, {date}").format(date=when))
        if entry.summary_model:
            parts.append(entry.summary_model)
        if entry.status == CANCELLED:
            parts.append(self.tr("cancelled — choose Regenerate to summarize again"))
        return " · ".join(part for part in parts if part)

    def _retranslate(self) -> None:
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop summarizing this document"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self.show_entry(self._entry)
        super().changeEvent(event)
