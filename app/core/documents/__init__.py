"""Reading documents: the one entry point, `load_document`, and what it promises.

Whatever the file, the caller gets a Document or a typed DocumentError whose message a person
can act on (or Cancelled). Checks that apply to every kind live here: the file exists, its
size is within the limit, its content (not its name) says what kind it is. The readers in
pdf.py, docx_reader.py and text.py do the rest; this module then fills in the title, the
language and the hash. `load_document` does all that in a reader process (isolation.py), so
that a file that crashes or hangs a native library costs an error, not the app;
`load_document_in_process` is the same reading, here, for that process and for tests of the
readers themselves.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

from app.core.documents.cleanup import normalize_characters
from app.core.documents.detect import SUPPORTED_SUFFIXES, detect_kind
from app.core.documents.language import guess_language
from app.core.documents.model import Document, TextBlock, file_sha256
from app.core.errors import (
    Cancelled,
    CorruptDocumentError,
    DocumentError,
    DocumentTooLargeError,
    EmptyDocumentError,
)
from app.core.settings import LimitSettings

__all__ = ["Document", "SUPPORTED_SUFFIXES", "TextBlock", "detect_kind", "guess_language", "load_document",
           "load_document_in_process"]

log = logging.getLogger(__name__)

_MAX_TITLE_CHARS = 120
# Titles that tools write when the author wrote none, and headings that name no document.
_MEANINGLESS_TITLE = re.compile(
    r"^(?:untitled.*|document\d*|title|slide \d+|microsoft (?:word|powerpoint) - .*|contents|"
    r"table of contents|inhaltsverzeichnis|abstract|目次|無題.*|タイトル|\W*)$",
    re.IGNORECASE,
)
_FILE_NAME = re.compile(r"\.(?:pdf|docx?|tex|dvi|txt|md|odt|rtf|indd|qxd|ps)$", re.IGNORECASE)


def load_document(path: str | os.PathLike, *, password: str | None = None,
                  limits: LimitSettings | None = None,
                  should_cancel: Callable[[], bool] | None = None) -> Document:
    """Read a PDF, DOCX, TXT or Markdown file into a Document, in a reader process.

    `password` opens an encrypted PDF. `should_cancel` is polled every 25 ms while the reader
    works; when it returns True the reader is stopped and Cancelled is raised. Raises a
    DocumentError subclass for every way a file can fail to read, including a reader that
    crashed or overran `limits.max_read_seconds` or `limits.max_reader_megabytes`.
    """
    from app.core.documents.isolation import default_pool

    path = Path(path)
    limits = limits or LimitSettings()
    _check_size(path, limits)  # here too: a missing or oversized file needs no reader process
    if should_cancel is not None and should_cancel():
        raise Cancelled()
    return default_pool().read(path, password=password, limits=limits, should_cancel=should_cancel)


def load_document_in_process(path: str | os.PathLike, *, password: str | None = None,
                             limits: LimitSettings | None = None,
                             should_cancel: Callable[[], bool] | None = None) -> Document:
    """`load_document` in this process, unprotected: `should_cancel` is polled between pages
    (PDF) or every few blocks. Only the reader process and tests of the readers call this."""
    path = Path(path)
    limits = limits or LimitSettings()
    _check_size(path, limits)
    if should_cancel is not None and should_cancel():
        raise Cancelled()
    try:
        kind = detect_kind(path)
        document = _read(path, kind, password, limits, should_cancel)
    except (DocumentError, Cancelled, MemoryError):
        raise
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    except Exception as exc:  # noqa: BLE001 — the reader boundary: no traceback reaches a person
        log.exception("unexpected failure reading %s", path)
        raise CorruptDocumentError(
            "Matome couldn't read this file; it may be damaged. Try opening it in the program that "
            "made it and saving a new copy.", str(path)) from exc
    if not document.blocks:
        raise EmptyDocumentError("This file has no text to read.", str(path))
    document.title = choose_title(document.title, document.blocks, path)
    document.language = guess_language(document.text)
    document.sha256 = file_sha256(path)
    return document


def _read(path: Path, kind: str, password: str | None, limits: LimitSettings,
          should_cancel: Callable[[], bool] | None) -> Document:
    if kind == "pdf":
        from app.core.documents.pdf import read_pdf

        return read_pdf(path, password=password, limits=limits, should_cancel=should_cancel)
    if kind == "docx":
        from app.core.documents.docx_reader import read_docx

        return read_docx(path, limits=limits, should_cancel=should_cancel)
    from app.core.documents.text import read_text

    return read_text(path, kind, should_cancel)


def _check_size(path: Path, limits: LimitSettings) -> None:
    size = _file_size(path)
    if size == 0:
        raise EmptyDocumentError("This file is empty (0 bytes), so there is nothing to read.", str(path))
    if size > limits.max_megabytes * 1024 * 1024:
        raise DocumentTooLargeError(
            f"This file is {size / 1024 / 1024:,.0f} MB; Matome reads files up to "
            f"{limits.max_megabytes:,} MB. You can raise the size limit in Settings → Documents.",
            str(path),
        )


def _file_size(path: Path) -> int:
    try:
        if not path.is_file():
            raise DocumentError(
                f"Matome can't find “{path.name}”. It may have been moved, renamed or deleted.", str(path))
        return path.stat().st_size
    except OSError as exc:
        raise _unreadable(path, exc) from exc


def _unreadable(path: Path, exc: OSError) -> DocumentError:
    log.warning("cannot read %s: %s", path, exc)
    if isinstance(exc, PermissionError):
        return DocumentError(f"Matome isn't allowed to read “{path.name}”. Check the file's permissions, "
                             "or copy it to your Documents folder and open the copy.", str(path))
    return DocumentError(f"Matome couldn't read “{path.name}” from disk ({exc.strerror or exc}). "
                         "If it is on a network or removable drive, copy it to this computer first.",
                         str(path))


def choose_title(candidate: str, blocks: list[TextBlock], path: Path) -> str:
    """The document's own title if sensible, else its first heading, else the file name."""
    candidate = normalize_characters(candidate or "")
    if _is_sensible_title(candidate):
        return " ".join(candidate.split())
    heading = next((block.text for block in blocks if block.kind == "heading"), "")
    if not heading and blocks and blocks[0].page is not None:
        # PDFs have no marked headings; a short first line on page 1 usually is the title.
        first = blocks[0].text
        if blocks[0].page == 1 and len(first) <= 80 and not first.rstrip().endswith((".", "。", ":")):
            heading = first
    if _is_sensible_title(heading):
        return " ".join(heading.split())
    return path.stem


def _is_sensible_title(title: str) -> bool:
    title = " ".join((title or "").split())
    if not 2 <= len(title) <= _MAX_TITLE_CHARS:
        return False
    if _MEANINGLESS_TITLE.match(title) or _FILE_NAME.search(title):
        return False
    return any(char.isalpha() for char in title)
