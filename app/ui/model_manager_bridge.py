"""The model manager for the window: downloads, imports, checks and deletions off the main thread.

`ModelManagerBridge` lives on the main thread and owns a small private thread pool; each job
(one download, one import, one verification…) runs there as a `_Job` that calls the core
function with a progress callback and a `TransferControl`. Progress, results and errors cross
back through `_Relay`, a main-thread QObject whose queued signals reach the bridge's @Slot
methods; the bridge then re-emits them, with progress coalesced so that a fast transfer does
not repaint the window hundreds of times a second. Widgets call the bridge's methods and
listen to its signals; they never start threads.

Every job has a key naming what it works on ("download:<catalog id>", "import:<path>",
"verify:<model id>", "delete:<model id>"), so a widget can follow one transfer.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from app.core.errors import Cancelled, MatomeError
from app.core.models import (
    CatalogEntry, InstalledModel, PartialDownload, RetryPolicy, TransferControl, TransferProgress,
    delete_model, discard_partial_download, download_catalog_model, import_model, list_installed,
    load_catalog, partial_downloads, verify_model,
)
from app.ui.settings_store import SettingsStore

log = logging.getLogger(__name__)

DOWNLOAD, IMPORT, VERIFY, DELETE, REFRESH = "download", "import", "verify", "delete", "refresh"
#: Progress reaches listeners at most this often per transfer (phase changes go at once).
PAINT_INTERVAL_MS = 150


def download_key(catalog_id: str) -> str:
    return f"{DOWNLOAD}:{catalog_id}"


def import_key(path: str | Path) -> str:
    return f"{IMPORT}:{Path(path)}"


def verify_key(model_id: str) -> str:
    return f"{VERIFY}:{model_id}"


def delete_key(model_id: str) -> str:
    return f"{DELETE}:{model_id}"


def key_kind(key: str) -> str:
    return key.split(":", 1)[0]


@dataclass
class Transfer:
    """A job the bridge is running. `stopping` is "pause" or "cancel" once the user asked."""

    key: str
    control: TransferControl = field(default_factory=TransferControl)
    progress: TransferProgress | None = None
    stopping: str = ""
    #: The last progress handed to listeners, and when; `dirty` when a newer one waits.
    painted_phase: str = ""
    painted_at: float = float("-inf")
    dirty: bool = False


class _Relay(QObject):
    """Carries news from pool threads. It lives on the main thread, so its signals arrive there
    queued; the bridge's receivers are @Slot methods, never lambdas (a lambda could run on the
    emitting thread)."""

    progress = Signal(str, object)
    succeeded = Signal(str, object)
    failed = Signal(str, object)


class _Job(QRunnable):
    def __init__(self, key: str, function: Callable[[], Any], relay: _Relay):
        super().__init__()
        self._key = key
        self._function = function
        self._relay = relay

    def run(self) -> None:
        function, relay = self._function, self._relay
        # PySide keeps this wrapper alive after the run; holding the job's closure (and through
        # it the bridge) would put the bridge in a reference cycle that the garbage collector
        # may then break on a pool thread, destroying Qt objects on the wrong thread.
        self._function = self._relay = None
        try:
            result = function()
        except BaseException as error:  # noqa: BLE001 — every outcome must reach the main thread
            if not isinstance(error, MatomeError):
                log.error("model manager job %s failed", self._key, exc_info=error)
            # Without its traceback, whose frames reach the bridge, the error makes no cycle.
            relay.failed.emit(self._key, error.with_traceback(None))
        else:
            relay.succeeded.emit(self._key, result)


class ModelManagerBridge(QObject):
    """The model manager as the window sees it.

    Signals (all on the main thread):
        installed_changed(list[InstalledModel]): after `refresh()`; `partials` is updated too.
        transfer_started(key)
        transfer_progress(key, TransferProgress): coalesced to one per PAINT_INTERVAL_MS.
        transfer_finished(key, result): an InstalledModel for downloads and imports, a
            (model, checksum_compared) pair for verifications, the deleted model for deletions.
        transfer_paused(key, message): a download stopped with its partial file kept.
        transfer_cancelled(key, message): stopped, partial file deleted.
        transfer_failed(key, message): a message for the user (str of a MatomeError).
    """

    installed_changed = Signal(object)
    transfer_started = Signal(str)
    transfer_progress = Signal(str, object)
    transfer_finished = Signal(str, object)
    transfer_paused = Signal(str, str)
    transfer_cancelled = Signal(str, str)
    transfer_failed = Signal(str, str)

    def __init__(self, store: SettingsStore, parent: QObject | None = None, *,
                 retry_policy: RetryPolicy | None = None, max_threads: int = 4):
        super().__init__(parent)
        self._store = store
        self._retry_policy = retry_policy
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.progress.connect(self._on_relay_progress)
        self._relay.succeeded.connect(self._on_relay_succeeded)
        self._relay.failed.connect(self._on_relay_failed)
        self._paint_timer = QTimer(self)
        self._paint_timer.setSingleShot(True)
        self._paint_timer.setInterval(PAINT_INTERVAL_MS)
        self._paint_timer.timeout.connect(self._on_paint_timer_timeout)
        self._transfers: dict[str, Transfer] = {}
        self._installed: list[InstalledModel] | None = None
        self._partials: list[PartialDownload] = []
        self._refresh_again = False
        self._closed = False
        self._catalog_entries: dict[str, CatalogEntry] | None = None
        store.changed.connect(self._on_store_changed)

    # ----- what is installed ----------------------------------------------------------

    @property
    def installed(self) -> list[InstalledModel] | None:
        """The installed models as of the last refresh; None before the first one finished."""
        return None if self._installed is None else list(self._installed)

    @property
    def partials(self) -> list[PartialDownload]:
        return list(self._partials)

    def refresh(self) -> None:
        """List installed models and partial downloads again (in the background)."""
        if REFRESH in self._transfers:
            self._refresh_again = True
            return
        settings = self._store.settings
        self._start(REFRESH, lambda _transfer: (list_installed(settings=settings),
                                                partial_downloads(settings=settings)))

    def catalog_entry(self, catalog_id: str) -> CatalogEntry | None:
        if self._catalog_entries is None:
            try:
                self._catalog_entries = {entry.id: entry for entry in load_catalog().entries}
            except MatomeError:
                self._catalog_entries = {}
        return self._catalog_entries.get(catalog_id)

    def partial_for(self, entry: CatalogEntry) -> PartialDownload | None:
        """The paused download of a catalog entry, if one is waiting to be resumed."""
        for waiting in self._partials:
            if waiting.repo_id.lower() == entry.repo_id.lower() and waiting.filename == entry.filename:
                return waiting
        return None

    # ----- jobs ------------------------------------------------------------------------

    def download(self, entry: CatalogEntry | str) -> str:
        """Download (or resume downloading) a catalog model; returns the job's key."""
        if isinstance(entry, str):
            found = self.catalog_entry(entry)
            if found is None:
                raise KeyError(entry)
            entry = found
        settings, options = self._store.settings, {}
        if self._retry_policy is not None:
            options["policy"] = self._retry_policy
        return self._start(download_key(entry.id), lambda transfer: download_catalog_model(
            entry, settings=settings, control=transfer.control,
            on_progress=partial(self._relay.progress.emit, download_key(entry.id)), **options))

    def resume(self, key: str) -> str:
        """Start a paused or failed download again; the core resumes its partial file."""
        return self.download(key.split(":", 1)[1])

    def import_file(self, path: str | Path, mode: str = "copy") -> str:
        key, settings = import_key(path), self._store.settings
        return self._start(key, lambda transfer: import_model(
            path, mode=mode, settings=settings, control=transfer.control,
            on_progress=partial(self._relay.progress.emit, key)))

    def verify(self, model_id: str) -> str:
        key, settings = verify_key(model_id), self._store.settings
        return self._start(key, lambda transfer: verify_model(
            model_id, settings=settings, control=transfer.control,
            on_progress=partial(self._relay.progress.emit, key)))

    def delete(self, model_id: str) -> str:
        key, settings = delete_key(model_id), self._store.settings
        return self._start(key, lambda _transfer: delete_model(model_id, settings=settings))

    def is_running(self, key: str) -> bool:
        return key in self._transfers

    def is_stopping(self, key: str) -> bool:
        transfer = self._transfers.get(key)
        return transfer is not None and bool(transfer.stopping)

    def progress(self, key: str) -> TransferProgress | None:
        transfer = self._transfers.get(key)
        return None if transfer is None else transfer.progress

    def running_keys(self) -> list[str]:
        return [key for key in self._transfers if key != REFRESH]

    def pause(self, key: str) -> None:
        """Stop a download and keep what it fetched; `transfer_paused` follows when it has stopped."""
        transfer = self._transfers.get(key)
        if transfer is not None and not transfer.stopping:
            transfer.stopping = "pause"
            transfer.control.pause()

    def cancel(self, key: str) -> None:
        """Stop a job and delete its partial file; for a paused download, delete the partial now."""
        transfer = self._transfers.get(key)
        if transfer is not None:
            transfer.stopping = "cancel"
            transfer.control.cancel()
            return
        if key_kind(key) != DOWNLOAD:
            return
        entry = self.catalog_entry(key.split(":", 1)[1])
        waiting = self.partial_for(entry) if entry is not None else None
        if waiting is not None:
            discard_partial_download(waiting)
            self._partials.remove(waiting)
        self.transfer_cancelled.emit(key, "")
        self.refresh()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Pause downloads (they resume next time), cancel the rest, and wait for the threads."""
        self._closed = True
        for transfer in self._transfers.values():
            if key_kind(transfer.key) == DOWNLOAD:
                transfer.control.pause()
            else:
                transfer.control.cancel()
        self._paint_timer.stop()
        finished = self._pool.waitForDone(timeout_ms)
        self._transfers.clear()
        if not finished:
            log.error("model manager jobs did not stop within %d ms", timeout_ms)
        return finished

    def _start(self, key: str, work: Callable[[Transfer], Any]) -> str:
        if self._closed:
            raise RuntimeError("the model manager has been shut down")
        if key in self._transfers:
            return key  # already running: pressing Download twice is one download
        transfer = Transfer(key)
        self._transfers[key] = transfer
        self._pool.start(_Job(key, partial(work, transfer), self._relay))
        if key != REFRESH:
            self.transfer_started.emit(key)
        return key

    # ----- news from the pool (main thread) ---------------------------------------------

    @Slot(str, object)
    def _on_relay_progress(self, key: str, progress: TransferProgress) -> None:
        transfer = self._transfers.get(key)
        if transfer is None:
            return
        transfer.progress = progress
        due = time.monotonic() - transfer.painted_at >= PAINT_INTERVAL_MS / 1000
        if progress.phase != transfer.painted_phase or due:
            self._paint(transfer)
        else:
            transfer.dirty = True
            if not self._paint_timer.isActive():
                self._paint_timer.start()

    @Slot()
    def _on_paint_timer_timeout(self) -> None:
        for transfer in list(self._transfers.values()):
            if transfer.dirty:
                self._paint(transfer)

    @Slot(str, object)
    def _on_relay_succeeded(self, key: str, result: Any) -> None:
        if self._closed:
            return  # news that arrives after shutdown() has nobody left to tell
        transfer = self._end(key)
        if key == REFRESH:
            self._installed, self._partials = result
            self.installed_changed.emit(list(self._installed))
            if self._refresh_again:
                self._refresh_again = False
                self.refresh()
            return
        if transfer is not None:
            self.transfer_finished.emit(key, result)
        self.refresh()

    @Slot(str, object)
    def _on_relay_failed(self, key: str, error: BaseException) -> None:
        if self._closed:
            return
        transfer = self._end(key)
        if isinstance(error, Cancelled):
            kept = transfer is not None and transfer.control.keep_partial
            if kept and key_kind(key) == DOWNLOAD:
                self.transfer_paused.emit(key, str(error))
            else:
                self.transfer_cancelled.emit(key, str(error))
        else:
            from app.ui.tasks import describe_error  # a MatomeError's own text; a bug is logged

            self.transfer_failed.emit(key, describe_error(error))
        if key != REFRESH:
            self.refresh()

    @Slot(object)
    def _on_store_changed(self, sections: frozenset[str]) -> None:
        if "models" in sections and not self._closed:
            self.refresh()  # the models folder may have moved

    def _paint(self, transfer: Transfer) -> None:
        transfer.dirty = False
        transfer.painted_at = time.monotonic()
        transfer.painted_phase = transfer.progress.phase if transfer.progress else ""
        if transfer.progress is not None:
            self.transfer_progress.emit(transfer.key, transfer.progress)

    def _end(self, key: str) -> Transfer | None:
        """Forget a finished job, first handing listeners its last progress."""
        transfer = self._transfers.pop(key, None)
        if transfer is not None and transfer.dirty:
            self._paint(transfer)
        if not any(t.dirty for t in self._transfers.values()):
            self._paint_timer.stop()
        return transfer
