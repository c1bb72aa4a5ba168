"""Where Matome keeps its files.

Everything lives under platformdirs' per-user folders, or under one folder named by the
MATOME_HOME environment variable (portable installs, tests) so that nothing leaks into the
folders of other tools.

The folders hold the text of private documents, their summaries and the notes made from
them, so they are readable by their owner only (0700; the files in them 0600, see
`private_file`). Other accounts on a shared computer cannot list or open them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

APP_NAME = "Matome"
HOME_ENV = "MATOME_HOME"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def _root_override() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value).expanduser() if value else None


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) readable by the owner only; an existing folder
    that others could read is tightened. Returns `path`."""
    path = Path(path)
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty if missing, readable and writable by the owner only; an existing
    file is tightened. SQLite gives its -wal and -shm files the mode of the database, so
    creating the database this way keeps those private too."""
    path = Path(path)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:
        pass
    _tighten(path, PRIVATE_FILE_MODE)
    return path


def _tighten(path: Path, mode: int) -> None:
    if os.name != "posix":
        return  # Windows: the per-user profile folders are already private
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current & ~mode:
            os.chmod(path, current & mode)
    except OSError:
        # A folder on a filesystem without Unix permissions (FAT USB stick, some network
        # shares) cannot be tightened; it still works.
        pass


def config_dir() -> Path:
    root = _root_override()
    return private_dir(root / "config" if root else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)))


def data_dir() -> Path:
    root = _root_override()
    return private_dir(root / "data" if root else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))


def cache_dir() -> Path:
    root = _root_override()
    return private_dir(root / "cache" if root else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)))


def models_dir() -> Path:
    return private_dir(data_dir() / "models")


def resources_dir() -> Path:
    """The project's `resources/` folder (beside `app/` in a checkout or a frozen bundle)."""
    here = Path(__file__).resolve().parent.parent.parent
    return here / "resources"
