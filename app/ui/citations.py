"""Citations in model output ("[p. 12]", "[pp. 3–5]", "[§ Budget]", "[¶ 7]") as links, and
the text a link points to.

Links use the `cite:` scheme with the location URL-quoted, so any location the core writes
can round-trip: `cite:p.%2012`.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from PySide6.QtCore import QCoreApplication

from app.core.documents.model import Document

SCHEME = "cite"
_LOCATION = r"(?:pp?\.\s*\d+(?:\s*[–-]\s*\d+)?|§\s*[^\]\n]{1,80}|¶\s*\d+)"
_BRACKETED = re.compile(r"\[(" + _LOCATION + r"(?:\s*[,;]\s*" + _LOCATION + r")*)\](?!\()")
_SINGLE = re.compile(_LOCATION)
_PAGES = re.compile(r"pp?\.\s*(\d+)(?:\s*[–-]\s*(\d+))?")
_PARAGRAPH = re.compile(r"¶\s*(\d+)")
_MAX_PAGES_SHOWN = 10


def linkify(markdown: str) -> str:
    """Markdown with every bracketed citation turned into a `cite:` link (brackets kept)."""
    def replace(match: re.Match) -> str:
        inner = match.group(1)
        parts, position = [], 0
        for single in _SINGLE.finditer(inner):
            parts.append(inner[position:single.start()])
            location = single.group(0).strip()
            parts.append(f"[{_escape(location)}]({link_for(location)})")
            position = single.end()
        parts.append(inner[position:])
        return "\\[" + "".join(parts) + "\\]"

    return _BRACKETED.sub(replace, markdown)


def link_for(location: str) -> str:
    return f"{SCHEME}:{quote(location, safe='')}"


def location_from_link(href: str) -> str | None:
    if not href.startswith(SCHEME + ":"):
        return None
    return unquote(href[len(SCHEME) + 1:])


def cited_text(document: Document, location: str) -> str:
    """The text at `location` in `document` ("" when the document has no such place)."""
    pages = _PAGES.fullmatch(location.strip())
    if pages:
        first = int(pages.group(1))
        last = int(pages.group(2) or first)
        by_page = document.pages()
        chosen = [page for page in range(first, last + 1) if page in by_page][:_MAX_PAGES_SHOWN]
        if len(chosen) == 1:
            return by_page[chosen[0]]
        heading = QCoreApplication.translate("Citations", "— Page {page} —")
        return "\n\n".join(heading.format(page=page) + "\n\n" + by_page[page] for page in chosen)
    paragraph = _PARAGRAPH.fullmatch(location.strip())
    if paragraph:
        index = int(paragraph.group(1)) - 1
        return next((block.text for block in document.blocks if block.index == index), "")
    if location.startswith("§"):
        section = location[1:].strip()
        return "\n\n".join(block.text for block in document.blocks
                           if block.section == section or (block.kind == "heading" and block.text == section))
    return ""


def _escape(text: str) -> str:
    return re.sub(r"([\\\[\]*_`])", r"\\\1", text)
