"""Short background jobs (reading and hashing documents, library queries, exports).

The one place, apart from the model worker, where the UI gets a thread: widgets and
controllers hand a plain function to `TaskRunner.run` and get its result — or its error —
back on the main thread, where they may touch widgets. Model work never goes here; it belongs
to the model worker, which owns the engine.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot

from app.core import errors
from app.core.cancel import CancelToken
from app.core.errors import Cancelled, MatomeError

log = logging.getLogger(__name__)

ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


def describe_error(error: BaseException) -> str:
    """The message to show a person: a MatomeError's own text; for anything else (a bug) a
    short note, with the traceback going to the log instead of a dialog."""
    if isinstance(error, MatomeError):
        headline = translated_headline(error)
        # The core writes its messages in English; with a translation active, lead with the
        # translated gist and keep the details (limits, file types) that follow it.
        return f"{headline}\n{error}" if headline else str(error)
    log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    return QCoreApplication.translate(
        "TaskRunner", "Something went wrong inside Matome ({name}). Please try again; if it keeps "
        "happening, report it with the log file.").format(name=type(error).__name__)


#: The gist of each kind of core error, most specific first (QT_TRANSLATE_NOOP marks them for
#: lupdate; they are translated when shown).
_HEADLINES = (
    (errors.EncryptedDocumentError, QT_TRANSLATE_NOOP("Errors", "This document is protected by a password.")),
    (errors.ScannedDocumentError, QT_TRANSLATE_NOOP(
        "Errors", "This PDF has no text layer — it looks scanned. Run it through OCR first.")),
    (errors.CorruptDocumentError, QT_TRANSLATE_NOOP("Errors", "This file is damaged or incomplete.")),
    (errors.EmptyDocumentError, QT_TRANSLATE_NOOP("Errors", "This file has no text to read.")),
    (errors.UnsupportedDocumentError, QT_TRANSLATE_NOOP(
        "Errors", "Matome cannot read this kind of file. It reads PDF, Word (.docx), text and Markdown.")),
    # Size, pages, unpacked size, reading time and reading memory are all limits of that page.
    (errors.DocumentTooLargeError, QT_TRANSLATE_NOOP("Errors", "This file is over a limit in Settings → Documents.")),
    (errors.DocumentError, QT_TRANSLATE_NOOP("Errors", "This document could not be read.")),
    (errors.ModelNotFoundError, QT_TRANSLATE_NOOP(
        "Errors", "No model is available. Choose or download one in Settings → Models.")),
    (errors.ModelError, QT_TRANSLATE_NOOP("Errors", "The model could not be loaded or run.")),
)


def translated_headline(error: MatomeError) -> str | None:
    """The gist of a core error in the interface language, or None when no translation is
    active (the English message says it all)."""
    for kind, source in _HEADLINES:
        if isinstance(error, kind):
            text = QCoreApplication.translate("Errors", source)
            return text if text != source else None
    return None


@dataclass
class Task:
    """A submitted job. `token` is passed to the job's function if it was given one."""

    id: int
    token: CancelToken

    def cancel(self) -> None:
        self.token.cancel()


class _Relay(QObject):
    """Carries results from pool threads; it lives on the main thread, so its signals are
    delivered there (queued)."""

    succeeded = Signal(int, object)
    failed = Signal(int, object)


class _Job(QRunnable):
    def __init__(self, task_id: int, function: Callable[[], Any], relay: _Relay):
        super().__init__()
        self._task_id = task_id
        self._function = function
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._function()
        except BaseException as error:  # noqa: BLE001 — every failure must reach the main thread
            self._relay.failed.emit(self._task_id, error)
        else:
            self._relay.succeeded.emit(self._task_id, result)


class TaskRunner(QObject):
    """Runs functions on a small private thread pool.

    Signals:
        unhandled_error(str): a job failed and its caller gave no error callback; the message
            is ready to show (the main window puts it in the status bar).
    """

    unhandled_error = Signal(str)

    def __init__(self, max_threads: int = 2, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.succeeded.connect(self._on_relay_succeeded)
        self._relay.failed.connect(self._on_relay_failed)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Task, ResultCallback | None, ErrorCallback | None]] = {}
        self._closed = False

    def run(self, function: Callable[[], Any], on_result: ResultCallback | None = None,
            on_error: ErrorCallback | None = None, *, token: CancelToken | None = None) -> Task:
        """Run `function()` in the background; call `on_result(value)` or `on_error(error)` on
        the main thread. A cancelled task calls neither."""
        task = Task(next(self._ids), token or CancelToken())
        if self._closed:
            task.cancel()
            return task
        self._pending[task.id] = (task, on_result, on_error)
        self._pool.start(_Job(task.id, function, self._relay))
        return task

    @property
    def busy(self) -> bool:
        return bool(self._pending) or self._pool.activeThreadCount() > 0

    def wait_for_done(self, timeout_ms: int = 10_000) -> bool:
        return self._pool.waitForDone(timeout_ms)

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel every job, drop jobs not started, and wait for the running ones."""
        self._closed = True
        for task, _result, _error in self._pending.values():
            task.cancel()
        self._pending.clear()
        self._pool.clear()
        return self._pool.waitForDone(timeout_ms)

    @Slot(int, object)
    def _on_relay_succeeded(self, task_id: int, result: Any) -> None:
        entry = self._pending.pop(task_id, None)
        if entry is None:
            return
        task, on_result, _on_error = entry
        if not task.token.cancelled and on_result is not None:
            on_result(result)

    @Slot(int, object)
    def _on_relay_failed(self, task_id: int, error: BaseException) -> None:
        entry = self._pending.pop(task_id, None)
        if entry is None:
            return
        task, _on_result, on_error = entry
        if task.token.cancelled or isinstance(error, Cancelled):
            return
        if on_error is not None:
            on_error(error)
        else:
            self.unhandled_error.emit(describe_error(error))
