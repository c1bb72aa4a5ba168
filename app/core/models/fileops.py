"""File chores shared by downloads and imports: hashing, hashed copies, free space, sizes.

`free_disk_bytes` is the one place free space is measured; tests replace it to simulate a
full disk.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from app.core.errors import ModelError
from app.core.models.progress import RateMeter, TransferControl

CHUNK_BYTES = 1024 * 1024
#: Space left free after a model is written, so the system and the library stay usable.
DISK_MARGIN_BYTES = 256 * 1024 * 1024


def free_disk_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def ensure_free_space(folder: Path, needed_bytes: int, what: str) -> None:
    """Refuse, with numbers, when `folder`'s drive cannot hold `needed_bytes` plus a margin."""
    free = free_disk_bytes(folder)
    if free < needed_bytes + DISK_MARGIN_BYTES:
        raise ModelError(
            f"Not enough disk space for {what}: it needs {format_bytes(needed_bytes)} "
            f"(plus {format_bytes(DISK_MARGIN_BYTES)} to spare), but only {format_bytes(free)} is free "
            f"on the drive holding {folder}. Free some space, or choose another models folder in Settings."
        )


def hash_file(path: Path, *, meter: RateMeter | None = None, control: TransferControl | None = None,
              phase: str = "verifying") -> str:
    """SHA-256 of `path` as lowercase hex, reporting progress and honouring pause/cancel."""
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            if control is not None:
                control.check()
            digest.update(chunk)
            done += len(chunk)
            if meter is not None:
                meter.update(phase, done, total)
    if meter is not None:
        meter.update(phase, done, total, force=True)
    return digest.hexdigest()


def copy_hashed(source: Path, target: Path, *, meter: RateMeter | None = None,
                control: TransferControl | None = None) -> str:
    """Copy `source` to `target` (written and flushed to disk), returning the SHA-256 of what
    was written. On any failure or cancel, `target` is removed."""
    digest = hashlib.sha256()
    total = source.stat().st_size
    done = 0
    try:
        with open(source, "rb") as reader, open(target, "wb") as writer:
            while chunk := reader.read(CHUNK_BYTES):
                if control is not None:
                    control.check()
                writer.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if meter is not None:
                    meter.update("copying", done, total)
            writer.flush()
            os.fsync(writer.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if meter is not None:
        meter.update("copying", done, total, force=True)
    return digest.hexdigest()


def fsync_path(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def format_bytes(value: int | float | None) -> str:
    if value is None:
        return "?"
    value = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if abs(value) < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"
