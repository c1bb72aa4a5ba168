"""Spotting degenerate output: small models fall into loops, repeating a sentence until the
token limit. The engine stops such a stream and the pipelines retry or trim it rather than
show it."""

from __future__ import annotations

import re

# A sentence, or a line without sentence punctuation (list items, headings).
_UNIT = re.compile(r"[^.。!?！？\n]+(?:[.。!?！？]+|\n|$)")
_DIGITS = re.compile(r"\d+")
_DANGLING_MARKER = re.compile(r"(?:^|\n)[ \t]*(?:[-*•・]|\d+[.)])?(?:[ \t]*\d+[.)])*[ \t]*$")


def _normalize(sentence: str) -> str:
    # Loops often number themselves ("1. X 2. X"); digits must not hide the repetition.
    return _DIGITS.sub("#", sentence.strip(" -*•\n\t").lower()).strip("# .")


def repeated_tail(text: str, *, min_period: int = 6, max_period: int = 240, copies: int = 3) -> int:
    """Length of a loop at the end of `text` (the characters to trim), or 0 if there is none.

    A loop is a piece of at least `min_period` characters repeated `copies` times in a row at
    the end, or a sentence or line (digits ignored) that keeps coming back: a long one for the
    `copies`-th time, a short one (a list of the same heading) for the `copies + 1`-th.
    """
    tail = text[-max_period * copies:]
    for period in range(min_period, min(max_period, len(tail) // copies) + 1):
        unit = tail[-period:]
        if not unit.strip():
            continue
        if all(tail[-(i + 1) * period: -i * period or None] == unit for i in range(1, copies)):
            return _loop_length(text, unit) - period
    cuts = [cut for cut in (_recurring_unit_cut(text, copies), _recurring_phrase_cut(text, copies))
            if cut is not None]
    return len(text) - min(cuts) if cuts else 0


def _recurring_unit_cut(text: str, copies: int) -> int | None:
    """Where to cut `text` so that no sentence or line recurs too often, or None if none does."""
    seen: dict[str, int] = {}
    for match in _UNIT.finditer(text):
        key = _normalize(match.group())
        if len(key) < 4:
            continue
        seen[key] = seen.get(key, 0) + 1
        limit = copies if len(key) >= 12 else copies + 1
        if seen[key] >= limit:
            return match.start()
    return None


_WORD = re.compile(r"\S+")
PHRASE_WORDS = 8


def _recurring_phrase_cut(text: str, copies: int) -> int | None:
    """Where a run of PHRASE_WORDS words comes back for the `copies`-th time (at the start of
    its sentence), or None. Catches paragraphs that loop with small variations."""
    words = [(m.start(), m.group().lower().strip(".,;:!?")) for m in _WORD.finditer(text)]
    seen: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - PHRASE_WORDS + 1):
        phrase = tuple(word for _pos, word in words[i:i + PHRASE_WORDS])
        seen[phrase] = seen.get(phrase, 0) + 1
        if seen[phrase] >= copies:
            start = words[i][0]
            sentence_start = max(text.rfind(mark, 0, start) for mark in (". ", "\n", "。"))
            return sentence_start + 1 if sentence_start >= 0 else start
    return None


def _loop_length(text: str, unit: str) -> int:
    """How many characters at the end of `text` are whole copies of `unit`."""
    length = 0
    while text.endswith(unit, 0, len(text) - length):
        length += len(unit)
    return length


#: Characters at the end of the output that the guard examines.
WINDOW = 3000


class RepetitionGuard:
    """Fed the growing output; says when it has started looping.

    Examining the tail costs time in proportion to its length (up to WINDOW characters, about
    a millisecond), so a short tail is examined often and a full one every MAX_CHARS_BETWEEN_CHECKS
    characters (a few dozen tokens): the cost stays well under 1% of generating, and a loop is
    cut within a couple of repeats of being detectable. Only the examined tail is kept, so
    appending does not grow with the reply either."""

    MAX_CHARS_BETWEEN_CHECKS = 96

    def __init__(self, min_chars_between_checks: int = 24):
        self.text = ""
        self._since_check = 0
        self._min_chars = min_chars_between_checks

    def feed(self, piece: str) -> bool:
        self.text = (self.text + piece)[-WINDOW:]
        self._since_check += len(piece)
        if self._since_check < max(self._min_chars, min(len(self.text) // 8, self.MAX_CHARS_BETWEEN_CHECKS)):
            return False
        self._since_check = 0
        return repeated_tail(self.text) > 0


def trim_repetition(text: str) -> str:
    """`text` with a trailing loop cut back to its first occurrence."""
    cut = repeated_tail(text)
    if not cut:
        return text
    # Drop the list marker ("5.", "-") the loop's first trimmed item leaves behind.
    return _DANGLING_MARKER.sub("", text[: len(text) - cut]).rstrip()
