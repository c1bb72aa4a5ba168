"""The model worker: the one thread that owns the engine.

`ModelWorker` is a QObject moved to its own QThread (by `ModelService`, in model_service.py,
which is what the rest of the UI talks to). Requests — load a model, summarize, ask, unload —
arrive as Jobs through a queued signal, so they run one at a time in the order they were
asked; events, results and errors go back by signals. Each Job carries a CancelToken that the
main thread may set at any moment: llama.cpp polls it even while reading a long prompt.

The engine is created by a factory so that tests can script one; the default factory resolves
the model chosen in Settings and imports llama.cpp — on this thread, never on the main one.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.core.cancel import CancelToken
from app.core.errors import Cancelled, ModelNotFoundError
from app.core.events import AnswerResult, GenerationStats, Progress, SummaryResult
from app.core.settings import Settings

log = logging.getLogger(__name__)

EngineFactory = Callable[[Settings], Any]
#: How much lower than the window the model runs (Linux nice levels; 0 is the window's).
WORKER_NICENESS = 5


def load_engine(settings: Settings):
    """The default engine factory: the model chosen in Settings (or the best installed one)."""
    from app.core.engine import Engine

    chosen = Path(settings.models.active_model).expanduser() if settings.models.active_model else None
    if chosen is None or not chosen.is_file():
        # Finding the best installed model scans every installed package's file list: worth
        # it only when no model file was chosen.
        from app.core.models.installed import resolve_model

        chosen = resolve_model(settings).path
    return Engine(chosen, settings.inference)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path
    n_ctx: int
    description: str

    @property
    def key(self) -> str:
        """What the library keys summaries by: the model file's name."""
        return self.path.name


# ----- requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadModel:
    settings: Settings


@dataclass(frozen=True)
class Summarize:
    document: Any
    options: Any
    chunk_tokens: int = 1500


@dataclass(frozen=True)
class Ask:
    document: Any
    question: str
    history: tuple[tuple[str, str], ...] = ()
    language: str = "auto"


@dataclass(frozen=True)
class Unload:
    pass


@dataclass(frozen=True)
class WarmUp:
    """Import modules that later work needs, here and one at a time."""

    modules: tuple[str, ...]


@dataclass
class Job:
    id: int
    request: Any
    token: CancelToken = field(default_factory=CancelToken)


@dataclass(frozen=True)
class JobOutcome:
    """What a finished job returns: a ModelInfo, SummaryResult or AnswerResult, and the model
    that made it."""

    result: Any
    model: ModelInfo | None


# ----- the worker (its own thread) ---------------------------------------------------------


class ModelWorker(QObject):
    """Runs jobs on the model thread. Only `interrupt()` may be called from another thread."""

    job_started = Signal(int)
    job_event = Signal(int, object)
    job_finished = Signal(int, object)
    job_failed = Signal(int, str)
    job_cancelled = Signal(int)
    model_loading = Signal()
    model_loaded = Signal(object)
    model_failed = Signal(str)
    model_unloaded = Signal()
    stats_measured = Signal(object)

    def __init__(self, engine_factory: EngineFactory):
        super().__init__()
        self._engine_factory = engine_factory
        self._engine = None
        self._model: ModelInfo | None = None
        self._answerer = None
        self._settings: Settings | None = None
        self._lock = threading.Lock()
        self._current: Job | None = None
        # Jobs finish in id order; waiting threads watch this number.
        self._finished = threading.Condition()
        self._finished_through = 0

    def interrupt(self, job_id: int) -> None:
        """Stop the engine now if `job_id` is the job running (any thread)."""
        with self._lock:
            # Holding the lock keeps the worker from moving on to the next job meanwhile, so
            # engine.cancel() can only reach the token of this job.
            if self._current is not None and self._current.id == job_id and self._engine is not None:
                self._engine.cancel()

    def wait_for(self, job_id: int, timeout: float) -> bool:
        """Block until job `job_id` has ended (any thread but this one's); False on timeout."""
        with self._finished:
            return self._finished.wait_for(lambda: self._finished_through >= job_id, timeout)

    @Slot(object)
    def run_job(self, job: Job) -> None:
        try:
            self._run(job)
        finally:
            with self._finished:
                self._finished_through = max(self._finished_through, job.id)
                self._finished.notify_all()

    def _run(self, job: Job) -> None:
        with self._lock:
            if job.token.cancelled:
                return
            self._current = job
        self.job_started.emit(job.id)
        try:
            result = self._handle(job)
        except Cancelled:
            self.job_cancelled.emit(job.id)
        except Exception as error:  # noqa: BLE001 — reported to the user, never raised into Qt
            from app.ui.tasks import describe_error

            self.job_failed.emit(job.id, describe_error(error))
        else:
            self.job_finished.emit(job.id, JobOutcome(result, self._model))
        finally:
            with self._lock:
                self._current = None

    @Slot()
    def lower_priority(self) -> None:
        """Run this thread — and llama.cpp's compute threads, which inherit it — at a lower
        priority than the window, so that a busy model never makes the window wait for a CPU."""
        if hasattr(os, "setpriority") and sys.platform.startswith("linux"):
            try:
                # On Linux a thread's nice value is its own (and its children's), not the process's.
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICENESS)
            except OSError as error:
                log.info("could not lower the model thread's priority: %s", error)

    @Slot()
    def shut_down(self) -> None:
        self._close_engine()
        QThread.currentThread().quit()

    # ----- handlers ----------------------------------------------------------------------

    def _handle(self, job: Job):
        request = job.request
        if isinstance(request, LoadModel):
            self._settings = request.settings
            return self._load(job)
        if isinstance(request, Unload):
            self._close_engine()
            return None
        if isinstance(request, WarmUp):
            return self._warm_up(job, request)
        if self._engine is None:
            self._load(job)
        job.token.raise_if_cancelled()
        if isinstance(request, Summarize):
            return self._summarize(job, request)
        if isinstance(request, Ask):
            return self._ask(job, request)
        raise TypeError(f"unknown request {request!r}")

    def _warm_up(self, job: Job, request: WarmUp) -> list[str]:
        imported = []
        for name in request.modules:
            job.token.raise_if_cancelled()
            try:
                importlib.import_module(name)
            except ImportError as error:  # an optional reader missing: its documents will say so
                log.info("warm-up: %s not imported (%s)", name, error)
            else:
                imported.append(name)
        return imported

    def _load(self, job: Job) -> ModelInfo:
        if self._settings is None:
            raise ModelNotFoundError("No model has been chosen yet.")
        self._close_engine()
        self.model_loading.emit()
        self.job_event.emit(job.id, Progress("loading", 0, 1, 0.0))
        try:
            engine = self._engine_factory(self._settings)
        except Exception as error:
            from app.ui.tasks import describe_error

            self.model_failed.emit(describe_error(error))
            raise
        from app.core.qa import QuestionAnswerer

        with self._lock:
            self._engine = engine
        # One answerer per engine: it keeps the document's prompt prefix, so the engine's KV
        # cache serves follow-up questions without re-reading the document.
        self._answerer = QuestionAnswerer(engine)
        self._model = ModelInfo(engine.model_name, Path(engine.model_path), engine.n_ctx, engine.describe())
        self.model_loaded.emit(self._model)
        return self._model

    def _summarize(self, job: Job, request: Summarize) -> SummaryResult:
        from app.core.summarize import Summarizer

        summarizer = Summarizer(self._engine, chunk_tokens=request.chunk_tokens)
        result = None
        try:
            for event in summarizer.summarize(request.document, request.options, job.token):
                if isinstance(event, SummaryResult):
                    result = event
                else:
                    self.job_event.emit(job.id, event)
        finally:
            self._report_stats()
        if result is None:
            raise RuntimeError("the summarizer ended without a result")
        return result

    def _ask(self, job: Job, request: Ask) -> AnswerResult:
        result = None
        try:
            for event in self._answerer.ask(request.document, request.question, request.history,
                                            language=request.language, cancel=job.token):
                if isinstance(event, AnswerResult):
                    result = event
                else:
                    self.job_event.emit(job.id, event)
        finally:
            self._report_stats()
        if result is None:
            raise RuntimeError("the answerer ended without a result")
        return result

    def _report_stats(self) -> None:
        stats = getattr(self._engine, "last_stats", None)
        if isinstance(stats, GenerationStats) and stats.generated_tokens:
            self.stats_measured.emit(stats)

    def _close_engine(self) -> None:
        with self._lock:
            engine, self._engine = self._engine, None
        self._answerer = None
        if engine is not None:
            self._model = None
            engine.close()
            self.model_unloaded.emit()
