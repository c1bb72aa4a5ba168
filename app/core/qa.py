"""Answers to questions about one document, from that document only, with citations.

A document that fits the context goes into the prompt whole, before the question, so the
engine's KV cache keeps it between questions and a follow-up does not re-read it. A longer
document is searched with BM25 and only the best chunks, in reading order and with their page
markers, are given to the model. Every answer carries citations: the pages the model cited
that exist, or else the passages that best match what it said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Sequence

from app.core.cancel import CancelToken
from app.core.chunking import Chunk, document_chunks, render_pieces, split_block
from app.core.documents.model import Document, TextBlock
from app.core.events import AnswerResult, Citation, GenerationStats, Progress, TextDelta
from app.core.prompts import output_language, prompt_set
from app.core.retrieval import BM25Index

ANSWER_TOKENS = 320
RETRIEVAL_CHUNK_TOKENS = 300
#: Most text given to the model when the document does not fit: small models answer better
#: from a few good passages than from a full context of loosely related ones.
RETRIEVAL_BUDGET_TOKENS = 2400
HISTORY_TURNS = 3
_CITED_PAGE = re.compile(r"\bpp?\.\s*(\d+)(?:\s*[–-]\s*(\d+))?", re.IGNORECASE)


@dataclass
class _Prepared:
    """What a document costs to ask about, worked out once per document."""

    full_text: str
    full_tokens: int
    chunks: list[Chunk]
    index: BM25Index
    blocks: list[TextBlock]
    block_index: BM25Index


class QuestionAnswerer:
    """Answers questions with one engine. Use it on the engine's thread."""

    def __init__(self, engine, *, answer_tokens: int = ANSWER_TOKENS):
        self.engine = engine
        self.answer_tokens = answer_tokens
        self._prepared: dict[str, _Prepared] = {}
        self.last_messages: list[dict] = []

    def fits_whole(self, document: Document) -> bool:
        prepared = self._prepare(document)
        return prepared.full_tokens + self.answer_tokens + 400 <= self.engine.n_ctx

    def ask(self, document: Document, question: str, history: Sequence[tuple[str, str]] = (),
            *, language: str = "auto", cancel: CancelToken | None = None) -> Iterator[object]:
        """Yield Progress, TextDelta pieces of the answer, then one AnswerResult."""
        cancel = cancel or CancelToken()
        question = question.strip()
        if not question:
            raise ValueError("empty question")
        prompts = prompt_set(output_language(language, _question_language(question, document)))
        yield Progress("answering", 1, 1, 0.0, None, "reading")
        prepared = self._prepare(document)
        cancel.raise_if_cancelled()
        whole = self.fits_whole(document)
        if whole:
            context = prompts["qa_document"].format(title=document.title, text=prepared.full_text)
        else:
            passages = self._retrieve(prepared, question, history)
            if not passages:
                text = prompts["not_found"]
                yield TextDelta(text)
                yield AnswerResult(text, (), True, GenerationStats(), False)
                return
            context = prompts["qa_excerpts"].format(
                title=document.title, text="\n\n".join(chunk.text for chunk in passages))
        messages = self._messages(prompts, context, question, history)
        self.last_messages = messages
        pieces = []
        for piece in self.engine.stream(messages, max_tokens=self.answer_tokens, cancel=cancel,
                                        temperature=0.1):
            pieces.append(piece)
            yield TextDelta(piece)
        answer = "".join(pieces).strip()
        not_found = _says_not_found(answer, prompts)
        citations = () if not_found else self._citations(prepared, document, answer, question)
        yield AnswerResult(answer, citations, not_found, self.engine.last_stats, whole)

    # ----- prompt ----------------------------------------------------------------------

    def _messages(self, prompts, context: str, question: str,
                  history: Sequence[tuple[str, str]]) -> list[dict]:
        # The document comes first and never changes between questions, so its KV cache is
        # reused; earlier turns follow it as real chat turns.
        turns = list(history)[-HISTORY_TURNS:]
        messages = [{"role": "system", "content": prompts["system"] + "\n" + prompts["qa_system"]}]
        first_question = turns[0][0] if turns else question
        messages.append({"role": "user", "content": context + "\n\n" +
                         prompts["qa_question"].format(question=first_question)})
        if turns:
            messages.append({"role": "assistant", "content": turns[0][1]})
            for earlier_question, earlier_answer in turns[1:]:
                messages.append({"role": "user", "content": prompts["qa_question"].format(question=earlier_question)})
                messages.append({"role": "assistant", "content": earlier_answer})
            messages.append({"role": "user", "content": prompts["qa_question"].format(question=question)})
        return messages

    # ----- retrieval -------------------------------------------------------------------

    def _prepare(self, document: Document) -> _Prepared:
        key = document.sha256 or str(id(document))
        prepared = self._prepared.get(key)
        if prepared is None:
            count = self.engine.count_tokens
            pieces = [piece for block in document.blocks for piece in split_block(block, count, 10**9)]
            full_text = render_pieces(pieces)
            chunks = document_chunks(document, count, RETRIEVAL_CHUNK_TOKENS)
            blocks = [block for block in document.blocks if block.text.strip()]
            prepared = _Prepared(
                full_text=full_text,
                full_tokens=count(full_text),
                chunks=chunks,
                index=BM25Index.build([chunk.text for chunk in chunks]),
                blocks=blocks,
                block_index=BM25Index.build([block.text for block in blocks]),
            )
            self._prepared = {key: prepared}  # one document at a time is what a chat needs
        return prepared

    def _retrieve(self, prepared: _Prepared, question: str,
                  history: Sequence[tuple[str, str]]) -> list[Chunk]:
        query = question
        if history:
            # A follow-up ("and the deadline?") leans on the previous question's topic.
            query += " " + history[-1][0]
        ranked = prepared.index.top(query, k=len(prepared.chunks))
        budget = min(RETRIEVAL_BUDGET_TOKENS, self.engine.n_ctx - self.answer_tokens - 600)
        chosen, used = [], 0
        for index, _score in ranked:
            chunk = prepared.chunks[index]
            if used + chunk.token_count > budget:
                continue
            chosen.append(chunk)
            used += chunk.token_count
        return sorted(chosen, key=lambda chunk: chunk.index)

    # ----- citations -------------------------------------------------------------------

    def _citations(self, prepared: _Prepared, document: Document, answer: str,
                   question: str) -> tuple[Citation, ...]:
        pages = document.pages()
        cited: list[Citation] = []
        for match in _CITED_PAGE.finditer(answer):
            first = int(match.group(1))
            last = int(match.group(2) or first)
            for page in range(first, min(last, first + 5) + 1):
                if page in pages and all(c.page != page for c in cited):
                    cited.append(Citation(f"p. {page}", page, _excerpt(pages[page], answer)))
        if cited:
            return tuple(cited)
        # The model cited nothing usable: point at the passages that best match its answer.
        ranked = prepared.block_index.top(answer + " " + question, k=2)
        for index, _score in ranked:
            block = prepared.blocks[index]
            if all(c.location != block.location for c in cited):
                cited.append(Citation(block.location, block.page, _excerpt(block.text, answer)))
        return tuple(cited)


def _excerpt(text: str, answer: str, width: int = 300) -> str:
    """The part of `text` around the first word it shares with the answer."""
    words = [w for w in re.findall(r"\w{4,}", answer.lower())]
    lowered = text.lower()
    position = min((lowered.find(w) for w in words if w in lowered), default=0)
    start = max(0, position - width // 3)
    snippet = text[start:start + width].strip()
    return ("…" if start else "") + snippet + ("…" if start + width < len(text) else "")


def _says_not_found(answer: str, prompts) -> bool:
    lowered = answer.lower()
    return any(pattern in lowered for pattern in prompts["not_found_patterns"]) and len(answer) < 200


def _question_language(question: str, document: Document) -> str:
    """Answer in the question's language: a Japanese question gets a Japanese answer."""
    if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", question):
        return "ja"
    if re.search(r"[A-Za-z]{3,}", question):
        return "en"
    return document.language
