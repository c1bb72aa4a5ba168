"""Turning extracted text into clean paragraphs.

Owns the text repairs every reader shares (careful Unicode normalization, control characters)
and the ones PDFs need: rejoining hyphenated and wrapped lines into paragraphs without putting
spaces into Japanese, and dropping running headers, footers and page numbers.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict

# Only these ranges get NFKC. Full NFKC would also turn "x²" into "x2", "①" into "1",
# "㍿" into "株式会社" and the ideographic space into an ASCII one, none of which a reader wants.
_NFKC_RUNS = re.compile(
    "["
    "\uff01-\uff5e"  # full-width ASCII → ASCII
    "\uff61-\uff9f"  # half-width katakana → katakana (runs, so ｶﾞ composes to ガ)
    "\ufb00-\ufb06"  # Latin ligatures ﬁ ﬂ ﬀ from PDF fonts
    "\u2f00-\u2fd5"  # Kangxi radicals that Japanese PDF fonts emit in place of kanji
    "\u2e80-\u2ef3"  # CJK radicals supplement, same reason
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "]+"
)
# pdfium replaces every hyphen at a line end with U+0002 (U+FFFE from get_text_range) and
# joins the two lines. Putting the hyphen and the line break back keeps the line lengths that
# paragraph detection needs; join_wrapped_lines then decides "information" or "Heine-Borel".
_PDFIUM_LINE_END_HYPHEN = re.compile("[\x02\ufffe][ \t]*(?:\r\n|\r|\n)?")
# The soft hyphen only ever marks where a word may break, so it vanishes with any line break.
_SOFT_HYPHEN = re.compile("\u00ad[ \t]*(?:\r\n|\r|\n)?")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufeff\uffff]")
# Tables of contents join titles to page numbers with dot leaders ". . . . ." or "・・・・";
# dozens of them per line cost the model tokens and tell it nothing.
_DOT_LEADER = re.compile(r"(?:[ \t]?[.・…·][ \t]?){4,}")
_HORIZONTAL_SPACE = re.compile("[ \t\u00a0\u2000-\u200a\u202f\u205f]+")

_CJK_CLASS = "\u3001-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff5f-\uff9f"
_CJK_CHAR = re.compile(f"[{_CJK_CLASS}]")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK_CLASS}]) (?=[{_CJK_CLASS}])")

_LIST_MARKER = re.compile(
    r"^(?:[•◦▪▫●○■□◆◇‣∙·・※\-–—*]\s|\(?\d{1,3}[.)]\s|\(?[a-zA-Z][.)]\s|\([ivxlc]{1,5}\)\s|[①-⑳])"
)
_PAGE_NUMBER_LINE = re.compile(
    r"^[-–—~\s(\[]*"
    r"(?:(?:page|p\.|pg\.|seite|s\.|página|pagina|стр\.?)\s*)?"
    # Roman numerals number front matter: only well-formed lower-case ones, so "civil" stays,
    # and of two letters or more, so a formula's lone "x" or "c" at a page edge stays too.
    r"(?:\d{1,4}|(?-i:(?=[ivxlcdm]{2})m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})))"
    r"(?:\s*(?:/|of|von|de|sur|di|из)\s*\d{1,4})?"
    r"(?:\s*(?:ページ|頁|页))?"
    r"[-–—~\s)\]]*$",
    re.IGNORECASE,
)
_ENDS_IN_WORD_HYPHEN = re.compile(r"[^\W\d_]-$")
_SENTENCE_ENDS = (".", "!", "?", ":", ";", "。", "！", "？", "」", "』")
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,4})\b")
_TRAILING_NUMBER = re.compile(r"\b(\d{1,4})\s*$")

#: Lines of a page, from each end, that may hold a running header or footer.
_EDGE_LINES = 2
#: Running headers are short; a body line that happens to start with the page number is not.
_MAX_RUNNING_HEADER_CHARS = 70


def is_cjk(char: str) -> bool:
    """Japanese or Chinese script or punctuation: text that is written without spaces."""
    return _CJK_CHAR.match(char) is not None


def normalize_characters(text: str) -> str:
    """Line ends, control characters, hyphenation marks and compatibility forms, repaired."""
    text = _PDFIUM_LINE_END_HYPHEN.sub("-\n", text)
    text = _SOFT_HYPHEN.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _CONTROL.sub("", text)
    text = _NFKC_RUNS.sub(lambda match: unicodedata.normalize("NFKC", match.group()), text)
    text = _HORIZONTAL_SPACE.sub(" ", text)
    text = _DOT_LEADER.sub(" … ", text)
    return "\n".join(line.strip(" ") for line in text.split("\n"))


def remove_spaces_between_cjk(text: str) -> str:
    """Drop the single spaces PDF extraction puts between Japanese characters."""
    return _SPACE_BETWEEN_CJK.sub("", text)


def display_width(text: str) -> int:
    """Columns `text` takes in print: Japanese characters are twice as wide as Latin ones."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def join_wrapped_lines(lines: list[str]) -> str:
    """One paragraph from the lines it was wrapped into.

    "infor-" + "mation" → "information"; "Heine-" + "Borel" keeps its hyphen; lines of
    Japanese join with no space between them.
    """
    joined = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if not joined:
            joined = line
            continue
        joined = _join_two(joined, line)
    return joined


def _join_two(left: str, right: str) -> str:
    last, first = left[-1], right[0]
    if last == "-" and len(left) >= 2 and left[-2].isalpha():
        if first.islower():
            return left[:-1] + right
        return left + right
    if is_cjk(last) or is_cjk(first):
        return left + right
    return left + " " + right


def split_paragraphs(lines: list[str], typical_width: int) -> list[str]:
    """Group a page's lines into paragraphs and join each.

    A line that stops well short of the usual line width ends its paragraph (it did not wrap),
    unless the next line plainly continues it (after a hyphenated word, or starting in lower
    case mid-sentence). A blank line, a list marker or a Japanese full-width indent starts a
    new paragraph.
    """
    paragraphs: list[list[str]] = []
    previous_ended = True
    for raw_line in lines:
        starts_indented = raw_line.startswith("\u3000")
        line = raw_line.strip()
        if not line:
            previous_ended = True
            paragraphs.append([])
            continue
        previous = paragraphs[-1][-1] if paragraphs and paragraphs[-1] else ""
        # No paragraph ends in a hyphen, and few sentences start in lower case.
        continues = bool(previous) and (
            _ENDS_IN_WORD_HYPHEN.search(previous) is not None
            or (line[0].islower() and not previous.endswith(_SENTENCE_ENDS))
        )
        if (previous_ended and not continues) or starts_indented or _LIST_MARKER.match(line):
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
        previous_ended = display_width(line) < 0.7 * typical_width
    return [text for text in (join_wrapped_lines(group) for group in paragraphs) if text]


def typical_line_width(pages: list[list[str]]) -> int:
    """The width of a full line: the 80th percentile of all line widths in the document."""
    widths = sorted(display_width(line) for lines in pages for line in lines if line.strip())
    if not widths:
        return 0
    return widths[min(len(widths) - 1, int(len(widths) * 0.8))]


def is_page_number_line(line: str) -> bool:
    """"12", "- 12 -", "Page 12 of 40", "12 / 40", "xii", "12ページ"."""
    return bool(_PAGE_NUMBER_LINE.match(line.strip()))


def strip_page_furniture(pages: list[list[str]]) -> list[list[str]]:
    """The pages' lines without page numbers and running headers and footers.

    Only lines near the top or bottom of a page are candidates: bare page numbers; lines that
    carry the page's own printed number ("18  1.6 Wege und Knoten"); and lines that recur at
    the edges of many pages ("Confidential — ACME Corp").
    """
    numbering_offset = _page_numbering_offset(pages)
    recurring = _recurring_edge_lines(pages)
    cleaned = []
    for page_index, lines in enumerate(pages):
        written = _written_positions(lines)
        edges = {written[position] for position in _edge_positions(len(written))}
        kept = []
        for position, line in enumerate(lines):
            if position in edges and (
                is_page_number_line(line)
                or _carries_page_number(line, page_index + 1, numbering_offset)
                or (len(written) >= 3 and _edge_key(line) in recurring)
            ):
                continue
            kept.append(line)
        cleaned.append(kept)
    return cleaned


def _written_positions(lines: list[str]) -> list[int]:
    return [position for position, line in enumerate(lines) if line.strip()]


def _edge_lines(lines: list[str]) -> list[str]:
    written = _written_positions(lines)
    return [lines[written[position]] for position in sorted(_edge_positions(len(written)))]


def _edge_positions(line_count: int) -> set[int]:
    return set(range(min(_EDGE_LINES, line_count))) | set(range(max(0, line_count - _EDGE_LINES), line_count))


def _edge_key(line: str) -> str:
    # Digits become "#" so "Draft 3 — page 7" and "Draft 3 — page 8" count as one footer.
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def _recurring_edge_lines(pages: list[list[str]]) -> set[str]:
    """Edge-line keys that recur on many pages: the same words, and any number in them
    following the page number ("Draft 3 — page 7"), not "Definition 12" vs "Definition 31"."""
    evidence = [(page_number, lines) for page_number, lines in enumerate(pages, start=1)
                if len(_written_positions(lines)) >= 3]
    if len(evidence) < 3:
        return set()
    occurrences: defaultdict[str, dict[int, set[int]]] = defaultdict(dict)
    for page_number, lines in evidence:
        for line in _edge_lines(lines):
            numbers = {int(number) for number in re.findall(r"\d+", line)[:4]}
            occurrences[_edge_key(line)].setdefault(page_number, set()).update(numbers)
    needed = max(3, math.ceil(0.3 * len(evidence)))
    return {key for key, found in occurrences.items()
            if len(found) >= needed and key.strip("# ") and ("#" not in key or _tracks_page_number(found))}


def _tracks_page_number(numbers_by_page: dict[int, set[int]]) -> bool:
    offsets: Counter[int] = Counter()
    for page_number, numbers in numbers_by_page.items():
        offsets.update({number - page_number for number in numbers})
    return bool(offsets) and offsets.most_common(1)[0][1] >= 0.8 * len(numbers_by_page)


def _page_numbering_offset(pages: list[list[str]]) -> int | None:
    """printed number − page position, if most pages print their number in an edge line."""
    if len(pages) < 3:
        return None
    pages_per_offset: defaultdict[int, int] = defaultdict(int)
    for page_index, lines in enumerate(pages):
        offsets = set()
        for line in _edge_lines(lines):
            for number in _edge_numbers(line):
                offsets.add(number - (page_index + 1))
        for offset in offsets:
            pages_per_offset[offset] += 1
    if not pages_per_offset:
        return None
    offset, count = max(pages_per_offset.items(), key=lambda item: item[1])
    return offset if count >= max(3, 0.4 * len(pages)) else None


def _edge_numbers(line: str) -> list[int]:
    if len(line) > _MAX_RUNNING_HEADER_CHARS:
        return []
    matches = {match.span(1): int(match.group(1)) for pattern in (_LEADING_NUMBER, _TRAILING_NUMBER)
               if (match := pattern.search(line))}
    # "1 Introduction 5" is a table-of-contents entry, not a running header.
    return list(matches.values()) if len(matches) == 1 else []


def _carries_page_number(line: str, page_number: int, numbering_offset: int | None) -> bool:
    if numbering_offset is None:
        return False
    return page_number + numbering_offset in _edge_numbers(line)
