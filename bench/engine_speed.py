"""Measurement 1: Matome's engine against llama.cpp's own speed, and the speed curve that
measurement 2 uses to say how long a pipeline's model work should take.

The engine is the app's own (`app.core.engine.Engine` with default settings); the reference is
llama.cpp's C API (bench/reference.py) opened with the very context parameters the engine
handed to llama.cpp. Both read the same prompt tokens — the engine's own chat-formatted
prompt — and write the same number of tokens; runs alternate so that drifting machine load
hits both alike, and the median of the runs is reported.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from bench.reference import ContextShape, LlamaCppReference, SamplerShape, Timing

WRITE_AT_LENGTH = "\n\nNow write a very long, detailed essay in English about everything above."


def context_shape_of(engine) -> ContextShape:
    """The context parameters the engine's Llama passed to llama.cpp."""
    import llama_cpp

    params = engine._llama.context_params
    return ContextShape(
        n_ctx=params.n_ctx, n_batch=params.n_batch, n_ubatch=params.n_ubatch,
        n_threads=params.n_threads, n_threads_batch=params.n_threads_batch,
        flash_attn=params.flash_attn_type == llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED,
    )


def sampler_shape_of(engine) -> SamplerShape:
    s = engine.settings
    return SamplerShape(temperature=s.temperature, top_p=s.top_p, repeat_penalty=s.repeat_penalty,
                        seed=s.seed)


class PromptMaker:
    """Chat prompts of an exact-ish token length, cut from real document text.

    Each prompt starts with a different run number so the engine cannot reuse the previous
    run's KV cache: every run reads its whole prompt."""

    def __init__(self, engine, source_text: str):
        self.engine = engine
        self._source_tokens = engine.tokenize(source_text)
        self._runs = 0

    def messages(self, prompt_tokens: int) -> list[dict]:
        self._runs += 1
        frame = [{"role": "system", "content": f"Run {self._runs}. You are a careful writer."},
                 {"role": "user", "content": WRITE_AT_LENGTH}]
        room = max(8, prompt_tokens - len(self.engine.prompt_tokens(frame)))
        if room > len(self._source_tokens):
            raise ValueError(f"the source text has fewer than {room} tokens")
        body = self.engine.detokenize(self._source_tokens[:room]).decode("utf-8", "ignore")
        frame[1]["content"] = body + WRITE_AT_LENGTH
        return frame


@dataclass
class EngineRun:
    #: Tokens read (the prompt less what the engine reused from its KV cache).
    prompt_tokens: int
    reused_tokens: int
    time_to_first_piece: float
    generated_tokens: int
    generation_seconds: float

    @property
    def prompt_tokens_per_second(self) -> float:
        return self.prompt_tokens / self.time_to_first_piece

    @property
    def generation_tokens_per_second(self) -> float:
        steps = self.generated_tokens - 1
        return steps / self.generation_seconds if steps > 0 and self.generation_seconds > 0 else 0.0


def run_engine(engine, messages: list[dict], max_tokens: int) -> EngineRun:
    """One request through the engine as the app makes it, timed from the call: chat
    formatting, tokenizing, prefix check, reading, and every step of writing."""
    started = time.perf_counter()
    first_piece_at = None
    for _piece in engine.stream(messages, max_tokens=max_tokens):
        if first_piece_at is None:
            first_piece_at = time.perf_counter()
    ended = time.perf_counter()
    stats = engine.last_stats
    first_piece_at = first_piece_at or ended
    return EngineRun(stats.prompt_tokens - stats.reused_tokens, stats.reused_tokens, first_piece_at - started,
                     stats.generated_tokens, ended - first_piece_at)


def measure_engine_overhead(engine, reference: LlamaCppReference, prompts: PromptMaker, *,
                            prompt_tokens: int, generate: int, repeats: int, log=print) -> dict:
    """pp and tg tokens/s of the engine and of llama.cpp on identical work, alternating."""
    sampler = sampler_shape_of(engine)
    warm = prompts.messages(min(prompt_tokens, 128))
    run_engine(engine, warm, 4)
    reference.run(engine.prompt_tokens(warm), 4, sampler)
    engine_runs: list[EngineRun] = []
    reference_runs: list[Timing] = []
    for index in range(repeats):
        messages = prompts.messages(prompt_tokens)
        if index % 2:
            # Every other round llama.cpp goes first, so neither side always runs on a
            # machine just warmed (or heated) by the other.
            theirs = reference.run(engine.prompt_tokens(messages), generate, sampler,
                                   cached=_engine_reuse(engine, messages))
            mine = run_engine(engine, messages, generate)
        else:
            mine = run_engine(engine, messages, generate)
            # The same prompt tokens, with the same prefix already cached (the engine reuses
            # the chat template's first tokens from its previous request), and as many
            # tokens written as the engine wrote (it stops at the end of its reply; llama.cpp's
            # loop never does).
            theirs = reference.run(engine.prompt_tokens(messages), max(2, mine.generated_tokens), sampler,
                                   cached=mine.reused_tokens)
        engine_runs.append(mine)
        reference_runs.append(theirs)
        log(f"    run {index + 1}: engine pp {mine.prompt_tokens_per_second:6.1f} tg "
            f"{mine.generation_tokens_per_second:5.1f} · llama.cpp pp {theirs.prompt_tokens_per_second:6.1f} "
            f"tg {theirs.generation_tokens_per_second:5.1f} tok/s ({mine.generated_tokens} tokens written)")
    engine_pp = statistics.median(r.prompt_tokens_per_second for r in engine_runs)
    engine_tg = statistics.median(r.generation_tokens_per_second for r in engine_runs)
    reference_pp = statistics.median(r.prompt_tokens_per_second for r in reference_runs)
    reference_tg = statistics.median(r.generation_tokens_per_second for r in reference_runs)
    return {
        "engine_pp_ratio": engine_pp / reference_pp,
        "engine_tg_ratio": engine_tg / reference_tg if reference_tg else 0.0,
        "raw": {
            "prompt_tokens": statistics.median(r.prompt_tokens for r in engine_runs),
            "generated_tokens": [r.generated_tokens for r in engine_runs],
            "engine_pp_tokens_per_s": round(engine_pp, 2),
            "engine_tg_tokens_per_s": round(engine_tg, 2),
            "llama_cpp_pp_tokens_per_s": round(reference_pp, 2),
            "llama_cpp_tg_tokens_per_s": round(reference_tg, 2),
            "engine_runs": [_round_run(r.prompt_tokens_per_second, r.generation_tokens_per_second)
                            for r in engine_runs],
            "llama_cpp_runs": [_round_run(r.prompt_tokens_per_second, r.generation_tokens_per_second)
                               for r in reference_runs],
            "context": vars(context_shape_of(engine)),
            "sampler": vars(sampler),
        },
    }


def _engine_reuse(engine, messages: list[dict]) -> int:
    """How many of this prompt's tokens the engine will find in its KV cache."""
    return engine._reusable_prefix(engine.prompt_tokens(messages))


def _round_run(pp: float, tg: float) -> dict:
    return {"pp": round(pp, 2), "tg": round(tg, 2)}


@dataclass(frozen=True)
class SpeedCurve:
    """llama.cpp's cost of reading and writing as the context fills (attention grows with it).

    Reading n tokens from an empty cache takes a·n + c·n² seconds; writing one token at depth
    d takes g0 + g1·d seconds. Fitted to two reference runs of different prompt lengths."""

    a: float
    c: float
    g0: float
    g1: float

    def read_seconds(self, start: int, count: int) -> float:
        """Reading `count` tokens after `start` cached ones."""
        end = start + count
        return self.a * count + self.c * (end * end - start * start)

    def write_seconds(self, depth: int, count: int) -> float:
        """Writing `count` tokens after a context of `depth` tokens."""
        return count * self.g0 + self.g1 * (count * depth + count * count / 2)

    def as_dict(self) -> dict:
        return {"read_seconds_per_token": self.a, "read_quadratic": self.c,
                "write_seconds_per_token": self.g0, "write_per_depth": self.g1,
                "pp_tokens_per_s_at_512": 512 / self.read_seconds(0, 512),
                "pp_tokens_per_s_at_2048": 2048 / self.read_seconds(0, 2048),
                "tg_tokens_per_s_at_0": 1 / self.g0}


def measure_speed_curve(engine, reference: LlamaCppReference, prompts: PromptMaker, *,
                        lengths: tuple[int, int], generate: int, repeats: int) -> SpeedCurve:
    sampler = sampler_shape_of(engine)
    fits = []
    for length in lengths:
        timings = [reference.run(engine.prompt_tokens(prompts.messages(length)), generate, sampler)
                   for _ in range(repeats)]
        prompt = statistics.median(t.prompt_seconds for t in timings)
        step = statistics.median(t.generation_seconds / max(1, t.generated_tokens - 1) for t in timings)
        fits.append((timings[0].prompt_tokens, prompt, step))
    (n1, t1, s1), (n2, t2, s2) = fits
    c = max(0.0, (t2 / n2 - t1 / n1) / (n2 - n1))
    a = t1 / n1 - c * n1
    # Steps were taken from depth n to n + generate: their mean depth is n + generate / 2.
    d1, d2 = n1 + generate / 2, n2 + generate / 2
    g1 = max(0.0, (s2 - s1) / (d2 - d1))
    g0 = s1 - g1 * d1
    return SpeedCurve(a=a, c=c, g0=g0, g1=g1)
