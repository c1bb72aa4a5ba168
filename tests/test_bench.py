"""The benchmark runs and writes a well-formed report. Nothing here is timed: the figures of a
smoke run on a busy test machine mean nothing; only their presence and shape are checked."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import GOALS, REPORT_KEYS, format_table, goal_verdicts

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ISSUE_KEYS = ("engine_pp_ratio", "engine_tg_ratio", "pipeline_overhead", "followup_ttft_ratio",
              "extract_pages_per_s", "extract_share", "ui_max_gap_ms", "startup_ratio", "rss_ratio",
              "scaling_max_deviation")


def test_the_report_keys_are_the_issues_keys_each_with_a_goal():
    assert set(REPORT_KEYS) == set(ISSUE_KEYS)
    assert len({goal.key for goal in GOALS}) == len(GOALS)


def test_goal_verdicts_and_table_say_which_goals_are_met_and_which_figures_are_missing():
    figures = {key: None for key in REPORT_KEYS} | {"engine_pp_ratio": 0.97, "ui_max_gap_ms": 80.0}
    verdicts = goal_verdicts(figures)
    assert verdicts["engine_pp_ratio"]["met"] is True
    assert verdicts["ui_max_gap_ms"]["met"] is False
    assert verdicts["startup_ratio"]["met"] is None
    report = {**figures, "mode": "smoke", "duration_seconds": 1.0,
              "machine": {"cpu_model": "CPU", "physical_cores": 2, "load_average_at_start": [0.1]}}
    table = format_table(report)
    assert "not run" in table and "failed" not in table and "NO" in table and "yes" in table
    # A section that raised makes its missing figures read as failed, not as left out.
    assert "failed" in format_table({**report, "errors": {"startup": "Traceback …"}})


@pytest.mark.slow
def test_bench_run_smoke_writes_a_report_with_every_key_as_a_number(tmp_path, starter_model_path, corpus_dir):
    output = tmp_path / "report.json"
    env = dict(os.environ, MATOME_PYTHON=sys.executable)
    result = subprocess.run([str(PROJECT_ROOT / "bench" / "run"), "--smoke", "--output", str(output)],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(output.read_text(encoding="utf-8"))
    for key in ISSUE_KEYS:
        value = report[key]
        assert isinstance(value, (int, float)) and not isinstance(value, bool), (key, value)
        assert math.isfinite(value) and value >= 0, (key, value)
    assert report["errors"] == {}
    assert report["mode"] == "smoke"
    machine = report["machine"]
    assert machine["cpu_model"] and machine["physical_cores"] >= 1
    assert len(machine["load_average_at_start"]) == 3
    # The raw figures behind each headline are there too.
    for section in ("engine", "followup", "extraction", "ui", "startup", "memory", "pipeline", "scaling"):
        assert report["raw"][section], section
    assert report["raw"]["engine"]["llama_cpp_pp_tokens_per_s"] > 0
    assert report["raw"]["memory"]["kv_cache"]["n_layer"] > 0
    assert report["goals"].keys() == set(ISSUE_KEYS)
    # And the table is printed.
    assert "engine prompt speed" in result.stdout and "report:" in result.stdout
