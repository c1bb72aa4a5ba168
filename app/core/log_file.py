"""The window's log file: errors and tracebacks a person can send, and nothing of their documents.

A windowed app has no console, so warnings and tracebacks go to `matome.log` in the cache
folder (owner-only, like the rest). People send that file with a bug report, so by default it
must not quote their documents: an exception's message can hold whatever the failing code was
handling — a line of a PDF, a prompt, a summary — so only its type and length are written,
except for messages known to name only files and settings (Matome's own errors, OSError,
SQLite's). Log arguments that look like document text (several lines, or very long) are
hidden the same way. Tracebacks keep their frames: file, line and code, which are ours.

MATOME_DEBUG_LOG=1 opts in to everything at DEBUG level, unredacted (llama.cpp's messages
included): for reproducing a bug with a document that may be shared.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import traceback
from pathlib import Path

from app.core import paths
from app.core.errors import MatomeError

DEBUG_ENV = "MATOME_DEBUG_LOG"
LOG_NAME = "matome.log"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Longer log arguments are taken for document text rather than a file name or a number.
MAX_ARGUMENT_CHARS = 500
_SAFE_MESSAGES = (MatomeError, OSError, sqlite3.Error)


def debug_logging() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def log_file_handler(folder: Path | None = None) -> logging.Handler:
    """A handler writing to `matome.log` (in the cache folder by default), created readable
    by the owner only; redacting unless MATOME_DEBUG_LOG is set. Raises OSError."""
    path = paths.private_file(Path(folder or paths.cache_dir()) / LOG_NAME)
    handler = logging.FileHandler(path, encoding="utf-8")
    debug = debug_logging()
    handler.setLevel(logging.DEBUG if debug else logging.INFO)
    handler.setFormatter(logging.Formatter(FORMAT) if debug else PrivateFormatter(FORMAT))
    return handler


class PrivateFormatter(logging.Formatter):
    """Formats records without document text: see the module's description."""

    def format(self, record: logging.LogRecord) -> str:
        safe = logging.makeLogRecord(record.__dict__)  # other handlers keep the original
        if isinstance(safe.msg, str):
            safe.msg = _safe_argument(safe.msg)  # a message built with an f-string
        if safe.args:
            safe.args = safe_arguments(safe.args)
        safe.exc_text = None
        return super().format(safe)

    def formatException(self, exc_info) -> str:
        _type, error, tb = exc_info
        lines = ["Traceback (most recent call last):\n", *traceback.format_tb(tb), describe_exception(error)]
        seen = {id(error)}
        cause = error.__cause__ or error.__context__
        while cause is not None and id(cause) not in seen:
            seen.add(id(cause))
            lines.append(f"\ncaused by {describe_exception(cause)}")
            cause = cause.__cause__ or cause.__context__
        return "".join(lines).rstrip("\n")


def describe_exception(error: BaseException) -> str:
    """`Type: message` for exceptions whose messages name only files and settings; the type
    and the message's length for any other."""
    name = type(error).__name__
    if isinstance(error, _SAFE_MESSAGES):
        return f"{name}: {error}"
    message = str(error)
    return f"{name} (message of {len(message)} characters not logged)" if message else name


def safe_arguments(args):
    """A log record's arguments (a tuple or a mapping) with exceptions and document-like text
    replaced as the log file does (describe_exception, or a count of characters)."""
    if isinstance(args, tuple):
        return tuple(_safe_argument(value) for value in args)
    if isinstance(args, dict):
        return {key: _safe_argument(value) for key, value in args.items()}
    return _safe_argument(args)


def _safe_argument(value):
    if isinstance(value, BaseException):
        return describe_exception(value)
    if isinstance(value, (str, bytes)) and (len(value) > MAX_ARGUMENT_CHARS or
                                            (b"\n" if isinstance(value, bytes) else "\n") in value.strip()):
        return f"<{len(value)} characters not logged>"
    return value
