"""The library: documents by hash, summaries by model and options, Q&A, search, deletion."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.documents.model import Document, TextBlock
from app.core.library import Library, LibraryError, library_folder, options_key
from app.core.settings import Settings
from app.core.summarize import SummaryOptions


def make_document(sha256="a" * 64, title="Quarterly report", text="The Fukuoka office opens on 14 April.",
                  path="/docs/report.pdf", pages=3) -> Document:
    blocks = [TextBlock(paragraph, index, page=1) for index, paragraph in enumerate(text.split("\n\n"))]
    return Document(Path(path), title, "en", blocks, "pdf", page_count=pages, sha256=sha256)


@pytest.fixture
def library(tmp_path) -> Library:
    return Library(tmp_path / "library")


def test_a_summary_is_found_again_by_model_and_options_after_reopening(tmp_path):
    document = make_document()
    Library(tmp_path).remember_document(document)
    Library(tmp_path).save_summary(document.sha256, "model-a.gguf", SummaryOptions(length="short"), "Short one.")
    Library(tmp_path).save_summary(document.sha256, "model-a.gguf", SummaryOptions(length="long"), "Long one.")

    reopened = Library(tmp_path)  # a new process: only the file remains
    assert reopened.find_summary(document.sha256, "model-a.gguf", SummaryOptions(length="short")).text == "Short one."
    assert reopened.find_summary(document.sha256, "model-a.gguf", SummaryOptions(length="long")).text == "Long one."
    # No summary with these options: the newest one of the document rather than nothing.
    fallback = reopened.find_summary(document.sha256, "model-b.gguf", SummaryOptions())
    assert fallback.text == "Long one." and fallback.options["length"] == "long"
    assert reopened.find_summary("b" * 64) is None


def test_saving_again_with_the_same_key_replaces_the_summary(library):
    document = make_document()
    library.remember_document(document)
    library.save_summary(document.sha256, "m.gguf", SummaryOptions(), "First.", chunk_count=1)
    library.save_summary(document.sha256, "m.gguf", SummaryOptions(), "Second.", chunk_count=4)
    stored = library.find_summary(document.sha256, "m.gguf", SummaryOptions())
    assert (stored.text, stored.chunk_count) == ("Second.", 4)
    with sqlite3.connect(library.path) as db:
        assert db.execute("SELECT COUNT(*) FROM summaries").fetchone()[0] == 1


def test_a_moved_file_is_the_same_document(library):
    library.remember_document(make_document(path="/old/place.pdf"))
    library.remember_document(make_document(path="/new/place.pdf", title="Renamed"))
    stored = library.document("a" * 64)
    assert stored.path == "/new/place.pdf" and stored.title == "Renamed"
    assert len(library.recent_documents()) == 1


def test_turns_keep_their_order_and_citations(library):
    library.remember_document(make_document())
    library.add_turn("a" * 64, "m.gguf", "When does it open?", "On 14 April [p. 1].", ("p. 1",))
    library.add_turn("a" * 64, "m.gguf", "Where?", "In Fukuoka.", ())
    turns = library.turns("a" * 64)
    assert [(t.question, t.citations) for t in turns] == [("When does it open?", ("p. 1",)), ("Where?", ())]


def test_search_finds_titles_and_content_in_english_and_japanese(library):
    library.remember_document(make_document("a" * 64, "Quarterly report", "The Fukuoka office opens on 14 April."))
    library.remember_document(make_document("b" * 64, "契約書", "本契約の有効期間は二年間とし、自動的に更新される。",
                                            path="/docs/keiyaku.pdf"))
    library.remember_document(make_document("c" * 64, "Minutes", "The committee discussed parking."))

    assert [hit.document.title for hit in library.search("fukuoka")] == ["Quarterly report"]
    assert "«Fukuoka»" in library.search("Fukuoka")[0].snippet
    assert [hit.document.title for hit in library.search("Quarterly")] == ["Quarterly report"]
    # Japanese has no spaces between words; a word inside a sentence is still found…
    assert [hit.document.title for hit in library.search("有効期間")] == ["契約書"]
    # …and so is a two-character word, below the trigram tokenizer's minimum.
    assert [hit.document.title for hit in library.search("更新")] == ["契約書"]
    assert library.search("committee parking")[0].document.title == "Minutes"
    assert library.search("committee Fukuoka") == []
    assert library.search('quote " and % wildcards_') == []
    # An empty query lists the documents, newest first.
    assert [hit.document.title for hit in library.search("")][0] == "Minutes"


def test_deleting_a_document_forgets_its_summaries_turns_and_text(library):
    document = make_document()
    library.remember_document(document)
    library.save_summary(document.sha256, "m.gguf", SummaryOptions(), "Summary.")
    library.add_turn(document.sha256, "m.gguf", "Q?", "A.")

    assert library.delete_document(document.sha256)

    assert library.document(document.sha256) is None
    assert library.find_summary(document.sha256) is None and library.turns(document.sha256) == []
    assert library.search("Fukuoka") == []
    assert b"Fukuoka office" not in library.path.read_bytes()  # overwritten, not just unlinked
    with sqlite3.connect(library.path) as db:
        assert db.execute("SELECT COUNT(*) FROM summaries").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM turns").fetchone()[0] == 0
    assert not library.delete_document(document.sha256)


def test_delete_all_leaves_no_trace_of_the_text_in_the_file(library):
    library.remember_document(make_document(text="Confidential merger with Orion Dynamics."))
    library.save_summary("a" * 64, "m.gguf", SummaryOptions(), "Orion Dynamics merger.")

    library.delete_all()

    assert library.recent_documents() == []
    for file in library.folder.iterdir():  # the database and its write-ahead log
        assert b"Orion Dynamics" not in file.read_bytes(), file.name


def test_a_newer_schema_or_an_unwritable_folder_is_a_clear_error(tmp_path):
    Library(tmp_path)
    with sqlite3.connect(tmp_path / "library.sqlite3") as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(LibraryError, match="newer version of Matome"):
        Library(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(LibraryError, match="couldn't open its history"):
        Library(blocker / "library")


def test_options_and_folder_helpers(tmp_path):
    assert options_key(SummaryOptions(length="short")) == options_key({"length": "short", "format": "bullets",
                                                                      "language": "auto", "focus": ""})
    settings = Settings()
    assert library_folder(settings).is_dir()
    settings.ui.library_dir = str(tmp_path / "elsewhere")
    assert library_folder(settings) == tmp_path / "elsewhere"
