"""Reading plain text and Markdown files, and working out what encoding their bytes are in.

Japanese text files are often still Shift_JIS (CP932) or UTF-16 from Notepad, so the encoding
is detected from the bytes in a fixed order: byte-order marks, strict UTF-8, BOM-less UTF-16,
CP932 when it yields Japanese, and charset-normalizer as the last resort.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from pathlib import Path

from app.core.documents.cleanup import join_wrapped_lines, normalize_characters
from app.core.documents.language import is_han, is_kana
from app.core.documents.model import Document, TextBlock
from app.core.errors import Cancelled, UnsupportedDocumentError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ALLOWED_CONTROLS = set("\t\n\r\f\x1a")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•・]|\d{1,3}[.)])\s")

NOT_TEXT = ("This file isn't a document Matome can read: it is not a PDF, a Word (.docx) file or "
            "readable text. Matome reads PDF, Word (.docx), text (.txt) and Markdown (.md) files.")


def decode_text(data: bytes, *, complete: bool = True) -> tuple[str, str]:
    """(text, encoding name) for `data`, or UnicodeError when it is not text.

    With `complete=False`, `data` is the start of a longer file and may end mid-character.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(_decode(data, encoding, complete)), encoding
    if b"\x00" not in data:
        try:
            return _checked(_decode(data, "utf-8", complete)), "utf-8"
        except UnicodeError:
            pass
    utf16 = _bomless_utf16(data)
    if utf16:
        return _checked(_decode(data, utf16, complete)), utf16
    if b"\x00" in data:
        raise UnicodeError("binary data: NUL bytes outside UTF-16")
    try:
        text = _checked(_decode(data, "cp932", complete))
    except UnicodeError:
        pass
    else:
        if _mostly_japanese(text):
            return text, "cp932"
    return _charset_normalizer_guess(data, complete)


def _decode(data: bytes, encoding: str, complete: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    return decoder.decode(data, final=complete)


def _checked(text: str) -> str:
    """`text` itself, unless it is full of control characters (binary that happened to decode)."""
    sample = text[:65536]
    controls = sum(1 for char in sample if char < " " and char not in _ALLOWED_CONTROLS)
    if controls > max(2, len(sample) // 200):
        raise UnicodeError("too many control characters for text")
    return text


def _bomless_utf16(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when NULs sit in every other byte, as in mostly-ASCII UTF-16."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nuls, odd_nuls = even.count(0), odd.count(0)
    if odd_nuls >= 0.3 * len(odd) and even_nuls <= 0.05 * len(even):
        return "utf-16-le"
    if even_nuls >= 0.3 * len(even) and odd_nuls <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def _mostly_japanese(text: str) -> bool:
    non_ascii = [char for char in text if ord(char) > 0x7F]
    if not non_ascii:
        return False
    japanese = sum(1 for char in non_ascii if is_kana(char) or is_han(char) or "\u3000" <= char <= "\u303f"
                   or "\uff00" <= char <= "\uffef")
    return japanese / len(non_ascii) >= 0.8


def _charset_normalizer_guess(data: bytes, complete: bool) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    matches = from_bytes(data[:65536] if not complete else data)
    best = matches.best()
    if best is None or best.encoding is None:
        raise UnicodeError("no text encoding fits these bytes")
    # Short Western text often fits cp1250 exactly as well as cp1252; the Windows default of
    # Matome's English-speaking users is the better bet on a tie.
    western = next((match for match in matches if match.encoding == "cp1252"), None)
    if western is not None and western.chaos <= best.chaos and western.coherence >= best.coherence:
        best = western
    # "replace", because a sample (complete=False) may end in the middle of a character.
    return _checked(data.decode(best.encoding, errors="replace")), best.encoding


def read_text(path: Path, kind: str, should_cancel: Callable[[], bool] | None) -> Document:
    """A .txt or .md file as blocks; Markdown headings become sections."""
    data = path.read_bytes()
    try:
        text, _encoding = decode_text(data)
    except UnicodeError:
        raise UnsupportedDocumentError(NOT_TEXT, str(path)) from None
    if should_cancel is not None and should_cancel():
        raise Cancelled()
    text = normalize_characters(text)
    blocks = _markdown_blocks(text) if kind == "md" else _plain_blocks(text)
    first_heading = next((block.text for block in blocks if block.kind == "heading"), "")
    return Document(path=path, title=first_heading, language="", blocks=blocks, kind=kind)


def _plain_blocks(text: str) -> list[TextBlock]:
    return [TextBlock(paragraph, index) for index, paragraph in enumerate(_paragraphs(text.split("\n")))]


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs; wrapped lines joined, list items kept on their own line."""
    paragraphs, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line)
            continue
        if current:
            paragraphs.append(_join_keeping_list_items(current))
            current = []
    return [paragraph for paragraph in paragraphs if paragraph]


def _join_keeping_list_items(lines: list[str]) -> str:
    groups: list[list[str]] = []
    for line in lines:
        if not groups or _LIST_ITEM.match(line):
            groups.append([line])
        else:
            groups[-1].append(line)
    return "\n".join(join_wrapped_lines(group) for group in groups)


def _markdown_blocks(text: str) -> list[TextBlock]:
    blocks: list[TextBlock] = []
    section = ""
    pending: list[str] = []

    def flush() -> None:
        for paragraph in _paragraphs(pending):
            blocks.append(TextBlock(paragraph, len(blocks), section=section))
        pending.clear()

    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = _FENCE.match(line)
        if fence:
            flush()
            end = index + 1
            while end < len(lines) and not lines[end].lstrip().startswith(fence.group(1)):
                end += 1
            # Code keeps its line breaks; a "#" inside it is a comment, not a heading.
            code = "\n".join(lines[index + 1:end]).strip("\n")
            if code.strip():
                blocks.append(TextBlock(code, len(blocks), section=section))
            index = end + 1
            continue
        heading = _ATX_HEADING.match(line)
        underline = index + 1 < len(lines) and _SETEXT_UNDERLINE.match(lines[index + 1])
        starts_paragraph = not pending or not pending[-1].strip()
        if heading or (underline and line.strip() and starts_paragraph):
            flush()
            section = heading.group(2).strip() if heading else line.strip()
            if section:
                blocks.append(TextBlock(section, len(blocks), section=section, kind="heading"))
            index += 1 if heading else 2
            continue
        # A thematic break (---, ***) separates like a blank line and says nothing itself.
        pending.append("" if _THEMATIC_BREAK.match(line) else line)
        index += 1
    flush()
    return blocks
