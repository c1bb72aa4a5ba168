"""No byte of a document leaves the machine.

Three kinds of proof, each run on the real CLI in a child process:
  * an audit-hook recorder (a sitecustomize in the child) logs every socket connect, name
    lookup and datagram made through Python — ours or a library's — and every import of a
    network library, with the privacy switches as they were at that moment;
  * the CLI runs inside a network namespace with no network at all (`unshare -n`, or
    `unshare -rn` without root), which also covers C code (llama.cpp) the hook cannot see;
  * a download, the one thing that may use the network, talks only to the configured hub
    endpoint (a look-alike on 127.0.0.1) and only with telemetry off.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.fixtures.report import write_report_text
from tests.hub_server import HubServer, make_gguf

#: Libraries that would only be imported to talk to a network.
NETWORK_LIBRARIES = ("huggingface_hub", "httpx", "httpx2", "urllib3", "requests", "aiohttp")
PRIVACY_SWITCHES = ("HF_HUB_DISABLE_TELEMETRY", "DO_NOT_TRACK", "HF_HUB_DISABLE_UPDATE_CHECK",
                    "HF_HUB_DISABLE_IMPLICIT_TOKEN", "HF_HUB_OFFLINE")

RECORDER = textwrap.dedent("""
    import json, os, sys
    _log = os.environ["MATOME_NETWORK_LOG"]
    _NETWORK = %r
    _SWITCHES = %r
    def _write(line):
        with open(_log, "a") as handle:
            handle.write(line + "\\n")
    def _hook(event, args):
        if event.startswith(("socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
                             "socket.gethostbyaddr", "socket.sendto", "socket.sendmsg",
                             "urllib.Request", "http.client.connect")):
            _write(f"{event} {args[1:] if event.startswith(('socket.connect', 'socket.send')) else args!r}")
        elif event == "import" and args[0] in _NETWORK:
            _write(f"import {args[0]} " + json.dumps({k: os.environ.get(k) for k in _SWITCHES}))
    sys.addaudithook(_hook)
""" % (NETWORK_LIBRARIES, PRIVACY_SWITCHES))


def recorder_env(tmp_path: Path, matome_home: Path, **extra: str) -> tuple[dict, Path]:
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir(exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(RECORDER)
    log = tmp_path / "network.log"
    log.write_text("")
    env = dict(os.environ, MATOME_HOME=str(matome_home), MATOME_NETWORK_LOG=str(log),
               PYTHONPATH=str(hook_dir) + os.pathsep + os.environ.get("PYTHONPATH", ""), **extra)
    return env, log


def run_recorded(tmp_path, matome_home, *args, prefix=(), **extra):
    """Run `python -m app ARGS` (under `prefix`, e.g. unshare) with the recorder: (result, log lines)."""
    env, log = recorder_env(tmp_path, matome_home, **extra)
    log.write_text("")
    result = subprocess.run([*prefix, sys.executable, "-m", "app", *map(str, args)], capture_output=True,
                            text=True, env=env, timeout=240)
    return result, log.read_text().splitlines()


def network_events(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith("import ")]


def test_the_recorder_sees_a_connection_attempt(tmp_path, matome_home):
    # Without this, an empty log would prove nothing.
    env, log = recorder_env(tmp_path, matome_home)
    subprocess.run([sys.executable, "-c",
                    "import socket\ntry:\n socket.create_connection(('192.0.2.1', 9), timeout=0.2)\nexcept OSError:\n pass\n"
                    "import huggingface_hub"],
                   env=env, timeout=60)
    lines = log.read_text().splitlines()
    assert any(line.startswith("socket.connect (('192.0.2.1', 9),)") for line in lines), lines
    assert any(line.startswith("import huggingface_hub ") for line in lines), lines


def test_summarize_and_ask_make_no_network_calls(tmp_path, matome_home, starter_model_path):
    document = write_report_text(tmp_path / "report.md", sections=2, filler_per_section=6)
    result, events = run_recorded(tmp_path, matome_home, "summarize", document, "--length", "short", "--quiet")
    assert result.returncode == 0, result.stderr
    # Not one call, and no network library even loaded.
    assert events == []
    result, events = run_recorded(tmp_path, matome_home, "ask", document, "What was the budget?", "--quiet")
    assert result.returncode == 0, result.stderr
    assert events == []


# ----- the one thing that may use the network ----------------------------------------------------

@pytest.mark.loopback
def test_a_download_talks_only_to_the_configured_hub_with_telemetry_off(tmp_path, matome_home):
    repo, filename = "acme/Office-Model-GGUF", "office-model-q4_0.gguf"
    with HubServer() as hub:
        hub.add_file(repo, filename, make_gguf(name="Office Model", tensor_elements=20_000))
        # The user's shell asks for telemetry; Matome must switch it off all the same.
        result, lines = run_recorded(tmp_path, matome_home, "models", "download", repo, filename,
                                     HF_ENDPOINT=hub.url, HF_HUB_DISABLE_TELEMETRY="0", DO_NOT_TRACK="0")
        assert result.returncode == 0, result.stderr
        served = [(r.method, r.path) for r in hub.requests()]
    assert served == [("HEAD", f"/{repo}/resolve/main/{filename}"), ("GET", f"/{repo}/resolve/main/{filename}")]

    imports = {line.split()[1]: json.loads(line.split(" ", 2)[2]) for line in lines if line.startswith("import ")}
    switches = imports["huggingface_hub"]  # as they were when the library read them
    assert switches["HF_HUB_DISABLE_TELEMETRY"] == "1" and switches["DO_NOT_TRACK"] == "1"
    assert switches["HF_HUB_DISABLE_UPDATE_CHECK"] == "1" and switches["HF_HUB_DISABLE_IMPLICIT_TOKEN"] == "1"

    events = network_events(lines)
    connects = [line for line in events if line.startswith("socket.connect")]
    assert connects, events  # the recorder did see the download
    endpoint = f"('127.0.0.1', {hub.port})"
    assert all(endpoint in line for line in connects), connects
    lookups = [line for line in events if line.startswith(("socket.getaddrinfo", "socket.gethostby"))]
    assert all("'127.0.0.1'" in line for line in lookups), lookups
    assert not [line for line in events if line.startswith("socket.send")]


# ----- a machine with no network at all ----------------------------------------------------------

def _no_network_prefix() -> list[str]:
    """A command prefix that runs a program in a new, empty network namespace."""
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        pytest.skip("network namespaces need Linux and unshare(1)")
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return prefix
    pytest.skip("this machine allows no network namespaces (unshare -n and -rn both failed)")


def test_the_cli_works_on_a_machine_with_no_network(tmp_path, matome_home, starter_model_path):
    prefix = _no_network_prefix()
    # Control: inside the namespace nothing can be reached, not even this machine's own address.
    control = subprocess.run([*prefix, sys.executable, "-c",
                              "import socket\ntry:\n socket.create_connection(('192.0.2.1', 80), timeout=2)\n"
                              "except OSError as e:\n print(e.errno)"], capture_output=True, text=True, timeout=60)
    assert control.stdout.strip() == "101", control  # ENETUNREACH: no route anywhere

    document = write_report_text(tmp_path / "report.md", sections=2, filler_per_section=6)
    model = ("--model", starter_model_path)

    def cli(*args):
        result, lines = run_recorded(tmp_path, matome_home, *args, prefix=prefix)
        assert result.returncode == 0, (args, result.stderr)
        assert lines == [], (args, lines)  # and it did not even try
        return result.stdout

    summary = cli("summarize", document, *model, "--length", "short", "--quiet")
    assert len(summary.strip()) > 40
    answer = json.loads(cli("ask", document, "What was the annual budget?", *model, "--json", "--quiet"))
    assert answer["answer"]
    assert "Annual Report" in cli("text", document)
    assert "SmolLM2" in cli("models", "list")
    # Importing runs the hostile-file check in a child process: that works offline too.
    carried_in = tmp_path / "usb" / "carried-in.gguf"
    carried_in.parent.mkdir()
    carried_in.write_bytes(make_gguf(name="Carried In", tensor_elements=2_000))
    cli("models", "import", carried_in)
    assert "carried-in" in cli("models", "list")
    # The library from the CLI: listing and forgetting.
    assert isinstance(json.loads(cli("history", "--json")), list)
    assert "report.md" in cli("forget", document)
