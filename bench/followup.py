"""Measurement 3: how long a second question about the same document waits for its first word.

Both questions go through the app's QuestionAnswerer on one engine, as in the window's chat:
the first reads the whole document (it fits the context), the second comes with the first
turn as history and should find the document already in the KV cache. Times run from the
`ask()` call to the first piece of the answer — what a person waits.
"""

from __future__ import annotations

import time

FIRST_QUESTION = "What is this document about?"
FOLLOW_UP = "Which definitions does it introduce first?"


def _ask(answerer, document, question: str, history=()) -> dict:
    from app.core.events import AnswerResult, TextDelta

    started = time.perf_counter()
    first_piece_at = None
    result = None
    for event in answerer.ask(document, question, history):
        if isinstance(event, TextDelta) and first_piece_at is None:
            first_piece_at = time.perf_counter()
        elif isinstance(event, AnswerResult):
            result = event
    ended = time.perf_counter()
    stats = result.stats
    return {
        "time_to_first_piece": (first_piece_at or ended) - started,
        "engine_time_to_first_token": stats.prompt_seconds,
        "prompt_tokens": stats.prompt_tokens,
        "reused_tokens": stats.reused_tokens,
        "generated_tokens": stats.generated_tokens,
        "whole_document": result.whole_document,
        "answer": result.text,
    }


def measure_followup(engine, document, *, repeats: int = 1, answer_tokens: int = 320) -> dict:
    from app.core.qa import QuestionAnswerer

    rounds = []
    for index in range(repeats):
        # A fresh answerer and a different first question each round: nothing cached before.
        answerer = QuestionAnswerer(engine, answer_tokens=answer_tokens)
        first = _ask(answerer, document, f"({index + 1}) {FIRST_QUESTION}")
        second = _ask(answerer, document, FOLLOW_UP, [(f"({index + 1}) {FIRST_QUESTION}", first["answer"])])
        rounds.append((first, second))
    # The median round (by ratio) is reported in full; every round's ratio is kept.
    rounds.sort(key=lambda pair: pair[1]["time_to_first_piece"] / pair[0]["time_to_first_piece"])
    first, second = rounds[len(rounds) // 2]
    return {
        "followup_ttft_ratio": second["time_to_first_piece"] / first["time_to_first_piece"],
        "raw": {
            "document": document.title,
            "fits_context": first["whole_document"],
            "first": {key: round(value, 4) if isinstance(value, float) else value
                      for key, value in first.items() if key != "answer"},
            "follow_up": {key: round(value, 4) if isinstance(value, float) else value
                          for key, value in second.items() if key != "answer"},
            "ratios_of_all_rounds": [round(b["time_to_first_piece"] / a["time_to_first_piece"], 4)
                                     for a, b in rounds],
        },
    }
