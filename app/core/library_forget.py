"""Forgetting: how the library deletes a document, or all of them, without leaving copies.

People delete history because it is private, so deleted text must not linger anywhere
Matome keeps it. Deleted rows are overwritten on disk (secure_delete, set on every
connection in library.py); forgetting a document also merges the search index, whose old
segments still hold the deleted text, empties the write-ahead log into the database, since
the log still holds the pages as they were before the deletion, and deletes the document's
saved chunk notes.

`Forgetting` is a part of `Library` (app.core.library), kept here to keep that file short;
it uses the library's `_connection`, `_transaction` and `has_full_text_search`.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.checkpoints import forget_all_notes, forget_notes

# The library's logger, as before these methods moved here.
log = logging.getLogger("app.core.library")


@dataclass(frozen=True)
class Forgotten:
    """What forgetting a document deleted."""

    #: The document was in the library: its text, summaries and answers are gone.
    in_library: bool
    #: Files of saved chunk notes deleted (from any model or options).
    note_files: int
    #: False if another program kept the write-ahead log open, so old copies of the text may
    #: remain in it until Matome next opens the library.
    log_emptied: bool = True


class Forgetting:
    """The deleting part of `Library`."""

    if TYPE_CHECKING:  # supplied by Library
        has_full_text_search: bool

        def _connection(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def _transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def forget_document(self, sha256: str) -> Forgotten:
        """Delete every trace of a document: its text, search index entries, summaries, Q&A
        and saved chunk notes. The file itself is not touched."""
        with self._transaction() as db:
            deleted = db.execute("DELETE FROM documents WHERE sha256 = ?", (sha256,)).rowcount
            if deleted and self.has_full_text_search:
                # The index keeps deleted text in old segments until they are merged; merge now.
                db.execute("INSERT INTO documents_fts(documents_fts) VALUES ('optimize')")
        emptied = self._empty_log()
        return Forgotten(deleted > 0, forget_notes(sha256), emptied)

    def delete_document(self, sha256: str) -> bool:
        """Forget a document (see `forget_document`). False if it was not in the library."""
        return self.forget_document(sha256).in_library

    def delete_all(self) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM documents")
        forget_all_notes()
        with self._connection() as db:
            db.execute("VACUUM")  # gives the freed pages back and leaves no old text in them
        self._empty_log()

    def _empty_log(self, attempts: int = 5) -> bool:
        """Copy the write-ahead log into the database and truncate it: the log still holds the
        pages as they were before a deletion. False if readers kept it busy throughout."""
        for attempt in range(attempts):
            with self._connection() as db:
                busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if not busy:
                return True
            time.sleep(0.1 * (attempt + 1))
        log.warning("the library's write-ahead log is in use; deleted text stays in it until the next start")
        return False
