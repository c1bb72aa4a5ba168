"""`bench/run`: every measurement of issue 6 in one run, one JSON report, one table.

    bench/run            # the full benchmark (about 30 minutes on a 2-core laptop CPU)
    bench/run --quick    # small inputs, under 3 minutes
    bench/run --smoke    # tiny inputs and outputs, under a minute (what the tests run)

Every ratio is taken against a reference measured in the same run: llama.cpp's C API on the
same GGUF and context parameters, a bare PySide6 window, the model file and its KV cache.
The full run waits for a quiet machine (1-minute load below 0.7) before each section.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from bench import machine
from bench.report import REPORT_KEYS, format_table, goal_verdicts, write_report

DEFAULT_REPORT = machine.PROJECT_ROOT / "bench" / "report.json"
SECTIONS = ("extraction", "startup", "engine", "followup", "ui", "pipeline")


@dataclass(frozen=True)
class Mode:
    name: str
    engine_prompt_tokens: int
    engine_generate: int
    engine_repeats: int
    curve_lengths: tuple[int, int]
    curve_generate: int
    followup_pages: int
    followup_answer_tokens: int
    extraction_repeats: int
    scaling_pages: tuple[int, ...]
    ui_document: str  # "docx" (a small generated one) or "4-page-pdf"
    startup_runs: int
    max_output: int  # 0: the app's own output lengths
    wait_for_quiet: bool


MODES = {
    "full": Mode("full", 512, 128, 5, (512, 2048), 64, 8, 320, 5, (4, 30, 117), "4-page-pdf", 5, 0, True),
    "quick": Mode("quick", 512, 64, 2, (512, 1536), 32, 4, 320, 3, (2, 4, 6), "4-page-pdf", 3, 0, False),
    "smoke": Mode("smoke", 128, 8, 1, (128, 512), 4, 2, 16, 1, (1, 2, 3), "docx", 1, 8, False),
}


class Run:
    """One benchmark run: its mode, its log, the figures and raw data it collects."""

    def __init__(self, mode: Mode, wait_for_quiet: bool):
        self.mode = mode
        self.wait_for_quiet = wait_for_quiet
        self.started = time.monotonic()
        self.figures: dict[str, float | None] = {key: None for key in REPORT_KEYS}
        self.raw: dict[str, dict] = {}
        self.loads: dict[str, dict] = {}
        self.errors: dict[str, str] = {}
        self.model = machine.starter_model_path()
        self.workdir = Path(tempfile.mkdtemp(prefix="matome-bench-"))

    def log(self, text: str) -> None:
        print(text, flush=True)

    def quiet(self, section: str) -> None:
        if self.wait_for_quiet:
            self.loads[section] = machine.wait_for_quiet(log=self.log)
        else:
            self.loads[section] = {"load_1min": round(machine.load_average(), 2), "waited_seconds": 0}

    def record(self, section: str, result: dict) -> None:
        for key, value in result.items():
            if key == "raw":
                self.raw[section] = value
            else:
                self.figures[key] = float(value)


# ----- the sections ---------------------------------------------------------------------------


def section_extraction(run: Run, _shared: dict) -> None:
    from bench.extraction import measure_extraction

    run.record("extraction", measure_extraction(machine.THESIS_PDF, run.mode.extraction_repeats))


def section_startup(run: Run, _shared: dict) -> None:
    from bench.startup import measure_startup

    run.record("startup", measure_startup(run.mode.startup_runs, log=run.log))


def _engine_and_reference(run: Run, shared: dict):
    if "engine" not in shared:
        from app.core.documents import load_document
        from app.core.engine import Engine
        from app.core.settings import InferenceSettings
        from bench.engine_speed import PromptMaker, context_shape_of
        from bench.reference import LlamaCppReference

        engine = Engine(run.model, InferenceSettings())
        shared["engine"] = engine
        shared["reference"] = LlamaCppReference(run.model, context_shape_of(engine))
        shared["prompts"] = PromptMaker(engine, load_document(machine.THESIS_PDF).text)
    return shared["engine"], shared["reference"], shared["prompts"]


def section_engine(run: Run, shared: dict) -> None:
    from bench.engine_speed import measure_engine_overhead, measure_speed_curve

    engine, reference, prompts = _engine_and_reference(run, shared)
    mode = run.mode
    result = measure_engine_overhead(engine, reference, prompts, prompt_tokens=mode.engine_prompt_tokens,
                                     generate=mode.engine_generate, repeats=mode.engine_repeats, log=run.log)
    shared["curve"] = measure_speed_curve(engine, reference, prompts, lengths=mode.curve_lengths,
                                          generate=mode.curve_generate, repeats=1)
    result["raw"]["llama_cpp_speed_curve"] = shared["curve"].as_dict()
    run.record("engine", result)


def section_followup(run: Run, shared: dict) -> None:
    from app.core.documents import load_document
    from bench.followup import measure_followup
    from bench.pipeline import page_subset

    engine, _reference, _prompts = _engine_and_reference(run, shared)
    document = load_document(page_subset(machine.THESIS_PDF, run.mode.followup_pages, run.workdir))
    result = measure_followup(engine, document, answer_tokens=run.mode.followup_answer_tokens)
    run.record("followup", result)


def section_ui(run: Run, _shared: dict) -> None:
    from bench.ui import measure_ui

    document = machine.FOUR_PAGE_PDF if run.mode.ui_document == "4-page-pdf" else _small_docx(run.workdir)
    run.record("ui", measure_ui(document, run.model, max_output=run.mode.max_output))


def section_pipeline(run: Run, shared: dict) -> None:
    from bench.pipeline import (memory_figures, page_subset, pipeline_breakdown, run_summary_probe,
                                scaling_figures)

    if "curve" not in shared:
        section_engine(run, shared)
    # The parent's model and its KV cache are let go: the probes get the machine to themselves.
    _release(shared)
    probes = []
    for pages in run.mode.scaling_pages:
        run.quiet(f"pipeline-{pages}-pages")
        file = page_subset(machine.THESIS_PDF, pages, run.workdir)
        run.log(f"  summarizing the first {pages} pages of the thesis in a fresh process …")
        probes.append(run_summary_probe(file, run.model, max_output=run.mode.max_output))
        run.log(f"    {probes[-1]['document_tokens']} tokens, {probes[-1]['summary_seconds']:.1f} s")
    largest = probes[-1]
    breakdown = pipeline_breakdown(largest, shared["curve"])
    run.record("pipeline", {"pipeline_overhead": breakdown["overhead_ratio"],
                            "raw": {**breakdown, "document": Path(largest["file"]).name, "pages": largest["pages"],
                                    "all_runs": [pipeline_breakdown(p, shared["curve"]) for p in probes[:-1]]}})
    run.record("extraction_share", {"extract_share": breakdown["shares"]["extraction"],
                                    "raw": {"document": Path(largest["file"]).name,
                                            "extraction_seconds": largest["extraction_seconds"],
                                            "summary_wall_seconds": breakdown["wall_seconds"]}})
    run.record("memory", memory_figures(largest, run.model))
    run.record("scaling", scaling_figures(probes))


def _release(shared: dict) -> None:
    for name in ("reference", "engine"):
        item = shared.pop(name, None)
        if item is not None:
            item.close()
    shared.pop("prompts", None)


def _small_docx(folder: Path) -> Path:
    import docx

    path = folder / "quarterly.docx"
    document = docx.Document()
    document.add_heading("Quarterly report", level=1)
    document.add_paragraph("The annual budget was set at 48 million yen, approved by Director Akiyama.")
    document.add_heading("Offices", level=2)
    document.add_paragraph("The new Fukuoka office opens on 14 April with room for 220 staff.")
    document.add_heading("Sales", level=2)
    document.add_paragraph("Sales in Vietnam grew by 64 percent, led by the regional manager Nguyen Linh.")
    document.save(str(path))
    return path


RUNNERS = {"extraction": section_extraction, "startup": section_startup, "engine": section_engine,
           "followup": section_followup, "ui": section_ui, "pipeline": section_pipeline}


# ----- the command ----------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small inputs; under 3 minutes")
    size.add_argument("--smoke", action="store_true", help="tiny inputs, for the tests; under a minute")
    parser.add_argument("--only", default="", help=f"comma-separated sections: {', '.join(SECTIONS)}")
    parser.add_argument("--output", type=Path, default=DEFAULT_REPORT, help="where the JSON report goes")
    quiet = parser.add_mutually_exclusive_group()
    quiet.add_argument("--wait-quiet", dest="wait", action="store_true", default=None,
                       help="wait for load < 0.7 before each section (the default of the full run)")
    quiet.add_argument("--no-wait-quiet", dest="wait", action="store_false")
    args = parser.parse_args(argv)

    mode = MODES["smoke" if args.smoke else "quick" if args.quick else "full"]
    chosen = [s.strip() for s in args.only.split(",") if s.strip()] or list(SECTIONS)
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    run = Run(mode, mode.wait_for_quiet if args.wait is None else args.wait)
    machine_info = machine.describe_machine()
    run.log(f"Matome benchmark, {mode.name} run, on {machine_info['cpu_model']} "
            f"(load {machine_info['load_average_at_start'][0]})")
    shared: dict = {}
    try:
        for section in SECTIONS:
            if section not in chosen:
                continue
            run.quiet(section)
            run.log(f"- {section} (load {run.loads[section]['load_1min']})")
            try:
                RUNNERS[section](run, shared)
            except Exception as error:  # noqa: BLE001 — one broken section must not hide the others
                run.errors[section] = "".join(traceback.format_exception(error))[-4000:]
                run.log(f"  {section} failed: {error}")
    finally:
        _release(shared)
    report = {
        **run.figures,
        "goals": goal_verdicts(run.figures),
        "raw": run.raw,
        "machine": machine_info,
        "load_before_each_section": run.loads,
        "mode": mode.name,
        "sections": chosen,
        "command": "bench/run " + " ".join(argv),
        "llama_cpp_python": machine.llama_cpp_version(),
        "model": {"path": str(run.model), "file_mb": round(run.model.stat().st_size / 2**20, 1)},
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(time.time() - (time.monotonic() - run.started))),
        "duration_seconds": round(time.monotonic() - run.started, 1),
        "errors": run.errors,
    }
    write_report(args.output, report)
    print()
    print(format_table(report))
    print(f"\nreport: {args.output}")
    return 1 if run.errors else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main(sys.argv[1:]))
