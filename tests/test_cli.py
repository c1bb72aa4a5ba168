"""The command line, run as a user would: a real process, real files, the real model."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.fixtures.report import write_report_text


def matome(*args, env_home, timeout=240, extra_env=None):
    env = dict(os.environ, MATOME_HOME=str(env_home), **(extra_env or {}))
    return subprocess.run([sys.executable, "-m", "app", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=env)


def test_text_prints_what_the_model_reads_with_page_markers(corpus_dir, matome_home):
    result = matome("text", corpus_dir / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf", env_home=matome_home)
    assert result.returncode == 0, result.stderr
    assert "=== page 1 ===" in result.stdout and "=== page 4 ===" in result.stdout


@pytest.mark.parametrize("name, expected", [
    ("missing.pdf", "can't find"),
    ("005-libreoffice-writer-password/libreoffice-writer-password.pdf", "--password"),
    ("007-imagemagick-images/imagemagick-images.pdf", "scanned"),
])
def test_bad_input_exits_2_with_a_message_and_no_traceback(corpus_dir, matome_home, name, expected):
    result = matome("text", corpus_dir / name, env_home=matome_home)
    assert result.returncode == 2
    assert expected in result.stderr.lower()
    assert "Traceback" not in result.stderr


def test_summarize_streams_a_summary_and_progress_goes_to_stderr(tmp_path, matome_home, starter_model_path):
    document = write_report_text(tmp_path / "report.md", sections=2, filler_per_section=6)
    result = matome("summarize", document, "--model", starter_model_path, "--length", "short",
                    env_home=matome_home)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip()) > 40
    assert "Writing the summary" in result.stderr
    assert "Model:" not in result.stdout


def test_summarize_json_and_a_broken_file_in_the_same_batch(tmp_path, matome_home, starter_model_path):
    good = write_report_text(tmp_path / "report.md", sections=1, filler_per_section=6)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + os.urandom(2000))
    result = matome("summarize", broken, good, "--model", starter_model_path, "--json", "--quiet",
                    env_home=matome_home)
    assert result.returncode == 2
    assert "broken.pdf" in result.stderr
    payload = json.loads(result.stdout)
    assert len(payload) == 1 and payload[0]["file"].endswith("report.md")
    assert payload[0]["summary"] and payload[0]["chunks"] == 1


def test_ask_answers_with_citations_as_json(tmp_path, matome_home, starter_model_path):
    document = write_report_text(tmp_path / "report.md", sections=2, filler_per_section=6)
    result = matome("ask", document, "What was the annual budget?", "--model", starter_model_path,
                    "--json", env_home=matome_home)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["answer"]
    assert payload["citations"] and payload["citations"][0]["location"]


def test_ctrl_c_cancels_with_exit_130(tmp_path, matome_home, starter_model_path):
    document = write_report_text(tmp_path / "long.md", sections=12, filler_per_section=40)
    env = dict(os.environ, MATOME_HOME=str(matome_home))
    process = subprocess.Popen([sys.executable, "-m", "app", "summarize", str(document), "--model",
                                str(starter_model_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    # Wait until the model is loaded and working, then interrupt.
    deadline = time.monotonic() + 60
    seen = ""
    while time.monotonic() < deadline and "Summarizing part" not in seen:
        seen += process.stderr.readline()
    assert "Summarizing part" in seen, seen
    interrupted = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert time.monotonic() - interrupted < 5
    assert "Cancelled" in err
    assert "Traceback" not in err
