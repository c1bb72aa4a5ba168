"""What this computer can run: memory, cores, and a fit verdict per model.

The verdict is a rule of thumb, not a benchmark: llama.cpp maps the weights into memory and
adds a KV cache and scratch buffers on top, so a model needs a little more RAM than its file
size. "won't fit" means loading it would push the system into heavy swapping or fail; "may be
slow" means it loads but competes with other programs or has few cores to run on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum

import psutil

GIB = 1024**3
#: Memory the operating system and the Matome window itself keep for themselves.
SYSTEM_RESERVE_BYTES = int(1.5 * GIB)
#: KV cache and scratch buffers for a few thousand tokens of context on a small model.
RUNTIME_OVERHEAD_BYTES = int(0.6 * GIB)
#: Below this many physical cores, models of 3B parameters and up generate slowly.
FEW_CORES = 4
LARGE_MODEL_PARAMETERS = 3_000_000_000


class Fit(str, Enum):
    FITS = "fits"
    MAY_BE_SLOW = "may be slow"
    WONT_FIT = "won't fit"


@dataclass(frozen=True)
class Hardware:
    total_ram_bytes: int
    available_ram_bytes: int
    physical_cores: int
    logical_cores: int

    @property
    def total_ram_gb(self) -> float:
        return self.total_ram_bytes / GIB


@dataclass(frozen=True)
class FitVerdict:
    fit: Fit
    #: RAM the model is estimated to need while it runs.
    needed_ram_bytes: int
    #: One sentence explaining the verdict, for a tooltip or the CLI.
    reason: str

    @property
    def label(self) -> str:
        return self.fit.value


def probe_hardware() -> Hardware:
    memory = psutil.virtual_memory()
    logical = psutil.cpu_count(logical=True) or os.cpu_count() or 1
    physical = psutil.cpu_count(logical=False) or logical
    return Hardware(
        total_ram_bytes=int(memory.total),
        available_ram_bytes=int(memory.available),
        physical_cores=int(physical),
        logical_cores=int(logical),
    )


def estimate_needed_ram(file_size_bytes: int, min_ram_bytes: int = 0) -> int:
    """RAM a model needs while running: its weights plus runtime overhead, or the catalog's
    stated minimum if that is higher."""
    return max(int(file_size_bytes * 1.05) + RUNTIME_OVERHEAD_BYTES, min_ram_bytes)


def fit_verdict(
    file_size_bytes: int,
    hardware: Hardware | None = None,
    *,
    min_ram_bytes: int = 0,
    parameter_count: int | None = None,
) -> FitVerdict:
    hardware = hardware or probe_hardware()
    needed = estimate_needed_ram(file_size_bytes, min_ram_bytes)
    usable = hardware.total_ram_bytes - SYSTEM_RESERVE_BYTES
    need_text = _gb(needed)
    if needed > usable:
        return FitVerdict(
            Fit.WONT_FIT,
            needed,
            f"Needs about {need_text} of memory; this computer has {_gb(hardware.total_ram_bytes)} in all.",
        )
    if needed > hardware.available_ram_bytes:
        return FitVerdict(
            Fit.MAY_BE_SLOW,
            needed,
            f"Needs about {need_text}; only {_gb(hardware.available_ram_bytes)} is free now, "
            "so other programs will be pushed aside while it runs.",
        )
    if parameter_count and parameter_count >= LARGE_MODEL_PARAMETERS and hardware.physical_cores < FEW_CORES:
        return FitVerdict(
            Fit.MAY_BE_SLOW,
            needed,
            f"Fits in memory, but {hardware.physical_cores} processor cores make a model this size slow.",
        )
    return FitVerdict(Fit.FITS, needed, f"Needs about {need_text}; {_gb(hardware.available_ram_bytes)} is free.")


def _gb(value: int) -> str:
    return f"{value / GIB:.1f} GB"
