"""One whole summary in a fresh process, the way the app makes it, with every second accounted.

    python -m bench.summary_probe FILE --model GGUF [--max-output N]

Reads FILE with the app's reader, loads the model, summarizes with the app's Summarizer and
default options, and prints one JSON line: the time spent extracting, loading, in each engine
request (with the engine's own token counts), counting tokens for chunking, and in the rest of
the pipeline; and the process's peak resident memory. Run by bench/pipeline.py, in its own
process so that the peak memory is the summary's alone and no KV cache is shared with
anything measured before it. MATOME_HOME should point at an empty folder (no saved notes).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

RSS_SAMPLE_SECONDS = 0.05


class RssSampler:
    """Samples the resident set size while the summary runs: where the peak is reached."""

    def __init__(self):
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = time.perf_counter()

    def _run(self) -> None:
        statm = Path("/proc/self/statm")
        import resource

        page_mb = resource.getpagesize() / (1024 * 1024)
        while not self._stop.wait(RSS_SAMPLE_SECONDS):
            try:
                rss = int(statm.read_text().split()[1]) * page_mb
            except (OSError, ValueError, IndexError):
                return
            self.samples.append((time.perf_counter() - self._started, rss))

    def start(self) -> "RssSampler":
        self._thread.start()
        return self

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return max((rss for _t, rss in self.samples), default=0.0)


def instrument(engine) -> tuple[list[dict], dict]:
    """Wrap the engine so each request and each token count outside requests is timed."""
    calls: list[dict] = []
    counting = {"seconds": 0.0, "calls": 0}
    inside_request = [False]
    stream, count_tokens = engine.stream, engine.count_tokens

    def timed_stream(messages, **kwargs):
        started = time.perf_counter()
        inside_request[0] = True
        try:
            yield from stream(messages, **kwargs)
        finally:
            inside_request[0] = False
            s = engine.last_stats
            calls.append({"prompt_tokens": s.prompt_tokens, "reused_tokens": s.reused_tokens,
                          "generated_tokens": s.generated_tokens, "prompt_seconds": s.prompt_seconds,
                          "generation_seconds": s.generation_seconds, "stop_reason": s.stop_reason,
                          "wall_seconds": time.perf_counter() - started})

    def timed_count_tokens(text):
        if inside_request[0]:
            return count_tokens(text)
        started = time.perf_counter()
        try:
            return count_tokens(text)
        finally:
            counting["seconds"] += time.perf_counter() - started
            counting["calls"] += 1

    engine.stream = timed_stream
    engine.count_tokens = timed_count_tokens
    return calls, counting


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM). Not getrusage's ru_maxrss: Linux carries
    that over from the parent process across fork and exec, so it would report the parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cap_output(tokens: int) -> None:
    """For the smoke mode: every step writes at most `tokens` tokens."""
    from app.core import summarize

    summarize.MAP_OUTPUT_TOKENS = summarize.MERGE_OUTPUT_TOKENS = tokens
    summarize.FINAL_OUTPUT_TOKENS = {length: tokens for length in summarize.FINAL_OUTPUT_TOKENS}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--max-output", type=int, default=0)
    args = parser.parse_args(argv)

    from app.core.documents import load_document
    from app.core.engine import Engine
    from app.core.events import SummaryResult
    from app.core.settings import Settings
    from app.core.summarize import Summarizer, SummaryOptions

    if args.max_output:
        cap_output(args.max_output)
    settings = Settings()
    sampler = RssSampler().start()
    started = time.perf_counter()
    document = load_document(args.file)
    extracted = time.perf_counter()
    engine = Engine(args.model, settings.inference)
    loaded = time.perf_counter()
    calls, counting = instrument(engine)
    summarizer = Summarizer(engine, chunk_tokens=settings.summary.chunk_tokens)
    result = None
    for event in summarizer.summarize(document, SummaryOptions.from_settings(settings.summary)):
        if isinstance(event, SummaryResult):
            result = event
    finished = time.perf_counter()
    peak_sampled = sampler.stop()
    print(json.dumps({
        "file": str(args.file),
        "pages": document.page_count,
        "document_tokens": engine.count_tokens(document.text),
        "chunks": result.chunk_count,
        "extraction_seconds": extracted - started,
        "model_load_seconds": loaded - extracted,
        "summary_seconds": finished - loaded,
        "counting_seconds": counting["seconds"],
        "counting_calls": counting["calls"],
        "calls": calls,
        "prompt_tokens_read": result.prompt_tokens,
        "generated_tokens": result.generated_tokens,
        "summary_characters": len(result.text),
        "n_ctx": engine.n_ctx,
        "peak_rss_mb": peak_rss_mb(),
        "peak_rss_sampled_mb": peak_sampled,
        "rss_after_load_mb": _rss_at(sampler.samples, loaded - started),
    }))
    return 0


def _rss_at(samples: list[tuple[float, float]], moment: float) -> float:
    before = [rss for t, rss in samples if t <= moment]
    return before[-1] if before else 0.0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
