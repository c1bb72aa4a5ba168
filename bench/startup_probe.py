"""Measurement 6, the launched side: start a window and report when it is on screen.

    python bench/startup_probe.py matome   # the app, exactly as `python -m app` starts it
    python bench/startup_probe.py bare     # the least a PySide6 window can do

Both go through the same hook: when the event loop starts, an application-wide event filter
waits for the first paint of a visible top-level window (Qt paints widgets while handling the
window's UpdateRequest); the next turn of the event loop, after that paint, prints
`SHOWN <time.monotonic()>` and ends the process at once (what happens after the window is up
is not start-up). CLOCK_MONOTONIC is shared by all processes, so the launcher subtracts its
own clock reading taken just before it started this one.
"""

from __future__ import annotations

import os
import sys
import time


def report_when_shown() -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    original_exec = QApplication.exec

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 — Qt's name
            if (event.type() == QEvent.Type.UpdateRequest and isinstance(watched, QWidget)
                    and watched.isWindow() and watched.isVisible()):
                QTimer.singleShot(0, shown)
            return False

    def shown() -> None:
        print(f"SHOWN {time.monotonic():.6f}", flush=True)
        os._exit(0)

    def exec_until_shown(*_instance):
        application = QApplication.instance()
        application.installEventFilter(FirstPaint(application))
        return original_exec()  # a static method in PySide6

    QApplication.exec = exec_until_shown


def bare_window() -> int:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.setCentralWidget(QLabel("A bare PySide6 window"))
    window.resize(1280, 800)
    window.show()
    return app.exec()


def main(argv: list[str]) -> int:
    report_when_shown()
    if argv[:1] == ["bare"]:
        return bare_window()
    from app.__main__ import main as matome_main

    return matome_main([])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
