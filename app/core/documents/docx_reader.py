"""Reading Word (.docx) files into blocks in reading order.

Walks the body XML itself, so tables stay where they are between paragraphs and content
controls (w:sdt) are not skipped. Owns heading detection (style names in English and Japanese,
and outline levels), lists, tables, and the text that lives outside the body: footnotes,
endnotes, headers and footers, which go at the end.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from app.core.documents.cleanup import is_page_number_line, normalize_characters
from app.core.documents.model import Document, TextBlock
from app.core.errors import (
    Cancelled,
    CorruptDocumentError,
    DocumentError,
    DocumentTooLargeError,
    UnsupportedDocumentError,
)
from app.core.settings import LimitSettings

log = logging.getLogger(__name__)

CORRUPT = ("This Word file is damaged, so Matome can't read it. Open it in Word or LibreOffice, use "
           "“Save As” to make a new .docx, and open that.")
NOT_A_PLAIN_DOCX = ("This is a Word template or macro-enabled document, which Matome doesn't read. Open it "
                    "in Word and save it as a normal Word document (.docx).")

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT, _CUSTOM_XML = (
    f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc", f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml")
_TEXT, _TAB, _BREAK, _CARRIAGE_RETURN, _NO_BREAK_HYPHEN = (
    f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen")
_VAL = f"{_W}val"
_TYPE = f"{_W}type"
_SEPARATOR_NOTES = {"separator", "continuationSeparator", "continuationNotice"}

_HEADING_NAME = re.compile(r"^(?:heading|見出し|标题|標題|제목)\s*(\d)$", re.IGNORECASE)
_TITLE_NAMES = {"title", "表題", "タイトル"}
_LIST_NAME = re.compile(r"^(?:list|箇条書き|段落番号|リスト)", re.IGNORECASE)
#: Outline level 9 (and above) is "body text" in Word.
_BODY_TEXT_LEVEL = 9
#: How many body elements to read between polls of should_cancel.
_CANCEL_EVERY = 100


def read_docx(path: Path, *, limits: LimitSettings, should_cancel: Callable[[], bool] | None) -> Document:
    """The file's blocks; `title` is the document's Title property (may be empty)."""
    import docx

    _check_unpacked_size(path, limits)
    try:
        word_document = docx.Document(str(path))
    except ValueError as exc:
        if "not a Word file" in str(exc):
            raise UnsupportedDocumentError(NOT_A_PLAIN_DOCX, str(path)) from exc
        raise _corrupt(path, exc) from exc
    except (DocumentError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 — the reader boundary: nothing raw gets past it
        raise _corrupt(path, exc) from exc
    try:
        return _DocxReader(word_document, path, should_cancel).read()
    except (DocumentError, Cancelled, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001
        raise _corrupt(path, exc) from exc


def _corrupt(path: Path, exc: BaseException) -> CorruptDocumentError:
    log.warning("python-docx could not read %s", path, exc_info=exc)
    return CorruptDocumentError(CORRUPT, str(path))


def _check_unpacked_size(path: Path, limits: LimitSettings) -> None:
    # A few kilobytes of ZIP can unpack to gigabytes (a zip bomb), and python-docx unpacks every
    # part it finds into memory; so the sizes the archive declares are checked before it opens.
    # The declarations can't lie: zipfile stops at the declared size and then fails the CRC.
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            body = archive.getinfo("word/document.xml").file_size
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _corrupt(path, exc) from exc
    if len(members) > limits.max_zip_members:
        raise DocumentTooLargeError(
            f"This Word file is made of {len(members):,} parts; Matome opens files of up to "
            f"{limits.max_zip_members:,}. Real documents have far fewer, so it is probably damaged or "
            "built to overload programs that open it. If Word opens it, save a new copy and open that.",
            str(path))
    if body > limits.max_megabytes * 1024 * 1024:
        raise DocumentTooLargeError(
            f"This Word file unpacks to {body / 1024 / 1024:,.0f} MB of text, over the "
            f"{limits.max_megabytes} MB limit. You can raise the limit in Settings → Documents.",
            str(path),
        )
    total = sum(member.file_size for member in members)
    if total > limits.max_unpacked_megabytes * 1024 * 1024:
        raise DocumentTooLargeError(
            f"This Word file unpacks to {total / 1024 / 1024:,.0f} MB, over the "
            f"{limits.max_unpacked_megabytes:,} MB limit. If it holds many large pictures, save a copy "
            "with smaller ones; otherwise you can raise the limit in Settings → Documents.", str(path))


class _DocxReader:
    def __init__(self, word_document, path: Path, should_cancel: Callable[[], bool] | None):
        self._document = word_document
        self._path = path
        self._should_cancel = should_cancel
        self._heading_levels, self._list_styles = _style_facts(word_document)
        self._blocks: list[TextBlock] = []
        self._section = ""
        self._list_items: list[str] = []

    def read(self) -> Document:
        for count, element in enumerate(_block_elements(self._document.element.body)):
            if count % _CANCEL_EVERY == 0 and self._should_cancel is not None and self._should_cancel():
                raise Cancelled()
            if element.tag == _P:
                self._add_paragraph(element)
            else:
                self._flush_list()
                self._add(_table_text(element), "table")
        self._flush_list()
        self._add_notes()
        self._add_headers_and_footers()
        title = (self._document.core_properties.title or "").strip()
        if not title:
            title = next((block.text for block in self._blocks if block.kind == "heading"), "")
        return Document(path=self._path, title=title, language="", blocks=self._blocks, kind="docx")

    def _add(self, text: str, kind: str, section: str | None = None) -> None:
        """Append a block; `section` defaults to the heading currently in force."""
        text = normalize_characters(text).strip()
        if not text:
            return
        section = self._section if section is None else section
        self._blocks.append(TextBlock(text, len(self._blocks), section=section, kind=kind))

    def _add_paragraph(self, paragraph) -> None:
        text = paragraph_text(paragraph)
        if not text.strip():
            return
        properties = paragraph.find(f"{_W}pPr")
        style_id = _style_id(properties)
        level = _outline_level(properties)
        if level is None:
            level = self._heading_levels.get(style_id)
        if level is not None:
            self._flush_list()
            self._section = normalize_characters(" ".join(text.split()))
            self._add(self._section, "heading")
            return
        numbered = properties is not None and properties.find(f"{_W}numPr") is not None
        if numbered or style_id in self._list_styles:
            self._list_items.append("• " + " ".join(text.split()))
            return
        self._flush_list()
        self._add(text, "paragraph")

    def _flush_list(self) -> None:
        # Consecutive items make one block: a list is one paragraph-sized thought.
        if self._list_items:
            self._add("\n".join(self._list_items), "list")
            self._list_items = []

    def _add_notes(self) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.oxml.parser import parse_xml

        # python-docx 1.2 has no footnote API; the parts are still loaded, as plain blobs.
        for reltype, note_tag in ((RT.FOOTNOTES, "footnote"), (RT.ENDNOTES, "endnote")):
            for part in self._related_parts(reltype):
                number = 0
                for note in parse_xml(part.blob).iterchildren(f"{_W}{note_tag}"):
                    if note.get(_TYPE) in _SEPARATOR_NOTES:
                        continue
                    number += 1
                    text = "\n".join(t for t in (paragraph_text(p) for p in note.iter(_P)) if t.strip())
                    if text.strip():
                        self._add(f"[{number}] {text}", "footnote", section="")

    def _add_headers_and_footers(self) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        seen: set[str] = set()
        for reltype, kind in ((RT.HEADER, "header"), (RT.FOOTER, "footer")):
            for part in self._related_parts(reltype):
                lines = [paragraph_text(p).strip() for p in part.element.iter(_P)]
                # A header of just "3" is a page-number field, not information.
                text = "\n".join(line for line in lines if line and not is_page_number_line(line))
                key = " ".join(text.split())
                if key and key not in seen:
                    seen.add(key)
                    self._add(text, kind, section="")

    def _related_parts(self, reltype: str) -> list:
        parts = [rel.target_part for rel in self._document.part.rels.values()
                 if rel.reltype == reltype and not rel.is_external]
        return sorted(parts, key=lambda part: str(part.partname))


def _block_elements(container) -> Iterator:
    """Paragraphs and tables in reading order, looking inside content controls."""
    for child in container.iterchildren():
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _block_elements(content)
        elif child.tag == _CUSTOM_XML:
            yield from _block_elements(child)


def paragraph_text(paragraph) -> str:
    """All visible text of a w:p, including tracked insertions and fields' current values."""
    # python-docx's Paragraph.text reads only direct runs and hyperlinks, so it drops text
    # inside w:ins, w:smartTag and w:fldSimple; deleted text is w:delText and stays out.
    pieces = []
    for element in paragraph.iter(_TEXT, _TAB, _BREAK, _CARRIAGE_RETURN, _NO_BREAK_HYPHEN):
        if element.tag == _TEXT:
            pieces.append(element.text or "")
        elif element.tag == _TAB:
            pieces.append("\t")
        elif element.tag == _NO_BREAK_HYPHEN:
            pieces.append("-")
        else:
            pieces.append("\n")
    return "".join(pieces)


def _table_text(table) -> str:
    """One line per row, cells joined by " | "; merged cells are not repeated."""
    rows = []
    for row in table.iterchildren(_TR):
        cells = [_cell_text(cell) for cell in _row_cells(row)]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _row_cells(row) -> Iterator:
    for child in row.iterchildren():
        if child.tag == _TC:
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from content.iterchildren(_TC)


def _cell_text(cell) -> str:
    merge = cell.find(f"{_W}tcPr/{_W}vMerge")
    if merge is not None and merge.get(_VAL, "continue") == "continue":
        return ""  # the cell above holds this text
    parts = []
    for element in _block_elements(cell):
        if element.tag == _P:
            parts.append(paragraph_text(element))
        else:
            parts.append(_table_text(element).replace("\n", " / "))
    return " ".join(" ".join(parts).split())


def _style_id(properties) -> str | None:
    if properties is None:
        return None
    style = properties.find(f"{_W}pStyle")
    return style.get(_VAL) if style is not None else None


def _outline_level(properties) -> int | None:
    """The heading level a w:pPr gives directly (1 = top), if any."""
    if properties is None:
        return None
    outline = properties.find(f"{_W}outlineLvl")
    if outline is None:
        return None
    try:
        value = int(outline.get(_VAL, _BODY_TEXT_LEVEL))
    except ValueError:
        return None
    return value + 1 if value < _BODY_TEXT_LEVEL else None


def _style_facts(word_document) -> tuple[dict[str | None, int], set[str | None]]:
    """Heading level by paragraph style id, and the ids of list styles, following base styles."""
    styles = {}
    default_id = None
    for style in word_document.styles.element.iterchildren(f"{_W}style"):
        if style.get(_TYPE) != "paragraph":
            continue
        style_id = style.get(f"{_W}styleId")
        styles[style_id] = style
        if style.get(f"{_W}default") in ("1", "true"):
            default_id = style_id
    heading_levels: dict[str | None, int] = {}
    list_styles: set[str | None] = set()
    for style_id in styles:
        level, is_list = _resolve_style(style_id, styles)
        if level is not None:
            heading_levels[style_id] = level
        if is_list:
            list_styles.add(style_id)
    if default_id in heading_levels:
        heading_levels[None] = heading_levels[default_id]
    return heading_levels, list_styles


def _resolve_style(style_id: str, styles: dict) -> tuple[int | None, bool]:
    level, is_list = None, False
    seen = set()
    while style_id in styles and style_id not in seen:
        seen.add(style_id)
        style = styles[style_id]
        name_element = style.find(f"{_W}name")
        name = unicodedata.normalize("NFKC", name_element.get(_VAL, "") if name_element is not None else "")
        name = name.strip()
        match = _HEADING_NAME.match(name)
        if level is None and match:
            level = int(match.group(1))
        elif level is None and name.lower() in _TITLE_NAMES:
            level = 0
        if level is None:
            level = _outline_level(style.find(f"{_W}pPr"))
        properties = style.find(f"{_W}pPr")
        if _LIST_NAME.match(name) or (properties is not None and properties.find(f"{_W}numPr") is not None):
            is_list = True
        if level is not None:
            break
        based_on = style.find(f"{_W}basedOn")
        style_id = based_on.get(_VAL) if based_on is not None else None
    return level, is_list and level is None
