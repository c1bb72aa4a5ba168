"""The model service: the main thread's handle on the model worker's thread.

Each request becomes a Job with its own CancelToken and crosses to the ModelWorker by a
queued signal. Cancelling never waits for the worker: the service sets the job's token, asks
the engine to stop, announces `job_cancelled` at once, and drops whatever the job still
sends. `shutdown()` does the same for every job, then has the worker close the engine on its
own thread and joins the thread.
"""

from __future__ import annotations

import itertools
import logging
import sys

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from app.core.events import GenerationStats
from app.core.settings import Settings
from app.ui.model_worker import (
    Ask, EngineFactory, Job, JobOutcome, LoadModel, ModelInfo, ModelWorker, Summarize, Unload, WarmUp, load_engine,
)

log = logging.getLogger(__name__)

GIL_SWITCH_INTERVAL = 0.001
#: What reading, summarizing and answering will need. Importing holds the GIL for stretches
#: that no other thread can interrupt (C extensions, shared libraries, compiling), so these
#: are imported on the model thread while the window is being built, not once it is running.
# Documents are read in the reader process (app/core/documents/isolation.py), so the
# readers themselves are not imported here.
WARM_UP_MODULES = ("app.core.engine", "app.core.qa", "app.core.summarize")


class ModelService(QObject):
    """The UI's handle on the model thread.

    Signals (all on the main thread):
        model_loading(), model_ready(ModelInfo), model_failed(str), model_unloaded()
        job_started(int), job_event(int, event), job_finished(int, JobOutcome),
        job_failed(int, str), job_cancelled(int)
        stats_measured(GenerationStats): speed of the last generation.
    """

    model_loading = Signal()
    model_ready = Signal(object)
    model_failed = Signal(str)
    model_unloaded = Signal()
    job_started = Signal(int)
    job_event = Signal(int, object)
    job_finished = Signal(int, object)
    job_failed = Signal(int, str)
    job_cancelled = Signal(int)
    stats_measured = Signal(object)

    _job_submitted = Signal(object)
    _shutdown_requested = Signal()

    def __init__(self, engine_factory: EngineFactory | None = None, parent: QObject | None = None, *,
                 start: bool = True):
        """With `start=False` jobs queue up until `start()`: a window starts the thread once it
        has been painted, so the thread's imports do not share the GIL with building it."""
        super().__init__(parent)
        # The worker runs Python (imports, prompt building, token handling) beside the window.
        # The window's thread needs the GIL many times per frame and, by default, waits up to
        # 5 ms for it each time; at 1 ms a frame is never held up for long.
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_INTERVAL))
        self._ids = itertools.count(1)
        self._jobs: dict[int, Job] = {}
        self.model: ModelInfo | None = None
        self._thread = QThread()
        self._thread.setObjectName("matome-model-worker")
        self._worker = ModelWorker(engine_factory or load_engine)
        self._worker.moveToThread(self._thread)
        queued = Qt.ConnectionType.QueuedConnection
        self._job_submitted.connect(self._worker.run_job, queued)
        self._shutdown_requested.connect(self._worker.shut_down, queued)
        self._thread.started.connect(self._worker.lower_priority)  # runs on the new thread
        worker = self._worker
        worker.job_started.connect(self._on_worker_job_started, queued)
        worker.job_event.connect(self._on_worker_job_event, queued)
        worker.job_finished.connect(self._on_worker_job_finished, queued)
        worker.job_failed.connect(self._on_worker_job_failed, queued)
        worker.job_cancelled.connect(self._on_worker_job_cancelled, queued)
        worker.model_loading.connect(self._on_worker_model_loading, queued)
        worker.model_loaded.connect(self._on_worker_model_loaded, queued)
        worker.model_failed.connect(self._on_worker_model_failed, queued)
        worker.model_unloaded.connect(self._on_worker_model_unloaded, queued)
        worker.stats_measured.connect(self._on_worker_stats_measured, queued)
        self._stopped = False
        if start:
            self.start()

    def start(self) -> None:
        """Start the model thread (jobs submitted so far run in order). Idempotent."""
        if not self._stopped and not self._thread.isRunning():
            self._thread.start()

    # ----- requests ----------------------------------------------------------------------

    def load_model(self, settings: Settings) -> int:
        """Unload the current model (if any) and load the one `settings` choose."""
        return self._submit(LoadModel(settings))

    def warm_up(self, modules: tuple[str, ...] = WARM_UP_MODULES) -> int:
        """Import what reading and summarizing will need, on the model thread."""
        return self._submit(WarmUp(tuple(modules)))

    def summarize(self, document, options, chunk_tokens: int = 1500) -> int:
        return self._submit(Summarize(document, options, chunk_tokens))

    def ask(self, document, question: str, history=(), language: str = "auto") -> int:
        return self._submit(Ask(document, question, tuple(history), language))

    def unload(self) -> int:
        return self._submit(Unload())

    def wait_for(self, job_id: int, timeout_ms: int) -> bool:
        """Block the calling thread (without holding the GIL) until the job has ended; only for
        start-up, before the event loop runs. False if `timeout_ms` passed first."""
        return self._worker.wait_for(job_id, timeout_ms / 1000)

    def cancel(self, job_id: int) -> None:
        """Cancel a queued or running job; `job_cancelled` is emitted before this returns."""
        job = self._jobs.pop(job_id, None)
        if job is None:
            return
        job.token.cancel()
        self._worker.interrupt(job_id)
        self.job_cancelled.emit(job_id)

    def cancel_all(self) -> None:
        for job_id in list(self._jobs):
            self.cancel(job_id)

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    @property
    def running(self) -> bool:
        return self._thread.isRunning()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel every job, close the engine on its thread, and join the thread."""
        was_stopped, self._stopped = self._stopped, True
        if not self._thread.isRunning():
            self._jobs.clear()  # never started: its queued jobs will not run
            return True
        if was_stopped:
            return self._thread.wait(timeout_ms)
        for job in self._jobs.values():
            job.token.cancel()
            self._worker.interrupt(job.id)
        self._jobs.clear()
        self._shutdown_requested.emit()
        finished = self._thread.wait(timeout_ms)
        if not finished:
            log.error("the model thread did not stop within %d ms", timeout_ms)
        return finished

    def _submit(self, request) -> int:
        if self._stopped:
            raise RuntimeError("the model service has been shut down")
        job = Job(next(self._ids), request)
        self._jobs[job.id] = job
        self._job_submitted.emit(job)
        return job.id

    # ----- from the worker (a job no longer in _jobs was cancelled: its news is dropped) ----

    @Slot(int)
    def _on_worker_job_started(self, job_id: int) -> None:
        if job_id in self._jobs:
            self.job_started.emit(job_id)

    @Slot(int, object)
    def _on_worker_job_event(self, job_id: int, event: object) -> None:
        if job_id in self._jobs:
            self.job_event.emit(job_id, event)

    @Slot(int, object)
    def _on_worker_job_finished(self, job_id: int, outcome: JobOutcome) -> None:
        if self._jobs.pop(job_id, None) is not None:
            self.job_finished.emit(job_id, outcome)

    @Slot(int, str)
    def _on_worker_job_failed(self, job_id: int, message: str) -> None:
        if self._jobs.pop(job_id, None) is not None:
            self.job_failed.emit(job_id, message)

    @Slot(int)
    def _on_worker_job_cancelled(self, job_id: int) -> None:
        # Cancelled from outside the service (cannot happen today) still reaches listeners.
        if self._jobs.pop(job_id, None) is not None:
            self.job_cancelled.emit(job_id)

    @Slot()
    def _on_worker_model_loading(self) -> None:
        self.model = None
        self.model_loading.emit()

    @Slot(object)
    def _on_worker_model_loaded(self, model: ModelInfo) -> None:
        self.model = model
        self.model_ready.emit(model)

    @Slot(str)
    def _on_worker_model_failed(self, message: str) -> None:
        self.model_failed.emit(message)

    @Slot()
    def _on_worker_model_unloaded(self) -> None:
        self.model = None
        self.model_unloaded.emit()

    @Slot(object)
    def _on_worker_stats_measured(self, stats: GenerationStats) -> None:
        self.stats_measured.emit(stats)
