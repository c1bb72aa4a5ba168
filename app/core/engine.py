"""The engine: one loaded GGUF model and the only code that talks to llama.cpp.

An Engine is owned by one thread (the GUI's model worker, or the CLI's main thread); only
`cancel()` may be called from another. It streams text decoded incrementally, so a Japanese
character split across tokens is never shown half-made, and it stops promptly on cancel —
while reading a long prompt as well as while writing — through llama.cpp's abort callback.

Requests that share a prefix with the previous one (the same document, a new question)
reuse the KV cache of that prefix instead of reading it again.

Before llama.cpp opens a file, the file is checked in a child process (header and chat
template, app/core/models/isolation.py) and the memory it will take is compared with what is
free, so a hostile file or a model too large for the computer is refused with a message rather
than crashing the app or getting it killed by the system. The chat template is rendered by
app/core/chat_template.py's sandbox, never by llama-cpp-python's.
"""

from __future__ import annotations

import codecs
import ctypes
import logging
import os
import time
from pathlib import Path
from typing import Iterator, Sequence

from app.core.cancel import CancelToken
from app.core.chat_template import ChatTemplate, TemplateRefused, probe
from app.core.errors import Cancelled, ModelError, ModelLoadError, ModelNotFoundError
from app.core.events import GenerationStats
from app.core.models.hardware import check_fits_in_memory
from app.core.models.isolation import check_model_file
from app.core.repetition import RepetitionGuard
from app.core.settings import InferenceSettings

log = logging.getLogger(__name__)

Message = dict  # {"role": "system" | "user" | "assistant", "content": str}

# For base models without a chat template: an instruction layout most base models follow.
_FALLBACK_STOPS = ("\n### ", "### Instruction")


def physical_cores() -> int:
    try:
        import psutil

        cores = psutil.cpu_count(logical=False)
    except Exception:  # psutil can fail in containers; the logical count is a fine fallback
        cores = None
    return max(1, cores or os.cpu_count() or 1)


class Engine:
    """One llama.cpp model, loaded and ready to stream text."""

    def __init__(self, model_path: str | os.PathLike, inference: InferenceSettings | None = None, *,
                 available_memory: int | None = None):
        """`available_memory` (bytes) replaces the free memory measured now, for tests and callers
        that know better (another model about to be unloaded)."""
        import llama_cpp  # heavy; loaded only when a model is

        self._llama_cpp = llama_cpp
        self.model_path = Path(model_path)
        self.settings = inference or InferenceSettings()
        if not self.model_path.is_file():
            raise ModelNotFoundError(f"The model file {self.model_path} does not exist.")
        _silence_llama_logs(llama_cpp)
        # Checking the header first (in a child process: the file may be hostile) turns a damaged
        # or truncated file into a clear message (llama.cpp would only say "failed to load") and
        # gives the trained context length and the shape the memory estimate needs.
        checked = check_model_file(self.model_path)
        self.gguf = checked.info
        self.context_length = self.gguf.context_length or 0
        wanted = self.settings.n_ctx or self.settings.max_context
        self.n_ctx = max(512, min(wanted, self.context_length or wanted))
        self.n_threads = self.settings.n_threads or physical_cores()
        # Refused here with the numbers, not by the system killing the app halfway through.
        self.memory_need = check_fits_in_memory(self.gguf, self.n_ctx, self.settings.n_batch, available_memory)
        started = time.monotonic()
        try:
            self._llama = llama_cpp.Llama(
                model_path=str(self.model_path),
                n_ctx=self.n_ctx,
                n_batch=self.settings.n_batch,
                n_ubatch=self.settings.n_batch,
                n_threads=self.n_threads,
                n_threads_batch=self.n_threads,
                # Flash attention never builds the full attention matrix: on the CPU it reads
                # prompts 10–20% faster and writes after a long prompt ~15% faster
                # (bench/README.md), with the same f16 KV cache.
                flash_attn=True,
                n_gpu_layers=self.settings.n_gpu_layers,
                seed=self.settings.seed,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelLoadError(
                f"Could not load the model {self.model_path.name}: {exc}. The file may be damaged, "
                "or too large for this computer's memory."
            ) from exc
        self.load_seconds = time.monotonic() - started
        self.model_name = self.gguf.name or self.model_path.stem
        self.chat_template: str | None = self.gguf.chat_template
        #: Why the model's chat template is not used (None when it is, or there is none).
        self.template_problem: str | None = checked.template_problem
        self._template = self._make_template() if self.chat_template and not self.template_problem else None
        self._cancel = CancelToken()
        self._abort_requested = False
        # Kept as attributes: ctypes callbacks must outlive their registration.
        self._abort_callback = llama_cpp.ggml_abort_callback(self._on_abort_check)
        self._no_abort_callback = llama_cpp.ggml_abort_callback(0)
        self.last_stats = GenerationStats()
        #: Token ids of the last reply, for checking what was streamed against them.
        self.last_tokens: list[int] = []

    # ----- information -----------------------------------------------------------------

    @property
    def has_chat_template(self) -> bool:
        return self._template is not None

    def describe(self) -> str:
        return f"{self.model_name} · {self.n_ctx} tokens context · {self.n_threads} threads"

    # ----- tokens ----------------------------------------------------------------------

    def tokenize(self, text: str, *, add_bos: bool = False, special: bool = False) -> list[int]:
        return self._llama.tokenize(text.encode("utf-8"), add_bos=add_bos, special=special)

    def detokenize(self, tokens: Sequence[int]) -> bytes:
        return self._llama.detokenize(list(tokens))

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def prompt_tokens(self, messages: Sequence[Message]) -> list[int]:
        prompt = self._render(messages)
        if prompt is not None:
            return self.tokenize(prompt, add_bos=False, special=True)
        return self.tokenize(_fallback_prompt(messages), add_bos=True, special=False)

    def format_prompt(self, messages: Sequence[Message]) -> str:
        """The prompt text as the model sees it (for debugging and tests)."""
        prompt = self._render(messages)
        return _fallback_prompt(messages) if prompt is None else prompt

    # ----- generation ------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the current request as soon as possible. Safe from any thread."""
        self._cancel.cancel()

    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int = 512,
        temperature: float | None = None,
        repeat_penalty: float | None = None,
        seed: int | None = None,
        cancel: CancelToken | None = None,
        stop_on_repetition: bool = True,
    ) -> Iterator[str]:
        """Yield the reply to `messages` piece by piece. Sets `last_stats` when done.

        Raises Cancelled if `cancel` (or `Engine.cancel()`) fires, even mid-prompt.
        """
        self._cancel = cancel or CancelToken()
        tokens = self.prompt_tokens(messages)
        room = self.n_ctx - len(tokens)
        if room < 16:
            raise ModelError(
                f"The text is too long for this model's context ({len(tokens)} of {self.n_ctx} tokens)."
            )
        max_tokens = min(max_tokens, room)
        reused = self._reusable_prefix(tokens)
        llama = self._llama
        llama.set_seed(self.settings.seed if seed is None else seed)
        # Bytes are decoded incrementally so a character split across tokens waits for its
        # last byte. A byte sequence the model itself got wrong (rare, in scripts it knows
        # poorly) is dropped rather than shown as U+FFFD.
        decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")
        self.last_tokens = []
        guard = RepetitionGuard() if stop_on_repetition else None
        temp = self.settings.temperature if temperature is None else temperature
        penalty = self.settings.repeat_penalty if repeat_penalty is None else repeat_penalty
        generated = 0
        stop_reason = "length"
        started = time.monotonic()
        first_token_at: float | None = None
        self._set_abort_checking(True)
        try:
            for token in llama.generate(
                tokens, top_k=40, top_p=self.settings.top_p, min_p=0.05, temp=temp,
                repeat_penalty=penalty, reset=True,
            ):
                if first_token_at is None:
                    first_token_at = time.monotonic()
                    # Checking for abort costs a little on every step; while writing, the
                    # check between tokens below is prompt enough.
                    self._set_abort_checking(False)
                if self._cancel.cancelled:
                    raise Cancelled()
                if self._llama_cpp.llama_vocab_is_eog(llama._model.vocab, token):
                    stop_reason = "end"
                    break
                generated += 1
                self.last_tokens.append(token)
                text = decoder.decode(llama.detokenize([token]))
                if text:
                    if guard is not None and guard.feed(text):
                        stop_reason = "repetition"
                        yield text
                        break
                    if self._template is None and _ends_with_fallback_stop(guard, text):
                        stop_reason = "end"
                        break
                    yield text
                if generated >= max_tokens:
                    break
            tail = decoder.decode(b"", final=True)
            if tail:
                yield tail
        except RuntimeError as exc:
            if self._cancel.cancelled:
                raise Cancelled() from exc
            raise ModelError(f"The model stopped with an error: {exc}") from exc
        finally:
            self._set_abort_checking(False)
            ended = time.monotonic()
            prompt_end = first_token_at or ended
            self.last_stats = GenerationStats(
                prompt_tokens=len(tokens),
                reused_tokens=reused,
                generated_tokens=generated,
                prompt_seconds=prompt_end - started,
                generation_seconds=ended - prompt_end,
                degenerate=stop_reason == "repetition",
                stop_reason=stop_reason if first_token_at else "cancelled",
            )

    def generate(self, messages: Sequence[Message], **kwargs) -> str:
        return "".join(self.stream(messages, **kwargs))

    def close(self) -> None:
        llama = getattr(self, "_llama", None)
        if llama is not None:
            llama.close()
            self._llama = None

    # ----- internals -------------------------------------------------------------------

    def _reusable_prefix(self, tokens: Sequence[int]) -> int:
        cached = self._llama._input_ids  # tokens whose KV entries are in the cache
        shared = 0
        for a, b in zip(cached, tokens):
            if a != b:
                break
            shared += 1
        return min(shared, len(tokens) - 1) if shared else 0

    def _on_abort_check(self, _data) -> bool:
        return self._cancel.cancelled

    def _set_abort_checking(self, enabled: bool) -> None:
        callback = self._abort_callback if enabled else self._no_abort_callback
        self._llama_cpp.llama_set_abort_callback(self._llama.ctx, callback, None)

    def _make_template(self) -> ChatTemplate | None:
        llama = self._llama
        eos_id, bos_id = llama.token_eos(), llama.token_bos()
        eos = llama._model.token_get_text(eos_id) if eos_id != -1 else ""
        bos = llama._model.token_get_text(bos_id) if bos_id != -1 else ""
        try:
            return probe(self.chat_template, bos_token=bos, eos_token=eos)
        except TemplateRefused as exc:  # plain prompts still work
            log.warning("chat template unusable (%s); using the plain prompt layout", exc)
            self.template_problem = str(exc)
            return None

    def _render(self, messages: Sequence[Message]) -> str | None:
        """The template's prompt, or None for the plain layout (no template, or it refused)."""
        if self._template is None:
            return None
        try:
            return self._template.render(messages)
        except TemplateRefused as exc:
            if exc.hostile:
                raise ModelError(
                    f"The chat template inside {self.model_path.name} was stopped: {exc}. A real model's "
                    "template has no reason to do that; choose another model and delete this one."
                ) from None
            log.warning("chat template refused this request (%s); using the plain prompt layout", exc)
            return None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


def _fallback_prompt(messages: Sequence[Message]) -> str:
    system = "\n".join(m["content"] for m in messages if m["role"] == "system")
    parts = [system.strip()] if system.strip() else []
    for message in messages:
        if message["role"] == "user":
            parts.append(f"### Instruction:\n{message['content'].strip()}")
        elif message["role"] == "assistant":
            parts.append(f"### Response:\n{message['content'].strip()}")
    parts.append("### Response:\n")
    return "\n\n".join(parts)


def _ends_with_fallback_stop(guard: RepetitionGuard | None, text: str) -> bool:
    recent = (guard.text if guard is not None else text)[-40:]
    return any(stop in recent for stop in _FALLBACK_STOPS)


_log_callback = None


def _silence_llama_logs(llama_cpp) -> None:
    """llama.cpp prints to stderr, which a windowed app does not have; route it to logging."""
    global _log_callback
    if _log_callback is not None:
        return

    @llama_cpp.llama_log_callback
    def forward(level, text, _user_data):
        if level <= 2:  # GGML_LOG_LEVEL_ERROR is 4, WARN 3; only errors matter to us
            return
        try:
            log.debug("llama.cpp: %s", text.decode("utf-8", "replace").rstrip())
        except Exception:
            pass

    _log_callback = forward
    llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p(0))
