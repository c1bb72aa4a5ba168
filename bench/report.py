"""The report: the headline figures with their goals, written as JSON and printed as a table."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Goal:
    key: str
    label: str
    target: float
    #: "min": the figure must be at least the target; "max": at most.
    kind: str
    unit: str = ""

    def met(self, value: float | None) -> bool | None:
        if value is None or not math.isfinite(value):
            return None
        return value >= self.target if self.kind == "min" else value <= self.target

    def describe(self) -> str:
        sign = "≥" if self.kind == "min" else "≤"
        return f"{sign} {self.target:g}{self.unit}"


#: The issue's goals, in the issue's order. rss_ratio is peak RSS ÷ (1.2 × (model + KV) + 300
#: MB), so the goal is ≤ 1. The issue asks scaling to be linear without a number; 0.10 (no
#: run more than 10% off the fitted line) is this suite's reading of it.
GOALS = (
    Goal("engine_pp_ratio", "1 engine prompt speed ÷ llama.cpp", 0.95, "min"),
    Goal("engine_tg_ratio", "1 engine writing speed ÷ llama.cpp", 0.95, "min"),
    Goal("pipeline_overhead", "2 summary wall ÷ pure model time", 1.15, "max"),
    Goal("followup_ttft_ratio", "3 follow-up TTFT ÷ first TTFT", 0.05, "max"),
    Goal("extract_pages_per_s", "4 extraction pages/s", 300, "min", " p/s"),
    Goal("extract_share", "4 extraction share of a summary", 0.05, "max"),
    Goal("ui_max_gap_ms", "5 largest event-loop gap", 50, "max", " ms"),
    Goal("startup_ratio", "6 start-up ÷ bare PySide6 window", 1.5, "max"),
    Goal("rss_ratio", "7 peak RSS ÷ (1.2×(model+KV)+300 MB)", 1.0, "max"),
    Goal("scaling_max_deviation", "8 largest deviation from linear", 0.10, "max"),
)
REPORT_KEYS = tuple(goal.key for goal in GOALS)


def goal_verdicts(figures: dict) -> dict:
    return {goal.key: {"target": goal.describe(), "met": goal.met(figures.get(goal.key))} for goal in GOALS}


def write_report(path: Path, report: dict) -> None:
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=_plain) + "\n", encoding="utf-8")


def _plain(value):
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to the report")


def format_table(report: dict) -> str:
    rows = [("measurement", "figure", "goal", "met")]
    for goal in GOALS:
        value = report.get(goal.key)
        met = goal.met(value)
        rows.append((goal.label, _format_value(value, report.get("errors") or {}), goal.describe(),
                     {True: "yes", False: "NO", None: "—"}[met]))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    machine = report["machine"]
    lines.append("")
    lines.append(f"{report['mode']} run · {machine['cpu_model']} · {machine['physical_cores']} cores · "
                 f"load at start {machine['load_average_at_start'][0]} · {report['duration_seconds']:.0f} s")
    return "\n".join(lines)


def _format_value(value, errors: dict) -> str:
    if value is None:
        # A section left out with --only is not a failure; one that raised is named in `errors`.
        return "failed" if errors else "not run"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"
