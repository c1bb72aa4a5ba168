"""Chunk notes saved as they are made, so a cancelled or crashed summary resumes.

One small JSON file per run under the cache folder, keyed by everything that changes the
notes: the document's hash, the model file, the options, the chunk size and the prompts.
Inside it each note is keyed by the hash of its chunk's text, so a note is only reused for
exactly the text it was made from — not for whatever chunk has the same number after the
reader or the chunker changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict
from pathlib import Path

from app.core import paths
from app.core.atomic import atomic_write_json
from app.core.prompts import prompt_set

log = logging.getLogger(__name__)


class NoteCheckpoint:
    def __init__(self, path: Path | None):
        self.path = path
        self._notes: dict[str, str] = {}

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
                "format": 2,
            },
            sort_keys=True,
        )
        key = hashlib.sha256(key_source.encode("utf-8")).hexdigest()[:32]
        return cls(paths.cache_dir() / "summaries" / f"{key}.json")

    @staticmethod
    def chunk_key(chunk_text: str) -> str:
        return hashlib.sha256(chunk_text.encode("utf-8")).hexdigest()[:24]

    def load(self) -> dict[str, str]:
        """Saved notes by chunk key (see `chunk_key`)."""
        if self.path is None or not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self._notes = {str(key): str(text) for key, text in data.get("notes", {}).items()}
        except (OSError, ValueError, AttributeError) as exc:
            # A damaged checkpoint only costs time: start the notes afresh.
            log.warning("ignoring unreadable checkpoint %s: %s", self.path, exc)
            self._notes = {}
        return dict(self._notes)

    def save(self, chunk_text: str, note: str) -> None:
        if self.path is None:
            return
        self._notes[self.chunk_key(chunk_text)] = note
        try:
            atomic_write_json(self.path, {"notes": self._notes})
        except OSError as exc:
            # A full disk must not stop the summary itself; it only loses resumability.
            log.warning("could not save checkpoint %s: %s", self.path, exc)
