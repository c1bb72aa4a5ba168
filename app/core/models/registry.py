"""The record of installed models: `installed.json` in the models folder.

A model becomes installed only when its record is written, and that happens only after its
file is complete, verified and in its final place; so a partial download or copy never shows
up as installed. Records are keyed by id; paths inside the models folder are stored relative
to it, so the folder can be moved or synced as a whole.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator

from app.core import paths
from app.core.atomic import atomic_write_json

log = logging.getLogger(__name__)

MANIFEST_NAME = "installed.json"
MANIFEST_VERSION = 1
#: Sub-folder of the models folder holding partial downloads; never scanned for models.
PARTIAL_DIR = ".partial"
IMPORTED_DIR = "imported"

# Sources of an installed model.
DOWNLOADED = "downloaded"
IMPORTED = "imported"
BUNDLED = "bundled"
FOUND = "found"  # a .gguf someone put in the models folder by hand

_lock = threading.RLock()


@dataclass
class InstalledModel:
    id: str
    name: str
    path: Path
    size_bytes: int
    source: str
    catalog_id: str | None = None
    repo_id: str | None = None
    revision: str | None = None
    sha256: str | None = None
    installed_at: float | None = None
    #: True when `path` is a link to a file elsewhere (an import with --link).
    linked: bool = False
    #: For bundled models: the Python distribution that ships the file.
    package: str | None = None
    #: Cached GGUF facts (gguf.GGUFInfo.summary()); None for bundled models until read.
    details: dict[str, Any] | None = field(default=None)

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def removable(self) -> bool:
        return self.source != BUNDLED

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path)
        return data


def models_root(models_dir: str | Path | None = None, settings: Any = None) -> Path:
    """The models folder: explicit argument, else settings.models.models_dir, else the default."""
    chosen = models_dir or (getattr(getattr(settings, "models", None), "models_dir", "") if settings else "")
    root = (Path(chosen).expanduser() if chosen else paths.models_dir()).absolute()
    root.mkdir(parents=True, exist_ok=True)
    return root


def slug(text: str) -> str:
    """An id people can type: lowercase letters, digits, dots and dashes."""
    value = re.sub(r"[^a-z0-9._]+", "-", text.lower()).strip("-._")
    return value or "model"


def _manifest_path(root: Path) -> Path:
    return root / MANIFEST_NAME


def read_records(root: Path) -> dict[str, dict[str, Any]]:
    path = _manifest_path(root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except OSError:
        return {}
    except ValueError:
        # A damaged record file must not hide the models themselves: they are rediscovered
        # as "found" files, and the next install rewrites the record. The damaged file is kept
        # beside it for a bug report rather than overwritten.
        backup = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            path.replace(backup)
        except OSError:
            backup = path
        log.warning("The model records in %s could not be read; the models are listed from their "
                    "files and the damaged records were kept as %s.", path, backup.name)
        return {}
    records = data.get("models") if isinstance(data, dict) else None
    return {k: v for k, v in records.items() if isinstance(v, dict)} if isinstance(records, dict) else {}


def _write_records(root: Path, records: dict[str, dict[str, Any]]) -> None:
    atomic_write_json(_manifest_path(root), {"schema_version": MANIFEST_VERSION, "models": records})


@contextmanager
def editing(root: Path) -> Iterator[dict[str, dict[str, Any]]]:
    """Read-modify-write the records under a lock (threads) and a lock file (processes)."""
    from filelock import FileLock

    with _lock, FileLock(str(root / ".installed.lock")):
        records = read_records(root)
        yield records
        _write_records(root, records)


def unique_id(wanted: str, taken: set[str]) -> str:
    candidate, number = wanted, 2
    while candidate in taken:
        candidate, number = f"{wanted}-{number}", number + 1
    return candidate


def record_model(root: Path, model: InstalledModel) -> InstalledModel:
    """Store `model`'s record (its id made unique if needed) and return it."""
    with editing(root) as records:
        same_file = [key for key, rec in records.items() if _resolve(root, rec.get("path", "")) == model.path]
        for key in same_file:
            del records[key]
        model.id = unique_id(model.id, set(records))
        model.installed_at = model.installed_at or time.time()
        data = model.to_json()
        data["path"] = _store_path(root, model.path)
        del data["id"]
        records[model.id] = data
    return model


def forget_model(root: Path, model_id: str) -> None:
    with editing(root) as records:
        records.pop(model_id, None)


def model_from_record(root: Path, model_id: str, record: dict[str, Any]) -> InstalledModel | None:
    """The InstalledModel a record describes, or None when its file has gone missing."""
    path = _resolve(root, str(record.get("path", "")))
    try:
        size = path.stat().st_size
    except OSError:
        return None
    known = {f for f in InstalledModel.__dataclass_fields__ if f not in ("id", "path", "size_bytes")}
    values = {key: record[key] for key in known if key in record}
    values.setdefault("name", path.stem)
    values.setdefault("source", FOUND)
    return InstalledModel(id=model_id, path=path, size_bytes=size, **values)


def _store_path(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _resolve(root: Path, stored: str) -> Path:
    path = Path(stored)
    return path if path.is_absolute() else root / path
