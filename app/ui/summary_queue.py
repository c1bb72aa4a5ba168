"""The summarizing half of DocumentController: one summary at a time, in order.

Read documents wait in a queue; the next one is sent to the model service when the running
summary ends. The service's news about these jobs (started, streamed text, progress, finished,
failed, cancelled) is turned into entry updates and the controller's signals, and a finished
summary is saved to the library.
"""

from __future__ import annotations

from collections import deque
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.core.events import Progress, SummaryResult, TextDelta, TextReset
from app.ui.document_entry import CANCELLED, DONE, ERROR, QUEUED, SUMMARIZING, DocumentEntry
from app.ui.model_service import ModelService
from app.ui.model_worker import JobOutcome
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.ui.document_controller import DocumentController


class SummaryQueue(QObject):
    """Runs the controller's summaries one after another; emits through the controller's signals."""

    def __init__(self, controller: DocumentController, service: ModelService, tasks: TaskRunner):
        super().__init__(controller)
        self._controller = controller
        self._service = service
        self._tasks = tasks
        self._queue: deque[int] = deque()
        self._summarizing: int | None = None
        self._jobs: dict[int, int] = {}  # model job id → entry id
        service.job_started.connect(self._on_service_job_started)
        service.job_event.connect(self._on_service_job_event)
        service.job_finished.connect(self._on_service_job_finished)
        service.job_failed.connect(self._on_service_job_failed)
        service.job_cancelled.connect(self._on_service_job_cancelled)

    @property
    def busy(self) -> bool:
        return bool(self._queue or self._summarizing)

    def append(self, entry_id: int) -> None:
        """Summarize the entry after those already waiting."""
        self._queue.append(entry_id)
        self.pump()

    def put_first(self, entry_id: int) -> None:
        """Summarize the entry next."""
        self._queue.appendleft(entry_id)
        self.pump()

    def clear(self) -> None:
        self._queue.clear()

    def pump(self) -> None:
        """Start the next summary if none is running."""
        controller = self._controller
        while self._summarizing is None and self._queue:
            entry = controller.entry(self._queue.popleft())
            if entry is None or entry.document is None or entry.status != QUEUED:
                continue
            entry.summary, entry.progress, entry.stored_summary = "", None, None
            entry.summary_options = controller.options
            entry.summary_job = self._service.summarize(entry.document, controller.options,
                                                        controller.settings.summary.chunk_tokens)
            self._jobs[entry.summary_job] = entry.id
            self._summarizing = entry.id

    def cancel(self, entry: DocumentEntry) -> None:
        """Stop the entry's summary, running or waiting."""
        if entry.summary_job is not None:
            self._service.cancel(entry.summary_job)
            entry.summary_job = None
        if self._summarizing == entry.id:
            self._summarizing = None
        if entry.id in self._queue:
            self._queue.remove(entry.id)

    def _summary_done(self, entry: DocumentEntry, status: str) -> None:
        entry.summary_job = None
        if self._summarizing == entry.id:
            self._summarizing = None
        self._controller._set_status(entry, status)
        self._controller.summary_finished.emit(entry.id)
        self.pump()

    # ----- model service news ------------------------------------------------------------

    def _job_entry(self, job_id: int) -> DocumentEntry | None:
        entry_id = self._jobs.get(job_id)
        return self._controller.entry(entry_id) if entry_id is not None else None

    def _on_service_job_started(self, job_id: int) -> None:
        entry = self._job_entry(job_id)
        if entry is not None and job_id == entry.summary_job:
            self._controller._set_status(entry, SUMMARIZING)
            self._controller.summary_reset.emit(entry.id)

    def _on_service_job_event(self, job_id: int, event: object) -> None:
        entry = self._job_entry(job_id)
        if entry is None:
            return
        if job_id != entry.summary_job:
            return
        if isinstance(event, TextDelta):
            entry.summary += event.text
            self._controller.summary_text_added.emit(entry.id, event.text)
        elif isinstance(event, TextReset):
            entry.summary = event.text
            self._controller.summary_reset.emit(entry.id)
        elif isinstance(event, Progress):
            entry.progress = event
            self._controller.entry_changed.emit(entry.id)

    def _on_service_job_finished(self, job_id: int, outcome: JobOutcome) -> None:
        entry = self._job_entry(job_id)
        self._jobs.pop(job_id, None)
        if entry is None:
            return
        if isinstance(outcome.result, SummaryResult) and job_id == entry.summary_job:
            result = outcome.result
            entry.summary = result.text
            entry.summary_model = outcome.model.name if outcome.model else ""
            self._controller.summary_reset.emit(entry.id)
            self._summary_done(entry, DONE)
            library = self._controller.library
            if library is not None and entry.sha256:
                model_key = outcome.model.key if outcome.model else ""
                self._tasks.run(partial(library.save_summary, entry.sha256, model_key, entry.summary_options,
                                        result.text, chunk_count=result.chunk_count, seconds=result.seconds),
                                None, self._controller.report_problem)

    def _on_service_job_failed(self, job_id: int, message: str) -> None:
        self._job_ended(job_id, ERROR, message)

    def _on_service_job_cancelled(self, job_id: int) -> None:
        self._job_ended(job_id, CANCELLED, "")

    def _job_ended(self, job_id: int, status: str, message: str) -> None:
        entry = self._job_entry(job_id)
        self._jobs.pop(job_id, None)
        if entry is None:
            return
        if job_id == entry.summary_job:
            entry.error = message
            self._summary_done(entry, status)
