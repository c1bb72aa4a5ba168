"""Forgetting a document deletes every trace of its text from Matome's folders.

The checks read the raw bytes of every file under the Matome home — the database, its
write-ahead log and shared memory, the search index's shadow tables inside it, the saved chunk
notes and any temporary file a killed writer left — for a marker that only the forgotten
document contains.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.core import paths
from app.core.checkpoints import NoteCheckpoint, notes_dir
from app.core.documents.model import Document, TextBlock
from app.core.library import Library
from app.core.summarize import SummaryOptions

MARKER = "Quillfeather7731"
MARKER_JA = "機密案件ホシクズ"


def make_document(sha256: str, text: str, title: str = "Report") -> Document:
    return Document(path=Path(f"/docs/{sha256}.pdf"), title=title, language="en",
                    blocks=[TextBlock(text, 0, page=1)], kind="pdf", page_count=1, sha256=sha256)


def fake_engine(tmp_path: Path, name: str = "model.gguf") -> SimpleNamespace:
    model = tmp_path / name
    model.write_bytes(b"GGUF" + b"\0" * 64)
    return SimpleNamespace(model_path=str(model), n_ctx=2048)


def files_with(needle: bytes, *folders: Path) -> list[str]:
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and needle in path.read_bytes():
                found.append(str(path.relative_to(folder.parent)))
    return found


def trigrams(text: str) -> list[str]:
    return [text[i:i + 3] for i in range(len(text) - 2)]


def fill_library(library: Library, tmp_path: Path, sha256: str, secret: str) -> None:
    """A document with its text, a summary, a question and chunk notes from two models."""
    document = make_document(sha256, f"The merger code name is {secret}. " * 40, title=f"Plan {secret}")
    library.remember_document(document)
    library.save_summary(sha256, "m.gguf", SummaryOptions(), f"- Merger {secret} [p. 1]")
    library.add_turn(sha256, "m.gguf", f"What is {secret}?", f"{secret} is the merger.", ["p. 1"])
    for name in ("a.gguf", "b.gguf"):
        checkpoint = NoteCheckpoint.for_run(document, fake_engine(tmp_path, name), SummaryOptions(), 300)
        checkpoint.save("chunk one", f"- note about {secret}")


def test_forgetting_leaves_no_trace_of_the_text_in_any_file(matome_home, tmp_path):
    library = Library()
    secret = f"{MARKER} {MARKER_JA}"
    fill_library(library, tmp_path, "a" * 64, secret)
    fill_library(library, tmp_path, "b" * 64, "Otherproject")
    # A writer killed mid-save leaves its temporary file; a reader still holds the log open.
    (notes_dir() / f".{next(notes_dir().glob('*.json')).name}.x1y2.tmp").write_text(secret)
    # Another connection open (the window's other threads) keeps SQLite from emptying the
    # write-ahead log when the last connection closes; forgetting must empty it itself.
    reader = sqlite3.connect(library.path)
    reader.execute("SELECT COUNT(*) FROM documents").fetchone()
    folders = (paths.data_dir(), paths.cache_dir())
    # The search index stores the marker as trigrams; those with its digits occur nowhere else
    # (letters do: "ath" is in the schema's "path").
    needles = [MARKER, MARKER_JA] + [gram for gram in trigrams(MARKER.lower()) if any(c.isdigit() for c in gram)]
    assert all(files_with(needle.encode(), *folders) for needle in (MARKER, MARKER_JA, "731"))

    try:
        forgotten = library.forget_document("a" * 64)
        assert forgotten.in_library and forgotten.note_files == 3 and forgotten.log_emptied
        for needle in needles:
            assert files_with(needle.encode("utf-8"), *folders) == [], needle
    finally:
        reader.close()
    # The search index's own tables no longer know the words, not even as trigrams.
    assert library.search(MARKER) == [] and library.search(MARKER_JA) == []
    # The other document is untouched, notes included.
    assert library.find_summary("b" * 64).text == "- Merger Otherproject [p. 1]"
    assert len(library.turns("b" * 64)) == 1
    assert files_with(b"Otherproject", paths.cache_dir())
    with sqlite3.connect(library.path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if library.has_full_text_search:
            assert db.execute("INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')")


def test_forgetting_a_document_that_was_never_in_the_library_deletes_its_notes(tmp_path):
    library = Library()
    document = make_document("c" * 64, "text")
    NoteCheckpoint.for_run(document, fake_engine(tmp_path), SummaryOptions(), 300).save("chunk", MARKER)

    forgotten = library.forget_document("c" * 64)

    assert not forgotten.in_library and forgotten.note_files == 1
    assert not files_with(MARKER.encode(), paths.cache_dir())
    assert library.delete_document("c" * 64) is False


def test_a_run_still_going_saves_no_notes_after_its_document_was_forgotten(tmp_path):
    document = make_document("d" * 64, "text")
    running = NoteCheckpoint.for_run(document, fake_engine(tmp_path), SummaryOptions(), 300)
    running.save("chunk one", "- first note")
    assert running.path.exists()

    Library().forget_document("d" * 64)
    running.save("chunk two", f"- {MARKER}")  # the model thread finishing its step

    assert not running.path.exists()
    # A new run of the same document (opened again later) saves notes as usual.
    again = NoteCheckpoint.for_run(document, fake_engine(tmp_path), SummaryOptions(), 300)
    again.save("chunk one", "- note")
    assert again.load() == {NoteCheckpoint.chunk_key("chunk one"): "- note"}


def test_notes_saved_before_file_names_named_their_document_are_deleted_too(tmp_path):
    legacy = notes_dir() / ("0123456789abcdef" * 2 + ".json")
    legacy.write_text('{"notes": {"k": "%s"}}' % MARKER)

    assert Library().forget_document("e" * 64).note_files == 1
    assert not legacy.exists()


@pytest.mark.skipif(os.name != "posix", reason="Unix permissions")
def test_forgetting_works_in_a_library_folder_chosen_in_settings(tmp_path):
    library = Library(tmp_path / "shared-drive" / "matome")
    fill_library(library, tmp_path, "f" * 64, MARKER)

    assert library.forget_document("f" * 64).in_library
    assert files_with(MARKER.encode(), library.folder, paths.cache_dir()) == []


def test_matome_forget_on_the_command_line_by_file_and_by_hash(tmp_path, capsys):
    from app.cli import run
    from app.core.documents.model import file_sha256

    report = tmp_path / "report.txt"
    report.write_text(f"The code name is {MARKER}.\n", encoding="utf-8")
    library = Library()
    fill_library(library, tmp_path, file_sha256(report), MARKER)
    fill_library(library, tmp_path, "9" * 64, "Gone file")

    assert run(["history"]) == 0
    listing = capsys.readouterr().out
    assert "999999999999" in listing and f"Plan {MARKER}" in listing

    assert run(["forget", str(report)]) == 0
    said = capsys.readouterr().out
    assert "Forgot report.txt" in said and "2 files of saved notes" in said and "untouched" in said
    assert report.read_text(encoding="utf-8").startswith("The code name")  # the file itself stays
    assert files_with(MARKER.encode(), paths.data_dir(), paths.cache_dir()) == []

    assert run(["forget", "99999999"]) == 0  # a document whose file is gone, by its hash
    assert "Forgot “Plan Gone file”" in capsys.readouterr().out
    assert library.recent_documents() == []

    assert run(["forget", str(tmp_path / "missing.pdf")]) == 2
    assert "matome history" in capsys.readouterr().err


def test_deleting_all_history_deletes_every_note_and_stops_running_runs_saving(tmp_path):
    library = Library()
    fill_library(library, tmp_path, "a" * 64, MARKER)
    cli_only = NoteCheckpoint.for_run(make_document("c" * 64, "x"), fake_engine(tmp_path), SummaryOptions(), 300)
    cli_only.save("chunk", f"- {MARKER} from a command-line run")

    library.delete_all()
    cli_only.save("chunk two", f"- {MARKER} again")  # a run still going

    assert list(notes_dir().iterdir()) == []
    assert files_with(MARKER.encode(), paths.data_dir(), paths.cache_dir()) == []
