"""Progress events and the stop switch shared by downloads and imports.

A long transfer reports `TransferProgress` events through a plain callback (called on the
worker's thread; the GUI forwards them to the main thread) and checks a `TransferControl`
between chunks. `pause()` stops and keeps the partial file so the next attempt resumes;
`cancel()` stops and deletes it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

from app.core.errors import Cancelled

#: Phases, in the order a download goes through them.
CONNECTING = "connecting"
DOWNLOADING = "downloading"
RETRYING = "retrying"
VERIFYING = "verifying"
COPYING = "copying"
DONE = "done"


@dataclass(frozen=True)
class TransferProgress:
    phase: str
    bytes_done: int
    #: None until the size is known.
    bytes_total: int | None
    #: Smoothed bytes per second over the last few seconds; None before there is a rate.
    rate_bytes_per_s: float | None = None
    eta_seconds: float | None = None
    #: 1 for the first try; grows with each retry after a network failure.
    attempt: int = 1
    #: A line for a status bar ("Retrying in 4 s after the connection stalled").
    message: str = ""

    @property
    def fraction(self) -> float | None:
        if not self.bytes_total:
            return None
        return min(1.0, self.bytes_done / self.bytes_total)


ProgressCallback = Callable[[TransferProgress], None]


class TransferControl:
    """Thread-safe stop switch. The GUI calls pause()/cancel(); the worker calls check()."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self.keep_partial = True

    def pause(self) -> None:
        self.keep_partial = True
        self._stop.set()

    def cancel(self) -> None:
        self.keep_partial = False
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def check(self) -> None:
        if self._stop.is_set():
            raise Cancelled("Paused." if self.keep_partial else "Cancelled.")

    def sleep(self, seconds: float) -> None:
        """Wait, waking at once if stopped (so a pause during a retry back-off is instant)."""
        self._stop.wait(seconds)
        self.check()


class RateMeter:
    """Turns byte counts into throttled progress events with a smoothed rate and ETA.

    `update` is called for every chunk; it costs a clock read unless an event is due, and the
    rate is measured over the samples taken at emit time within the last `window` seconds.
    """

    def __init__(self, callback: ProgressCallback | None, *, interval: float = 0.2, window: float = 3.0):
        self.callback = callback
        self.interval = interval
        self.window = window
        self._samples: deque[tuple[float, int]] = deque()
        self._last_emit = float("-inf")
        self._phase = ""

    def reset_rate(self) -> None:
        self._samples.clear()

    def update(self, phase: str, done: int, total: int | None, *, attempt: int = 1,
               message: str = "", force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if not force and now - self._last_emit < self.interval:
            return
        self._last_emit = now
        if phase != self._phase:  # hashing speed says nothing about network speed
            self._phase = phase
            self._samples.clear()
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > self.window:
            self._samples.popleft()
        rate = None
        first_time, first_done = self._samples[0]
        if now - first_time > 0.05 and done >= first_done:
            rate = (done - first_done) / (now - first_time)
        eta = (total - done) / rate if rate and total and total >= done else None
        self.callback(TransferProgress(phase, done, total, rate, eta, attempt, message))
