"""llama.cpp's own speed, measured through its C API in this process: the yardstick for Matome.

This is what llama.cpp's `llama-bench` and `llama-cli` do, driven through the ctypes
bindings with no Python in the loop except one call per batch or per token: the prompt is
decoded in `n_batch` slices with logits for its last token only, then each new token is
sampled by llama.cpp's C sampler chain (the same links, in the same order, with the same
parameters as Matome's engine) and decoded alone. The same GGUF, context size, threads and
batch sizes as the engine are passed in, so a ratio between the two is the cost of Matome's
own layers (llama-cpp-python's Llama class, chat formatting, streaming, guards).
"""

from __future__ import annotations

import ctypes
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence


@dataclass(frozen=True)
class ContextShape:
    """Everything that decides llama.cpp's speed besides the model file."""

    n_ctx: int
    n_batch: int
    n_ubatch: int
    n_threads: int
    n_threads_batch: int
    flash_attn: bool = False


@dataclass(frozen=True)
class SamplerShape:
    """The sampler chain Matome's engine builds (llama-cpp-python's `_init_sampler` order)."""

    temperature: float = 0.2
    top_k: int = 40
    top_p: float = 0.9
    min_p: float = 0.05
    repeat_penalty: float = 1.15
    penalty_last_n: int = 64
    seed: int = 42


@dataclass(frozen=True)
class Timing:
    prompt_tokens: int
    #: Prompt decoded and the first token sampled: llama.cpp's time to first token.
    prompt_seconds: float
    generated_tokens: int
    #: The remaining generated_tokens - 1 decode-and-sample steps.
    generation_seconds: float

    @property
    def prompt_tokens_per_second(self) -> float:
        return self.prompt_tokens / self.prompt_seconds

    @property
    def generation_tokens_per_second(self) -> float:
        steps = self.generated_tokens - 1
        return steps / self.generation_seconds if steps > 0 and self.generation_seconds > 0 else 0.0


class LlamaCppReference:
    """One model and context opened with llama.cpp's C API."""

    def __init__(self, model_path: Path, shape: ContextShape):
        import llama_cpp

        self._c = llama_cpp
        self.shape = shape
        llama_cpp.llama_backend_init()
        model_params = llama_cpp.llama_model_default_params()
        model_params.n_gpu_layers = 0
        self._model = llama_cpp.llama_model_load_from_file(str(model_path).encode(), model_params)
        if not self._model:
            raise RuntimeError(f"llama.cpp could not load {model_path}")
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = shape.n_ctx
        params.n_batch = shape.n_batch
        params.n_ubatch = shape.n_ubatch
        params.n_threads = shape.n_threads
        params.n_threads_batch = shape.n_threads_batch
        params.flash_attn_type = (llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED if shape.flash_attn
                                  else llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED)
        params.no_perf = False
        self._ctx = llama_cpp.llama_init_from_model(self._model, params)
        if not self._ctx:
            raise RuntimeError("llama.cpp could not create a context")
        self._vocab = llama_cpp.llama_model_get_vocab(self._model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self._vocab)

    # ----- the measured work -------------------------------------------------------------

    def run(self, prompt: Sequence[int], generate: int, sampler: SamplerShape = SamplerShape(), *,
            cached: int = 0) -> Timing:
        """Read `prompt`, then sample `generate` tokens (EOS ignored, as llama-bench does, so
        every run does the same amount of work).

        The first `cached` tokens are put in the KV cache before the clock starts, as the
        engine's prefix reuse finds them: reading the rest after them is the same work (a
        longer cache is attended to) as the engine's."""
        c = self._c
        chain = self._sampler_chain(sampler)
        try:
            c.llama_memory_clear(c.llama_get_memory(self._ctx), True)
            if cached:
                self._decode_prompt(prompt[:cached])
            started = time.perf_counter()
            self._decode_prompt(prompt[cached:])
            token = c.llama_sampler_sample(chain, self._ctx, -1)
            first_token_at = time.perf_counter()
            one = (c.llama_token * 1)()
            for _ in range(generate - 1):
                one[0] = token
                if c.llama_decode(self._ctx, c.llama_batch_get_one(one, 1)) != 0:
                    raise RuntimeError("llama_decode failed while generating")
                token = c.llama_sampler_sample(chain, self._ctx, -1)
            ended = time.perf_counter()
        finally:
            c.llama_sampler_free(chain)
        return Timing(len(prompt) - cached, first_token_at - started, generate, ended - first_token_at)

    def _decode_prompt(self, prompt: Sequence[int]) -> None:
        c = self._c
        tokens = (c.llama_token * len(prompt))(*prompt)
        step = self.shape.n_batch
        for start in range(0, len(prompt), step):
            count = min(step, len(prompt) - start)
            # A batch made by llama_batch_get_one asks for the logits of its last token only.
            view = ctypes.cast(ctypes.byref(tokens, start * ctypes.sizeof(c.llama_token)),
                               ctypes.POINTER(c.llama_token))
            if c.llama_decode(self._ctx, c.llama_batch_get_one(view, count)) != 0:
                raise RuntimeError("llama_decode failed while reading the prompt")

    def _sampler_chain(self, s: SamplerShape):
        c = self._c
        chain = c.llama_sampler_chain_init(c.llama_sampler_chain_default_params())
        for link in (
            c.llama_sampler_init_penalties(self.n_vocab, s.penalty_last_n, s.repeat_penalty, 0.0, 0.0),
            c.llama_sampler_init_top_k(s.top_k),
            c.llama_sampler_init_typical(1.0, 1),
            c.llama_sampler_init_top_p(s.top_p, 1),
            c.llama_sampler_init_min_p(s.min_p, 1),
            c.llama_sampler_init_temp(s.temperature),
            c.llama_sampler_init_dist(s.seed),
        ):
            c.llama_sampler_chain_add(chain, link)
        return chain

    # ----- facts for the memory budget ---------------------------------------------------

    def state_bytes(self) -> int:
        return int(self._c.llama_state_get_size(self._ctx))

    def close(self) -> None:
        if getattr(self, "_ctx", None):
            self._c.llama_free(self._ctx)
            self._ctx = None
        if getattr(self, "_model", None):
            self._c.llama_model_free(self._model)
            self._model = None

    def __enter__(self) -> "LlamaCppReference":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
