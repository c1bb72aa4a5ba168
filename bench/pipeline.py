"""Measurements 2, 4 (share), 7 and 8: whole summaries in fresh processes, against the model
time llama.cpp would need for the same tokens.

Each summary runs in bench/summary_probe.py's own process. Its wall time (extraction +
summary) is set against the pure model time implied by the tokens it read and wrote, priced
with llama.cpp's speed curve measured earlier in the same run (bench/engine_speed.py); what
is left over is split into extraction, model loading, the engine's Python, token counting for
chunking, and the rest of the pipeline. The same runs give the peak memory and, over several
document sizes, how the cost grows with the number of tokens.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.engine_speed import SpeedCurve
from bench.machine import PROJECT_ROOT

PROBE_TIMEOUT_SECONDS = 3 * 60 * 60


def page_subset(source: Path, pages: int, folder: Path) -> Path:
    """The first `pages` pages of `source` as a PDF of their own (text layer intact), so the
    app reads, hashes and extracts it exactly like a file a person opened."""
    import pypdfium2

    document = pypdfium2.PdfDocument(source)
    try:
        if pages >= len(document):
            return source
        subset = pypdfium2.PdfDocument.new()
        subset.import_pages(document, list(range(pages)))
        target = folder / f"{source.stem}-first-{pages}-pages.pdf"
        subset.save(target)
        subset.close()
        return target
    finally:
        document.close()


def run_summary_probe(file: Path, model: Path, *, max_output: int = 0) -> dict:
    """Summarize `file` in a fresh process with an empty Matome home; its JSON report."""
    with tempfile.TemporaryDirectory(prefix="matome-bench-home-") as home:
        command = [sys.executable, "-m", "bench.summary_probe", str(file), "--model", str(model)]
        if max_output:
            command += ["--max-output", str(max_output)]
        finished = subprocess.run(command, cwd=PROJECT_ROOT, env={**os.environ, "MATOME_HOME": home},
                                  capture_output=True, text=True, timeout=PROBE_TIMEOUT_SECONDS)
    if finished.returncode != 0:
        raise RuntimeError(f"summary probe failed on {file.name}:\n{finished.stderr[-3000:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def implied_model_seconds(call: dict, curve: SpeedCurve) -> float:
    """What llama.cpp alone needs for one request: read the tokens not reused, then write.

    The first token is sampled at the end of reading; each further step decodes one token.
    A reply that ended by itself also decoded its last token (to find the end)."""
    read = curve.read_seconds(call["reused_tokens"], call["prompt_tokens"] - call["reused_tokens"])
    steps = call["generated_tokens"] - (0 if call["stop_reason"] == "end" else 1)
    return read + curve.write_seconds(call["prompt_tokens"], max(0, steps))


def pipeline_breakdown(probe: dict, curve: SpeedCurve) -> dict:
    """Where a summary's wall time went, in seconds and as shares of it."""
    model = sum(implied_model_seconds(call, curve) for call in probe["calls"])
    in_engine = sum(call["wall_seconds"] for call in probe["calls"])
    wall = probe["extraction_seconds"] + probe["summary_seconds"]
    parts = {
        "model_llama_cpp": model,
        "engine_python_and_prompt_formatting": in_engine - model,
        "extraction": probe["extraction_seconds"],
        "token_counting_for_chunks": probe["counting_seconds"],
        "rest_of_pipeline": probe["summary_seconds"] - in_engine - probe["counting_seconds"],
    }
    return {
        "wall_seconds": wall,
        "pure_model_seconds": model,
        "overhead_ratio": wall / model if model else 0.0,
        "seconds": {name: round(value, 3) for name, value in parts.items()},
        "shares": {name: round(value / wall, 4) for name, value in parts.items()},
        "model_load_seconds_not_counted": round(probe["model_load_seconds"], 3),
        "requests": len(probe["calls"]),
        "prompt_tokens_read": probe["prompt_tokens_read"],
        "prompt_tokens_reused": sum(call["reused_tokens"] for call in probe["calls"]),
        "generated_tokens": probe["generated_tokens"],
        "document_tokens": probe["document_tokens"],
        "chunks": probe["chunks"],
    }


def kv_cache_bytes(model: Path, n_ctx: int) -> dict:
    """The f16 KV cache llama.cpp allocates for `n_ctx` tokens, from the GGUF's own metadata."""
    from app.core.models.gguf import read_gguf

    info = read_gguf(model)
    meta = info.metadata
    arch = meta["general.architecture"]
    n_layer = int(meta[f"{arch}.block_count"])
    n_embd = int(meta[f"{arch}.embedding_length"])
    n_head = int(meta[f"{arch}.attention.head_count"])
    n_head_kv = int(meta.get(f"{arch}.attention.head_count_kv", n_head))
    key_length = int(meta.get(f"{arch}.attention.key_length", n_embd // n_head))
    value_length = int(meta.get(f"{arch}.attention.value_length", n_embd // n_head))
    n_embd_k_gqa, n_embd_v_gqa = key_length * n_head_kv, value_length * n_head_kv
    f16_bytes = 2
    total = n_ctx * n_layer * (n_embd_k_gqa + n_embd_v_gqa) * f16_bytes
    return {"n_ctx": n_ctx, "n_layer": n_layer, "n_embd_k_gqa": n_embd_k_gqa, "n_embd_v_gqa": n_embd_v_gqa,
            "type": "f16", "bytes": total}


def memory_figures(probe: dict, model: Path) -> dict:
    kv = kv_cache_bytes(model, probe["n_ctx"])
    model_mb = model.stat().st_size / 2**20
    kv_mb = kv["bytes"] / 2**20
    budget_mb = 1.2 * (model_mb + kv_mb) + 300
    peak = probe["peak_rss_mb"]
    return {
        # The goal as a ratio: peak ÷ the allowed 1.2 × (model + KV) + 300 MB; ≤ 1 meets it.
        "rss_ratio": peak / budget_mb,
        "raw": {
            "peak_rss_mb": round(peak, 1),
            "rss_after_model_load_mb": round(probe["rss_after_load_mb"], 1),
            "model_file_mb": round(model_mb, 1),
            "kv_cache_mb": round(kv_mb, 1),
            "kv_cache": kv,
            "budget_mb": round(budget_mb, 1),
            "peak_over_model_plus_kv": round(peak / (model_mb + kv_mb), 3),
            "document": Path(probe["file"]).name,
        },
    }


def scaling_figures(probes: list[dict]) -> dict:
    """Does a summary's cost grow linearly with the document's tokens?

    Linear growth means the same cost per document token at every size: the figure is the
    largest distance of a run's seconds per token from the runs' median, as a share of it.
    Quadratic work (detokenizing everything so far, re-reading) makes the cost per token climb
    with the size, by a factor, not by a few per cent.

    A straight line t = fixed + per_token × tokens fitted through the three runs is kept in the
    raw figures, but is not the headline: its intercept is set by the two long runs, so a few
    per cent of noise in them moves it by ten seconds or more, and the short run (15 s in all)
    then reads as "67% off the line" (seen on a quiet machine, with the cost per token within
    ±7% across the three sizes)."""
    points = [(p["document_tokens"], p["extraction_seconds"] + p["summary_seconds"]) for p in probes]
    per_token = [y / x for x, y in points]
    median = statistics.median(per_token)
    deviations = [abs(cost / median - 1) for cost in per_token]
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0
    fixed = mean_y - slope * mean_x
    return {
        "scaling_max_deviation": max(deviations),
        "raw": {
            "runs": [{"pages": p["pages"], "document_tokens": p["document_tokens"],
                      "seconds": round(y, 2), "ms_per_document_token": round(1000 * y / x, 3),
                      "prompt_tokens_read_per_document_token": round(p["prompt_tokens_read"] / x, 3),
                      "deviation_from_median_cost_per_token": round(d, 4),
                      "deviation_from_fitted_line": round(abs(y - (fixed + slope * x)) / y, 4)}
                     for p, (x, y), d in zip(probes, points, deviations)],
            "median_ms_per_document_token": round(1000 * median, 4),
            "fitted_fixed_seconds": round(fixed, 3),
            "fitted_ms_per_token": round(1000 * slope, 4),
        },
    }
