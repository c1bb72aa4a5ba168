"""Atomic, durable file writes: a reader — or Matome after a crash or a cut in the power —
sees the old file or the new one, never half of either.

The data is written to a temporary file beside the target and flushed to the disk (fsync)
before it is renamed over the target; the folder is flushed after the rename, because on
POSIX filesystems the rename itself only reaches the disk with its folder. The temporary
file is created readable by the owner only (mkstemp), so what it holds is never exposed.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

#: Suffix of the temporary files; a crash can leave one behind (see `leftovers`).
TEMP_SUFFIX = ".tmp"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, value: Any) -> None:
    atomic_write_text(path, json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def leftovers(path: Path) -> list[Path]:
    """Temporary files a killed writer of `path` left behind (they hold a full or partial
    copy of what was being written)."""
    path = Path(path)
    return sorted(path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}"))


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename, a new or deleted file) to the disk. Windows has no
    such call and needs none: its renames are journaled with the file."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some network filesystems refuse fsync on a folder; the data itself is flushed
    finally:
        os.close(fd)
