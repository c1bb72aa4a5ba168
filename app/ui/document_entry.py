"""One open document as the window sees it, and the background steps that fill it in.

The step functions (`look_up_history`, `read_document`, `load_history`) run on the task
runner's threads: they touch files and the library but never Qt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.cancel import CancelToken
from app.core.documents import SUPPORTED_SUFFIXES, load_document
from app.core.documents.model import Document, file_sha256
from app.core.events import Progress
from app.core.library import Library, LibraryError, StoredDocument, StoredSummary, StoredTurn

log = logging.getLogger(__name__)

QUEUED, READING, SUMMARIZING, DONE, ERROR, CANCELLED = (
    "queued", "reading", "summarizing", "done", "error", "cancelled")


@dataclass
class QATurn:
    question: str
    answer: str = ""
    #: Cited locations ("p. 3") and the cited text, in the same order.
    citations: tuple[str, ...] = ()
    excerpts: tuple[str, ...] = ()
    #: "pending", "done", "error" or "cancelled".
    state: str = "pending"
    error: str = ""
    #: The model said the document does not answer this.
    not_found: bool = False


@dataclass
class DocumentEntry:
    id: int
    path: Path
    status: str = QUEUED
    document: Document | None = None
    sha256: str = ""
    title: str = ""
    page_count: int | None = None
    progress: Progress | None = None
    summary: str = ""
    #: Set when the summary shown came from the library, not from this session's model run.
    stored_summary: StoredSummary | None = None
    summary_model: str = ""
    #: The SummaryOptions the running or last summary was asked with.
    summary_options: Any = None
    error: str = ""
    #: A note that does not stop work: the file is missing, a page had no text.
    notice: str = ""
    turns: list[QATurn] = field(default_factory=list)
    summary_job: int | None = None
    ask_job: int | None = None
    reading_token: CancelToken | None = None
    #: The password a person typed for this (encrypted) PDF: kept in memory for re-reading,
    #: never stored or logged.
    password: str | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def display_title(self) -> str:
        return self.title or self.path.stem


@dataclass(frozen=True)
class HistoryState:
    """What the library knows about a file."""

    sha256: str
    document: StoredDocument
    summary: StoredSummary | None
    turns: tuple[StoredTurn, ...]


@dataclass(frozen=True)
class ReadOutcome:
    document: Document
    #: Set when the document could not be added to the library (reading itself worked).
    library_problem: str | None = None


def expand_paths(paths: list[str | Path]) -> list[Path]:
    """Files as given (whatever their type: an unsupported one gets its error in the list),
    and the supported files inside given folders, in name order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            found.extend(sorted(
                (child for child in path.rglob("*")
                 if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES
                 and not child.name.startswith((".", "~$"))),
                key=lambda child: str(child).lower()))
        else:
            found.append(path)
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path.resolve() if path.exists() else path, None)
    return list(unique)


def look_up_history(path: Path, library: Library | None, model_key: str | None, options: Any) -> HistoryState | None:
    """The stored summary and Q&A of a file, by its hash; None if it is new (or unreadable:
    reading will say why)."""
    if library is None:
        return None
    try:
        sha256 = file_sha256(path)
    except OSError:
        return None
    return load_history(sha256, library, model_key, options)


def load_history(sha256: str, library: Library, model_key: str | None = None,
                 options: Any = None) -> HistoryState | None:
    stored = library.document(sha256)
    if stored is None:
        return None
    return HistoryState(sha256, stored, library.find_summary(sha256, model_key, options),
                        tuple(library.turns(sha256)))


def read_document(path: Path, limits: Any, library: Library | None, token: CancelToken,
                  password: str | None = None) -> ReadOutcome:
    """Read the file in the reader process (a file that crashes or hangs a reader becomes this
    entry's error, not the window's end); cancelling the token stops that process within a few hundredths of a second."""
    document = load_document(path, password=password, limits=limits, should_cancel=lambda: token.cancelled)
    problem = None
    if library is not None:
        try:
            library.remember_document(document)
        except LibraryError as error:
            log.warning("could not add %s to the library: %s", path, error)
            problem = str(error)
    return ReadOutcome(document, problem)
