"""Measurement 5, in its own process: the real window, the real starter model, and a 5 ms
timer on the window's thread that records the longest time it could not run.

    QT_QPA_PLATFORM=offscreen MATOME_HOME=<empty> python -m bench.ui_probe DOCUMENT --model GGUF

The window is built by the app's own start-up (`build_main_window`), so it loads the model on
its model thread exactly as after `python -m app`. Once the window is on screen the watch
starts; the document is opened as a dropped file would be, summarized, and then a question is
typed into the Q&A panel and the Ask button clicked. A watchdog thread samples the window
thread's Python stack whenever it has not ticked for STALL_SAMPLE_MS, so a long gap comes with
where the window was stuck. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import traceback
from pathlib import Path

TICK_MS = 5
POLL_MS = 20
STALL_SAMPLE_MS = 25
GAPS_LISTED_FROM_MS = 20
TIMEOUT_SECONDS = 600


class EventLoopWatch:
    """A PreciseTimer ticking every TICK_MS; a gap is the time between two ticks."""

    def __init__(self, stage):
        from PySide6.QtCore import QTimer, Qt

        self._stage = stage
        self.ticks = 0
        self.last_tick = time.perf_counter()
        self.started = self.last_tick
        self.gaps: list[dict] = []
        self.largest = {"ms": 0.0}
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.last_tick = self.started = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        gap_ms = (now - self.last_tick) * 1000
        if gap_ms >= GAPS_LISTED_FROM_MS:
            self.gaps.append({"ms": round(gap_ms, 1), "at_s": round(self.last_tick - self.started, 2),
                              "stage": self._stage(), "tick": self.ticks})
        if gap_ms > self.largest["ms"]:
            self.largest = {"ms": round(gap_ms, 1), "at_s": round(self.last_tick - self.started, 2),
                            "stage": self._stage(), "tick": self.ticks}
        self.last_tick = now
        self.ticks += 1


class StallSampler(threading.Thread):
    """Takes the window thread's Python stack while it is overdue: where a gap was spent."""

    def __init__(self, watch: EventLoopWatch, main_thread_id: int):
        super().__init__(daemon=True)
        self._watch = watch
        self._main = main_thread_id
        self._halt = threading.Event()
        self.samples: dict[int, list[list[str]]] = {}

    def run(self) -> None:
        while not self._halt.wait(0.005):
            overdue_ms = (time.perf_counter() - self._watch.last_tick) * 1000
            if overdue_ms < STALL_SAMPLE_MS:
                continue
            frame = sys._current_frames().get(self._main)
            if frame is None:
                continue
            stack = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in traceback.extract_stack(frame)[-8:]]
            self.samples.setdefault(self._watch.ticks, []).append([f"{overdue_ms:.0f} ms overdue", *stack])

    def halt(self) -> None:
        self._halt.set()
        self.join()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("document", type=Path)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--question", default="What is this document about?")
    parser.add_argument("--max-output", type=int, default=0)
    args = parser.parse_args(argv)

    launched = time.perf_counter()
    from app.core import settings as settings_store

    settings = settings_store.Settings()
    settings.models.active_model = str(args.model)
    settings_store.save(settings)
    if args.max_output:
        from bench.summary_probe import cap_output

        cap_output(args.max_output)

    from PySide6.QtCore import QTimer
    from app.ui.application import build_main_window

    app, window = build_main_window([])
    built = time.perf_counter()
    state = {"stage": "starting", "entry": None, "outcome": {}}
    model_loaded_at_start = window.model_service.model is not None
    watch = EventLoopWatch(lambda: _stage(state, window))
    sampler = StallSampler(watch, threading.get_ident())
    poll = QTimer()
    poll.setInterval(POLL_MS)

    def step() -> None:
        entry = state["entry"]
        if state["stage"] == "starting":
            handle = window.windowHandle()
            if handle is None or not handle.isExposed():
                return
            state["exposed_after_s"] = time.perf_counter() - launched
            watch.start()
            sampler.start()
            state["stage"] = "summarizing"
            state["entry"] = window.controller.entry(window.open_paths([args.document])[0])
        elif state["stage"] == "summarizing" and entry.status in ("done", "error", "cancelled"):
            state["outcome"]["summary"] = {"status": entry.status, "error": entry.error,
                                           "characters": len(entry.summary)}
            state["stage"] = "answering"
            window.qa_panel.question_edit.setText(args.question)
            window.qa_panel.ask_button.click()
        elif state["stage"] == "answering" and entry.turns and entry.turns[-1].state != "pending":
            turn = entry.turns[-1]
            state["outcome"]["answer"] = {"state": turn.state, "characters": len(turn.answer)}
            state["stage"] = "finished"
            # Closing the window joins the model thread: that is shutting down, not a stall
            # of a window in use.
            watch.stop()
            app.quit()
        if time.perf_counter() - launched > TIMEOUT_SECONDS:
            state["stage"] = "timed out"
            app.quit()

    poll.timeout.connect(step)
    poll.start()
    app.exec()
    watch.stop()
    sampler.halt()
    poll.stop()
    window.shutdown()
    largest = watch.largest
    print(json.dumps({
        "max_gap_ms": largest["ms"],
        "largest_gap": {**largest, "stacks": sampler.samples.get(largest.get("tick", -1), [])[:3]},
        "gaps_over_20ms": len(watch.gaps),
        "gaps_over_50ms": sum(1 for gap in watch.gaps if gap["ms"] > 50),
        "worst_gaps": sorted(watch.gaps, key=lambda gap: -gap["ms"])[:8],
        "ticks": watch.ticks,
        "watched_seconds": round(time.perf_counter() - watch.started, 2),
        "window_built_s": round(built - launched, 3),
        "window_exposed_s": round(state.get("exposed_after_s", 0.0), 3),
        "model_loaded_before_watch": model_loaded_at_start,
        "finished": state["stage"] == "finished",
        **state["outcome"],
    }))
    return 0 if state["stage"] == "finished" else 1


def _stage(state: dict, window) -> str:
    """What the window was doing: the probe's step, and whether the model was loaded yet."""
    entry = state["entry"]
    detail = entry.status if entry is not None else ""
    if window.model_service.model is None:
        detail += "+model-loading"
    return f"{state['stage']}:{detail}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
