"""Telling what a file really is from its bytes, not its name.

People rename files, and mail systems and downloads mangle extensions, so the kind comes from
magic bytes: "%PDF-" near the start, a ZIP holding word/document.xml, or bytes that decode as
text. The extension only chooses between "md" and "txt". Anything else is refused with a
message naming what the file looks like, when that is known.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from app.core.documents.text import NOT_TEXT, decode_text
from app.core.errors import (
    CorruptDocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    UnsupportedDocumentError,
)

#: File name endings the open dialog offers; reading itself goes by content.
SUPPORTED_SUFFIXES: tuple[str, ...] = (".pdf", ".docx", ".txt", ".md", ".markdown")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")

_SNIFF_BYTES = 65536
_PDF_MAGIC_WITHIN = 1024
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

# Formats made of text that would decode fine and then be summarized as markup.
_TEXT_FORMATS: tuple[tuple[bytes, str, str], ...] = (
    (b"{\\rtf", "an RTF document", "Open it in Word or LibreOffice and save it as .docx."),
    (b"%!PS", "a PostScript file", "Convert it to PDF first."),
)

# (magic, offset, what it is, what to do). Only consulted once the bytes failed to decode as
# text, so a note that happens to start with "MZ" or "ID3" is still read.
_BINARY_FORMATS: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "a PNG image", "If it's a picture of text, run it through OCR first."),
    (b"\xff\xd8\xff", 0, "a JPEG image", "If it's a picture of text, run it through OCR first."),
    (b"GIF8", 0, "a GIF image", ""),
    (b"II*\x00", 0, "a TIFF image", "If it's a scan, run it through OCR to make a PDF with text."),
    (b"MM\x00*", 0, "a TIFF image", "If it's a scan, run it through OCR to make a PDF with text."),
    (b"WEBP", 8, "a WebP image", ""),
    (b"BM", 0, "a bitmap image", ""),
    (b"MZ", 0, "a Windows program", ""),
    (b"\x7fELF", 0, "a program", ""),
    (b"\xcf\xfa\xed\xfe", 0, "a program", ""),
    (b"Rar!\x1a\x07", 0, "a RAR archive", "Extract it and open the document inside."),
    (b"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive", "Extract it and open the document inside."),
    (b"\x1f\x8b", 0, "a gzip archive", "Extract it and open the document inside."),
    (b"SQLite format 3\x00", 0, "a database", ""),
    (b"ID3", 0, "an audio file", ""),
    (b"ftyp", 4, "a video or audio file", ""),
)

# (member that identifies it, what it is, what to do)
_ZIP_KINDS: tuple[tuple[str, str, str], ...] = (
    ("xl/workbook.xml", "an Excel workbook", "Export the sheet as PDF first."),
    ("ppt/presentation.xml", "a PowerPoint presentation", "Export it as PDF first."),
    ("content.xml", "an OpenDocument file", "Open it in LibreOffice and save it as .docx."),
    ("META-INF/container.xml", "an e-book (EPUB)", ""),
)

# UTF-16 names of streams inside an OLE compound file, and what they say the file is.
_CFB_STREAMS: tuple[tuple[str, str, str], ...] = (
    ("WordDocument", "an old-style Word document (.doc)",
     "Open it in Word or LibreOffice, save it as .docx, and open that."),
    ("Workbook", "an old-style Excel workbook (.xls)", "Export the sheet as PDF first."),
    ("PowerPoint Document", "an old-style PowerPoint presentation (.ppt)", "Export it as PDF first."),
)
ENCRYPTED_OFFICE = ("This Word file is protected by a password, and Matome can't open encrypted Word "
                    "files. Remove the password in Word (File → Info → Protect Document → Encrypt with "
                    "Password, then clear it), save, and open the file again.")


def detect_kind(path: str | Path) -> str:
    """"pdf", "docx", "txt" or "md", judged by content; raises a DocumentError otherwise."""
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head:
        raise EmptyDocumentError("This file is empty (0 bytes), so there is nothing to read.", str(path))
    if b"%PDF-" in head[:_PDF_MAGIC_WITHIN]:
        return "pdf"
    if head.startswith(_ZIP_MAGICS):
        return _zip_kind(path)
    if head.startswith(_CFB_MAGIC):
        raise _compound_file_error(path)
    for magic, what, advice in _TEXT_FORMATS:
        if head.startswith(magic):
            raise _not_a_document(path, what, advice)
    try:
        decode_text(head, complete=len(head) < _SNIFF_BYTES)
    except UnicodeError:
        for magic, offset, what, advice in _BINARY_FORMATS:
            if head[offset:offset + len(magic)] == magic:
                raise _not_a_document(path, what, advice) from None
        raise UnsupportedDocumentError(NOT_TEXT, str(path)) from None
    return "md" if path.suffix.lower() in MARKDOWN_SUFFIXES else "txt"


def _not_a_document(path: Path, what: str, advice: str) -> UnsupportedDocumentError:
    message = f"This file is {what}, not a document Matome can read."
    return UnsupportedDocumentError(f"{message} {advice}".strip(), str(path))


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        if path.suffix.lower() == ".docx":
            raise CorruptDocumentError(
                "This Word file is damaged or incomplete, so Matome can't read it. If it came from a "
                "download or an email, get a fresh copy.", str(path)) from exc
        raise _not_a_document(path, "a damaged ZIP archive", "") from exc
    if "word/document.xml" in names:
        return "docx"
    for member, what, advice in _ZIP_KINDS:
        if member in names:
            raise _not_a_document(path, what, advice)
    raise _not_a_document(path, "a ZIP archive", "Extract it and open the document inside.")


def _compound_file_error(path: Path) -> Exception:
    """Why an OLE compound file (old Office formats, encrypted new ones) can't be read."""
    # Stream names live in directory sectors anywhere in the file; the size limit was checked
    # before we got here, so reading it whole is bounded.
    data = path.read_bytes()
    if "EncryptedPackage".encode("utf-16-le") in data:
        return EncryptedDocumentError(ENCRYPTED_OFFICE, str(path))
    for stream, what, advice in _CFB_STREAMS:
        if stream.encode("utf-16-le") in data:
            return _not_a_document(path, what, advice)
    return _not_a_document(path, "an old-style Office file", "Save it as .docx or PDF first.")
