"""The library: every document Matome has read, with its summaries and Q&A, in one SQLite file.

Documents are keyed by the SHA-256 of their bytes, so a renamed or moved file is still
recognised; summaries by document + model + options, so reopening a file shows the summary
made with the same model and options at once. The extracted text is kept for search (FTS5
with the trigram tokenizer, which also finds Japanese words that have no spaces around them;
LIKE where FTS5 is missing or a search word is shorter than three characters).

Every call opens its own connection, so the library may be used from any thread; SQLite
serialises the writers. Each commit is flushed to the disk before it returns (WAL with
synchronous=FULL), so a summary that was saved survives a killed process or a cut in the
power, and an interrupted write is rolled back whole on the next open.

Deleted history is overwritten on disk (secure_delete), and forgetting a document also
merges the search index, empties the write-ahead log into the database and deletes the
document's saved chunk notes (library_forget.py): people delete history because it is
private. The database is readable by its owner only.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any, Iterator

from app.core import paths
from app.core.errors import MatomeError
from app.core.library_forget import Forgetting, Forgotten  # noqa: F401  (Forgotten is imported from here)

log = logging.getLogger(__name__)

DATABASE_NAME = "library.sqlite3"
SCHEMA_VERSION = 1
_SNIPPET_CHARS = 160

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    path TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    page_count INTEGER,
    language TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    added_at REAL NOT NULL,
    opened_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS summaries (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    options TEXT NOT NULL,
    text TEXT NOT NULL,
    chunk_count INTEGER NOT NULL DEFAULT 1,
    seconds REAL NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    UNIQUE (document_id, model, options)
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_document ON turns(document_id, id);
"""

_FTS_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    title, body, content='documents', content_rowid='id', tokenize='trigram');
CREATE TRIGGER IF NOT EXISTS documents_fts_insert AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER IF NOT EXISTS documents_fts_delete AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER IF NOT EXISTS documents_fts_update AFTER UPDATE OF title, body ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO documents_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
"""


class LibraryError(MatomeError):
    """The history database could not be opened or written."""


@dataclass(frozen=True)
class StoredDocument:
    sha256: str
    title: str
    path: str
    kind: str
    page_count: int | None
    language: str
    added_at: float
    opened_at: float


@dataclass(frozen=True)
class StoredSummary:
    sha256: str
    model: str
    options: dict
    text: str
    chunk_count: int
    seconds: float
    created_at: float


@dataclass(frozen=True)
class StoredTurn:
    question: str
    answer: str
    #: Locations the answer cited: "p. 3", "§ Budget".
    citations: tuple[str, ...]
    model: str
    created_at: float


@dataclass(frozen=True)
class SearchHit:
    document: StoredDocument
    #: Text around the first match, with the match between « and »; "" for a title match.
    snippet: str


def options_key(options: Any) -> str:
    """A stable text form of summary options (a dataclass or a dict) for keying summaries."""
    data = asdict(options) if is_dataclass(options) else dict(options or {})
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def library_folder(settings: Any = None) -> Path:
    """The folder chosen in Settings, else the data folder."""
    chosen = (getattr(getattr(settings, "ui", None), "library_dir", "") or "").strip()
    return Path(chosen).expanduser() if chosen else paths.data_dir()


class Library(Forgetting):
    """The history database in `folder` (default: the data folder). Deleting is in
    `Forgetting` (library_forget.py): `forget_document`, `delete_document`, `delete_all`."""

    def __init__(self, folder: str | Path | None = None):
        self.folder = Path(folder) if folder else paths.data_dir()
        self.path = self.folder / DATABASE_NAME
        self.has_full_text_search = False
        self._create()

    # ----- documents -------------------------------------------------------------------

    def remember_document(self, document: Any) -> None:
        """Add a Document, or refresh the title, path and last-opened time of a known one."""
        if not document.sha256:
            raise ValueError("a document needs its sha256 to be remembered")
        now = time.time()
        with self._transaction() as db:
            row = db.execute("SELECT id FROM documents WHERE sha256 = ?", (document.sha256,)).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO documents (sha256, title, path, kind, page_count, language, body, added_at,"
                    " opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (document.sha256, document.title, str(document.path), document.kind, document.page_count,
                     document.language, document.text, now, now))
            else:
                db.execute("UPDATE documents SET title = ?, path = ?, opened_at = ? WHERE id = ?",
                           (document.title, str(document.path), now, row["id"]))

    def document(self, sha256: str) -> StoredDocument | None:
        with self._connection() as db:
            row = db.execute(f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return _document(row) if row else None

    def recent_documents(self, limit: int = 50) -> list[StoredDocument]:
        with self._connection() as db:
            rows = db.execute(f"SELECT {_DOCUMENT_COLUMNS} FROM documents ORDER BY opened_at DESC, id DESC"
                              " LIMIT ?", (limit,)).fetchall()
        return [_document(row) for row in rows]

    # ----- summaries -------------------------------------------------------------------

    def save_summary(self, sha256: str, model: str, options: Any, text: str, *,
                     chunk_count: int = 1, seconds: float = 0.0) -> None:
        """Store a summary; one made earlier with the same model and options is replaced."""
        with self._transaction() as db:
            document_id = self._document_id(db, sha256)
            db.execute(
                "INSERT INTO summaries (document_id, model, options, text, chunk_count, seconds, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (document_id, model, options) DO UPDATE SET"
                " text = excluded.text, chunk_count = excluded.chunk_count, seconds = excluded.seconds,"
                " created_at = excluded.created_at",
                (document_id, model, options_key(options), text, chunk_count, seconds, time.time()))

    def find_summary(self, sha256: str, model: str | None = None, options: Any = None) -> StoredSummary | None:
        """The summary made with this model and these options; failing that, the newest one
        of the document (any model, any options), so a reopened file never shows nothing."""
        query = ("SELECT d.sha256, s.model, s.options, s.text, s.chunk_count, s.seconds, s.created_at"
                 " FROM summaries s JOIN documents d ON d.id = s.document_id WHERE d.sha256 = ?")
        with self._connection() as db:
            row = None
            if model is not None and options is not None:
                row = db.execute(query + " AND s.model = ? AND s.options = ?",
                                 (sha256, model, options_key(options))).fetchone()
            if row is None:
                row = db.execute(query + " ORDER BY s.created_at DESC, s.id DESC LIMIT 1", (sha256,)).fetchone()
        if row is None:
            return None
        return StoredSummary(row["sha256"], row["model"], json.loads(row["options"]), row["text"],
                             row["chunk_count"], row["seconds"], row["created_at"])

    # ----- questions and answers -------------------------------------------------------

    def add_turn(self, sha256: str, model: str, question: str, answer: str,
                 citations: tuple[str, ...] | list[str] = ()) -> None:
        with self._transaction() as db:
            document_id = self._document_id(db, sha256)
            db.execute("INSERT INTO turns (document_id, model, question, answer, citations, created_at)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       (document_id, model, question, answer, json.dumps(list(citations), ensure_ascii=False),
                        time.time()))

    def turns(self, sha256: str) -> list[StoredTurn]:
        with self._connection() as db:
            rows = db.execute("SELECT t.question, t.answer, t.citations, t.model, t.created_at FROM turns t"
                              " JOIN documents d ON d.id = t.document_id WHERE d.sha256 = ? ORDER BY t.id",
                              (sha256,)).fetchall()
        return [StoredTurn(row["question"], row["answer"], tuple(json.loads(row["citations"])), row["model"],
                           row["created_at"]) for row in rows]

    # ----- search ----------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Documents whose title or text contains every word of `query`, best first.
        An empty query lists the most recently opened documents."""
        words = query.split()
        if not words:
            return [SearchHit(document, "") for document in self.recent_documents(limit)]
        if self.has_full_text_search and all(len(word) >= 3 for word in words):
            return self._search_fts(words, limit)
        return self._search_like(words, limit)

    def _search_fts(self, words: list[str], limit: int) -> list[SearchHit]:
        match = " AND ".join('"' + word.replace('"', '""') + '"' for word in words)
        with self._connection() as db:
            rows = db.execute(
                f"SELECT {_columns('d.')},"
                " snippet(documents_fts, 1, '«', '»', '…', 24) AS snippet"
                " FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid"
                " WHERE documents_fts MATCH ? ORDER BY bm25(documents_fts, 10.0, 1.0) LIMIT ?",
                (match, limit)).fetchall()
        return [SearchHit(_document(row), row["snippet"] if "«" in row["snippet"] else "") for row in rows]

    def _search_like(self, words: list[str], limit: int) -> list[SearchHit]:
        conditions, values = [], []
        for word in words:
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conditions.append("(title LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\')")
            values += [pattern, pattern]
        with self._connection() as db:
            rows = db.execute(f"SELECT {_DOCUMENT_COLUMNS}, body FROM documents WHERE {' AND '.join(conditions)}"
                              " ORDER BY opened_at DESC LIMIT ?", (*values, limit)).fetchall()
        return [SearchHit(_document(row), _snippet(row["body"], words)) for row in rows]

    # ----- plumbing --------------------------------------------------------------------

    def _create(self) -> None:
        try:
            if not self.folder.exists():
                paths.private_dir(self.folder)
            # SQLite gives the -wal and -shm files the database's mode: create it private.
            paths.private_file(self.path)
            for companion in ("-wal", "-shm"):
                if Path(f"{self.path}{companion}").exists():
                    paths.private_file(Path(f"{self.path}{companion}"))
            with self._connection() as db:
                # Persistent: readers never block the writer, and a commit is one append.
                db.execute("PRAGMA journal_mode = WAL")
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise LibraryError(
                        f"The history in {self.folder} was written by a newer version of Matome. "
                        "Update Matome, or choose another library folder in Settings.")
                # Old copies of pages a previous session deleted may still be in the log.
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                db.executescript(_SCHEMA)
                try:
                    db.executescript(_FTS_SCHEMA)
                    self.has_full_text_search = True
                except sqlite3.OperationalError as exc:  # SQLite built without FTS5 or trigram
                    log.info("full-text search unavailable (%s); searching with LIKE", exc)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except (OSError, sqlite3.Error) as exc:
            raise LibraryError(
                f"Matome couldn't open its history in {self.folder} ({exc}). Check that the folder "
                "is writable, or choose another library folder in Settings.") from exc

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            with closing(sqlite3.connect(self.path, timeout=10.0, isolation_level=None)) as db:
                db.row_factory = sqlite3.Row
                db.execute("PRAGMA foreign_keys = ON")
                db.execute("PRAGMA secure_delete = ON")
                # FULL: each commit is flushed to the disk before it returns (NORMAL, WAL's
                # usual choice, may lose the last commits to a power cut). Writes are a few a
                # minute, so the flush costs nothing anyone notices. fullfsync asks macOS to
                # flush the drive's own cache too.
                db.execute("PRAGMA synchronous = FULL")
                db.execute("PRAGMA fullfsync = ON")
                db.execute("PRAGMA checkpoint_fullfsync = ON")
                yield db
        except sqlite3.Error as exc:
            raise LibraryError(f"Matome couldn't read or write its history ({exc}).") from exc

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @staticmethod
    def _document_id(db: sqlite3.Connection, sha256: str) -> int:
        row = db.execute("SELECT id FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise LibraryError("This document is no longer in the history; open it again to add it.")
        return row["id"]


_DOCUMENT_COLUMNS = "sha256, title, path, kind, page_count, language, added_at, opened_at"


def _columns(prefix: str) -> str:
    return ", ".join(prefix + column.strip() for column in _DOCUMENT_COLUMNS.split(","))


def _document(row: sqlite3.Row) -> StoredDocument:
    return StoredDocument(row["sha256"], row["title"], row["path"], row["kind"], row["page_count"],
                          row["language"], row["added_at"], row["opened_at"])


def _snippet(body: str, words: list[str]) -> str:
    lowered = body.lower()
    for word in words:
        position = lowered.find(word.lower())
        if position >= 0:
            start = max(0, position - _SNIPPET_CHARS // 3)
            end = min(len(body), position + len(word) + _SNIPPET_CHARS * 2 // 3)
            found_end = position + len(word)
            text = body[start:position] + "«" + body[position:found_end] + "»" + body[found_end:end]
            return ("…" if start else "") + " ".join(text.split()) + ("…" if end < len(body) else "")
    return ""
