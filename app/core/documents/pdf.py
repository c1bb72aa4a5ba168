"""Reading PDFs into paged text blocks.

Two page sources stand behind one small interface: pypdfium2, fast (15–19× pypdf on a
117-page thesis, see bench/extraction.py), and pypdf, slower but able to read some files pdfium
refuses. This module owns the choice between them, passwords, page limits, cancellation, the
scanned-page check, and turning whatever either library raises into a typed DocumentError.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.core.documents.cleanup import (
    normalize_characters,
    remove_spaces_between_cjk,
    split_paragraphs,
    strip_page_furniture,
    typical_line_width,
)
from app.core.documents.model import Document, TextBlock
from app.core.errors import (
    Cancelled,
    CorruptDocumentError,
    DocumentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    EncryptedDocumentError,
    ScannedDocumentError,
)
from app.core.settings import LimitSettings

log = logging.getLogger(__name__)

# PDFium is not thread-safe; the app may read two files at once from worker threads.
_pdfium_lock = threading.Lock()

#: A page with fewer letters or digits than this has no real text layer.
_MIN_CHARACTERS_FOR_TEXT = 3
#: Pages with less raw text than this get the (cheap) "is anything drawn here?" check.
_CHECK_MARKS_BELOW = 40

NEEDS_PASSWORD = "This PDF is protected by a password. Enter the password to open it."
WRONG_PASSWORD = "That password is wrong for this PDF. Check it (passwords are case-sensitive) and try again."
UNSUPPORTED_PROTECTION = ("This PDF is protected in a way Matome can't open. Open it in the program that "
                          "made it and save a copy without protection, then open that copy.")
CORRUPT = ("This PDF is damaged or incomplete, so Matome can't read it. If it came from a download or an "
           "email, get a fresh copy; if another viewer can open it, use “Print → Save as PDF” there and "
           "open the new file.")
SCANNED = ("This PDF has no text layer — it looks scanned. Matome reads text, not images; run it through "
           "OCR first (for example “Recognize Text” in Adobe Acrobat, or the free OCRmyPDF), then open "
           "the copy with text.")
NO_TEXT = "This PDF has no text: its pages are blank."
NO_PAGES = "This PDF has no pages."


@dataclass
class RawPage:
    number: int
    text: str
    #: Whether anything at all is drawn on the page (images, shapes, text).
    has_marks: bool


class _PageSource(Protocol):
    page_count: int

    def metadata_title(self) -> str: ...

    def read_page(self, index: int) -> RawPage: ...

    def close(self) -> None: ...


class _ProtectionNotSupported(Exception):
    """PDFium met a security handler it can't open; pypdf may still manage."""


class _PdfiumSource:
    def __init__(self, path: Path, password: str | None):
        import pypdfium2
        import pypdfium2.raw as pdfium_raw

        self._raw = pdfium_raw
        try:
            self._document = pypdfium2.PdfDocument(path, password=password)
        except pypdfium2.PdfiumError as exc:
            if exc.err_code in (pdfium_raw.FPDF_ERR_PASSWORD, pdfium_raw.FPDF_ERR_SECURITY) \
                    and not _mentions_encryption(path):
                # PDFium's last-error code outlives the document that set it: a damaged file that
                # fails without setting one, read after an encrypted file, "needs a password".
                # No /Encrypt, no password; pypdf gets to judge the file instead.
                raise
            if exc.err_code == pdfium_raw.FPDF_ERR_PASSWORD:
                raise _password_error(path, password) from None
            if exc.err_code == pdfium_raw.FPDF_ERR_SECURITY:
                raise _ProtectionNotSupported(str(exc)) from exc
            raise
        self.page_count = len(self._document)

    def metadata_title(self) -> str:
        return str(self._document.get_metadata_dict().get("Title") or "")

    def read_page(self, index: int) -> RawPage:
        page = self._document[index]
        try:
            text_page = page.get_textpage()
            try:
                # The bounded call, unlike get_text_range, is not limited to UCS-2.
                text = text_page.get_text_bounded()
            finally:
                text_page.close()
            has_marks = True
            if _count_characters(text) < _CHECK_MARKS_BELOW:
                has_marks = self._raw.FPDFPage_CountObjects(page.raw) > 0
        finally:
            page.close()
        return RawPage(index + 1, text, has_marks)

    def close(self) -> None:
        self._document.close()


class _PypdfSource:
    def __init__(self, path: Path, password: str | None):
        import pypdf
        from pypdf.errors import DependencyError

        self._reader = pypdf.PdfReader(path, strict=False)
        if self._reader.is_encrypted:
            try:
                unlocked = self._reader.decrypt(password or "")
            except (DependencyError, NotImplementedError) as exc:
                log.warning("pypdf cannot decrypt %s: %s", path, exc)
                raise EncryptedDocumentError(UNSUPPORTED_PROTECTION, str(path)) from None
            if unlocked == pypdf.PasswordType.NOT_DECRYPTED:
                raise _password_error(path, password)
        self.page_count = len(self._reader.pages)

    def metadata_title(self) -> str:
        metadata = self._reader.metadata
        return str(metadata.title or "") if metadata else ""

    def read_page(self, index: int) -> RawPage:
        page = self._reader.pages[index]
        text = page.extract_text() or ""
        has_marks = True
        if _count_characters(text) < _CHECK_MARKS_BELOW:
            contents = page.get_contents()
            # ContentStream.get_data() can be None for a filtered stream; the parsed operators
            # are what is actually drawn.
            has_marks = contents is not None and len(contents.operations) > 0
        return RawPage(index + 1, text, has_marks)

    def close(self) -> None:
        self._reader.close()


def read_pdf(path: Path, *, password: str | None, limits: LimitSettings,
             should_cancel: Callable[[], bool] | None) -> Document:
    """The PDF's paragraphs, each with its page; `title` holds the metadata title, if any."""
    pages, metadata_title = _extract_pages(path, password, limits, should_cancel)
    if not pages:
        raise EmptyDocumentError(NO_PAGES, str(path))
    document = Document(path=path, title=metadata_title, language="", blocks=[], kind="pdf",
                        page_count=len(pages))
    lines_per_page = [
        remove_spaces_between_cjk(normalize_characters(page.text)).split("\n") for page in pages
    ]
    lines_per_page = strip_page_furniture(lines_per_page)
    width = typical_line_width(lines_per_page)
    textless_with_marks = []
    pages_with_text = 0
    for page, lines in zip(pages, lines_per_page):
        if _count_characters("".join(lines)) < _MIN_CHARACTERS_FOR_TEXT:
            if page.has_marks:
                textless_with_marks.append(page.number)
            continue
        pages_with_text += 1
        for paragraph in split_paragraphs(lines, width):
            document.blocks.append(TextBlock(paragraph, len(document.blocks), page=page.number))
    if _looks_scanned(len(pages), pages_with_text, textless_with_marks):
        raise ScannedDocumentError(SCANNED, str(path))
    if not document.blocks:
        raise EmptyDocumentError(NO_TEXT, str(path))
    if textless_with_marks:
        document.warnings.append(
            f"{describe_pages(textless_with_marks)} no text layer (they look scanned), so Matome "
            "skipped them. Run the file through OCR to include them."
        )
    if not _ends_with_eof_marker(path):
        document.warnings.append("This PDF looks cut off at the end, so part of it may be missing.")
    return document


def _looks_scanned(page_count: int, pages_with_text: int, textless_with_marks: list[int]) -> bool:
    if not textless_with_marks:
        return False
    if pages_with_text == 0:
        return True
    # A long scan whose only text is a typed cover sheet is still a scan.
    return page_count >= 10 and pages_with_text / page_count < 0.1


def _extract_pages(path: Path, password: str | None, limits: LimitSettings,
                   should_cancel: Callable[[], bool] | None) -> tuple[list[RawPage], str]:
    try:
        with _pdfium_lock:
            return _read_all(_PdfiumSource, path, password, limits, should_cancel)
    except (DocumentError, Cancelled, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 — any pdfium failure means "try the other library"
        pdfium_problem = exc
        log.info("pypdfium2 could not read %s (%r); trying pypdf", path, exc)
    try:
        return _read_all(_PypdfSource, path, password, limits, should_cancel)
    except (DocumentError, Cancelled, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 — the reader boundary: nothing raw gets past it
        log.warning("pypdf could not read %s either", path, exc_info=exc)
        if isinstance(pdfium_problem, _ProtectionNotSupported):
            raise EncryptedDocumentError(UNSUPPORTED_PROTECTION, str(path)) from exc
        raise CorruptDocumentError(CORRUPT, str(path)) from exc


def _read_all(open_source: Callable[[Path, str | None], _PageSource], path: Path, password: str | None,
              limits: LimitSettings,
              should_cancel: Callable[[], bool] | None) -> tuple[list[RawPage], str]:
    source = open_source(path, password)
    try:
        if source.page_count > limits.max_pages:
            raise DocumentTooLargeError(
                f"This PDF has {source.page_count:,} pages; Matome reads up to {limits.max_pages:,}. "
                "You can raise the page limit in Settings → Documents.",
                str(path),
            )
        pages = list(_iter_pages(source, path, should_cancel))
        try:
            title = source.metadata_title()
        except Exception:  # noqa: BLE001 — broken metadata must not cost the text
            log.info("unreadable metadata in %s", path, exc_info=True)
            title = ""
        return pages, title
    finally:
        source.close()


def _iter_pages(source: _PageSource, path: Path, should_cancel: Callable[[], bool] | None) -> Iterator[RawPage]:
    count = source.page_count
    may_have_text = textless_with_marks = 0
    for index in range(count):
        if should_cancel is not None and should_cancel():
            raise Cancelled()
        page = source.read_page(index)
        if _count_characters(page.text):
            may_have_text += 1
        elif page.has_marks:
            textless_with_marks += 1
        # Once even text on every page still to come could not lift the file over the "scanned"
        # line of _looks_scanned, the verdict is certain: stop, rather than spend minutes (with
        # pypdf) on thousands of pictures of pages.
        if count >= 10 and textless_with_marks and (may_have_text + count - index - 1) * 10 < count:
            log.info("%s: %d of its first %d pages are pictures; it is a scan", path, textless_with_marks,
                     index + 1)
            raise ScannedDocumentError(SCANNED, str(path))
        yield page


def _password_error(path: Path, password: str | None) -> EncryptedDocumentError:
    if password:
        return EncryptedDocumentError(WRONG_PASSWORD, str(path), wrong_password=True)
    return EncryptedDocumentError(NEEDS_PASSWORD, str(path))


def _count_characters(text: str) -> int:
    return sum(1 for char in text if char.isalnum())


def _mentions_encryption(path: Path) -> bool:
    # An encrypted PDF names its /Encrypt dictionary in a trailer or cross-reference stream
    # dictionary, which are never compressed. Read in overlapping chunks: files reach 200 MB.
    overlap = len(b"/Encrypt") - 1
    with open(path, "rb") as handle:
        tail = b""
        while chunk := handle.read(1 << 20):
            if b"/Encrypt" in tail + chunk:
                return True
            tail = chunk[-overlap:]
    return False


def _ends_with_eof_marker(path: Path) -> bool:
    # The spec wants %%EOF in the last 1 KB; a file without it was almost surely cut short.
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        handle.seek(max(0, handle.tell() - 1024))
        return b"%%EOF" in handle.read()


def describe_pages(numbers: list[int]) -> str:
    """[3, 4, 5, 9] → "Pages 3–5 and 9 have"; [7] → "Page 7 has"."""
    ranges: list[tuple[int, int]] = []
    for number in sorted(set(numbers)):
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], number)
        else:
            ranges.append((number, number))
    parts = [f"{first}" if first == last else f"{first}–{last}" for first, last in ranges]
    if len(numbers) == 1:
        return f"Page {parts[0]} has"
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Pages {listed} have"
