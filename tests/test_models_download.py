"""Downloads against a hub look-alike on 127.0.0.1, through the real huggingface_hub client:
fresh, cached, resumed, paused, stalled, tampered, refused; and nothing sent but what a
download needs."""

from __future__ import annotations

import hashlib
import threading
import time

import pytest

from app.core.errors import Cancelled, ModelError, ModelLoadError, ModelNotFoundError
from app.core.models import (
    RetryPolicy, TransferControl, download_catalog_model, download_model, list_installed, load_catalog,
    partial_downloads,
)
from app.core.models import fileops
from app.core.models.registry import PARTIAL_DIR, models_root
from tests.hub_server import HubServer, make_gguf

# Every test here talks to the hub look-alike on 127.0.0.1; the network guard allows only that.
pytestmark = pytest.mark.loopback

REPO, FILE = "acme/Office-Model-GGUF", "office-model-q4_0.gguf"
FAST = RetryPolicy(stall_seconds=0.5, connect_seconds=2, max_retries=2, backoff_seconds=0.05)
CONTENT = make_gguf(name="Office Model", tensor_elements=100_000)  # ~420 KB


@pytest.fixture
def hub(monkeypatch):
    with HubServer() as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.delenv("HF_TOKEN", raising=False)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        server.add_file(REPO, FILE, CONTENT)
        yield server


def download(**options):
    options.setdefault("policy", FAST)
    return download_model(REPO, FILE, **options)


def partial_files():
    folder = models_root() / PARTIAL_DIR
    return sorted(folder.glob("*.part")) if folder.exists() else []


def downloaded():
    return [m for m in list_installed() if m.source == "downloaded"]


def test_fresh_download_installs_a_verified_file_with_two_requests(hub):
    events = []
    model = download(on_progress=events.append)

    assert model.path == models_root() / "acme--Office-Model-GGUF" / FILE
    assert model.path.read_bytes() == CONTENT
    assert model.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert model.details["name"] == "Office Model" and model.repo_id == REPO
    assert [m.id for m in downloaded()] == [model.id]
    assert partial_files() == []
    # Exactly the metadata request and the download; no /api/* extras, no telemetry.
    assert [(r.method, r.path) for r in hub.requests()] == [
        ("HEAD", f"/{REPO}/resolve/main/{FILE}"), ("GET", f"/{REPO}/resolve/main/{FILE}")]
    assert hub.bytes_served() == len(CONTENT)
    assert all(r.headers["user-agent"].startswith("matome/") for r in hub.requests())
    assert all("authorization" not in r.headers for r in hub.requests())
    phases = [e.phase for e in events]
    assert phases[0] == "connecting" and phases[-1] == "done" and "verifying" in phases
    done = [e.bytes_done for e in events if e.phase == "downloading"]
    assert done == sorted(done) and done[-1] == len(CONTENT)


def test_a_download_reaches_only_the_configured_endpoint(hub, network_guard):
    download()
    # Every socket the process opened or name it looked up, not just what reached the hub.
    assert network_guard.allowed, "the guard saw no traffic at all: it would prove nothing"
    targets = {(event, target if isinstance(target, str) else tuple(target)[:2])
               for event, target in network_guard.allowed}
    expected = {("socket.getaddrinfo", "127.0.0.1"), ("socket.connect", ("127.0.0.1", hub.port)),
                ("socket.gethostbyaddr", "127.0.0.1")}  # the last: the test server naming itself on start
    assert targets <= expected, targets
    assert ("socket.connect", ("127.0.0.1", hub.port)) in targets


def test_second_request_is_served_from_disk_without_any_request(hub):
    first = download()
    hub.clear_log()
    second = download()
    assert second.path == first.path and second.id == first.id
    assert hub.requests() == []


def test_connection_dropped_halfway_resumes_with_a_range_request(hub):
    hub.faults.cut_after, hub.faults.cut_times = 150_000, 1
    model = download()
    gets = hub.requests("GET")
    assert len(gets) == 2
    assert "range" not in gets[0].headers and gets[0].body_bytes == 150_000
    assert gets[1].headers["range"] == "bytes=150000-" and gets[1].status == 206
    assert hub.bytes_served() == len(CONTENT)  # not twice the file
    assert model.sha256 == hashlib.sha256(CONTENT).hexdigest()


def test_interrupted_download_resumes_on_the_next_try(hub):
    hub.faults.cut_after, hub.faults.cut_times = 200_000, 10
    with pytest.raises(ModelError, match="kept; download again to resume"):
        download(policy=RetryPolicy(stall_seconds=0.5, max_retries=0, backoff_seconds=0.01))
    [partial] = partial_files()
    assert partial.stat().st_size == 200_000
    assert downloaded() == []  # a partial file is never an installed model
    [waiting] = partial_downloads()
    assert (waiting.repo_id, waiting.filename, waiting.bytes_done, waiting.size) == (REPO, FILE, 200_000, len(CONTENT))

    hub.faults.cut_times = 0
    hub.clear_log()
    model = download()
    [get] = hub.requests("GET")
    assert get.headers["range"] == "bytes=200000-"
    assert get.body_bytes == len(CONTENT) - 200_000
    assert model.path.read_bytes() == CONTENT
    assert partial_files() == []


def _stop_when_partial_reaches(size: int, stop) -> threading.Thread:
    """Press pause/cancel from another thread, as the GUI does, once `size` bytes are on disk."""

    def watch():
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if any(p.stat().st_size >= size for p in partial_files()):
                stop()
                return
            time.sleep(0.01)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("action", ["pause", "cancel"])
def test_pause_keeps_the_partial_file_and_cancel_deletes_it(hub, action):
    # The server goes quiet after 120 KB, so the button is pressed mid-download.
    hub.faults.stall_after, hub.faults.stall_times, hub.faults.stall_seconds = 120_000, 1, 0.3
    control = TransferControl()
    watcher = _stop_when_partial_reaches(100_000, getattr(control, action))
    with pytest.raises(Cancelled, match="paused with 120.0 KB of 418.3 KB kept" if action == "pause" else "cancelled"):
        download(control=control, policy=RetryPolicy(stall_seconds=2, backoff_seconds=0.5))
    watcher.join()
    assert downloaded() == []
    if action == "cancel":
        assert partial_files() == []
        return
    [partial] = partial_files()
    assert partial.stat().st_size == 120_000

    hub.clear_log()
    model = download()
    [get] = hub.requests("GET")
    assert get.headers["range"] == "bytes=120000-" and get.body_bytes == len(CONTENT) - 120_000
    assert model.path.read_bytes() == CONTENT


def test_stalled_connection_is_retried_and_resumed(hub):
    hub.faults.stall_after, hub.faults.stall_times, hub.faults.stall_seconds = 100_000, 1, 5
    events = []
    started = time.monotonic()
    model = download(on_progress=events.append)
    assert time.monotonic() - started < 4
    retries = [e for e in events if e.phase == "retrying"]
    assert len(retries) == 1 and "stalled" in retries[0].message and retries[0].attempt == 2
    assert hub.requests("GET")[1].headers["range"] == "bytes=100000-"
    assert model.sha256 == hashlib.sha256(CONTENT).hexdigest()


def test_connection_that_keeps_stalling_gives_a_clear_error(hub):
    hub.faults.stall_after, hub.faults.stall_times, hub.faults.stall_seconds = 0, -1, 5
    started = time.monotonic()
    with pytest.raises(ModelError, match="stalled: no data arrived for 0.5 seconds.*Gave up after 2 retries"):
        download()
    assert time.monotonic() - started < 5
    assert len(hub.requests("GET")) == 3  # the first try and two retries
    assert downloaded() == []


def test_tampered_body_is_rejected_and_deleted(hub):
    hub.faults.tamper = True
    with pytest.raises(ModelError, match="failed its integrity check.*deleted and nothing was installed"):
        download()
    assert downloaded() == [] and partial_files() == []
    assert not (models_root() / "acme--Office-Model-GGUF" / FILE).exists()


def test_file_that_is_not_a_model_is_rejected_even_with_a_good_checksum(hub):
    hub.add_file(REPO, "README.gguf", b"# not a model\n" * 1000)
    with pytest.raises(ModelLoadError, match="not a model Matome can run"):
        download_model(REPO, "README.gguf", policy=FAST)
    assert downloaded() == [] and partial_files() == []


def test_missing_file_and_missing_repo(hub):
    with pytest.raises(ModelNotFoundError, match="has no file 'nope.gguf'"):
        download_model(REPO, "nope.gguf", policy=FAST)
    with pytest.raises(ModelNotFoundError, match="no model repository 'acme/Nothing'"):
        download_model("acme/Nothing", FILE, policy=FAST)
    assert hub.requests("GET") == []


def test_server_error_is_retried_then_reported(hub):
    hub.faults.status = 500
    with pytest.raises(ModelError, match="HTTP 500.*Gave up after 2 retries"):
        download()
    assert len(hub.requests("HEAD")) == 3 and hub.requests("GET") == []


def test_server_error_that_clears_up_is_survived(hub):
    hub.faults.status, hub.faults.status_times = 503, 1
    model = download()
    assert [r.status for r in hub.requests()] == [503, 200, 200]
    assert model.path.read_bytes() == CONTENT


def test_hub_that_does_not_answer_times_out_clearly(hub):
    hub.faults.head_delay = 3
    started = time.monotonic()
    with pytest.raises(ModelError, match="took too long to answer|did not answer"):
        download(policy=RetryPolicy(connect_seconds=0.3, max_retries=1, backoff_seconds=0.01))
    assert time.monotonic() - started < 3


def test_not_enough_disk_space_is_refused_before_downloading(hub, monkeypatch):
    monkeypatch.setattr(fileops, "free_disk_bytes", lambda folder: 300_000)
    with pytest.raises(ModelError, match=r"Not enough disk space for office-model-q4_0.gguf.*only 300.0 KB is free"):
        download()
    assert hub.requests("GET") == [] and partial_files() == []
    # Exactly the file plus the margin is enough.
    monkeypatch.setattr(fileops, "free_disk_bytes", lambda folder: len(CONTENT) + fileops.DISK_MARGIN_BYTES)
    assert download().path.read_bytes() == CONTENT


def test_server_ignoring_range_restarts_cleanly(hub):
    hub.faults.cut_after, hub.faults.cut_times, hub.faults.ignore_range = 100_000, 1, True
    model = download()
    second = hub.requests("GET")[1]
    assert second.headers["range"] == "bytes=100000-" and second.status == 200
    assert model.path.read_bytes() == CONTENT


def test_cdn_redirect_keeps_the_token_on_the_hub(hub, monkeypatch):
    hub.cdn = True
    monkeypatch.setenv("HF_TOKEN", "hf_test_token")
    model = download()
    head, get = hub.requests()
    assert head.method == "HEAD" and head.headers["authorization"] == "Bearer hf_test_token"
    assert get.path.startswith("/cdn/") and "authorization" not in get.headers
    assert model.path.read_bytes() == CONTENT


def test_expired_cdn_link_is_refreshed(hub):
    hub.cdn, hub.faults.cdn_forbidden_times = True, 1
    model = download()
    assert [(r.method, r.path.split("/")[1], r.status) for r in hub.requests()] == [
        ("HEAD", "acme", 302), ("GET", "cdn", 403), ("HEAD", "acme", 302), ("GET", "cdn", 200)]
    assert model.path.read_bytes() == CONTENT


def test_cdn_that_keeps_refusing_is_blamed_on_the_network(hub):
    hub.cdn, hub.faults.cdn_forbidden_times = True, -1
    with pytest.raises(ModelError, match="localhost refused the download.*proxy or firewall"):
        download()
    assert len(hub.requests("GET")) == 2 and downloaded() == []


def test_proxy_from_the_environment_is_used(hub, monkeypatch):
    from huggingface_hub.utils import close_session

    # A hub name that does not resolve: only the proxy can reach it.
    monkeypatch.setenv("HF_ENDPOINT", "http://hub.matome.invalid")
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, hub.url)
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    close_session()  # the shared client reads proxy settings when it is created
    try:
        model = download()
    finally:
        close_session()  # later tests get a client made without the proxy
    assert [r.proxied for r in hub.requests()] == [True, True]
    assert hub.requests()[0].headers["host"] == "hub.matome.invalid"
    assert model.path.read_bytes() == CONTENT


def test_catalog_download_records_the_catalog_id(hub):
    entry = load_catalog().get("qwen2.5-0.5b-instruct")
    hub.add_file(entry.repo_id, entry.filename, make_gguf(name="Qwen2.5 0.5B", tensor_elements=1000))
    model = download_catalog_model("qwen2.5-0.5b-instruct", policy=FAST)
    assert (model.id, model.catalog_id, model.name) == (entry.id, entry.id, entry.name)
    assert hub.requests("HEAD")[0].path == f"/{entry.repo_id}/resolve/main/{entry.filename}"


def test_no_telemetry_and_offline_outside_downloads(hub, monkeypatch, tmp_path):
    from huggingface_hub import constants, hf_hub_download
    from huggingface_hub.utils import _detect_agent, build_hf_headers

    # Turn the library's extras back on, with nothing cached, as in a fresh install.
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", False)
    monkeypatch.setattr(constants, "AGENT_HARNESSES_PATH", str(tmp_path / "agents.json"))
    monkeypatch.setattr(constants, "ENDPOINT", hub.url)
    monkeypatch.setattr(_detect_agent, "_registry", None)

    download()
    assert [r.path for r in hub.requests() if r.path.startswith("/api/")] == []
    assert constants.HF_HUB_OFFLINE is True  # back to offline once the download is over

    # Outside a download the client refuses to touch the network at all.
    hub.clear_log()
    with pytest.raises(Exception):
        hf_hub_download(REPO, FILE, cache_dir=str(tmp_path / "cache"))
    assert hub.requests() == []

    # Control: with telemetry on and online, the library does fetch the agent registry, so the
    # log above would have shown it.
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    build_hf_headers()
    assert [r.path for r in hub.requests()] == ["/api/agent-harnesses"]


def test_user_offline_switch_is_honoured(hub, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="HF_HUB_OFFLINE"):
        download()
    assert hub.requests() == []


def test_two_downloads_of_the_same_file_do_not_mix(hub):
    hub.faults.stall_after, hub.faults.stall_times, hub.faults.stall_seconds = 50_000, 1, 1.0
    results: dict[str, object] = {}

    def first():
        try:
            results["first"] = download(policy=RetryPolicy(stall_seconds=3, backoff_seconds=0.01))
        except Exception as exc:  # noqa: BLE001
            results["first"] = exc

    worker = threading.Thread(target=first)
    worker.start()
    deadline = time.monotonic() + 3
    while not hub.requests("GET") and time.monotonic() < deadline:
        time.sleep(0.02)
    with pytest.raises(ModelError, match="already being downloaded"):
        download()
    worker.join(timeout=10)
    assert getattr(results["first"], "sha256", None) == hashlib.sha256(CONTENT).hexdigest()


def test_cli_download_shows_progress_and_exit_codes(hub, capsys):
    from app.cli import run

    assert run(["models", "download", REPO, FILE]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("office-model-q4_0\t")
    assert "Downloading" in captured.err and "Installed Office Model" in captured.err
    assert run(["models", "download", "no-such-model"]) == 2
    assert "Known models" in capsys.readouterr().err
    assert run(["models", "download", "acme/Office-Model-GGUF/missing.gguf"]) == 2
    assert "has no file 'missing.gguf'" in capsys.readouterr().err
