"""Questions about the open documents: one chat per document, answered by the model service.

A question carries the earlier exchanges about its document, and the model worker keeps one
QuestionAnswerer per engine, whose cached document prefix makes follow-ups fast. Finished
turns go to the library with the pages they cite.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Signal, Slot

from app.core.events import AnswerResult, TextDelta
from app.ui.document_controller import DocumentController
from app.ui.document_entry import QUEUED, READING, DocumentEntry, QATurn
from app.ui.model_service import ModelService
from app.ui.model_worker import JobOutcome
from app.ui.tasks import TaskRunner


class QuestionController(QObject):
    """Signals:
        answer_changed(int): a turn of this entry started, finished, failed or was stopped.
        answer_text_added(int, str): streamed answer text to append to the entry's last turn.
        message(str): why a question could not be asked.
    """

    answer_changed = Signal(int)
    answer_text_added = Signal(int, str)
    message = Signal(str)

    def __init__(self, documents: DocumentController, service: ModelService, tasks: TaskRunner,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._documents = documents
        self._service = service
        self._tasks = tasks
        self._jobs: dict[int, DocumentEntry] = {}
        service.job_event.connect(self._on_service_job_event)
        service.job_finished.connect(self._on_service_job_finished)
        service.job_failed.connect(self._on_service_job_failed)
        service.job_cancelled.connect(self._on_service_job_cancelled)
        documents.entry_removed.connect(self._on_documents_entry_removed)

    def ask(self, entry_id: int, question: str) -> bool:
        """Ask about a document that has been read; False (with a message) if it cannot be."""
        entry = self._documents.entry(entry_id)
        question = question.strip()
        if entry is None or not question:
            return False
        if entry.document is None:
            self.message.emit(
                self.tr("“{name}” has not been read yet; ask again when it has.").format(name=entry.name)
                if entry.status in (QUEUED, READING) else entry.notice or entry.error)
            return False
        if entry.ask_job is not None:
            self._service.cancel(entry.ask_job)
        history = [(turn.question, turn.answer) for turn in entry.turns if turn.state == "done"]
        entry.turns.append(QATurn(question))
        entry.ask_job = self._service.ask(entry.document, question, history, self._documents.options.language)
        self._jobs[entry.ask_job] = entry
        self.answer_changed.emit(entry.id)
        return True

    def cancel(self, entry_id: int) -> None:
        entry = self._documents.entry(entry_id)
        if entry is not None and entry.ask_job is not None:
            self._service.cancel(entry.ask_job)

    # ----- model service news (only this controller's jobs) ------------------------------

    @Slot(int, object)
    def _on_service_job_event(self, job_id: int, event: object) -> None:
        entry = self._jobs.get(job_id)
        if entry is not None and isinstance(event, TextDelta):
            entry.turns[-1].answer += event.text
            self.answer_text_added.emit(entry.id, event.text)

    @Slot(int, object)
    def _on_service_job_finished(self, job_id: int, outcome: JobOutcome) -> None:
        entry = self._jobs.pop(job_id, None)
        if entry is None or not isinstance(outcome.result, AnswerResult):
            return
        result, turn = outcome.result, entry.turns[-1]
        turn.answer, turn.state, turn.not_found = result.text, "done", result.not_found
        turn.citations = tuple(citation.location for citation in result.citations)
        turn.excerpts = tuple(citation.excerpt for citation in result.citations)
        entry.ask_job = None
        self.answer_changed.emit(entry.id)
        library = self._documents.library
        if library is not None and entry.sha256:
            model_key = outcome.model.key if outcome.model else ""
            self._tasks.run(partial(library.add_turn, entry.sha256, model_key, turn.question, turn.answer,
                                    turn.citations), None, self._documents.report_problem)

    @Slot(int, str)
    def _on_service_job_failed(self, job_id: int, message: str) -> None:
        self._turn_ended(job_id, "error", message)

    @Slot(int)
    def _on_service_job_cancelled(self, job_id: int) -> None:
        self._turn_ended(job_id, "cancelled", "")

    @Slot(int)
    def _on_documents_entry_removed(self, entry_id: int) -> None:
        for job_id, entry in list(self._jobs.items()):
            if entry.id == entry_id:
                self._service.cancel(job_id)

    def _turn_ended(self, job_id: int, state: str, message: str) -> None:
        entry = self._jobs.pop(job_id, None)
        if entry is None:
            return
        entry.ask_job = None
        turn = entry.turns[-1]
        turn.state, turn.error = state, message
        self.answer_changed.emit(entry.id)
