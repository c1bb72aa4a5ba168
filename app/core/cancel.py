"""A cancel flag that long jobs poll at their check points (chunk boundaries, prompt slices)."""

from __future__ import annotations

import threading

from app.core.errors import Cancelled


class CancelToken:
    """Set from any thread (the UI's Cancel button, Ctrl-C); read by the job's thread."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


NEVER_CANCELLED = CancelToken()
