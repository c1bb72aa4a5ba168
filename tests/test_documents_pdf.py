"""PDF reading: text and paragraphs, Japanese, passwords, scans, damage, limits, cancelling.

The PDFs are written here, byte by byte, with a CID font whose ToUnicode map makes any text
(Japanese included) extractable without installing a font. Tests that swap a reader library
out or count cancel polls read in this process (`load_document_in_process`): a patch made here
does not reach the reader process that `load_document` uses.
"""

from __future__ import annotations

import io
import logging
import unicodedata

import pytest

from app.core.documents import load_document, load_document_in_process, pdf
from app.core.errors import (
    Cancelled,
    CorruptDocumentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    EncryptedDocumentError,
    ScannedDocumentError,
    UnsupportedDocumentError,
)
from app.core.settings import LimitSettings

PASSWORD_PDF = "005-libreoffice-writer-password/libreoffice-writer-password.pdf"


def make_pdf(pages: list[list[str]], *, image_pages: tuple[int, ...] = (), title: str | None = None,
             font_size: int = 10) -> bytes:
    """A small valid PDF; each page's lines top to bottom. A line starting with a tab is set
    letter-spaced (gaps between glyphs), as some Japanese PDFs are."""
    chars = sorted({char for lines in pages for line in lines for char in line.lstrip("\t")})
    cid_of = {char: cid for cid, char in enumerate(chars, start=1)}
    widths = b" ".join(b"1000" if unicodedata.east_asian_width(char) in "WF" else b"500" for char in chars)
    mappings = b""
    for start in range(0, len(chars), 100):
        chunk = chars[start:start + 100]
        mappings += b"%d beginbfchar\n" % len(chunk)
        mappings += b"".join(b"<%04X> <%s>\n" % (cid_of[char], char.encode("utf-16-be").hex().encode())
                             for char in chunk)
        mappings += b"endbfchar\n"
    cmap = (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + mappings
            + b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type0 /BaseFont /TestFont /Encoding /Identity-H "
           b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        4: b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
           b"/BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream",
        5: b"<< /Title (%s) >>" % title.encode("latin-1") if title else b"<< >>",
        6: b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TestFont /CIDSystemInfo << /Registry (Adobe) "
           b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R /DW 1000 /W [1 [%s]] >>" % widths,
        7: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap),
        8: b"<< /Type /FontDescriptor /FontName /TestFont /Flags 4 /FontBBox [0 -200 1000 900] "
           b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
    }
    kids = []
    for number, lines in enumerate(pages, start=1):
        operators = [b"q 400 0 0 600 100 100 cm /Im1 Do Q"] if number in image_pages else []
        y = 760
        for line in lines:
            if line.startswith("\t"):
                glyphs = b" -600 ".join(b"<%04X>" % cid_of[char] for char in line[1:])
                operators.append(b"BT /F1 %d Tf 50 %d Td [%s] TJ ET" % (font_size, y, glyphs))
            elif line:
                glyphs = "".join("%04X" % cid_of[char] for char in line).encode()
                operators.append(b"BT /F1 %d Tf 50 %d Td <%s> Tj ET" % (font_size, y, glyphs))
            y -= font_size + 4
        content = b"\n".join(operators)
        content_id = 9 + 2 * (number - 1)
        objects[content_id] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
        objects[content_id + 1] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                                   b"/Resources << /Font << /F1 3 0 R >> /XObject << /Im1 4 0 R >> >> >>"
                                   % content_id)
        kids.append(content_id + 1)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % kid for kid in kids),
                                                              len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for object_id in sorted(objects):
        offsets[object_id] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (object_id, objects[object_id])
    xref_at = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[object_id] for object_id in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at)
    return bytes(out)


def encrypt(data: bytes, *, user_password: str, owner_password: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(data))
    # RC4 needs no extra crypto package; the readers handle AES the same way.
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


REPORT_PAGES = [
    ["ACME Corp — Internal", "Quarterly Report",
     "This first paragraph wraps over several lines because it is long and it talks about",
     "the infor-", "mation we gathered, and about the Heine-", "Borel theorem, which keeps its hyphen.",
     "A second paragraph starts here.", "Page 1 of 3"],
    ["ACME Corp — Internal", "Costs went down in every region that we measured during the quarter and",
     "they are expected to stay low.", "Nothing else happened on this page at all.", "Page 2 of 3"],
    ["ACME Corp — Internal", "The outlook for next year is good according to everyone that we asked",
     "about it.", "The end of the report is here.", "Page 3 of 3"],
]


@pytest.fixture
def report_pdf(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf(REPORT_PAGES, title="Quarterly Report Q3"))
    return path


def test_reads_paragraphs_with_pages_and_title(report_pdf):
    document = load_document(report_pdf)
    assert document.kind == "pdf"
    assert document.page_count == 3
    assert document.title == "Quarterly Report Q3"
    assert document.language == "en"
    assert len(document.sha256) == 64
    assert document.warnings == []
    first = next(block for block in document.blocks if block.text.startswith("This first paragraph"))
    assert first.page == 1
    assert "the information we gathered" in first.text
    assert "Heine-Borel theorem" in first.text
    assert "A second paragraph starts here." not in first.text
    assert document.pages()[3].endswith("The end of the report is here.")
    assert [block.index for block in document.blocks] == list(range(len(document.blocks)))


def test_drops_running_headers_and_page_numbers(report_pdf):
    text = load_document(report_pdf).text
    assert "ACME Corp" not in text
    assert "Page 2 of 3" not in text
    assert "Quarterly Report" in text  # a one-off heading at the top is not furniture


def test_pypdf_fallback_reads_the_same_text(report_pdf, monkeypatch, caplog):
    def pdfium_fails(*args, **kwargs):
        raise RuntimeError("pdfium is unhappy")

    monkeypatch.setattr(pdf, "_PdfiumSource", pdfium_fails)
    with caplog.at_level(logging.INFO, logger=pdf.__name__):
        document = load_document_in_process(report_pdf)
    assert "pdfium is unhappy" in caplog.text
    assert document.page_count == 3
    assert "the information we gathered" in document.text
    assert "Heine-Borel" in document.text
    assert "ACME Corp" not in document.text


def test_unexpected_errors_in_both_libraries_become_corrupt(report_pdf, monkeypatch, caplog):
    def fails(*args, **kwargs):
        raise KeyError("/Root")

    monkeypatch.setattr(pdf, "_PdfiumSource", fails)
    monkeypatch.setattr(pdf, "_PypdfSource", fails)
    with pytest.raises(CorruptDocumentError) as caught, caplog.at_level(logging.WARNING):
        load_document_in_process(report_pdf)
    assert "fresh copy" in str(caught.value)
    assert caught.value.path == str(report_pdf)
    assert "KeyError" in caplog.text


def test_japanese_pdf_has_no_spurious_spaces(tmp_path):
    path = tmp_path / "houkoku.pdf"
    path.write_bytes(make_pdf([[
        "社内報告書",
        "本報告書は、第三四半期の売上と費用についてまとめたものです。売上は前年同期比で",
        "十二パーセント増加しました。",
        "\t費用は横ばいでした。",
        "ｶﾞｲﾄﾞ ＡＢＣ１２３ ⽇本",
    ]]))
    document = load_document(path)
    assert document.language == "ja"
    assert document.title == "社内報告書"
    text = document.text
    assert "前年同期比で十二パーセント増加しました。" in text  # wrapped line joined with no space
    assert "費用は横ばいでした。" in text  # letter-spaced glyphs closed up
    assert "ガイド ABC123 日本" in text  # half-width kana, full-width ASCII, Kangxi radical


def test_page_without_text_layer_is_skipped_with_a_warning(tmp_path):
    path = tmp_path / "mixed.pdf"
    path.write_bytes(make_pdf([["Typed cover page with real text on it."], [], [], ["Back to text."]],
                              image_pages=(2, 3)))
    document = load_document(path)
    assert document.page_count == 4
    assert sorted(document.pages()) == [1, 4]
    assert document.warnings == [
        "Pages 2–3 have no text layer (they look scanned), so Matome skipped them. "
        "Run the file through OCR to include them."
    ]


@pytest.mark.parametrize("library", ["pypdfium2", "pypdf"])
def test_scanned_pdf_raises(tmp_path, monkeypatch, library):
    if library == "pypdf":
        monkeypatch.setattr(pdf, "_PdfiumSource", lambda *args: (_ for _ in ()).throw(RuntimeError("off")))
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf([[], []], image_pages=(1, 2)))
    with pytest.raises(ScannedDocumentError) as caught:
        load_document_in_process(path)
    assert str(caught.value).startswith("This PDF has no text layer — it looks scanned.")
    assert "OCR" in str(caught.value)


def test_blank_pdf_is_empty_not_scanned(tmp_path):
    path = tmp_path / "blank.pdf"
    path.write_bytes(make_pdf([[], []]))
    with pytest.raises(EmptyDocumentError):
        load_document(path)


def test_password_protected_pdf(tmp_path):
    path = tmp_path / "secret.pdf"
    path.write_bytes(encrypt(make_pdf(REPORT_PAGES), user_password="s3cret", owner_password="owner"))
    with pytest.raises(EncryptedDocumentError) as missing:
        load_document(path)
    assert str(missing.value) == "This PDF is protected by a password. Enter the password to open it."
    assert missing.value.wrong_password is False
    with pytest.raises(EncryptedDocumentError) as wrong:
        load_document(path, password="guess")
    assert wrong.value.wrong_password is True
    assert "password is wrong" in str(wrong.value)
    assert "Heine-Borel" in load_document(path, password="s3cret").text


def test_wrong_password_is_reported_by_the_pypdf_fallback_too(tmp_path, monkeypatch):
    path = tmp_path / "secret.pdf"
    path.write_bytes(encrypt(make_pdf(REPORT_PAGES), user_password="s3cret", owner_password="owner"))
    monkeypatch.setattr(pdf, "_PdfiumSource", lambda *args: (_ for _ in ()).throw(RuntimeError("no")))
    with pytest.raises(EncryptedDocumentError) as wrong:
        load_document_in_process(path, password="guess")
    assert wrong.value.wrong_password is True
    assert "Heine-Borel" in load_document_in_process(path, password="s3cret").text


def test_a_damaged_pdf_read_after_an_encrypted_one_is_damaged_not_protected(corpus_dir, tmp_path):
    # One byte of this file's compressed object stream, changed: PDFium then fails without an
    # error code of its own, and used to report the previous file's "password needed". The
    # reader process reads file after file, so it must not carry such state over.
    data = bytearray((corpus_dir / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf").read_bytes())
    data[24061] = 3
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(bytes(data))
    with pytest.raises(EncryptedDocumentError):
        load_document_in_process(corpus_dir / PASSWORD_PDF)
    with pytest.raises(CorruptDocumentError):
        load_document_in_process(damaged)


def test_owner_password_only_pdf_opens_without_asking(tmp_path):
    path = tmp_path / "restricted.pdf"
    path.write_bytes(encrypt(make_pdf(REPORT_PAGES), user_password="", owner_password="owner"))
    assert "Heine-Borel" in load_document(path).text


def test_corpus_password_pdf_asks_for_its_password(corpus_dir):
    # The corpus documents that this file is encrypted, but not its password.
    with pytest.raises(EncryptedDocumentError) as caught:
        load_document(corpus_dir / PASSWORD_PDF)
    assert caught.value.wrong_password is False
    with pytest.raises(EncryptedDocumentError) as wrong:
        load_document(corpus_dir / PASSWORD_PDF, password="not-the-password")
    assert wrong.value.wrong_password is True


def test_truncated_pdf_is_corrupt(corpus_dir, tmp_path):
    original = (corpus_dir / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(original[: len(original) // 2])
    with pytest.raises(CorruptDocumentError) as caught:
        load_document(path)
    assert "damaged or incomplete" in str(caught.value)
    assert "fresh copy" in str(caught.value)


def test_garbage_after_pdf_header_is_corrupt(tmp_path):
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
    with pytest.raises(CorruptDocumentError):
        load_document(path)


def test_png_named_pdf_is_unsupported(tmp_path):
    path = tmp_path / "photo.pdf"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00\x00\x00\x01" * 2 + b"\x08\x02" + b"\x00" * 64)
    with pytest.raises(UnsupportedDocumentError) as caught:
        load_document(path)
    assert str(caught.value).startswith("This file is a PNG image, not a document Matome can read.")


def test_page_limit(report_pdf):
    with pytest.raises(DocumentTooLargeError) as caught:
        load_document(report_pdf, limits=LimitSettings(max_pages=2))
    message = str(caught.value)
    assert "3 pages" in message and "up to 2" in message and "Settings → Documents" in message


def test_size_limit_is_checked_before_opening(tmp_path, monkeypatch):
    path = tmp_path / "big.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
    monkeypatch.setattr(pdf, "read_pdf", lambda *args, **kwargs: pytest.fail("opened a file over the limit"))
    with pytest.raises(DocumentTooLargeError) as caught:
        load_document(path, limits=LimitSettings(max_megabytes=1))
    assert "up to 1 MB" in str(caught.value) and "Settings → Documents" in str(caught.value)


def test_cancel_is_polled_between_pages(report_pdf):
    polls = []

    def should_cancel():
        polls.append(True)
        return len(polls) >= 3

    with pytest.raises(Cancelled):
        load_document_in_process(report_pdf, should_cancel=should_cancel)
    assert len(polls) == 3


def test_describe_pages():
    assert pdf.describe_pages([7]) == "Page 7 has"
    assert pdf.describe_pages([9, 3, 4, 5]) == "Pages 3–5 and 9 have"
    assert pdf.describe_pages([1, 3, 5]) == "Pages 1, 3 and 5 have"


def test_dot_leaders_of_a_table_of_contents_collapse_to_one_ellipsis():
    from app.core.documents.cleanup import normalize_characters

    assert normalize_characters("1.1 Topologische Räume . . . . . . . . . . 2") == "1.1 Topologische Räume … 2"
    assert normalize_characters("第1章 概要・・・・・・・・3") == "第1章 概要 … 3"
    # Ordinary dots stay: version numbers, abbreviations, a three-dot ellipsis.
    assert normalize_characters("Version 1.2.3, e.g. this...") == "Version 1.2.3, e.g. this..."
