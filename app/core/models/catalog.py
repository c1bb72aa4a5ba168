"""The curated model catalog (`resources/models.json`): what it lists and what it recommends.

Entries are read once per call and validated field by field, so a hand-edited catalog with a
mistake fails with a message naming the entry, not with a KeyError deep in the GUI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.errors import ModelError, ModelNotFoundError
from app.core.models.hardware import GIB, Hardware, FitVerdict, fit_verdict

CATALOG_SCHEMA_VERSION = 1
#: Language used for recommendations when the requested one has no default of its own.
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    name: str
    repo_id: str
    filename: str
    quantization: str
    #: Estimated file size, for display and the disk check; the hub's real size wins at download.
    size_bytes: int
    parameters: int
    context_length: int
    languages: tuple[str, ...]
    license: str
    min_ram_gb: float
    description: str
    revision: str = "main"

    @property
    def min_ram_bytes(self) -> int:
        return int(self.min_ram_gb * GIB)

    def fit(self, hardware: Hardware | None = None) -> FitVerdict:
        return fit_verdict(
            self.size_bytes, hardware, min_ram_bytes=self.min_ram_bytes, parameter_count=self.parameters
        )

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["languages"] = list(self.languages)
        return data


@dataclass(frozen=True)
class RamTier:
    label: str
    #: Upper bound of total RAM for this tier, in GB; None for the top tier.
    max_ram_gb: float | None
    #: Language code → catalog id of the default model for that language.
    defaults: dict[str, str]


@dataclass(frozen=True)
class Catalog:
    entries: tuple[CatalogEntry, ...]
    tiers: tuple[RamTier, ...]

    def get(self, model_id: str) -> CatalogEntry:
        for entry in self.entries:
            if entry.id == model_id.strip().lower():
                return entry
        known = ", ".join(entry.id for entry in self.entries)
        raise ModelNotFoundError(f"There is no model called '{model_id}' in the catalog. Known models: {known}.")

    def find_file(self, repo_id: str, filename: str) -> CatalogEntry | None:
        for entry in self.entries:
            if entry.repo_id.lower() == repo_id.lower() and entry.filename == filename:
                return entry
        return None

    def tier_for(self, total_ram_bytes: int) -> RamTier:
        ram_gb = total_ram_bytes / GIB
        for tier in self.tiers:
            if tier.max_ram_gb is None or ram_gb <= tier.max_ram_gb:
                return tier
        return self.tiers[-1]

    def recommend(self, total_ram_bytes: int, language: str = FALLBACK_LANGUAGE) -> CatalogEntry:
        """The default model for a machine with this much RAM and documents in `language`."""
        defaults = self.tier_for(total_ram_bytes).defaults
        model_id = defaults.get(language) or defaults.get(FALLBACK_LANGUAGE) or next(iter(defaults.values()))
        return self.get(model_id)

    def recommended_ids(self, total_ram_bytes: int) -> dict[str, str]:
        """Language → recommended catalog id for this machine's tier (for marking the list)."""
        return dict(self.tier_for(total_ram_bytes).defaults)


def catalog_path() -> Path:
    return paths.resources_dir() / "models.json"


def load_catalog(path: Path | None = None) -> Catalog:
    path = path or catalog_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"The model catalog is missing ({path}). Reinstall Matome.") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"The model catalog {path} cannot be read ({exc}). Reinstall Matome.") from None
    if not isinstance(data, dict) or data.get("schema_version") != CATALOG_SCHEMA_VERSION:
        raise ModelError(
            f"The model catalog {path} has schema version {data.get('schema_version') if isinstance(data, dict) else '?'}; "
            f"this Matome reads version {CATALOG_SCHEMA_VERSION}. Reinstall Matome."
        )
    entries = tuple(_entry(raw, path) for raw in data.get("models", []))
    ids = [entry.id for entry in entries]
    if len(set(ids)) != len(ids):
        raise ModelError(f"The model catalog {path} lists a model id twice.")
    tiers = tuple(_tier(raw, path, set(ids)) for raw in data.get("recommendations", []))
    if not entries or not tiers:
        raise ModelError(f"The model catalog {path} lists no models or no recommendations.")
    return Catalog(entries=entries, tiers=tiers)


_REQUIRED = {
    "id": str, "name": str, "repo_id": str, "filename": str, "quantization": str, "size_bytes": int,
    "parameters": int, "context_length": int, "languages": list, "license": str,
    "min_ram_gb": (int, float), "description": str,
}


def _entry(raw: Any, path: Path) -> CatalogEntry:
    label = raw.get("id", "?") if isinstance(raw, dict) else "?"
    if not isinstance(raw, dict):
        raise ModelError(f"The model catalog {path} has an entry that is not an object.")
    for key, kind in _REQUIRED.items():
        if not isinstance(raw.get(key), kind) or isinstance(raw.get(key), bool):
            raise ModelError(f"The model catalog {path}: entry '{label}' has a missing or wrong '{key}'.")
    if "/" not in raw["repo_id"] or not raw["filename"].endswith(".gguf"):
        raise ModelError(f"The model catalog {path}: entry '{label}' needs an owner/name repo and a .gguf file.")
    return CatalogEntry(
        id=raw["id"].lower(),
        name=raw["name"],
        repo_id=raw["repo_id"],
        filename=raw["filename"],
        quantization=raw["quantization"],
        size_bytes=raw["size_bytes"],
        parameters=raw["parameters"],
        context_length=raw["context_length"],
        languages=tuple(str(code) for code in raw["languages"]),
        license=raw["license"],
        min_ram_gb=float(raw["min_ram_gb"]),
        description=raw["description"],
        revision=str(raw.get("revision", "main")),
    )


def _tier(raw: Any, path: Path, ids: set[str]) -> RamTier:
    if not isinstance(raw, dict) or not isinstance(raw.get("default"), dict) or not raw["default"]:
        raise ModelError(f"The model catalog {path} has a recommendation without defaults.")
    unknown = [model_id for model_id in raw["default"].values() if model_id not in ids]
    if unknown:
        raise ModelError(f"The model catalog {path} recommends unknown models: {', '.join(unknown)}.")
    max_ram = raw.get("max_ram_gb")
    return RamTier(
        label=str(raw.get("tier", "")),
        max_ram_gb=float(max_ram) if isinstance(max_ram, (int, float)) else None,
        defaults={str(k): str(v) for k, v in raw["default"].items()},
    )
