"""The open documents and their journey: history look-up, reading, summarizing, Q&A.

Each added file is first looked up in the library by its hash (a file seen before shows its
summary at once), then read on the task runner, then summarized by the model service. Files
are read two at a time and summarized one at a time, in order, so a question about a finished
document is answered next rather than after the whole batch. A file that fails gets its
error and the batch goes on. The summary queue and the model service's news about summaries
live in SummaryQueue (summary_queue.py), which this controller composes.
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from functools import partial
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal

from app.core.cancel import CancelToken
from app.core.checkpoints import forget_notes
from app.core.errors import EncryptedDocumentError
from app.core.library import Library
from app.core.settings import Settings
from app.core.summarize import SummaryOptions
from app.ui.document_entry import (
    CANCELLED, DONE, ERROR, QUEUED, READING, SUMMARIZING, DocumentEntry, HistoryState, QATurn, ReadOutcome,
    expand_paths, load_history, look_up_history, read_document,
)
from app.ui.model_service import ModelService
from app.ui.summary_queue import SummaryQueue
from app.ui.tasks import TaskRunner, describe_error

log = logging.getLogger(__name__)

MAX_PARALLEL_READS = 2


class DocumentController(QObject):
    """Owns the DocumentEntry objects; widgets render them and call back into this.

    Signals (entry id first):
        entry_added(int), entry_changed(int), entry_removed(int)
        summary_reset(int): the entry's summary text was replaced wholesale (started, loaded
            from history, trimmed); show `entry.summary` again.
        summary_text_added(int, str): streamed text to append.
        summary_finished(int): done, failed or cancelled; see `entry.status`.
        message(str): a note for the status bar.
    """

    entry_added = Signal(int)
    entry_changed = Signal(int)
    entry_removed = Signal(int)
    summary_reset = Signal(int)
    summary_text_added = Signal(int, str)
    summary_finished = Signal(int)
    message = Signal(str)
    #: (entry id, whether a password was given and was wrong): an encrypted PDF needs one.
    password_needed = Signal(int, bool)

    def __init__(self, service: ModelService, tasks: TaskRunner, library: Library | None,
                 settings: Settings, parent: QObject | None = None):
        super().__init__(parent)
        self._service = service
        self._tasks = tasks
        self.library = library
        self.settings = settings
        self.options = SummaryOptions.from_settings(settings.summary)
        self._entries: dict[int, DocumentEntry] = {}
        # Forgetting bumps the count; a document opened before is checked, once read, against
        # what was forgotten meanwhile (its hash was not known yet, so forget could not close it).
        self._forgets = 0
        self._forgotten_at: dict[str, int] = {}
        self._opened_at: dict[int, int] = {}
        self._ids = itertools.count(1)
        self._read_queue: deque[int] = deque()
        self._reading: set[int] = set()
        self._summaries = SummaryQueue(self, service, tasks)

    # ----- queries -----------------------------------------------------------------------

    def entry(self, entry_id: int) -> DocumentEntry | None:
        return self._entries.get(entry_id)

    def entries(self) -> list[DocumentEntry]:
        return list(self._entries.values())

    @property
    def busy(self) -> bool:
        return bool(self._reading or self._read_queue or self._summaries.busy)

    # ----- adding and removing -----------------------------------------------------------

    def add_paths(self, paths) -> list[int]:
        """Open files and folders; returns the entry ids (existing ones for files already open)."""
        ids = []
        open_paths = {entry.path: entry.id for entry in self._entries.values()}
        for path in expand_paths(list(paths)):
            if path in open_paths:
                ids.append(open_paths[path])
                continue
            entry = DocumentEntry(next(self._ids), path)
            self._entries[entry.id] = entry
            self._opened_at[entry.id] = self._forgets
            open_paths[path] = entry.id
            ids.append(entry.id)
            self.entry_added.emit(entry.id)
            self._tasks.run(partial(look_up_history, path, self.library, self.model_key(), self.options),
                            partial(self._on_history_found, entry.id), partial(self._on_history_failed, entry.id))
        return ids

    def open_from_history(self, sha256: str) -> None:
        """Show a document from the history: reopen its file, or its stored summary if the
        file has gone."""
        for entry in self._entries.values():
            if entry.sha256 == sha256:
                self.entry_changed.emit(entry.id)
                return
        if self.library is not None:
            self._tasks.run(partial(load_history, sha256, self.library, self.model_key(), self.options),
                            self._on_history_opened, self.report_problem)

    def remove(self, entry_id: int) -> None:
        entry = self._entries.pop(entry_id, None)
        if entry is None:
            return
        self._opened_at.pop(entry_id, None)
        self._stop_work(entry)
        self.entry_removed.emit(entry_id)
        self._start_reads()
        self._summaries.pump()

    def forget(self, sha256: str, done: Callable[[object], None] | None = None) -> None:
        """Close the document wherever it is open (stopping its work) and delete everything
        kept of it: text, summaries, Q&A and saved notes; then `done(result)`."""
        self._forgets += 1
        self._forgotten_at[sha256] = self._forgets
        for entry in [entry for entry in self._entries.values() if entry.sha256 == sha256]:
            self.remove(entry.id)
        forget = partial(self.library.forget_document, sha256) if self.library else partial(forget_notes, sha256)
        self._tasks.run(forget, done, self.report_problem)

    # ----- summaries ---------------------------------------------------------------------

    def set_options(self, options: SummaryOptions) -> None:
        """Options for summaries started from now on."""
        self.options = options

    def regenerate(self, entry_id: int) -> None:
        """Summarize again with the current options (or retry a file that failed to read)."""
        entry = self._entries.get(entry_id)
        if entry is None:
            return
        if entry.document is None:
            if entry.status in (ERROR, CANCELLED):
                entry.error = ""
                self._set_status(entry, QUEUED)
                self._queue_read(entry)
            return
        self._summaries.cancel(entry)
        entry.summary, entry.stored_summary, entry.error = "", None, ""
        self._set_status(entry, QUEUED)
        self.summary_reset.emit(entry.id)
        self._summaries.put_first(entry.id)

    def cancel_summary(self, entry_id: int) -> None:
        entry = self._entries.get(entry_id)
        if entry is None or entry.status not in (QUEUED, READING, SUMMARIZING):
            return
        if entry.summary_job is not None:
            # The service reports the cancel at once; SummaryQueue._job_ended updates the entry.
            self._summaries.cancel(entry)
            return
        self._cancel_reading(entry)
        self._summaries.cancel(entry)
        self._set_status(entry, CANCELLED)
        self.summary_finished.emit(entry.id)
        self._start_reads()
        self._summaries.pump()

    # ----- settings and shutdown ---------------------------------------------------------

    def apply_settings(self, settings: Settings, library: Library | None) -> None:
        self.settings = settings
        self.library = library

    def shutdown(self) -> None:
        for entry in self._entries.values():
            self._stop_work(entry)
        self._summaries.clear()
        self._read_queue.clear()

    # ----- reading -----------------------------------------------------------------------

    def _on_history_found(self, entry_id: int, history: HistoryState | None) -> None:
        entry = self._entries.get(entry_id)
        if entry is None:
            return
        if history is not None:
            self._apply_history(entry, history)
        self._queue_read(entry)

    def _on_history_failed(self, entry_id: int, error: BaseException) -> None:
        self.report_problem(error)
        entry = self._entries.get(entry_id)
        if entry is not None:
            self._queue_read(entry)

    def _on_history_opened(self, history: HistoryState | None) -> None:
        if history is None:
            return
        path = Path(history.document.path)
        if path.is_file():
            self.add_paths([path])
            return
        entry = DocumentEntry(next(self._ids), path)
        self._entries[entry.id] = entry
        self._opened_at[entry.id] = self._forgets
        self._apply_history(entry, history)
        entry.notice = self.tr("The file is no longer at {path}. Its summary is shown from the history; "
                               "to ask questions, open the file again.").format(path=path)
        self._set_status(entry, DONE if entry.summary else ERROR, quiet=True)
        self.entry_added.emit(entry.id)

    def _apply_history(self, entry: DocumentEntry, history: HistoryState) -> None:
        entry.sha256 = history.sha256
        entry.title = history.document.title
        entry.page_count = history.document.page_count
        entry.turns = [QATurn(turn.question, turn.answer, turn.citations, state="done") for turn in history.turns]
        if history.summary is not None:
            entry.summary = history.summary.text
            entry.stored_summary = history.summary
            entry.summary_model = history.summary.model
            entry.status = DONE
            self.summary_reset.emit(entry.id)
        self.entry_changed.emit(entry.id)

    def _queue_read(self, entry: DocumentEntry) -> None:
        self._read_queue.append(entry.id)
        self._start_reads()

    def _start_reads(self) -> None:
        while self._read_queue and len(self._reading) < MAX_PARALLEL_READS:
            entry = self._entries.get(self._read_queue.popleft())
            if entry is None:
                continue
            self._reading.add(entry.id)
            entry.reading_token = CancelToken()
            if entry.status != DONE:
                self._set_status(entry, READING)
            self._tasks.run(partial(read_document, entry.path, self.settings.limits, self.library, entry.reading_token,
                                    entry.password),
                            partial(self._on_read, entry.id), partial(self._on_read_failed, entry.id),
                            token=entry.reading_token)

    def _on_read(self, entry_id: int, outcome: ReadOutcome) -> None:
        self._reading.discard(entry_id)
        self._start_reads()
        entry = self._entries.get(entry_id)
        if entry is None:
            return
        document = outcome.document
        if self._forgotten_at.get(document.sha256, 0) > self._opened_at.get(entry_id, self._forgets):
            # Forgotten while this read was under way: the read put it back in the library.
            self.remove(entry_id)
            self.forget(document.sha256)
            return
        entry.document, entry.sha256, entry.title = document, document.sha256, document.title
        entry.page_count, entry.reading_token = document.page_count, None
        entry.notice = " ".join(document.warnings)
        if outcome.library_problem:
            self.message.emit(outcome.library_problem)
        if entry.status == DONE:
            self.entry_changed.emit(entry.id)
        else:
            self._set_status(entry, QUEUED)
            self._summaries.append(entry.id)

    def _on_read_failed(self, entry_id: int, error: BaseException) -> None:
        self._reading.discard(entry_id)
        self._start_reads()
        entry = self._entries.get(entry_id)
        if entry is not None:
            entry.error, entry.reading_token = describe_error(error), None
            self._set_status(entry, ERROR)
            self.summary_finished.emit(entry.id)
            if isinstance(error, EncryptedDocumentError):
                self.password_needed.emit(entry.id, error.wrong_password)

    def read_with_password(self, entry_id: int, password: str) -> None:
        """Read an encrypted PDF again, with the password the person typed."""
        entry = self._entries.get(entry_id)
        if entry is None or entry.document is not None:
            return
        entry.password, entry.error = password, ""
        self._set_status(entry, QUEUED)
        self._queue_read(entry)

    # ----- stopping work -----------------------------------------------------------------

    def _cancel_reading(self, entry: DocumentEntry) -> None:
        if entry.reading_token is not None:
            entry.reading_token.cancel()
            entry.reading_token = None
            self._reading.discard(entry.id)
        if entry.id in self._read_queue:
            self._read_queue.remove(entry.id)

    def _stop_work(self, entry: DocumentEntry) -> None:
        self._cancel_reading(entry)
        self._summaries.cancel(entry)

    # ----- helpers -----------------------------------------------------------------------

    def _set_status(self, entry: DocumentEntry, status: str, *, quiet: bool = False) -> None:
        entry.status = status
        if status != SUMMARIZING:
            entry.progress = None
        if not quiet:
            self.entry_changed.emit(entry.id)

    def model_key(self) -> str | None:
        """The library's name for the loaded model, or None while none is loaded."""
        return self._service.model.key if self._service.model else None

    def report_problem(self, error: BaseException) -> None:
        self.message.emit(describe_error(error))
