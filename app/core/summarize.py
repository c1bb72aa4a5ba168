"""Summaries of whole documents, however long.

A document that fits the model's comfortable prompt size is summarized in one pass. A longer
one goes through map-reduce over all of it: token-exact chunks are each turned into notes
(map), notes are merged a few at a time until they fit (reduce), and the final summary is
written from them. The merge is where small models lose the document, so every merge and the
final text are checked against the notes they came from and lost points are put back with
their page references. Nothing is silently truncated: the end of a document reaches the
summary as surely as its start.

`Summarizer.summarize()` is a generator of events (app.core.events): every yield is a
progress point and a cancel point. Chunk notes are checkpointed to disk as they are made, so
a cancelled or crashed run resumes where it stopped.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Iterator, Sequence

from app.core.cancel import CancelToken
from app.core.checkpoints import NoteCheckpoint
from app.core.chunking import Chunk, document_chunks
from app.core.coverage import coverage, lost_points, missing_key_sentences
from app.core.documents.model import Document
from app.core.events import PartSummary, Progress, SummaryResult, TextDelta, TextReset
from app.core.prompts import output_language, prompt_set
from app.core.repetition import trim_repetition
from app.core.settings import SummarySettings

FINAL_OUTPUT_TOKENS = {"short": 200, "medium": 400, "long": 800}
RESTORE_LIMIT = {"short": 4, "medium": 10, "long": 20}
MAP_OUTPUT_TOKENS = 220
MERGE_OUTPUT_TOKENS = 400
MERGE_GROUP_SIZE = 3
#: Below this share of the notes' key terms, a final text is judged to have lost the document.
MIN_FINAL_COVERAGE = 0.1


@dataclass(frozen=True)
class SummaryOptions:
    length: str = "medium"
    format: str = "bullets"
    #: "auto" (the document's language), "ja" or "en".
    language: str = "auto"
    focus: str = ""

    @classmethod
    def from_settings(cls, settings: SummarySettings) -> "SummaryOptions":
        return cls(settings.length, settings.format, settings.language, settings.focus)


@dataclass(frozen=True)
class Note:
    location: str
    text: str


class Summarizer:
    """Summarizes documents with one engine. Not thread-safe: use it on the engine's thread."""

    def __init__(self, engine, *, chunk_tokens: int = 1500, use_checkpoints: bool = True):
        self.engine = engine
        self.chunk_tokens = chunk_tokens
        self.use_checkpoints = use_checkpoints
        #: The messages of the last final step, kept for tests and `--debug`.
        self.last_final_messages: list[dict] = []
        self._chunk_notes: list[Note] = []
        self._prompt_tokens = 0
        self._generated_tokens = 0

    # ----- planning --------------------------------------------------------------------

    def input_budget(self, options: SummaryOptions) -> int:
        """Largest text, in tokens, handed to the model in one step."""
        reserve = FINAL_OUTPUT_TOKENS.get(options.length, 400) + 256
        return max(256, min(self.chunk_tokens, self.engine.n_ctx - reserve))

    def plan(self, document: Document, options: SummaryOptions) -> list[Chunk]:
        """The chunks a summary will read: one for a short document."""
        return document_chunks(document, self.engine.count_tokens, self.input_budget(options))

    # ----- the pipeline ----------------------------------------------------------------

    def summarize(self, document: Document, options: SummaryOptions = SummaryOptions(),
                  cancel: CancelToken | None = None) -> Iterator[object]:
        cancel = cancel or CancelToken()
        started = time.monotonic()
        self._prompt_tokens = self._generated_tokens = 0
        yield Progress("reading", 0, 1, 0.0, None, document.title)
        chunks = self.plan(document, options)
        cancel.raise_if_cancelled()
        if not chunks:
            raise ValueError("document has no text")
        note_language = output_language("auto", document.language)
        final_language = output_language(options.language, document.language)
        if len(chunks) == 1:
            steps = _Steps(total=1, started=started)
            notes = [Note(chunks[0].location, chunks[0].text)]
            source_is_document = True
        else:
            steps = _Steps(total=len(chunks) + _merge_steps_estimate(len(chunks)) + 1, started=started)
            notes = yield from self._map(document, chunks, options, note_language, cancel, steps)
            notes = yield from self._reduce(document, notes, options, note_language, cancel, steps)
            source_is_document = False
        text = yield from self._final(document, notes, options, final_language, source_is_document,
                                      cancel, steps)
        restored = 0
        if source_is_document:
            # A one-pass summary is checked against the document as a map note is against its
            # chunk: the most fact-laden sentences it left out are added, with their pages.
            addition, restored = self._restore_from_source(notes[0], text, options, final_language)
            if addition:
                yield TextDelta(addition)
                text += addition
        else:
            yield Progress("checking", steps.total, steps.total, steps.elapsed(), 0.0,
                           tokens=self._prompt_tokens + self._generated_tokens)
            if coverage(_render_notes(notes), text) < MIN_FINAL_COVERAGE:
                # The final step kept almost nothing of the notes (small models sometimes
                # answer with page numbers or a generic sentence): the merged notes, which
                # carry the document's facts with their pages, are the better summary.
                text = _notes_as_summary(notes)
                yield TextReset(text)
            addition, restored = self._restore(self._chunk_notes, text, options, final_language)
            if addition:
                yield TextDelta(addition)
                text += addition
        yield SummaryResult(
            text=text,
            chunk_count=len(chunks),
            restored_points=restored,
            prompt_tokens=self._prompt_tokens,
            generated_tokens=self._generated_tokens,
            seconds=time.monotonic() - started,
            part_summaries=tuple(note.text for note in self._chunk_notes) if len(chunks) > 1 else (),
        )

    def _map(self, document, chunks, options, language, cancel, steps) -> Iterator[object]:
        prompts = prompt_set(language)
        checkpoint = NoteCheckpoint.for_run(document, self.engine, options, self.chunk_tokens,
                                            enabled=self.use_checkpoints)
        saved = checkpoint.load()
        notes: list[Note] = []
        for chunk in chunks:
            cancel.raise_if_cancelled()
            yield steps.progress("summarizing_parts", chunk.location, self._tokens())
            text = saved.get(checkpoint.chunk_key(chunk.text))
            if text is None:
                user = prompts["map"].format(
                    part=chunk.index + 1, parts=len(chunks), title=document.title,
                    location=chunk.location, text=chunk.text, focus=_focus(prompts, options),
                )
                text = self._generate(prompts, user, MAP_OUTPUT_TOKENS, cancel)
                text += "".join(f"\n- {sentence}" for sentence in missing_key_sentences(
                    chunk.text, text, limit=max(2, chunk.token_count // 400)))
                checkpoint.save(chunk.text, text)
                steps.done()
            else:
                steps.skipped()
            notes.append(Note(chunk.location, text))
            yield PartSummary(chunk.index, len(chunks), chunk.location, text)
        self._chunk_notes = notes
        return notes

    def _reduce(self, document, notes, options, language, cancel, steps) -> Iterator[object]:
        prompts = prompt_set(language)
        budget = self.input_budget(options)
        size = self._notes_tokens(notes)
        while size > budget and len(notes) > 1:
            groups = self._group(notes, budget)
            if len(groups) == len(notes):
                # No two notes fit together: shorten each to its key lines and stop merging.
                notes = [Note(n.location, _shorten(n.text)) for n in notes]
                break
            merged: list[Note] = []
            for group in groups:
                cancel.raise_if_cancelled()
                if len(group) == 1:
                    merged.append(group[0])
                    continue
                yield steps.progress("merging", _span(group), self._tokens())
                user = prompts["merge"].format(title=document.title, text=_render_notes(group),
                                               focus=_focus(prompts, options))
                text = self._generate(prompts, user, MERGE_OUTPUT_TOKENS, cancel)
                text += self._restore_lines(group, text)
                steps.done()
                merged.append(Note(_span(group), text))
            notes, previous, size = merged, size, self._notes_tokens(merged)
            if size > previous * 0.9:
                # Merging no longer shrinks the notes (everything in them is a key point);
                # shorten each rather than loop.
                notes = [Note(n.location, _shorten(n.text, lines=6)) for n in notes]
                break
        return notes

    def _final(self, document, notes, options, language, source_is_document, cancel, steps):
        prompts = prompt_set(language)
        cancel.raise_if_cancelled()
        yield steps.progress("writing", "", self._tokens())
        source = prompts["source_document"] if source_is_document else prompts["source_notes"]
        # A one-pass source is the chunk itself, page markers included.
        text = notes[0].text if source_is_document else _render_notes(notes)
        user = prompts["final"].format(
            source=source, title=document.title, text=text,
            length=prompts["length"][options.length], format=prompts["format"][options.format],
            focus=_focus(prompts, options),
        )
        messages = [{"role": "system", "content": prompts["system"]}, {"role": "user", "content": user}]
        self.last_final_messages = messages
        pieces: list[str] = []
        for piece in self.engine.stream(messages, max_tokens=FINAL_OUTPUT_TOKENS[options.length],
                                        cancel=cancel):
            pieces.append(piece)
            yield TextDelta(piece)
        self._count(self.engine.last_stats)
        steps.done()
        text = "".join(pieces)
        if self.engine.last_stats.degenerate:
            # The loop was already streamed in part: tell the viewer to show the clean text.
            text = trim_repetition(text)
            yield TextReset(text)
        return text.strip()

    # ----- checking --------------------------------------------------------------------

    def _restore(self, notes: Sequence[Note], summary: str, options, language) -> tuple[str, int]:
        lost = lost_points([(n.location, n.text) for n in notes], summary,
                           limit=RESTORE_LIMIT.get(options.length, 10))
        if not lost:
            return "", 0
        heading = prompt_set(language)["restored_heading"]
        lines = [f"- {note.line} [{note.location}]" for note in lost]
        return f"\n\n**{heading}:**\n" + "\n".join(lines), len(lost)

    def _restore_from_source(self, source: Note, summary: str, options, language) -> tuple[str, int]:
        sentences = missing_key_sentences(source.text, summary,
                                          limit=max(1, RESTORE_LIMIT.get(options.length, 10) // 2))
        if not sentences:
            return "", 0
        heading = prompt_set(language)["restored_heading"]
        lines = [f"- {sentence} [{_page_of(source, sentence)}]" for sentence in sentences]
        return f"\n\n**{heading}:**\n" + "\n".join(lines), len(sentences)

    def _restore_lines(self, group: Sequence[Note], merged_text: str) -> str:
        lost = lost_points([(n.location, n.text) for n in group], merged_text)
        return "".join(f"\n- {note.line} [{note.location}]" for note in lost)

    # ----- helpers ---------------------------------------------------------------------

    def _generate(self, prompts, user: str, max_tokens: int, cancel: CancelToken) -> str:
        messages = [{"role": "system", "content": prompts["system"]}, {"role": "user", "content": user}]
        text = self.engine.generate(messages, max_tokens=max_tokens, cancel=cancel)
        self._count(self.engine.last_stats)
        if self.engine.last_stats.degenerate:
            # One retry with a stronger penalty and another seed; then keep the clean part.
            retry = self.engine.generate(messages, max_tokens=max_tokens, cancel=cancel,
                                         repeat_penalty=min(2.0, self.engine.settings.repeat_penalty + 0.2),
                                         seed=self.engine.settings.seed + 1)
            self._count(self.engine.last_stats)
            text = retry if not self.engine.last_stats.degenerate else trim_repetition(retry)
        return text.strip()

    def _tokens(self) -> int:
        return self._prompt_tokens + self._generated_tokens

    def _count(self, stats) -> None:
        self._prompt_tokens += stats.prompt_tokens - stats.reused_tokens
        self._generated_tokens += stats.generated_tokens

    def _notes_tokens(self, notes: Sequence[Note]) -> int:
        return self.engine.count_tokens(_render_notes(notes))

    def _group(self, notes: Sequence[Note], budget: int) -> list[list[Note]]:
        """Consecutive groups of at most MERGE_GROUP_SIZE notes that fit the budget together."""
        groups: list[list[Note]] = []
        current: list[Note] = []
        for note in notes:
            candidate = [*current, note]
            if current and (len(candidate) > MERGE_GROUP_SIZE or self._notes_tokens(candidate) > budget):
                groups.append(current)
                current = [note]
            else:
                current = candidate
        if current:
            groups.append(current)
        return groups


class _Steps:
    """Counts steps and estimates the time left from the average step that did work (notes
    restored from a checkpoint take no time and would make the estimate far too short)."""

    def __init__(self, total: int, started: float):
        self.total = total
        self.finished = 0
        self.started = started
        self._worked = 0
        self._skipped_seconds = 0.0
        self._last = started

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def done(self) -> None:
        self.finished += 1
        self._worked += 1
        self._last = time.monotonic()
        self.total = max(self.total, self.finished + 1)

    def skipped(self) -> None:
        now = time.monotonic()
        self._skipped_seconds += now - self._last
        self._last = now
        self.finished += 1
        self.total = max(self.total, self.finished + 1)

    def progress(self, stage: str, detail: str, tokens: int = 0) -> Progress:
        elapsed = self.elapsed()
        eta = None
        if self._worked:
            per_step = (elapsed - self._skipped_seconds) / self._worked
            eta = per_step * (self.total - self.finished)
        return Progress(stage, self.finished + 1, self.total, elapsed, eta, detail, tokens)


def _merge_steps_estimate(chunk_count: int) -> int:
    steps, notes = 0, chunk_count
    while notes > MERGE_GROUP_SIZE:
        notes = -(-notes // MERGE_GROUP_SIZE)
        steps += notes
    return steps


def _render_notes(notes: Sequence[Note]) -> str:
    """Notes under their location headers, which the code (not the model) writes, so page
    references survive every merge."""
    return "\n\n".join(f"[{note.location}]\n{note.text}" for note in notes)


def _notes_as_summary(notes: Sequence[Note]) -> str:
    """Merged notes as a key-points summary: each line with the pages it came from."""
    lines = []
    for note in notes:
        for line in note.text.splitlines():
            line = re.sub(r"^\s*(?:[-*•・]|\d+[.)])\s*", "", line).strip()
            if len(line) > 3 and not line.startswith("["):
                lines.append(f"- {line} [{note.location}]")
    return "\n".join(lines)


def _span(notes: Sequence[Note]) -> str:
    """The location covering a run of notes: "pp. 3–17" from "pp. 3–5" … "p. 17"."""
    first, last = notes[0].location, notes[-1].location
    start = first.split("–")[0]
    end = last.split("–")[-1].split()[-1]
    prefix = start.split()[0]
    if prefix in ("p.", "pp."):
        start_number = start.split()[-1]
        return f"pp. {start_number}–{end}" if start_number != end else f"p. {end}"
    return f"{start}–{end}" if start != last else start


def _focus(prompts, options: SummaryOptions) -> str:
    return prompts["focus"].format(focus=options.focus.strip()) if options.focus.strip() else ""


def _shorten(text: str, lines: int = 3) -> str:
    kept = [line for line in text.splitlines() if line.strip()][:lines]
    return "\n".join(kept)


_PAGE_MARKER = re.compile(r"\[p\. ?(\d+)\]")


def _page_of(source: Note, sentence: str) -> str:
    """The page a sentence of a one-pass source is on: the last page marker before it, else the
    source's own location."""
    position = source.text.find(sentence)
    markers = [m for m in _PAGE_MARKER.finditer(source.text, 0, max(position, 0))]
    return f"p. {markers[-1].group(1)}" if markers else source.location
