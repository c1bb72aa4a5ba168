"""The one typed settings schema, its defaults, and its JSON file.

Preferences live in `settings.json` under the config folder; window geometry and other
state the user never edits belong elsewhere (the UI keeps its own state file). Loading never
fails: a corrupt or unreadable file is moved aside, defaults are used, and `LoadResult.problem`
says what happened so the UI can tell the user.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.atomic import atomic_write_json

SCHEMA_VERSION = 1

LENGTHS = ("short", "medium", "long")
FORMATS = ("bullets", "paragraph", "key_points")
OUTPUT_LANGUAGES = ("auto", "ja", "en")
UI_LANGUAGES = ("system", "ja", "en")


@dataclass
class InferenceSettings:
    #: Context window in tokens; 0 means "the model's own, capped by max_context".
    n_ctx: int = 0
    max_context: int = 8192
    #: CPU threads; 0 means "one per physical core".
    n_threads: int = 0
    n_batch: int = 512
    n_gpu_layers: int = 0
    temperature: float = 0.2
    top_p: float = 0.9
    repeat_penalty: float = 1.15
    seed: int = 42


@dataclass
class SummarySettings:
    length: str = "medium"
    format: str = "bullets"
    language: str = "auto"
    focus: str = ""
    #: Largest chunk handed to the model in one map step. Small models lose the thread on long
    #: prompts well before their nominal context is full, so this is far below n_ctx.
    chunk_tokens: int = 1500


@dataclass
class LimitSettings:
    max_pages: int = 2000
    max_megabytes: int = 200
    #: A Word file is a ZIP whose parts python-docx unpacks into memory; a few kilobytes can
    #: claim gigabytes (a zip bomb), so the parts' total and their number are checked first.
    max_unpacked_megabytes: int = 1000
    max_zip_members: int = 10000
    #: Reading runs in a separate process that is stopped after this long or when it uses more
    #: memory than this: a file built to hang or exhaust a reader costs one error, not the app.
    max_read_seconds: int = 180
    max_reader_megabytes: int = 2048


@dataclass
class ModelSettings:
    #: Path of the GGUF file to use, or "" for the best installed one (the bundled starter).
    active_model: str = ""
    #: Where downloaded and imported models live; "" means the default under the data folder.
    models_dir: str = ""


@dataclass
class UISettings:
    language: str = "system"
    #: Where the library database lives; "" means the default under the data folder.
    library_dir: str = ""


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    inference: InferenceSettings = field(default_factory=InferenceSettings)
    summary: SummarySettings = field(default_factory=SummarySettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    models: ModelSettings = field(default_factory=ModelSettings)
    ui: UISettings = field(default_factory=UISettings)

    def validate(self) -> list[str]:
        """Human-readable problems; empty when the settings can be saved."""
        problems = []
        inf = self.inference
        if inf.n_ctx and not 512 <= inf.n_ctx <= 131072:
            problems.append("Context size must be between 512 and 131072 tokens (or 0 for automatic).")
        if not 0 <= inf.n_threads <= 256:
            problems.append("Threads must be between 0 (automatic) and 256.")
        if not 8 <= inf.n_batch <= 8192:
            problems.append("Batch size must be between 8 and 8192.")
        if inf.n_gpu_layers < -1:
            problems.append("GPU layers must be -1 (all), 0 (none) or a positive number.")
        if not 0.0 <= inf.temperature <= 2.0:
            problems.append("Temperature must be between 0 and 2.")
        if not 1.0 <= inf.repeat_penalty <= 2.0:
            problems.append("Repetition penalty must be between 1.0 and 2.0.")
        s = self.summary
        if s.length not in LENGTHS:
            problems.append(f"Summary length must be one of {', '.join(LENGTHS)}.")
        if s.format not in FORMATS:
            problems.append(f"Summary format must be one of {', '.join(FORMATS)}.")
        if s.language not in OUTPUT_LANGUAGES:
            problems.append(f"Output language must be one of {', '.join(OUTPUT_LANGUAGES)}.")
        if not 256 <= s.chunk_tokens <= 16384:
            problems.append("Chunk size must be between 256 and 16384 tokens.")
        limits = self.limits
        if limits.max_pages < 1 or limits.max_megabytes < 1 or limits.max_unpacked_megabytes < 1:
            problems.append("Document limits must be at least one page and one megabyte.")
        if limits.max_zip_members < 10:
            problems.append("A Word file must be allowed at least 10 parts.")
        if limits.max_read_seconds < 5:
            problems.append("The time limit for reading a file must be at least 5 seconds.")
        if limits.max_reader_megabytes < 512:
            problems.append("The memory limit for reading a file must be at least 512 MB.")
        if self.ui.language not in UI_LANGUAGES:
            problems.append(f"Interface language must be one of {', '.join(UI_LANGUAGES)}.")
        return problems


@dataclass
class LoadResult:
    settings: Settings
    #: Set when the file could not be used as it was; a message for the user.
    problem: str | None = None


def settings_path() -> Path:
    return paths.config_dir() / "settings.json"


def _from_dict(cls: type, data: Any) -> Any:
    """Build dataclass `cls` from `data`, keeping defaults for missing or mistyped fields."""
    instance = cls()
    if not isinstance(data, dict):
        return instance
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        current = getattr(instance, f.name)
        value = data[f.name]
        if dataclasses.is_dataclass(current):
            setattr(instance, f.name, _from_dict(type(current), value))
        elif isinstance(current, bool):
            if isinstance(value, bool):
                setattr(instance, f.name, value)
        elif isinstance(current, int):
            if isinstance(value, int) and not isinstance(value, bool):
                setattr(instance, f.name, value)
        elif isinstance(current, float):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                setattr(instance, f.name, float(value))
        elif isinstance(current, str):
            if isinstance(value, str):
                setattr(instance, f.name, value)
    return instance


def _migrate(data: dict) -> dict:
    # Version 1 is the first schema; later versions add their steps here.
    data["schema_version"] = SCHEMA_VERSION
    return data


def load(path: Path | None = None) -> LoadResult:
    path = path or settings_path()
    if not path.exists():
        return LoadResult(Settings())
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        backup = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            path.replace(backup)
            where = f"It was moved to {backup}."
        except OSError:
            where = "It could not be moved aside."
        return LoadResult(
            Settings(),
            problem=f"The settings file could not be read ({exc}). Default settings are in use. {where}",
        )
    settings = _from_dict(Settings, _migrate(data))
    problems = settings.validate()
    if problems:
        return LoadResult(Settings(), problem="The settings file had invalid values, so defaults are in use: "
                          + " ".join(problems))
    return LoadResult(settings)


def save(settings: Settings, path: Path | None = None) -> None:
    problems = settings.validate()
    if problems:
        raise ValueError(" ".join(problems))
    atomic_write_json(path or settings_path(), dataclasses.asdict(settings))
