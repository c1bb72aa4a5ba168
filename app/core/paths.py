"""Where Matome keeps its files.

Everything lives under platformdirs' per-user folders, or under one folder named by the
MATOME_HOME environment variable (portable installs, tests) so that nothing leaks into the
folders of other tools.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Matome"
HOME_ENV = "MATOME_HOME"


def _root_override() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    root = _root_override()
    path = root / "config" if root else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    root = _root_override()
    path = root / "data" if root else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    root = _root_override()
    path = root / "cache" if root else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    path = data_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resources_dir() -> Path:
    """The project's `resources/` folder (beside `app/` in a checkout or a frozen bundle)."""
    here = Path(__file__).resolve().parent.parent.parent
    return here / "resources"
