"""Every real-world PDF in the shared corpus reads, or fails with a typed error, quickly.

The corpus (py-pdf sample files, CC-BY-SA) is read in place and never copied into the project.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.core.documents import load_document
from app.core.documents.model import file_sha256
from app.core.errors import (
    CorruptDocumentError,
    DocumentError,
    EncryptedDocumentError,
    ScannedDocumentError,
)
# Where the corpus_dir fixture points; needed here already at collection, to name each file's
# test. Without the corpus the list is empty and the fixture-using tests skip.
_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "pdf-sample-files"
CORPUS_PDFS = sorted(path.relative_to(_CORPUS).as_posix() for path in _CORPUS.glob("*/*.pdf"))

#: Files that must fail, and how. Every other corpus PDF must read.
EXPECTED_ERRORS = {
    "005-libreoffice-writer-password/libreoffice-writer-password.pdf": EncryptedDocumentError,
    # Pictures only; the one with labels has them outside the visible page.
    "007-imagemagick-images/imagemagick-ASCII85Decode.pdf": ScannedDocumentError,
    "007-imagemagick-images/imagemagick-CCITTFaxDecode.pdf": ScannedDocumentError,
    "007-imagemagick-images/imagemagick-images.pdf": ScannedDocumentError,
    "007-imagemagick-images/imagemagick-lzw.pdf": ScannedDocumentError,
    "019-grayscale-image/grayscale-image.pdf": ScannedDocumentError,
    "023-cmyk-image/cmyk-image.pdf": ScannedDocumentError,
    # Its page tree points at an object that does not exist; neither pdfium nor pypdf opens it.
    "017-unreadable-meta-data/unreadablemetadata.pdf": CorruptDocumentError,
}
SECONDS_PER_FILE = 5.0


@pytest.mark.parametrize("relative_path", CORPUS_PDFS)
def test_corpus_file_reads_or_fails_cleanly_and_fast(corpus_dir, relative_path):
    path = corpus_dir / relative_path
    started = time.monotonic()
    try:
        document = load_document(path)
        outcome: type[Exception] | None = None
    except DocumentError as error:
        document, outcome = None, type(error)
        assert str(error) and "Traceback" not in str(error)
    elapsed = time.monotonic() - started
    assert elapsed < SECONDS_PER_FILE, f"{relative_path} took {elapsed:.1f} s"
    assert outcome is EXPECTED_ERRORS.get(relative_path)
    if document is None:
        return
    assert document.blocks and document.title
    assert document.sha256 == file_sha256(path)
    assert all(1 <= block.page <= document.page_count for block in document.blocks)
    assert not any(char in document.text for char in "\x00\x02\ufffe\r")


def test_corpus_page_counts_match_the_catalog(corpus_dir):
    import json

    catalog = json.loads((corpus_dir / "files.json").read_text(encoding="utf-8"))["data"]
    checked = 0
    for entry in catalog:
        path = corpus_dir / entry["path"]
        if not path.is_file() or entry["path"] in EXPECTED_ERRORS or not entry.get("pages"):
            continue
        assert load_document(path).page_count == entry["pages"], entry["path"]
        checked += 1
    assert checked >= 15


def test_thesis_reads_cleanly(corpus_dir):
    document = load_document(corpus_dir / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf")
    assert document.page_count == 117
    assert document.title == "Geometrie und Topologie"
    assert document.language == "de"
    # pdfium's joined hyphenation, undone: "unterschiedli-" + "chem".
    assert "Kugeln mit unterschiedlichem Mittelpunkt" in document.text
    # Page 21 is printed as 18, under the running header "18 1.6. WEGE UND KNOTEN".
    assert "WEGE UND KNOTEN" not in document.pages()[21]
    assert document.pages()[21].startswith("⇒ V ∩")


def test_google_doc_title_and_paragraphs(corpus_dir):
    document = load_document(corpus_dir / "011-google-doc-document" / "google-doc-document.pdf")
    assert document.title == "PDF Example Document"
    assert document.language == "en"
    assert "Beautiful is better than ugly." in [block.text for block in document.blocks]


def test_two_column_latex_joins_hyphenated_words(corpus_dir):
    text = load_document(corpus_dir / "026-latex-multicolumn" / "multicolumn.pdf").text
    assert "consectetuer adipiscing elit" in text
    assert "adip-" not in text


def test_table_of_contents_page_keeps_its_entries_but_not_its_page_number(corpus_dir):
    document = load_document(corpus_dir / "006-pdflatex-outline" / "pdflatex-outline.pdf")
    first_page = [block.text for block in document.blocks if block.page == 1]
    assert "1 Foo 2" in first_page
    assert "1" not in first_page


def test_the_reader_process_gives_back_exactly_what_reading_here_gives(corpus_dir):
    # The process boundary must lose nothing: every block, page, title, warning and hash
    # crosses the pipe intact, and the same files fail with the same errors.
    from app.core.documents import load_document_in_process

    for relative_path in CORPUS_PDFS:
        path = corpus_dir / relative_path
        if relative_path in EXPECTED_ERRORS:
            with pytest.raises(EXPECTED_ERRORS[relative_path]) as isolated:
                load_document(path)
            with pytest.raises(EXPECTED_ERRORS[relative_path]) as here:
                load_document_in_process(path)
            assert (str(isolated.value), isolated.value.path) == (str(here.value), here.value.path)
        else:
            assert load_document(path) == load_document_in_process(path), relative_path
