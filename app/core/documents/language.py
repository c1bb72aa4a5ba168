"""Guessing a document's language from its text, with no dependency beyond the stdlib.

The guess picks the summary's output language when the user leaves it on "auto", so it only
has to be right about the common cases: Japanese (kana and kanji, even amid English terms),
other scripts by their Unicode blocks, and the big Latin-script languages by their most
frequent short words.
"""

from __future__ import annotations

import re
from collections import Counter

#: How much text to look at; a long document's first pages say enough.
_SAMPLE_CHARACTERS = 20_000

#: (first, last, language) for scripts that name their language well enough.
_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0400, 0x04FF, "ru"),
    (0x0370, 0x03FF, "el"),
    (0x0590, 0x05FF, "he"),
    (0x0600, 0x06FF, "ar"),
    (0x0750, 0x077F, "ar"),
    (0xFB50, 0xFDFF, "ar"),
    (0xFE70, 0xFEFF, "ar"),
    (0x0900, 0x097F, "hi"),
    (0x0E00, 0x0E7F, "th"),
    (0xAC00, 0xD7AF, "ko"),
    (0x1100, 0x11FF, "ko"),
)

#: Frequent short words; each language's list holds words rare in the others.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and of to is in that it for was with as are this be on not by have".split()),
    "de": frozenset("der die und das ist nicht ein eine mit sich auf für dem den von zu wird sind".split()),
    "fr": frozenset("le la les et est des une du dans pour que qui sur pas au avec sont".split()),
    "es": frozenset("el la los las y es del que en por una con para se no son como".split()),
    "it": frozenset("il la di che è per una con non sono gli del della le si anche".split()),
    "pt": frozenset("o a os as e é do da que em um uma para com não são no na".split()),
    "nl": frozenset("de het een en is van dat niet op te zijn met voor die er".split()),
    # Latin is here only so that Lorem ipsum placeholder text, full of "et" and "est", is not
    # taken for French; it is reported as unknown.
    "la": frozenset("et est in ad non ut sed cum quod eu nec sit amet dolor".split()),
}
_UNREPORTED = {"la"}

#: Common Chinese function characters that Japanese does not use (simplified and traditional).
_CHINESE_ONLY = frozenset("们這这說说個个麼么嗎吗呢還还沒没對对")

_WORD = re.compile(r"[^\W\d_]+")


def is_kana(char: str) -> bool:
    return "\u3040" <= char <= "\u30ff" or "\u31f0" <= char <= "\u31ff" or "\uff66" <= char <= "\uff9d"


def is_han(char: str) -> bool:
    return ("\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"
            or "\uf900" <= char <= "\ufaff" or "\u3005" == char)


def guess_language(text: str) -> str:
    """An ISO 639-1 code ("ja", "en", "de", …) for `text`, or "" when it can't tell."""
    sample = text[:_SAMPLE_CHARACTERS]
    letters = [char for char in sample if char.isalpha()]
    if not letters:
        return ""
    kana = sum(1 for char in letters if is_kana(char))
    han = sum(1 for char in letters if is_han(char))
    japanese_script = kana + han
    # One kanji or kana carries about as much as three or four Latin letters, so a Japanese
    # text full of English terms still counts as Japanese, while a quoted name in an English
    # text does not.
    if japanese_script and japanese_script * 3 >= len(letters) - japanese_script:
        # Japanese prose is full of kana particles; Chinese has none but its own function words.
        if kana >= 0.03 * japanese_script:
            return "ja"
        chinese_markers = sum(1 for char in sample if char in _CHINESE_ONLY)
        return "zh" if chinese_markers >= 2 else "ja"
    script = _dominant_script(letters)
    if script:
        return script
    return _latin_language(sample)


def _dominant_script(letters: list[str]) -> str:
    counts: Counter[str] = Counter()
    for char in letters:
        code = ord(char)
        for first, last, language in _SCRIPT_RANGES:
            if first <= code <= last:
                counts[language] += 1
                break
    if not counts:
        return ""
    language, count = counts.most_common(1)[0]
    return language if count / len(letters) >= 0.3 else ""


def _latin_language(sample: str) -> str:
    words = [word.lower() for word in _WORD.findall(sample)]
    if not words:
        return ""
    hits = {language: sum(1 for word in words if word in stopwords)
            for language, stopwords in _STOPWORDS.items()}
    best = max(hits, key=hits.__getitem__)
    # Lorem ipsum, code and word lists hit almost no stopwords; say "unknown" rather than guess.
    if hits[best] < 3 or hits[best] / len(words) < 0.03 or best in _UNREPORTED:
        return ""
    return best
