"""Cutting a document into token-exact chunks at paragraph and sentence boundaries.

Chunks remember the pages (or sections) they cover so that summaries and answers can cite
them. Sizes are counted with the model's own tokenizer, so a chunk of `max_tokens` really
is at most that many tokens for the model that will read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from app.core.documents.model import Document, TextBlock

CountTokens = Callable[[str], int]

# A sentence ends at . ! ? (followed by space) or at Japanese 。！？ (no space follows in Japanese).
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=[.!?])(?=\s)|(?<=\n)")
BLOCK_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Piece:
    """Text no larger than a chunk, and the block it came from."""

    text: str
    block: TextBlock
    tokens: int


@dataclass(frozen=True)
class Chunk:
    index: int
    text: str
    token_count: int
    first_page: int | None
    last_page: int | None
    #: The first and last block indices covered, for unpaged documents.
    first_block: int
    last_block: int
    section: str = ""

    @property
    def location(self) -> str:
        if self.first_page is not None:
            if self.first_page == self.last_page:
                return f"p. {self.first_page}"
            return f"pp. {self.first_page}–{self.last_page}"
        if self.section:
            return f"§ {self.section}"
        if self.first_block == self.last_block:
            return f"¶ {self.first_block + 1}"
        return f"¶ {self.first_block + 1}–{self.last_block + 1}"


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing whitespace kept, so joining them restores the text."""
    parts = [part for part in _SENTENCE_END.split(text) if part]
    return parts or [text]


def _hard_split(text: str, count_tokens: CountTokens, max_tokens: int) -> list[str]:
    """Split a sentence that alone exceeds the budget, by characters, re-counting each piece."""
    pieces = []
    rest = text
    while rest:
        tokens = count_tokens(rest)
        if tokens <= max_tokens:
            pieces.append(rest)
            break
        # Start from a proportional guess and shrink until the piece fits.
        cut = max(1, int(len(rest) * max_tokens / tokens))
        while cut > 1 and count_tokens(rest[:cut]) > max_tokens:
            cut = max(1, int(cut * 0.9))
        space = rest.rfind(" ", cut // 2, cut)
        if space > 0:
            cut = space + 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    return pieces


def split_block(block: TextBlock, count_tokens: CountTokens, max_tokens: int) -> list[Piece]:
    tokens = count_tokens(block.text)
    if tokens <= max_tokens:
        return [Piece(block.text, block, tokens)]
    pieces: list[Piece] = []
    buffer = ""
    for sentence in split_sentences(block.text):
        candidate = buffer + sentence
        if buffer and count_tokens(candidate) > max_tokens:
            pieces.append(Piece(buffer.strip(), block, count_tokens(buffer.strip())))
            buffer = sentence
        else:
            buffer = candidate
        if count_tokens(buffer) > max_tokens:
            for part in _hard_split(buffer, count_tokens, max_tokens):
                pieces.append(Piece(part.strip(), block, count_tokens(part.strip())))
            buffer = ""
    if buffer.strip():
        pieces.append(Piece(buffer.strip(), block, count_tokens(buffer.strip())))
    return [piece for piece in pieces if piece.text]


def page_marker(page: int) -> str:
    """How a page start is shown to the model, so it can cite pages."""
    return f"[p. {page}]"


def render_pieces(pieces: Sequence[Piece], with_page_markers: bool = True) -> str:
    parts: list[str] = []
    current_page: int | None = None
    for piece in pieces:
        page = piece.block.page
        if with_page_markers and page is not None and page != current_page:
            parts.append(page_marker(page))
            current_page = page
        parts.append(piece.text)
    return BLOCK_SEPARATOR.join(parts)


def _make_chunk(index: int, pieces: Sequence[Piece], count_tokens: CountTokens) -> Chunk:
    text = render_pieces(pieces)
    pages = [p.block.page for p in pieces if p.block.page is not None]
    sections = [p.block.section for p in pieces if p.block.section]
    return Chunk(
        index=index,
        text=text,
        token_count=count_tokens(text),
        first_page=min(pages) if pages else None,
        last_page=max(pages) if pages else None,
        first_block=pieces[0].block.index,
        last_block=pieces[-1].block.index,
        section=sections[0] if sections else "",
    )


def make_chunks(blocks: Iterable[TextBlock], count_tokens: CountTokens, max_tokens: int) -> list[Chunk]:
    """Pack blocks greedily into chunks of at most `max_tokens` tokens, in reading order.

    Markers and separators cost tokens too, so each chunk is counted once more as rendered,
    and the last piece moves to the next chunk if the rendering overflows.
    """
    if max_tokens < 16:
        raise ValueError("max_tokens is too small to hold any text")
    # Leave room for the page markers and separators that rendering adds.
    piece_budget = max(8, int(max_tokens * 0.9))
    pieces = [piece for block in blocks for piece in split_block(block, count_tokens, piece_budget)]
    chunks: list[Chunk] = []
    current: list[Piece] = []
    running = 0
    for piece in pieces:
        if current and running + piece.tokens + 4 > piece_budget:
            chunks.append(_make_chunk(len(chunks), current, count_tokens))
            current, running = [], 0
        current.append(piece)
        running += piece.tokens + 4
    if current:
        chunks.append(_make_chunk(len(chunks), current, count_tokens))
    return _enforce_budget(chunks, pieces, count_tokens, max_tokens)


def _enforce_budget(chunks: list[Chunk], pieces: list[Piece], count_tokens: CountTokens,
                    max_tokens: int) -> list[Chunk]:
    if all(chunk.token_count <= max_tokens for chunk in chunks):
        return chunks
    # Rare: tokenization across joins made a chunk overflow. Re-pack strictly by exact counts.
    result: list[Chunk] = []
    current: list[Piece] = []
    for piece in pieces:
        if current and count_tokens(render_pieces([*current, piece])) > max_tokens:
            result.append(_make_chunk(len(result), current, count_tokens))
            current = []
        current.append(piece)
    if current:
        result.append(_make_chunk(len(result), current, count_tokens))
    return result


def document_chunks(document: Document, count_tokens: CountTokens, max_tokens: int) -> list[Chunk]:
    return make_chunks(document.blocks, count_tokens, max_tokens)
