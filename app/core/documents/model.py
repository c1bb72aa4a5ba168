"""What every reader produces: a Document made of located text blocks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TextBlock:
    """A paragraph-sized piece of text and where it came from.

    `page` is the 1-based page number for PDFs; for DOCX, TXT and Markdown, which have no
    pages, it is None and `section` names the nearest heading (or is "") while `index` counts
    blocks from 0 in reading order. Every block has `index`.
    """

    text: str
    index: int
    page: int | None = None
    section: str = ""
    #: "heading", "paragraph", "table", "header", "footer", "footnote" or "list".
    kind: str = "paragraph"

    @property
    def location(self) -> str:
        """How a citation names this block: "p. 12", or "§ Heading", or "¶ 7"."""
        if self.page is not None:
            return f"p. {self.page}"
        if self.section:
            return f"§ {self.section}"
        return f"¶ {self.index + 1}"


@dataclass
class Document:
    path: Path
    title: str
    #: "ja", "en" or another ISO 639-1 code, or "" when unknown.
    language: str
    blocks: list[TextBlock]
    #: "pdf", "docx", "txt" or "md".
    kind: str
    page_count: int | None = None
    #: SHA-256 of the file's bytes, hex; keys caches and the library.
    sha256: str = ""
    #: Notes for the user that did not stop reading ("pages 3 and 9 have no text layer").
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(block.text for block in self.blocks)

    def pages(self) -> dict[int, str]:
        """Page number → that page's text (PDF only; empty for unpaged documents)."""
        by_page: dict[int, list[str]] = {}
        for block in self.blocks:
            if block.page is not None:
                by_page.setdefault(block.page, []).append(block.text)
        return {page: "\n\n".join(texts) for page, texts in by_page.items()}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
