"""What this computer can run: memory, cores, and a fit verdict per model.

The verdict is a rule of thumb, not a benchmark: llama.cpp maps the weights into memory and
adds a KV cache and scratch buffers on top, so a model needs a little more RAM than its file
size. "won't fit" means loading it would push the system into heavy swapping or fail; "may be
slow" means it loads but competes with other programs or has few cores to run on.

`memory_to_load` is the sharper figure the engine checks before loading a model (so the app
refuses with the numbers instead of being killed by the system): the weights, the KV cache
for the context it will use (from the GGUF's own shape), and the logits and scratch buffers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

import psutil

from app.core.errors import ModelLoadError

if TYPE_CHECKING:
    from app.core.models.gguf import GGUFInfo

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


#: Beyond the weights, KV cache and compute buffer: the tokenizer's caches, llama.cpp's and
#: llama-cpp-python's own memory (SmolLM2-135M at 8k context: ~40 MB in all).
OVERHEAD_BYTES = 64 * 1024**2


class NotEnoughMemoryError(ModelLoadError):
    """Loading would need more memory than the computer has free; `need` and `available` say how much."""

    def __init__(self, message: str, need: "MemoryNeed", available: int):
        super().__init__(message)
        self.need = need
        self.available = available


@dataclass(frozen=True)
class MemoryNeed:
    weights_bytes: int
    kv_cache_bytes: int
    #: llama.cpp's compute buffer (logits and activations of a full batch) and overhead.
    buffers_bytes: int
    n_ctx: int
    #: KV-cache bytes per token of context; 0 when the GGUF does not give its shape.
    kv_bytes_per_token: int

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_cache_bytes + self.buffers_bytes


def kv_bytes_per_token(info: "GGUFInfo") -> int:
    """KV cache per token: n_layer × (n_embd_k_gqa + n_embd_v_gqa) × 2 bytes (f16), from the
    GGUF's metadata; 0 when it lacks the shape (or gives it per layer, as a few architectures do)."""
    arch, meta = info.architecture, info.metadata

    def number(key: str, default: int | None = None) -> int | None:
        value = meta.get(f"{arch}.{key}", default)
        return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None

    n_layer, n_embd, n_head = number("block_count"), number("embedding_length"), number("attention.head_count")
    if not (arch and n_layer and n_embd and n_head):
        return 0
    n_head_kv = number("attention.head_count_kv", n_head)
    key_length = number("attention.key_length", n_embd // n_head)
    value_length = number("attention.value_length", n_embd // n_head)
    if not (n_head_kv and key_length and value_length):
        return 0
    return n_layer * n_head_kv * (key_length + value_length) * 2


def memory_to_load(info: "GGUFInfo", n_ctx: int, n_batch: int) -> MemoryNeed:
    """What loading `info`'s model with an `n_ctx`-token context and `n_batch` batches takes."""
    per_token = kv_bytes_per_token(info)
    vocab = info.vocab_size or 32_000
    embd = info.metadata.get(f"{info.architecture}.embedding_length")
    embd = embd if isinstance(embd, int) and embd > 0 else 4096
    # llama.cpp reserves its compute buffer for the worst batch: logits for every token of it
    # and the activations (SmolLM2-135M, 512-token batches: 98 MB reported, this gives 105).
    buffers = n_batch * (vocab + 8 * embd) * 4 + OVERHEAD_BYTES
    # Without the shape, assume a KV cache as large as a 7B Llama's per token (512 KB).
    kv = n_ctx * (per_token or 512 * 1024)
    return MemoryNeed(weights_bytes=info.file_size, kv_cache_bytes=kv, buffers_bytes=buffers, n_ctx=n_ctx,
                      kv_bytes_per_token=per_token)


def check_fits_in_memory(info: "GGUFInfo", n_ctx: int, n_batch: int, available_bytes: int | None = None) -> MemoryNeed:
    """Raise NotEnoughMemoryError, with the numbers, when loading would not fit in free memory."""
    need = memory_to_load(info, n_ctx, n_batch)
    available = probe_hardware().available_ram_bytes if available_bytes is None else available_bytes
    if need.total_bytes <= available:
        return need
    name = info.path.name
    message = (f"{name} needs about {_mb(need.total_bytes)} of memory to run ({_mb(need.weights_bytes)} for "
               f"the model, {_mb(need.kv_cache_bytes)} for a {n_ctx:,}-token context, {_mb(need.buffers_bytes)} "
               f"for working buffers), but only {_mb(available)} is free. ")
    room_for_context = available - need.weights_bytes - need.buffers_bytes
    fitting_ctx = room_for_context // need.kv_bytes_per_token if need.kv_bytes_per_token else 0
    if fitting_ctx >= 2048:
        fitting_ctx = fitting_ctx // 1024 * 1024
        message += (f"Close other programs, or set a smaller context in Settings → Inference (about "
                    f"{fitting_ctx:,} tokens would fit), or choose a smaller model.")
    else:
        message += "Close other programs, or choose a smaller model on the Models page."
    raise NotEnoughMemoryError(message, need, available)


def _mb(value: int) -> str:
    return f"{value / 1024**2:,.0f} MB" if value < GIB else _gb(value)


def _gb(value: int) -> str:
    return f"{value / GIB:.1f} GB"
