"""Events that the summarizer and Q&A generators yield to whoever drives them.

The CLI prints them; the GUI's worker forwards them as Qt signals. They are plain frozen
dataclasses so they cross threads safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Progress:
    #: "loading", "reading", "summarizing_parts", "merging", "writing", "checking", "answering".
    stage: str
    step: int
    total: int
    elapsed: float
    #: Seconds left, or None while there is nothing to estimate from.
    eta: float | None = None
    detail: str = ""
    #: Tokens the model has read and written so far in this job.
    tokens: int = 0


@dataclass(frozen=True)
class TextDelta:
    """A piece of user-visible output text, in order. Only the final stage streams."""

    text: str


@dataclass(frozen=True)
class TextReset:
    """The text streamed so far is replaced by `text` (a loop at its end was cut off)."""

    text: str


@dataclass(frozen=True)
class PartSummary:
    """One map step finished: the notes for a chunk and the pages they cover."""

    index: int
    total: int
    location: str
    text: str


@dataclass(frozen=True)
class GenerationStats:
    prompt_tokens: int = 0
    #: Prompt tokens whose KV cache was reused from the previous request (not re-read).
    reused_tokens: int = 0
    generated_tokens: int = 0
    prompt_seconds: float = 0.0
    generation_seconds: float = 0.0
    #: Generation was stopped because the output started repeating itself.
    degenerate: bool = False
    stop_reason: str = ""

    @property
    def prompt_tokens_per_second(self) -> float:
        evaluated = self.prompt_tokens - self.reused_tokens
        return evaluated / self.prompt_seconds if self.prompt_seconds > 0 else 0.0

    @property
    def generation_tokens_per_second(self) -> float:
        return self.generated_tokens / self.generation_seconds if self.generation_seconds > 0 else 0.0


@dataclass(frozen=True)
class Citation:
    """A place in the document that supports an answer: "p. 12" and that place's text."""

    location: str
    page: int | None
    excerpt: str


@dataclass(frozen=True)
class SummaryResult:
    text: str
    #: Chunks the document was cut into (1 for a one-pass summary).
    chunk_count: int
    #: Key points from chunk notes that the merge lost and the checker put back.
    restored_points: int
    prompt_tokens: int
    generated_tokens: int
    seconds: float
    part_summaries: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class AnswerResult:
    text: str
    citations: tuple[Citation, ...]
    #: True when the answer is "the document does not say".
    not_found: bool
    stats: GenerationStats
    #: True when the whole document was in the prompt; False when chunks were retrieved.
    whole_document: bool
