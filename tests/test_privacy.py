"""Summarizing and asking open no network connection, ever.

Python's audit hooks see every socket connect and name lookup made through Python, including
those of libraries (huggingface_hub, urllib). The CLI is run in a child process whose
sitecustomize records such events to a file.
"""

import os
import subprocess
import sys
import textwrap

from tests.fixtures.report import write_report_text

RECORDER = textwrap.dedent("""
    import os, sys
    _log = os.environ["MATOME_NETWORK_LOG"]
    def _hook(event, args):
        if event.startswith(("socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
                             "socket.sendto", "urllib.Request", "http.client.connect")):
            with open(_log, "a") as handle:
                handle.write(f"{event} {args!r}\\n")
    sys.addaudithook(_hook)
""")


def run_recorded(tmp_path, matome_home, *args):
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir(exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(RECORDER)
    log = tmp_path / "network.log"
    log.write_text("")
    env = dict(os.environ, MATOME_HOME=str(matome_home), MATOME_NETWORK_LOG=str(log),
               PYTHONPATH=str(hook_dir) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-m", "app", *map(str, args)], capture_output=True,
                            text=True, env=env, timeout=240)
    return result, log.read_text()


def test_the_recorder_sees_a_connection_attempt(tmp_path, matome_home):
    # Without this, an empty log would prove nothing.
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(RECORDER)
    log = tmp_path / "network.log"
    env = dict(os.environ, MATOME_NETWORK_LOG=str(log), PYTHONPATH=str(hook_dir))
    subprocess.run([sys.executable, "-c",
                    "import socket\ntry:\n socket.create_connection(('127.0.0.1', 9), timeout=1)\nexcept OSError:\n pass"],
                   env=env, timeout=30)
    assert "socket.connect" in log.read_text()


def test_summarize_and_ask_make_no_network_calls(tmp_path, matome_home, starter_model_path):
    document = write_report_text(tmp_path / "report.md", sections=2, filler_per_section=6)
    result, events = run_recorded(tmp_path, matome_home, "summarize", document, "--length", "short", "--quiet")
    assert result.returncode == 0, result.stderr
    assert events == ""
    result, events = run_recorded(tmp_path, matome_home, "ask", document, "What was the budget?", "--quiet")
    assert result.returncode == 0, result.stderr
    assert events == ""
