"""Measurement 5: the largest event-loop gap of the real window while the real starter model
loads, summarizes and answers (bench/ui_probe.py, in its own process and Matome home)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.machine import PROJECT_ROOT

UI_TIMEOUT_SECONDS = 900


def measure_ui(document: Path, model: Path, *, max_output: int = 0) -> dict:
    with tempfile.TemporaryDirectory(prefix="matome-bench-ui-") as home:
        env = {**os.environ, "MATOME_HOME": home}
        if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
            env["QT_QPA_PLATFORM"] = "offscreen"
        command = [sys.executable, "-m", "bench.ui_probe", str(document), "--model", str(model)]
        if max_output:
            command += ["--max-output", str(max_output)]
        finished = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                                  timeout=UI_TIMEOUT_SECONDS)
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"the window probe failed (exit {finished.returncode}):\n{finished.stderr[-3000:]}")
    probe = json.loads(lines[-1])
    if not probe["finished"]:
        raise RuntimeError(f"the window did not finish summarizing and answering: {probe}")
    return {"ui_max_gap_ms": probe["max_gap_ms"],
            "raw": {**probe, "document": document.name, "platform": env.get("QT_QPA_PLATFORM", "desktop")}}
