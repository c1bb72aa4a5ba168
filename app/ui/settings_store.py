"""The settings the running app uses, and the one place they are changed.

`SettingsStore` holds the current `Settings`; `apply()` validates a new copy, writes it
atomically (app.core.settings.save) and then tells listeners which sections changed. Services
(the model worker, the library, the translators) listen to `changed`; dialogs only call
`apply()`, never the services themselves.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.core import settings as core_settings
from app.core.errors import MatomeError
from app.core.settings import LoadResult, Settings

#: The sections of Settings a listener can be told about.
SECTIONS = ("inference", "summary", "limits", "models", "ui")


class SettingsError(MatomeError):
    """New settings were refused (invalid) or could not be written; nothing was changed."""


def changed_sections(old: Settings, new: Settings) -> frozenset[str]:
    return frozenset(name for name in SECTIONS if getattr(old, name) != getattr(new, name))


class SettingsStore(QObject):
    """The current settings.

    Signals:
        changed(frozenset[str]): after `apply()` wrote new settings; the names of the sections
            that differ ("inference", "summary", "limits", "models", "ui").
    """

    changed = Signal(object)

    def __init__(self, loaded: LoadResult | Settings | None = None, *, path: Path | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        if isinstance(loaded, Settings):
            loaded = LoadResult(loaded)
        loaded = loaded or LoadResult(Settings())
        self._path = path
        self._settings = copy.deepcopy(loaded.settings)
        self._problem = loaded.problem

    @classmethod
    def load(cls, path: Path | None = None, parent: QObject | None = None) -> "SettingsStore":
        """Read the settings file. A corrupt file never fails: the core moves it aside and
        defaults are used; `take_problem()` then says what happened."""
        return cls(core_settings.load(path), path=path, parent=parent)

    @property
    def settings(self) -> Settings:
        """A copy of the current settings (edit it freely, then `apply()` it)."""
        return copy.deepcopy(self._settings)

    @property
    def path(self) -> Path:
        return self._path or core_settings.settings_path()

    @property
    def has_problem(self) -> bool:
        return self._problem is not None

    def take_problem(self) -> str | None:
        """What went wrong reading the settings file, once: whoever shows it to the user takes
        it, so the user is told exactly one time."""
        problem, self._problem = self._problem, None
        return problem

    def apply(self, new_settings: Settings) -> frozenset[str]:
        """Validate, save atomically, adopt, and emit `changed` with the sections that differ.

        Raises SettingsError (nothing saved, nothing emitted) if the settings are invalid or
        the file cannot be written. Returns the changed sections (empty: nothing to do)."""
        problems = new_settings.validate()
        if problems:
            raise SettingsError(" ".join(problems))
        sections = changed_sections(self._settings, new_settings)
        if not sections and self.path.exists():
            return sections
        try:
            core_settings.save(new_settings, self._path)
        except OSError as error:
            raise SettingsError(
                f"The settings could not be saved to {self.path} ({error.strerror or error}). "
                "Nothing was changed."
            ) from error
        self._settings = copy.deepcopy(new_settings)
        if sections:
            self.changed.emit(sections)
        return sections

    def section(self, name: str):
        """A copy of one section, e.g. `store.section("inference")`."""
        if name not in SECTIONS:
            raise KeyError(name)
        return dataclasses.replace(getattr(self._settings, name))
