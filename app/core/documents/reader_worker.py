"""The document reader process's side: its loop, its limits, and what it sends back.

The parent (isolation.py) starts this with multiprocessing's "spawn" method and sends one
ReadRequest at a time; the answer is ("document", Document), ("error", state of a
DocumentError), ("memory", None) or ("failed", exception type name), with ("log", record)
lines streamed meanwhile, ("ready", (pid, baseline megabytes)) once at start, and ("retiring",
None) before an answer after which this process exits. It imports the readers and nothing else
of the app (and the log file's redaction): never Qt, never llama_cpp.

Memory is judged by growth over the baseline: what this process held once the readers were
imported (~160-190 MB of address space on Linux), measured as `peak_megabytes` measures it. The
baseline is no file's doing, so a share of the limit counts only the headroom above it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from app.core.child_limits import limit_address_space, no_core_dumps
from app.core.documents.model import Document
from app.core.errors import DocumentError
from app.core.log_file import PrivateFormatter, debug_logging, safe_arguments
from app.core.settings import LimitSettings

#: A worker whose memory grew past this share of its headroom (the limit less the baseline)
#: exits after answering.
RETIRE_AT = 0.5
#: Where the memory limit is an address-space limit the kernel enforces (RLIMIT_AS): Linux.
#: Elsewhere memory is judged by the resident set, which is what the parent watches there.
ADDRESS_SPACE_LIMITED = sys.platform.startswith("linux")
#: Log records the worker forwards; DEBUG would flood the pipe on a damaged file.
FORWARDED_LEVEL = logging.INFO
_RECORD_FIELDS = ("name", "levelno", "levelname", "pathname", "filename", "module", "lineno",
                  "funcName", "created", "msecs", "relativeCreated", "process", "processName")


@dataclass(frozen=True)
class ReadRequest:
    """What the worker needs to read one file; it crosses the pipe, so it is plain data."""

    path: str
    password: str | None
    limits: LimitSettings


def read_request(request: ReadRequest) -> Document:
    """The worker's reader: the in-process `load_document`, without a cancel flag (the parent
    cancels by stopping the worker)."""
    from app.core.documents import load_document_in_process

    return load_document_in_process(request.path, password=request.password, limits=request.limits)


def worker_main(connection, reader: Callable[[ReadRequest], Document]) -> None:
    """The worker's loop: read each request, answer with ("document", Document), ("error",
    state), ("memory", None) or ("failed", text), streaming ("log", record) meanwhile."""
    # Ctrl-C in a terminal reaches the whole process group; what it means is the parent's call.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    no_core_dumps()
    _yield_to_the_window()
    _detach_output()
    _exit_with_parent()
    root = logging.getLogger()
    root.handlers[:] = [_ForwardLogs(connection)]
    root.setLevel(FORWARDED_LEVEL)
    _import_readers()
    baseline = peak_megabytes() or 0.0
    connection.send(("ready", (os.getpid(), baseline)))
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return  # the parent closed the pipe or is gone
        if request is None:
            return
        limit_address_space(request.limits.max_reader_megabytes)
        out_of_memory = False
        try:
            reply = ("document", reader(request))
        except MemoryError:
            reply, out_of_memory = ("memory", None), True
        except DocumentError as error:
            reply = ("error", (type(error).__name__, str(error), dict(error.__dict__)))
        except Exception as exc:  # noqa: BLE001 — a reader bug must not end the worker's loop
            logging.getLogger(__name__).exception("the reader failed on %s", request.path)
            # Only the type: the message may quote the file (the traceback above is logged,
            # redacted unless MATOME_DEBUG_LOG is set).
            reply = ("failed", type(exc).__name__)
        peak = growth_share(peak_megabytes(), baseline, request.limits.max_reader_megabytes)
        if ADDRESS_SPACE_LIMITED and peak >= 0.9 and reply[0] in ("error", "failed"):
            # libxml2 reports an allocation refused at the limit as a parse error ("unknown
            # error"), not as MemoryError; "damaged" would send the user the wrong way.
            logging.getLogger(__name__).info("reading %s failed at the memory limit", request.path)
            reply, out_of_memory = ("memory", None), True
        try:
            if out_of_memory or peak >= RETIRE_AT:
                # The peak stays for the process's life (and freed memory is rarely given back),
                # so only a fresh process can tell what the next file needs.
                connection.send(("retiring", None))
                out_of_memory = True
            try:
                connection.send(reply)
            except MemoryError:
                reply, out_of_memory = None, True
                connection.send(("memory", None))
        except (OSError, ValueError):
            return  # the parent went away while this file was read
        reply = None
        if out_of_memory:
            return  # a process that ran out of memory may be in a bad state; start afresh


def growth_share(peak: float | None, baseline: float, limit_megabytes: int) -> float:
    """How much of the headroom above `baseline` (under the limit) a `peak` took, 0 to 1 and
    beyond. The headroom is taken as at least a quarter of the limit, so that a limit barely
    above the baseline does not make every file look like it filled it."""
    if not peak:
        return 0.0
    headroom = max(limit_megabytes - baseline, limit_megabytes / 4, 1.0)
    return max(peak - baseline, 0.0) / headroom


def peak_megabytes() -> float | None:
    """This process's largest memory so far: its address space (VmPeak) on Linux, where
    RLIMIT_AS is what stops it; its resident set elsewhere. None if unknown."""
    if ADDRESS_SPACE_LIMITED:
        try:
            with open("/proc/self/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmPeak:"):
                        return int(line.split()[1]) / 1024
        except (OSError, ValueError):
            pass
        return None
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024  # bytes on macOS
    except (ImportError, OSError, ValueError):
        pass
    try:
        import psutil  # Windows: no resource module

        return psutil.Process().memory_info().peak_wset / 1024 / 1024
    except Exception:  # noqa: BLE001
        return None


def _import_readers() -> None:
    # Imported before the first request, so that a warm worker's first read is as fast as its
    # hundredth; a missing library is reported by the read that needs it.
    for name in ("app.core.documents.pdf", "app.core.documents.docx_reader", "app.core.documents.text",
                 "pypdfium2", "pypdf", "docx"):
        try:
            __import__(name)
        except Exception:  # noqa: BLE001
            logging.getLogger(__name__).warning("the reader could not import %s", name, exc_info=True)


def _exit_with_parent() -> None:
    # A worker stuck in a file that hangs its reader would otherwise spin on after the app was
    # killed or crashed (it only notices a closed pipe between files). The native readers drop
    # the GIL while they work, so this thread gets to run.
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _detach_output() -> None:
    # The parent's stdout and stderr may be pipes that someone reads to the end (`matome text
    # a.pdf | head`, a test capturing output); held open here, they would keep that reader
    # waiting for this process too. Log lines reach the parent through the pipe instead.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


#: Below the window (0) and level with the model thread: starting and reading must not take a
#: CPU the window is waiting for (bench/run `ui`: a reader starting while the model loaded
#: held the window's event loop up for 128 ms on two cores).
READER_NICENESS = 5


def _yield_to_the_window() -> None:
    if hasattr(os, "nice"):
        try:
            os.nice(READER_NICENESS)
        except OSError:
            pass


class _ForwardLogs(logging.Handler):
    """Sends the worker's log records to the parent, which logs them as if read in-process."""

    def __init__(self, connection):
        super().__init__(FORWARDED_LEVEL)
        self._connection = connection
        self._debug = debug_logging()
        self._formatter = logging.Formatter() if self._debug else PrivateFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            state = {field: getattr(record, field, None) for field in _RECORD_FIELDS}
            if self._debug:
                state["msg"] = record.getMessage()
            else:
                # The message is formatted here (its arguments may not cross the pipe), which
                # would put exception messages — they can quote the file — beyond the parent's
                # log-file redaction; so the arguments are made safe first, as it would.
                state["msg"] = _safe_message(record)
            if record.exc_info:
                state["exc_text"] = self._formatter.formatException(record.exc_info)
            self._connection.send(("log", state))
        except Exception:  # noqa: BLE001 — a lost log line must not cost the read
            pass


def _safe_message(record: logging.LogRecord) -> str:
    msg = str(record.msg)
    args = record.args
    if not args:
        return msg
    try:
        return msg % safe_arguments(args)
    except Exception:  # noqa: BLE001 — a malformed format: say so rather than quote the arguments
        return f"{msg} (arguments not logged)"
