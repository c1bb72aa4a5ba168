"""Measurement 6: launch → window on screen, Matome against a bare PySide6 window.

Both are launched as fresh processes by the same probe (bench/startup_probe.py), alternately,
a few times each after one unrecorded warm-up launch of each (so both find the files they read
in the OS cache); the medians are compared. One more Matome launch with `-X importtime` lists
the modules that weigh most on the start-up path.

The project's modules are compiled to bytecode first, as an installed app (pip's install, the
PyInstaller bundle) has them: where PYTHONDONTWRITEBYTECODE is set, as on this project's build
machines, every launch would otherwise compile Matome's sources again (about 70 ms here) while
PySide6 comes precompiled.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from bench.machine import PROJECT_ROOT

PROBE = PROJECT_ROOT / "bench" / "startup_probe.py"
LAUNCH_TIMEOUT_SECONDS = 120


def _environment(home: str) -> dict:
    env = {**os.environ, "MATOME_HOME": home}
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def launch_seconds(kind: str, env: dict, extra_args: tuple[str, ...] = ()) -> tuple[float, str]:
    """Seconds from starting the process to its window's first paint; and its stderr."""
    started = time.monotonic()
    finished = subprocess.run([sys.executable, *extra_args, str(PROBE), kind], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=LAUNCH_TIMEOUT_SECONDS)
    shown = [line for line in finished.stdout.splitlines() if line.startswith("SHOWN ")]
    if not shown:
        raise RuntimeError(f"the {kind} window never showed (exit {finished.returncode}):\n{finished.stderr[-2000:]}")
    return float(shown[-1].split()[1]) - started, finished.stderr


def heaviest_imports(importtime_log: str, count: int = 10) -> list[dict]:
    """The top-level imports that took longest (cumulative), from `-X importtime` output."""
    rows = []
    for line in importtime_log.splitlines():
        match = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)", line)
        if match and len(match.group(3)) <= 2:  # top level: one space of indentation
            rows.append({"module": match.group(4), "cumulative_ms": int(match.group(2)) / 1000})
    return sorted(rows, key=lambda row: -row["cumulative_ms"])[:count]


def compile_project() -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(PROJECT_ROOT / "app")], check=True,
                   capture_output=True, timeout=LAUNCH_TIMEOUT_SECONDS)


def measure_startup(runs: int, *, log=print) -> dict:
    compile_project()
    with tempfile.TemporaryDirectory(prefix="matome-bench-startup-") as home:
        env = _environment(home)
        launch_seconds("bare", env)
        launch_seconds("matome", env)
        bare, matome = [], []
        for index in range(runs):
            bare.append(launch_seconds("bare", env)[0])
            matome.append(launch_seconds("matome", env)[0])
            log(f"    launch {index + 1}: bare {bare[-1]:.3f} s · Matome {matome[-1]:.3f} s")
        _seconds, importtime = launch_seconds("matome", env, ("-X", "importtime"))
    bare_median, matome_median = statistics.median(bare), statistics.median(matome)
    return {
        "startup_ratio": matome_median / bare_median,
        "raw": {
            "matome_seconds": round(matome_median, 3),
            "bare_pyside6_seconds": round(bare_median, 3),
            "matome_runs": [round(s, 3) for s in matome],
            "bare_runs": [round(s, 3) for s in bare],
            "platform": env.get("QT_QPA_PLATFORM", "desktop"),
            "heaviest_imports_matome": heaviest_imports(importtime),
        },
    }
