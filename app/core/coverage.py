"""Checking a summary against the notes it was made from, and restoring what it lost.

Small models drop points when they merge notes: names and numbers vanish or get invented.
Each note's key terms (numbers, proper names, Japanese katakana and kanji compounds) are a
cheap, language-independent fingerprint: a note none of whose key terms appear in the
summary was lost, and its most informative line is put back with its page reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*%?")
_PROPER_NAME = re.compile(r"\b[A-Z][a-zA-Z\u00c0-\u024f]{2,}(?:[- ][A-Z][a-zA-Z]+)*")
_KATAKANA = re.compile(r"[\u30a0-\u30ffー]{3,}")
_KANJI = re.compile(r"[\u4e00-\u9fff]{3,}")
_BULLET_PREFIX = re.compile(r"^\s*(?:[-*•・]|\d+[.)])\s*")

# Words capitalized for grammar rather than because they name something.
_COMMON_CAPITALIZED = frozenset(
    "The This That These Those There Here What When Where Which While With Without From Into "
    "They Their Our Its And But For Also Each Every Some Many Most Other Such Part Page Pages "
    "Summary Notes Document Section Chapter Table Figure However Therefore Overall".split()
)


def key_terms(text: str) -> set[str]:
    """Terms that identify a point: numbers, names and long Japanese words."""
    found: set[str] = set()
    for number in _NUMBER.findall(text):
        if len(number.strip(".,:/%")) >= 2 or "%" in number:
            found.add(number)
    for line in text.splitlines():
        body = _BULLET_PREFIX.sub("", line)
        for match in _PROPER_NAME.finditer(body):
            words = match.group().split()
            while words and words[0] in _COMMON_CAPITALIZED:
                words.pop(0)
            if words:
                found.add(" ".join(words))
    found.update(_KATAKANA.findall(text))
    found.update(_KANJI.findall(text))
    # Page references are ours, not the document's.
    return {term for term in found if not re.fullmatch(r"p+\.?", term.lower())}


def coverage(note: str, summary: str) -> float:
    """Share of the note's key terms found in the summary (1.0 for a note without any)."""
    terms = key_terms(note)
    if not terms:
        return 1.0
    summary_lower = summary.lower()
    return sum(term.lower() in summary_lower for term in terms) / len(terms)


@dataclass(frozen=True)
class LostPoint:
    note_index: int
    location: str
    line: str


def lost_points(notes: Sequence[tuple[str, str]], summary: str, *, threshold: float = 0.5,
                limit: int | None = None) -> list[LostPoint]:
    """Fact-carrying lines of the notes (location, text) whose key terms mostly did not reach
    `summary`, in document order.

    Lines are judged one by one, not whole notes: a merge that kept one fact of a note and
    dropped two lost two points. When more than `limit` were lost, keep an even spread across
    the document — the end as well as the start — rather than the first few.
    """
    lost: list[LostPoint] = []
    seen: set[str] = set()
    for index, (location, text) in enumerate(notes):
        for raw in text.splitlines():
            line = _BULLET_PREFIX.sub("", raw).strip()
            if line.lower() in seen or line.startswith("[") or _weight(line) < 2:
                continue
            seen.add(line.lower())
            if coverage(line, summary) < threshold:
                lost.append(LostPoint(index, location, line))
    if limit is not None and len(lost) > limit:
        if limit <= 1:
            return lost[-limit:] if limit else []
        step = (len(lost) - 1) / (limit - 1)
        lost = [lost[round(i * step)] for i in range(limit)]
    return lost


_SENTENCE_SPLIT = re.compile(r"(?<=[。！？!?])|(?<=[.!?])\s+|\n+")


def _weight(sentence: str) -> int:
    terms = key_terms(sentence)
    # Numbers are the facts small models most often drop or invent; they count double.
    return sum(2 if term[0].isdigit() else 1 for term in terms)


def missing_key_sentences(source: str, note: str, limit: int = 2) -> list[str]:
    """The source's most fact-laden sentences whose key terms the note left out.

    Used after each map step: a note that skipped the one sentence with a name and a number
    gets that sentence back verbatim, so the fact cannot be lost or altered further on.
    """
    note_lower = note.lower()
    candidates = []
    for position, sentence in enumerate(_SENTENCE_SPLIT.split(source)):
        sentence = sentence.strip()
        if len(sentence) < 12 or len(sentence) > 400 or sentence.startswith("[p."):
            continue
        terms = key_terms(sentence)
        if not terms:
            continue
        absent = [term for term in terms if term.lower() not in note_lower]
        if len(absent) * 2 < len(terms):
            continue  # the note already carries most of this sentence's facts
        candidates.append((_weight(sentence), -position, sentence))
    candidates.sort(reverse=True)
    chosen = [sentence for weight, _pos, sentence in candidates[:limit] if weight >= 2]
    # Keep the document's order.
    return sorted(chosen, key=source.find)
