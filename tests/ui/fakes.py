"""A scripted stand-in for app.core.engine.Engine, for tests about the window rather than the model.

It implements the part of the Engine interface that Summarizer and QuestionAnswerer use, so
the real pipelines run on it; only the text is scripted. `delay` slows each streamed piece so
that a test can watch text arrive or cancel in the middle.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

from app.core.cancel import CancelToken
from app.core.errors import Cancelled
from app.core.events import GenerationStats
from app.core.settings import InferenceSettings

SUMMARY_REPLY = ("## Key points\n\n- The budget was set at **48 million yen** [p. 1].\n"
                 "- The Fukuoka office opens on 14 April [p. 2].\n- Sales in Vietnam grew by 64 percent.")
ANSWER_REPLY = "The budget was 48 million yen [p. 1]."


class ScriptedEngine:
    def __init__(self, *, summary_reply: str = SUMMARY_REPLY, answer_reply: str = ANSWER_REPLY,
                 delay: float = 0.0, n_ctx: int = 4096, name: str = "Scripted model"):
        self.summary_reply = summary_reply
        self.answer_reply = answer_reply
        self.delay = delay
        self.n_ctx = n_ctx
        self.model_name = name
        self.model_path = Path(f"/nonexistent/{name.lower().replace(' ', '-')}.gguf")
        self.settings = InferenceSettings()
        self.last_stats = GenerationStats()
        self.requests: list[list[dict]] = []
        self.closed = False
        self.streaming = threading.Event()
        self._cancel = CancelToken()

    def describe(self) -> str:
        return f"{self.model_name} · {self.n_ctx} tokens context"

    def count_tokens(self, text: str) -> int:
        return max(1, len(text.split()))

    def cancel(self) -> None:
        self._cancel.cancel()

    def stream(self, messages, *, max_tokens: int = 512, cancel: CancelToken | None = None, **_options):
        self._cancel = cancel or CancelToken()
        self.requests.append(list(messages))
        is_question = any("Question:" in message["content"] for message in messages)
        pieces = re.findall(r"\S+\s*", self.answer_reply if is_question else self.summary_reply)
        started = time.monotonic()
        self.streaming.set()
        try:
            for piece in pieces[:max_tokens]:
                deadline = time.monotonic() + self.delay
                while True:  # sleep in slices so a cancel is noticed as promptly as llama.cpp would
                    if self._cancel.cancelled:
                        raise Cancelled()
                    if time.monotonic() >= deadline:
                        break
                    time.sleep(min(0.005, self.delay))
                yield piece
        finally:
            self.streaming.clear()
            self.last_stats = GenerationStats(prompt_tokens=sum(self.count_tokens(m["content"]) for m in messages),
                                              generated_tokens=len(pieces), prompt_seconds=0.01,
                                              generation_seconds=max(0.001, time.monotonic() - started))

    def generate(self, messages, **options) -> str:
        return "".join(self.stream(messages, **options))

    def close(self) -> None:
        self.closed = True


class EngineFactory:
    """Hands the worker one engine per load and remembers them (a test holds them this way)."""

    def __init__(self, **engine_options):
        self.engine_options = engine_options
        self.engines: list[ScriptedEngine] = []
        self.settings_seen = []

    def __call__(self, settings) -> ScriptedEngine:
        self.settings_seen.append(settings)
        engine = ScriptedEngine(**self.engine_options)
        self.engines.append(engine)
        return engine

    @property
    def engine(self) -> ScriptedEngine:
        return self.engines[-1]
