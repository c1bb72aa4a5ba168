"""BM25 ranking of chunks for questions about documents too long to read whole.

Latin text is split into lower-case words; Japanese (and other CJK) text, which has no
spaces, into overlapping character bigrams, the usual choice for Japanese full-text search.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

_WORD = re.compile(r"[0-9a-z\u00c0-\u024f]+(?:['’][a-z]+)?")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]+")

# Question words carry no topic; leaving them in makes every chunk look a little relevant.
_STOPWORDS = frozenset(
    "a an the of to in on at for by with and or is are was were be been what which who whom whose "
    "when where why how does do did this that these those it its as from about into than then there "
    "their they them he she his her we our you your i me my not no can could would should will shall "
    "may might must has have had any all some document text say says said tell please".split()
)
_CJK_STOP = frozenset("何です ですか ますか ました でしょ しょう この その あの ついて について".split())


def terms(text: str) -> list[str]:
    lowered = text.lower()
    found = [word for word in _WORD.findall(lowered) if word not in _STOPWORDS and len(word) > 1]
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            found.append(run)
            continue
        found.extend(bigram for bigram in (run[i:i + 2] for i in range(len(run) - 1))
                     if bigram not in _CJK_STOP)
    return found


@dataclass
class BM25Index:
    """Okapi BM25 over a fixed list of texts (k1=1.5, b=0.75)."""

    doc_terms: list[Counter]
    doc_lengths: list[int]
    document_frequency: Counter
    average_length: float
    k1: float = 1.5
    b: float = 0.75

    @classmethod
    def build(cls, texts: Sequence[str]) -> "BM25Index":
        doc_terms = [Counter(terms(text)) for text in texts]
        lengths = [sum(counter.values()) for counter in doc_terms]
        frequency: Counter = Counter()
        for counter in doc_terms:
            frequency.update(counter.keys())
        average = (sum(lengths) / len(lengths)) if lengths else 0.0
        return cls(doc_terms, lengths, frequency, average or 1.0)

    def scores(self, query: str) -> list[float]:
        query_terms = set(terms(query))
        total = len(self.doc_terms)
        result = []
        for counter, length in zip(self.doc_terms, self.doc_lengths):
            score = 0.0
            for term in query_terms:
                tf = counter.get(term, 0)
                if not tf:
                    continue
                df = self.document_frequency[term]
                idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
                norm = tf + self.k1 * (1 - self.b + self.b * length / self.average_length)
                score += idf * tf * (self.k1 + 1) / norm
            result.append(score)
        return result

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        """The k best (index, score) pairs with a score above zero, best first."""
        ranked = sorted(enumerate(self.scores(query)), key=lambda pair: pair[1], reverse=True)
        return [(index, score) for index, score in ranked[:k] if score > 0]
