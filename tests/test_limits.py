"""Limits against hostile files, each with an error a person can act on, reached quickly:
page counts, zip bombs (by size and by number of parts), entity expansion ("billion laughs")
and external entities in Word XML, deep nesting in PDF and XML, and thousands of scanned pages.

Every file is crafted here, byte by byte where a library would refuse to write it, and read
through `load_document`, the way the app reads: in the reader process.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib

import docx
import pytest

from app.core import settings as settings_store
from app.core.documents import load_document, load_document_in_process
from app.core.errors import (
    CorruptDocumentError,
    DocumentError,
    DocumentTooLargeError,
    ScannedDocumentError,
)
from app.core.settings import LimitSettings

#: Seconds any of these files may take to be refused; each is far quicker on a quiet machine.
QUICKLY = 5.0
MB = 1024 * 1024


# ----- crafting files ---------------------------------------------------------------------

def build_pdf(objects: dict[int, bytes]) -> bytes:
    """A PDF of the given numbered objects (1 is the catalog) with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref_at = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[number] for number in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at)
    return bytes(out)


def image_only_pdf(pages: int) -> bytes:
    """`pages` pages that each show the same small picture and no text: a scan, as PDF sees it."""
    content = b"q 400 0 0 600 100 100 cm /Im1 Do Q"
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
           b"/BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream",
        4: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    }
    for index in range(pages):
        objects[5 + index] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                              b"/Resources << /XObject << /Im1 3 0 R >> >> >>")
    kids = b" ".join(b"%d 0 R" % (5 + index) for index in range(pages))
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)
    return build_pdf(objects)


def text_pdf(extra_page_entries: bytes = b"", count: int = 1) -> bytes:
    content = b"BT /F1 12 Tf 72 720 Td (Hello from a hostile file) Tj ET"
    return build_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count,
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
           b"/Resources << /Font << /F1 5 0 R >> >> " + extra_page_entries + b" >>",
        4: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    })


def plain_docx(text: str = "Plain text of a small Word file.") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def write_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP of (name, deflated bytes, CRC-32, unpacked size) members, written by hand so that
    a member may be far larger unpacked than anything a test would want to compress."""
    out = bytearray()
    directory = bytearray()
    for name, data, crc, size in members:
        encoded = name.encode()
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                                 len(encoded), 0, 0, 0, 0, 0, len(out)) + encoded
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data), size,
                           len(encoded), 0) + encoded + data
    out += directory
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory),
                       len(out) - len(directory), 0)
    return bytes(out)


def docx_members(data: bytes) -> list[tuple[str, bytes, int, int]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, deflated(content), zlib.crc32(content), len(content))
                for info in archive.infolist() for content in [archive.read(info)]]


def replace_member(data: bytes, member: str, change) -> bytes:
    members = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            content = archive.read(info)
            if info.filename == member:
                content = change(content)
            members.append((info.filename, deflated(content), zlib.crc32(content), len(content)))
    return write_zip(members)


def with_doctype(doctype: bytes, replace: tuple[bytes, bytes] | None = None):
    def change(xml: bytes) -> bytes:
        declaration, rest = xml.split(b"?>", 1)
        if replace:
            rest = rest.replace(*replace)
        return declaration + b"?>" + doctype + rest
    return change


LAUGHS = (b'<!DOCTYPE root [<!ENTITY a "hahahahahahahahahaha">'
          + b"".join(b'<!ENTITY %c "%s">' % (98 + level, b"&%c;" % (97 + level) * 10) for level in range(9))
          + b"]>")


def read_quickly(path, **kwargs):
    """load_document's outcome (a Document or the DocumentError) and the seconds it took."""
    started = time.monotonic()
    try:
        outcome = load_document(path, **kwargs)
    except DocumentError as error:
        outcome = error
    elapsed = time.monotonic() - started
    assert elapsed < QUICKLY, f"{path.name} took {elapsed:.1f} s"
    return outcome


# ----- PDFs -------------------------------------------------------------------------------

def test_a_pdf_over_the_page_limit_is_refused_quickly(tmp_path):
    path = tmp_path / "many.pdf"
    path.write_bytes(image_only_pdf(5000))
    error = read_quickly(path)
    assert isinstance(error, DocumentTooLargeError)
    assert "5,000 pages" in str(error) and "up to 2,000" in str(error)


def test_a_page_tree_that_claims_a_billion_pages_reads_its_real_page(tmp_path):
    path = tmp_path / "liar.pdf"
    path.write_bytes(text_pdf(count=10**9))
    outcome = read_quickly(path)
    assert not isinstance(outcome, DocumentError), outcome
    assert outcome.page_count == 1 and "hostile file" in outcome.text


@pytest.mark.parametrize("nesting", [b"[" * 100_000 + b"]" * 100_000,
                                     b"<< /A " * 50_000 + b"1" + b" >>" * 50_000,
                                     b"[" * 100_000])
def test_deeply_nested_pdf_objects_end_in_text_or_a_typed_error(tmp_path, nesting):
    path = tmp_path / "nested.pdf"
    path.write_bytes(text_pdf(b"/Deep " + nesting))
    outcome = read_quickly(path)
    assert isinstance(outcome, CorruptDocumentError) or "hostile file" in outcome.text, outcome


def flate_bomb_pdf(megabytes: int) -> bytes:
    """A page whose content stream inflates to `megabytes` MB of spaces, in about a thousandth
    of that: each megabyte, flushed, compresses to the same bytes, so one block is repeated."""
    compressor = zlib.compressobj(9)
    megabyte = b" " * MB
    block = compressor.compress(megabyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(megabyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    bomb = block + repeat * (megabytes - 1) + compressor.flush()
    return build_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        4: b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(bomb), bomb),
    })


def test_a_flate_bomb_in_a_page_is_stopped_at_the_memory_limit(tmp_path):
    # pdfium inflates 1 GB, hits the 400 MB limit and aborts (SIGABRT). That must read as the
    # memory limit, not as a damaged file.
    path = tmp_path / "bomb.pdf"
    path.write_bytes(flate_bomb_pdf(1000))
    error = read_quickly(path, limits=LimitSettings(max_reader_megabytes=400))
    assert isinstance(error, DocumentTooLargeError), error
    assert str(error).startswith("Reading this file needed more than 400 MB of memory")


def test_thousands_of_scanned_pages_are_called_a_scan_quickly(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_only_pdf(1999))
    error = read_quickly(path)
    assert isinstance(error, ScannedDocumentError) and "OCR" in str(error)


def test_reading_a_scan_stops_once_the_verdict_is_certain(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_only_pdf(1000))
    pages_started = []  # polled once before each page

    def count_pages():
        pages_started.append(1)
        return False

    with pytest.raises(ScannedDocumentError):
        load_document_in_process(path, should_cancel=count_pages)
    # Nine in ten pages without text settle it; the last hundred need not be read.
    assert len(pages_started) <= 902, len(pages_started)


# ----- Word files -------------------------------------------------------------------------

def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    hundred_megabytes = bytes(100 * MB)
    bomb = deflated(hundred_megabytes)
    crc = zlib.crc32(hundred_megabytes)
    members = docx_members(plain_docx())
    members += [(f"word/media/filler{n}.bin", bomb, crc, len(hundred_megabytes)) for n in range(11)]
    path = tmp_path / "bomb.docx"
    path.write_bytes(write_zip(members))
    assert path.stat().st_size < 2 * MB  # 1.1 GB inside
    error = read_quickly(path)
    assert isinstance(error, DocumentTooLargeError)
    assert "unpacks to 1,10" in str(error) and "MB, over the 1,000 MB limit" in str(error)


def test_a_word_file_of_too_many_parts_is_refused(tmp_path):
    empty = deflated(b"")
    members = docx_members(plain_docx()) + [(f"customXml/item{n}.xml", empty, 0, 0) for n in range(12_000)]
    path = tmp_path / "parts.docx"
    path.write_bytes(write_zip(members))
    error = read_quickly(path)
    assert isinstance(error, DocumentTooLargeError)
    assert "made of 12,01" in str(error) and "up to 10,000" in str(error)


def test_body_text_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "long.docx"
    path.write_bytes(replace_member(plain_docx(), "word/document.xml", lambda xml: xml + b" " * (2 * MB)))
    error = read_quickly(path, limits=LimitSettings(max_megabytes=1))
    assert isinstance(error, DocumentTooLargeError) and "2 MB of text, over the 1 MB limit" in str(error)


@pytest.mark.parametrize("member, replace", [
    ("word/document.xml", (b"Plain text of a small Word file.", b"&j;")),
    ("docProps/core.xml", None),
    ("word/styles.xml", None),
])
def test_billion_laughs_in_word_xml_is_not_expanded(tmp_path, member, replace):
    path = tmp_path / "laughs.docx"
    path.write_bytes(replace_member(plain_docx(), member, with_doctype(LAUGHS, replace)))
    outcome = read_quickly(path)
    if isinstance(outcome, DocumentError):
        # libxml2 refuses the amplification outright: "damaged", and said quickly.
        assert isinstance(outcome, CorruptDocumentError), outcome
    else:
        assert "haha" not in outcome.text and len(outcome.text) < 1000


def test_external_entities_in_word_xml_are_not_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the contents of another file on this computer")
    doctype = b'<!DOCTYPE root [<!ENTITY x SYSTEM "%s">]>' % secret.as_uri().encode()
    path = tmp_path / "xxe.docx"
    path.write_bytes(replace_member(plain_docx("Before &x; after."), "word/document.xml",
                                    with_doctype(doctype, (b"Before &amp;x; after.", b"Before &x; after."))))
    outcome = read_quickly(path)
    assert isinstance(outcome, DocumentError) or "another file" not in outcome.text


def test_deeply_nested_word_xml_is_damaged_not_a_crash(tmp_path):
    open_tags = b"<w:sdt><w:sdtContent>" * 20_000
    close_tags = b"</w:sdtContent></w:sdt>" * 20_000
    path = tmp_path / "nested.docx"
    path.write_bytes(replace_member(plain_docx(), "word/document.xml",
                                    lambda xml: xml.replace(b"<w:body>", b"<w:body>" + open_tags + close_tags)))
    outcome = read_quickly(path)
    assert isinstance(outcome, CorruptDocumentError), outcome


# ----- the settings behind the limits -------------------------------------------------------

def test_settings_files_from_before_the_new_limits_get_their_defaults(matome_home):
    path = settings_store.settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"schema_version": 1, "limits": {"max_pages": 300, "max_megabytes": 50}}))
    loaded = settings_store.load()
    assert loaded.problem is None
    assert loaded.settings.limits == LimitSettings(max_pages=300, max_megabytes=50)
    assert loaded.settings.limits.max_read_seconds == 180


@pytest.mark.parametrize("field, value, complaint", [
    ("max_read_seconds", 1, "at least 5 seconds"),
    ("max_reader_megabytes", 100, "at least 512 MB"),
    ("max_zip_members", 0, "at least 10 parts"),
    ("max_unpacked_megabytes", 0, "at least one page and one megabyte"),
])
def test_limits_too_small_to_read_anything_are_refused(matome_home, field, value, complaint):
    path = settings_store.settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"limits": {field: value}}))
    loaded = settings_store.load()
    assert complaint in loaded.problem
    assert loaded.settings.limits == LimitSettings()


def test_a_word_file_that_needs_more_memory_than_the_limit_says_so(tmp_path):
    # 50 MB of XML: libxml2 runs out of address space under a 300 MB limit and says "unknown
    # error", which must still reach the user as the memory limit, not as a damaged file.
    paragraph = b"<w:p><w:r><w:t>Words of a very long document that never seems to end.</w:t></w:r></w:p>"
    path = tmp_path / "huge.docx"
    path.write_bytes(replace_member(plain_docx(), "word/document.xml",
                                    lambda xml: xml.replace(b"<w:body>", b"<w:body>" + paragraph * 600_000)))
    error = read_quickly(path, limits=LimitSettings(max_reader_megabytes=300))
    assert isinstance(error, DocumentTooLargeError), error
    assert str(error).startswith("Reading this file needed more than 300 MB of memory")


def test_the_command_line_survives_a_reader_that_aborts_with_one_message(tmp_path, matome_home):
    # The real thing end to end: `matome text` on a flate bomb whose reader dies of SIGABRT
    # under the memory limit in settings, then on a damaged Word file.
    settings_file = settings_store.settings_path()
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings_file.write_text(json.dumps({"limits": {"max_reader_megabytes": 512}}))
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(flate_bomb_pdf(1000))
    damaged = tmp_path / "damaged.docx"
    damaged.write_bytes(replace_member(plain_docx(), "word/document.xml", lambda xml: xml[:300]))
    for path, message in ((bomb, "needed more than 512 MB of memory"), (damaged, "Word file is damaged")):
        result = subprocess.run([sys.executable, "-m", "app", "text", str(path)], capture_output=True,
                                text=True, timeout=60, env=dict(os.environ, MATOME_HOME=str(matome_home)))
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("matome: ") and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
