"""The Q&A panel: a chat about the selected document, answers streamed with their citations.

It renders the entry's turns and sends questions out as signals; the controller asks the
model. Citations ("p. 3") are links that show the cited page.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.ui.citations import link_for
from app.ui.document_entry import DocumentEntry, QATurn
from app.ui.markdown_view import MarkdownView


class QAPanel(QWidget):
    """Signals: question_asked(str), cancel_requested(), citation_activated(str location)."""

    question_asked = Signal(str)
    cancel_requested = Signal()
    citation_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.heading_label = QLabel()
        self.heading_label.setWordWrap(True)
        self.transcript = MarkdownView()
        self.transcript.citation_activated.connect(self.citation_activated)
        self.question_edit = QLineEdit()
        self.question_edit.setAcceptDrops(False)  # dropped files go to the window
        self.question_edit.setClearButtonEnabled(True)
        self.question_edit.returnPressed.connect(self._on_ask_clicked)
        self.ask_button = QPushButton()
        self.ask_button.setDefault(True)
        self.ask_button.clicked.connect(self._on_ask_clicked)
        self.stop_button = QPushButton()
        self.stop_button.clicked.connect(self.cancel_requested)
        self.stop_button.hide()
        row = QHBoxLayout()
        row.addWidget(self.question_edit, 1)
        row.addWidget(self.ask_button)
        row.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading_label)
        layout.addWidget(self.transcript, 1)
        layout.addLayout(row)
        self._entry: DocumentEntry | None = None
        self._shown_turns = 0
        self._retranslate()
        self.show_entry(None)

    @property
    def entry_id(self) -> int | None:
        return self._entry.id if self._entry is not None else None

    def show_entry(self, entry: DocumentEntry | None) -> None:
        self._entry = entry
        self._shown_turns = len(entry.turns) if entry is not None else 0
        can_ask = entry is not None and entry.document is not None
        self.question_edit.setEnabled(can_ask)
        self.ask_button.setEnabled(can_ask)
        if entry is None:
            self.heading_label.setText(self.tr("Questions"))
            self.transcript.set_markdown("")
        else:
            self.heading_label.setText(self.tr("Questions about “{title}”").format(title=entry.display_title))
            self.transcript.set_markdown(self._transcript_markdown(entry.turns))
        answering = bool(entry and entry.turns and entry.turns[-1].state == "pending")
        self.stop_button.setVisible(answering)
        self.ask_button.setVisible(not answering)
        if entry is not None and entry.document is None:
            self.question_edit.setPlaceholderText(self.tr("Questions can be asked once the document is read"))
        else:
            self.question_edit.setPlaceholderText(self.tr("Ask a question about this document…"))

    def refresh_state(self, entry: DocumentEntry) -> None:
        """The entry changed (it was read, its history arrived): show what is new."""
        if self._entry is None or entry.id != self._entry.id:
            return
        if (entry.document is not None) != self.question_edit.isEnabled() or len(entry.turns) != self._shown_turns:
            self.show_entry(entry)

    def append_answer(self, text: str) -> None:
        self.transcript.append_text(text)

    def markdown(self) -> str:
        return self.transcript.markdown()

    @Slot()
    def _on_ask_clicked(self) -> None:
        question = self.question_edit.text().strip()
        if question and self._entry is not None:
            self.question_edit.clear()
            self.question_asked.emit(question)

    def _transcript_markdown(self, turns: list[QATurn]) -> str:
        if not turns:
            return self.tr("*Ask anything about this document. Answers come from the document only, "
                           "with the pages they rest on.*")
        # Translated outside the f-strings below: lupdate does not look inside f-strings.
        question_label, answer_label, sources_label = self.tr("Q:"), self.tr("A:"), self.tr("Sources:")
        parts = []
        for turn in turns:
            answer = turn.answer.strip()
            if turn.state == "error":
                answer = (answer + "\n\n" if answer else "") + "⚠ " + turn.error
            elif turn.state == "cancelled":
                answer = (answer + " " if answer else "") + self.tr("*(stopped)*")
            block = f"**{question_label}** {_escape(turn.question)}\n\n**{answer_label}** {answer}"
            if turn.citations and turn.state == "done":
                links = ", ".join(f"[{location}]({link_for(location)})" for location in turn.citations)
                block += f"\n\n*{sources_label}* {links}"
            elif turn.state == "done" and not turn.not_found:
                block += "\n\n*" + self.tr("No passage of the document matches this answer; check it "
                                            "against the document before relying on it.") + "*"
            parts.append(block)
        # The last answer's text must end the document: streamed text is appended to it.
        return "\n\n---\n\n".join(parts)

    def _retranslate(self) -> None:
        self.ask_button.setText(self.tr("Ask"))
        self.stop_button.setText(self.tr("Stop"))
        self.stop_button.setToolTip(self.tr("Stop this answer"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self.show_entry(self._entry)
        super().changeEvent(event)


def _escape(text: str) -> str:
    return "".join("\\" + char if char in "\\`*_[]<>#" else char for char in text)
