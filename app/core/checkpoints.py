"""Chunk notes saved as they are made, so a cancelled or crashed summary resumes.

One small JSON file per run under the cache folder, keyed by everything that changes the
notes: the document's hash, the model file, the options, the chunk size and the prompts.
Inside it each note is keyed by the hash of its chunk's text, so a note is only reused for
exactly the text it was made from — not for whatever chunk has the same number after the
reader or the chunker changed.

Each save rewrites the file atomically and durably (app.core.atomic), so a process killed or
a computer switched off at any moment leaves the notes of the last finished chunk, never a
half-written file. File names start with a digest of the document's hash, so that
`forget_notes` finds every run's notes of one document when the user forgets it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import time
from dataclasses import asdict
from pathlib import Path

from app.core import paths
from app.core.atomic import atomic_write_json, fsync_dir, leftovers
from app.core.prompts import prompt_set

log = logging.getLogger(__name__)

FORMAT = 3
#: A temporary file older than this was left by a killed writer, not one still writing.
STALE_TEMP_SECONDS = 60
#: Files of format 2 and older: "<32 hex>.json", with no way to tell which document they hold.
_UNATTRIBUTED = re.compile(r"^(?:\.)?[0-9a-f]{32}\.json(?:\..*)?$")

# Forgetting a document while the model thread is still writing one of its notes must not
# let that note reappear after the deletion. Saves and forgets are serialised by this lock,
# and a save made for a run that began before its document was forgotten is dropped.
_lock = threading.Lock()
_forgotten_generation: dict[str, int] = {}
_ALL = ""  # the key counting "forget everything"


def _generation(sha256: str) -> tuple[int, int]:
    return _forgotten_generation.get(sha256, 0), _forgotten_generation.get(_ALL, 0)


def notes_dir() -> Path:
    return paths.private_dir(paths.cache_dir() / "summaries")


def document_prefix(sha256: str) -> str:
    """The start of the file names of a document's notes."""
    return hashlib.sha256(sha256.encode("utf-8")).hexdigest()[:16]


class NoteCheckpoint:
    def __init__(self, path: Path | None, document_sha256: str = ""):
        self.path = path
        self.document_sha256 = document_sha256
        self._notes: dict[str, str] = {}
        with _lock:
            self._generation = _generation(document_sha256)

    @classmethod
    def for_run(cls, document, engine, options, chunk_tokens: int, *, enabled: bool = True) -> "NoteCheckpoint":
        if not enabled or not document.sha256:
            return cls(None)
        model = Path(engine.model_path)
        try:
            model_id = f"{model.name}:{model.stat().st_size}"
        except OSError:
            model_id = model.name
        key_source = json.dumps(
            {
                "document": document.sha256,
                "model": model_id,
                "n_ctx": engine.n_ctx,
                "options": asdict(options),
                "chunk_tokens": chunk_tokens,
                "prompts": [prompt_set(lang)["version"] for lang in ("en", "ja")],
                "format": FORMAT,
            },
            sort_keys=True,
        )
        key = hashlib.sha256(key_source.encode("utf-8")).hexdigest()[:32]
        return cls(notes_dir() / f"{document_prefix(document.sha256)}-{key}.json", document.sha256)

    @staticmethod
    def chunk_key(chunk_text: str) -> str:
        return hashlib.sha256(chunk_text.encode("utf-8")).hexdigest()[:24]

    def load(self) -> dict[str, str]:
        """Saved notes by chunk key (see `chunk_key`)."""
        if self.path is None:
            return {}
        _remove_stale_temporaries(self.path)
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self._notes = {str(key): str(text) for key, text in data.get("notes", {}).items()}
        except (OSError, ValueError, AttributeError) as exc:
            # A damaged checkpoint only costs time: start the notes afresh.
            log.warning("ignoring unreadable checkpoint %s: %s", self.path.name, type(exc).__name__)
            self._notes = {}
        return dict(self._notes)

    def save(self, chunk_text: str, note: str) -> None:
        if self.path is None:
            return
        self._notes[self.chunk_key(chunk_text)] = note
        with _lock:
            if _generation(self.document_sha256) != self._generation:
                return  # the document was forgotten while this run was making its notes
            try:
                atomic_write_json(self.path, {"document": self.document_sha256, "format": FORMAT,
                                              "notes": self._notes})
            except OSError as exc:
                # A full disk must not stop the summary itself; it only loses resumability.
                log.warning("could not save checkpoint %s: %s", self.path.name, exc.strerror or type(exc).__name__)


def forget_notes(sha256: str) -> int:
    """Delete every saved note of a document (all models and options), with the temporary
    files a killed writer left; runs still going save no more notes for it. Returns the
    number of files deleted."""
    prefix = document_prefix(sha256)
    with _lock:
        _forgotten_generation[sha256] = _forgotten_generation.get(sha256, 0) + 1
        folder = paths.cache_dir() / "summaries"
        if not folder.is_dir():
            return 0
        deleted = 0
        for path in folder.iterdir():
            name = path.name.lstrip(".")
            # Notes saved before file names carried the document cannot be told apart; they
            # are only a cache (a summary resumes a little slower), so they go too.
            if path.is_file() and (name.startswith(prefix + "-") or _UNATTRIBUTED.match(path.name)):
                deleted += shred(path)
        if deleted:
            fsync_dir(folder)
        return deleted


def forget_all_notes() -> int:
    """Delete every saved note of every document ("Delete all history"). Returns the number
    of files deleted."""
    with _lock:
        _forgotten_generation[_ALL] = _forgotten_generation.get(_ALL, 0) + 1
        folder = paths.cache_dir() / "summaries"
        deleted = sum(shred(path) for path in folder.iterdir() if path.is_file()) if folder.is_dir() else 0
        if deleted:
            fsync_dir(folder)
        return deleted


def shred(path: Path) -> int:
    """Overwrite a file with zeros, then delete it; 1 if it was deleted. Overwriting is best
    effort — SSDs and copy-on-write filesystems may keep old blocks — but on ordinary disks
    it leaves no readable text behind in the freed space."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as handle:
            handle.write(b"\0" * size)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        pass
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    return 1


def _remove_stale_temporaries(path: Path) -> None:
    now = time.time()
    for leftover in leftovers(path):
        try:
            if now - leftover.stat().st_mtime > STALE_TEMP_SECONDS:
                shred(leftover)
        except OSError:
            pass
