"""Reading documents in a separate process, so that a hostile file costs one error message.

pypdfium2 and lxml are native code: a crafted or damaged file can crash them (a segfault takes
the whole process with it), make them loop for ever, or make them eat all memory. So
`ReaderPool.read` runs the readers in a worker process started with multiprocessing's "spawn"
method — never fork: the window has threads, and a forked copy of a held lock never unlocks —
under a memory limit, and waits for the answer with a wall-time limit while polling the
caller's cancel flag. A worker that crashed, overran or was cancelled is killed and replaced;
a healthy one stays warm for the next file, so only the first read pays for starting Python.

The worker's own side (its loop and limits) is reader_worker.py; it imports the readers and
nothing else of the app: never Qt, never llama_cpp. As with any use of "spawn", a script that
reads documents must keep its top level under `if __name__ == "__main__":` (the worker imports
the main module); a frozen bundle must call multiprocessing.freeze_support() first thing, as
app/__main__.py does.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import wait as wait_for_any
from pathlib import Path

from app.core import errors
from app.core.child_limits import describe_exit
from app.core.documents.model import Document
from app.core.documents.reader_worker import (
    ADDRESS_SPACE_LIMITED,
    RETIRE_AT,
    ReadRequest,
    growth_share,
    read_request,
    worker_main,
)
from app.core.errors import Cancelled, CorruptDocumentError, DocumentError, DocumentTooLargeError
from app.core.settings import LimitSettings

log = logging.getLogger(__name__)

#: How often the waiting side looks at the cancel flag, the clock and the worker's memory.
_POLL_SECONDS = 0.025
#: Idle workers kept running; two, because the window may read two files at once.
_KEEP_WARM = 2
#: A worker that dies having grown past this share of its headroom (its memory limit less what
#: it held idle, reader_worker.growth_share) ran out of memory.
_CRASH_IS_MEMORY = RETIRE_AT
#: Where no address-space limit holds, the deaths that running out of memory causes: killed
#: (by this process's watch, or by the system's out-of-memory killer) or aborted (by native
#: code whose allocation failed). Windows has neither signal: its exit codes are not negative.
_MEMORY_DEATHS = frozenset(-int(getattr(signal, name)) for name in ("SIGKILL", "SIGABRT")
                           if hasattr(signal, name))

CRASHED = ("Reading this file crashed {reader}; the file is probably damaged. Matome restarted the "
           "reader, so other files are not affected. If the file opens in another program, save a new "
           "copy from there (for a PDF, “Print → Save as PDF”) and open the copy.")
TIMED_OUT = ("Reading this file took longer than {seconds:,} seconds, so Matome stopped. It may be "
             "damaged, or very large and complex. If it opens in another program, save a new copy from "
             "there and open that, or raise the time limit in Settings → Documents.")
OUT_OF_MEMORY = ("Reading this file needed more than {megabytes:,} MB of memory, so Matome stopped. It may "
                 "be damaged, or far larger inside than on disk. You can raise the memory limit in "
                 "Settings → Documents.")
DID_NOT_START = ("Matome's document reader did not start ({detail}), so no file can be read. Reinstall "
                 "Matome; if that does not help, report this problem.")
READER_FAILED = ("Matome couldn't read this file; it may be damaged. Try opening it in the program that "
                 "made it and saving a new copy.")

__all__ = ["ReadRequest", "ReaderPool", "default_pool", "read_request", "warm_up"]


class _Worker:
    """One reader process and the parent's end of its pipe."""

    def __init__(self, context, reader: Callable[[ReadRequest], Document]):
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=worker_main, args=(child_end, reader),
                                       name="matome-reader", daemon=True)
        self.process.start()
        child_end.close()
        self.ready = False
        #: Set when the worker said it exits after its current answer.
        self.retiring = False
        #: The largest memory seen during the current request: address space on Linux (where
        #: RLIMIT_AS is the limit), resident memory elsewhere (address space means nothing
        #: there: on macOS every process maps hundreds of GB of shared cache).
        self.peak_megabytes = 0.0
        #: What the worker held once it had imported the readers, measured the same way
        #: (reported by the worker in its "ready" message).
        self.baseline_megabytes = 0.0
        self._watch = None

    def resident_megabytes(self) -> float | None:
        """Resident memory now; also notes the peak, for `peak_megabytes`."""
        try:
            if self._watch is None:
                import psutil

                self._watch = psutil.Process(self.process.pid)
            memory = self._watch.memory_info()
        except Exception:  # noqa: BLE001 — the process may be gone; the pipe will say so
            return None
        resident = memory.rss / 1024 / 1024
        now = memory.vms / 1024 / 1024 if ADDRESS_SPACE_LIMITED else resident
        self.peak_megabytes = max(self.peak_megabytes, now)
        return resident

    def stop(self) -> None:
        try:
            self.connection.send(None)
        except (OSError, ValueError):
            pass
        self.connection.close()

    def kill(self) -> int | None:
        """Stop the process now; its exit code (negative: the signal that ended it)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()
        return self.process.exitcode


class ReaderPool:
    """Reads documents in worker processes; `read` is safe to call from several threads."""

    def __init__(self, reader: Callable[[ReadRequest], Document] = read_request, *, keep_warm: int = _KEEP_WARM):
        # `reader` runs in the worker, so it must be a module-level function (sent by name).
        self._reader = reader
        self._keep_warm = keep_warm
        self._context = multiprocessing.get_context("spawn")
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        #: Workers stopped because they crashed, overran or were cancelled.
        self.restarts = 0
        #: The process id of the worker that took the latest request (the self-test shows it).
        self.last_pid: int | None = None

    def warm_up(self) -> None:
        """Start a worker now, so that the first read does not wait for Python to start."""
        with self._lock:
            if not self._idle:
                self._idle.append(self._start())

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()

    def read(self, path: str | os.PathLike, *, password: str | None = None, limits: LimitSettings | None = None,
             should_cancel: Callable[[], bool] | None = None) -> Document:
        """The file read by a worker: a Document, or the worker's DocumentError; a crash, an
        overrun of the time or memory limit and a cancel stop the worker (and raise)."""
        # The worker resolves relative paths against the folder it started in, which need not
        # be this process's current one any more; the caller still gets its own path back.
        given = str(path)
        request = ReadRequest(os.path.abspath(given), password, limits or LimitSettings())
        worker = self._take()
        self.last_pid = worker.process.pid
        try:
            kind, payload = self._exchange(worker, request, should_cancel)
        except BaseException as error:
            self._discard(worker)
            if isinstance(error, DocumentError):
                error.path = given
            raise
        if kind == "memory" or worker.retiring:
            self._discard(worker)
        else:
            self._give_back(worker)
        if kind == "memory":
            raise DocumentTooLargeError(OUT_OF_MEMORY.format(megabytes=request.limits.max_reader_megabytes), given)
        if kind == "document":
            if should_cancel is not None and should_cancel():
                raise Cancelled()
            payload.path = Path(given)
            return payload
        if kind == "error":
            error = _rebuild_error(payload)
            if error.path == request.path:
                error.path = given
            raise error
        # Only the exception's type (the worker sends no more): its message may quote the file.
        log.warning("the reader failed on %s (%s)", request.path, str(payload).split(":", 1)[0])
        raise CorruptDocumentError(READER_FAILED, given)

    # ----- internals -----

    def _exchange(self, worker: _Worker, request: ReadRequest,
                  should_cancel: Callable[[], bool] | None) -> tuple[str, object]:
        limits = request.limits
        deadline = time.monotonic() + limits.max_read_seconds
        try:
            worker.connection.send(request)
        except (OSError, ValueError):
            raise self._died(worker, request) from None
        next_memory_check = 0.0
        worker.peak_megabytes = 0.0
        while True:
            ready = wait_for_any([worker.connection, worker.process.sentinel], timeout=_POLL_SECONDS)
            if worker.connection in ready:
                try:
                    kind, payload = worker.connection.recv()
                except (EOFError, OSError):
                    raise self._died(worker, request) from None
                if kind == "ready":
                    worker.ready = True
                    _pid, worker.baseline_megabytes = payload
                elif kind == "retiring":
                    worker.retiring = True
                elif kind == "log":
                    _replay(payload)
                else:
                    return kind, payload
            elif ready:
                raise self._died(worker, request)
            if should_cancel is not None and should_cancel():
                raise Cancelled()
            now = time.monotonic()
            if now > deadline:
                log.warning("reading %s took over %d s; stopping the reader", request.path,
                            limits.max_read_seconds)
                raise DocumentTooLargeError(TIMED_OUT.format(seconds=limits.max_read_seconds), request.path)
            if now >= next_memory_check:
                # Where RLIMIT_AS does not exist (Windows) or is not enforced (macOS), this is the limit.
                next_memory_check = now + _POLL_SECONDS
                used = worker.resident_megabytes()
                if used is not None and used > limits.max_reader_megabytes:
                    log.warning("reading %s used %.0f MB; stopping the reader", request.path, used)
                    raise DocumentTooLargeError(OUT_OF_MEMORY.format(megabytes=limits.max_reader_megabytes),
                                                request.path)

    def _died(self, worker: _Worker, request: ReadRequest) -> DocumentError:
        code = worker.kill()
        how = describe_exit(code)
        if not worker.ready:
            log.error("the reader process ended before it was ready (%s)", how)
            return DocumentError(DID_NOT_START.format(detail=how), request.path)
        log.warning("the reader process %s while reading %s", how, request.path)
        if _crash_was_memory(worker, code, request.limits.max_reader_megabytes):
            return DocumentTooLargeError(OUT_OF_MEMORY.format(megabytes=request.limits.max_reader_megabytes),
                                         request.path)
        return CorruptDocumentError(CRASHED.format(reader=_reader_name(Path(request.path))), request.path)

    def _start(self) -> _Worker:
        try:
            return _Worker(self._context, self._reader)
        except OSError as exc:
            raise DocumentError(DID_NOT_START.format(detail=exc.strerror or exc)) from exc

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive():
                    return worker
                worker.kill()
        return self._start()

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if len(self._idle) < self._keep_warm:
                self._idle.append(worker)
                return
        worker.stop()

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self.restarts += 1
            if self._idle:
                return
        try:
            # Started now, it boots while the caller shows the error; the next read finds it warm.
            replacement = self._start()
        except DocumentError:
            return
        self._give_back(replacement)


def _crash_was_memory(worker: _Worker, code: int | None, limit_megabytes: int) -> bool:
    """Whether a worker that died while reading ran out of memory rather than crashed.

    Native code that cannot allocate mostly aborts (pdfium does, on a flate bomb). The worker
    retires once its memory grew past RETIRE_AT of its headroom, so growth past that share
    during this request came from this file. On Linux the limit is RLIMIT_AS, so any death
    after such growth is the limit's; elsewhere nothing limits the address space, so only a
    kill or an abort with a high resident peak reads as memory, and other crashes as crashes.
    """
    grown = growth_share(worker.peak_megabytes, worker.baseline_megabytes, limit_megabytes)
    if grown < _CRASH_IS_MEMORY:
        return False
    return ADDRESS_SPACE_LIMITED or code in _MEMORY_DEATHS


def _reader_name(path: Path) -> str:
    """Which library the crash message blames, judged by the same magic bytes as detect_kind."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1024)
    except OSError:
        head = b""
    if b"%PDF-" in head:
        return "the PDF reader"
    if head.startswith(b"PK"):
        return "the Word reader"
    return "the document reader"


def _rebuild_error(state: tuple[str, str, dict]) -> DocumentError:
    # Exceptions pickle by their args, which would drop `path` and `wrong_password`; so the
    # worker sends class name, message and attributes, and only DocumentError classes are made.
    name, message, attributes = state
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, DocumentError)):
        cls = DocumentError
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(attributes)
    return error


def _replay(state: dict) -> None:
    logger = logging.getLogger(state.get("name") or __name__)
    if logger.isEnabledFor(state.get("levelno") or logging.INFO):
        logger.handle(logging.makeLogRecord(state))


_default_pool: ReaderPool | None = None
_default_lock = threading.Lock()


def default_pool() -> ReaderPool:
    """The pool `load_document` uses, made on first use."""
    global _default_pool
    with _default_lock:
        if _default_pool is None:
            _default_pool = ReaderPool()
        return _default_pool


def warm_up() -> None:
    """Start the default pool's worker ahead of the first read (e.g. while a model loads)."""
    default_pool().warm_up()
