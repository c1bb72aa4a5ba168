"""Matome's folders and the private files in them are readable by their owner only."""

from __future__ import annotations

import os
import stat
from types import SimpleNamespace

import pytest

from app.core import paths
from app.core.atomic import atomic_write_json
from app.core.checkpoints import NoteCheckpoint
from app.core.library import Library
from app.core.summarize import SummaryOptions
from tests.test_forget import make_document

pytestmark = pytest.mark.skipif(os.name != "posix", reason="Unix permissions")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_folders_are_created_for_the_owner_only_even_with_a_permissive_umask(matome_home):
    previous = os.umask(0o002)  # a desktop default that makes new files group-writable
    try:
        folders = [paths.config_dir(), paths.data_dir(), paths.cache_dir(), paths.models_dir()]
    finally:
        os.umask(previous)
    assert [oct(mode(folder)) for folder in folders] == [oct(0o700)] * 4


def test_an_existing_folder_that_others_can_read_is_tightened(matome_home):
    (matome_home / "data").mkdir(mode=0o755)
    os.chmod(matome_home / "data", 0o755)
    assert mode(paths.data_dir()) == 0o700


def test_the_library_its_log_and_saved_notes_are_owner_only(tmp_path):
    previous = os.umask(0o022)
    try:
        library = Library()
        library.remember_document(make_document("a" * 64, "Private text."))
        engine = SimpleNamespace(model_path=str(tmp_path / "m.gguf"), n_ctx=2048)
        checkpoint = NoteCheckpoint.for_run(make_document("a" * 64, "x"), engine, SummaryOptions(), 300)
        checkpoint.save("chunk", "- note")
        atomic_write_json(paths.config_dir() / "settings.json", {})
        # An open connection keeps the write-ahead log and shared-memory files in place.
        with library._connection() as db:
            db.execute("SELECT COUNT(*) FROM documents").fetchone()
            files = [library.path, checkpoint.path, paths.config_dir() / "settings.json"]
            files += [p for p in library.folder.iterdir() if p.name.endswith(("-wal", "-shm"))]
            assert len(files) == 5
            assert {p.name: oct(mode(p)) for p in files} == {p.name: oct(0o600) for p in files}
    finally:
        os.umask(previous)


def test_an_old_library_file_readable_by_others_is_tightened_when_opened():
    Library()
    path = paths.data_dir() / "library.sqlite3"
    os.chmod(path, 0o644)
    Library()
    assert mode(path) == 0o600
