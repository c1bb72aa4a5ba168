"""The Models page against a hub look-alike on 127.0.0.1: the catalog, a download with its
progress bar, pause and resume, cancel, import, verify and delete. The real hub is never used."""

from __future__ import annotations

import time

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.core.models import RetryPolicy, list_installed, load_catalog
from app.core.models.hardware import GIB, Hardware
from app.core.models.registry import PARTIAL_DIR, models_root
from app.ui.model_manager_bridge import ModelManagerBridge, download_key, import_key
from app.ui.settings_pages.catalog_table import FIT
from app.ui.settings_pages.models_page import ModelsPage
from app.ui.settings_pages.transfer_widget import BAR_STEPS, PAUSED
from app.ui.settings_store import SettingsStore
from tests.hub_server import HubServer, make_gguf

LAPTOP = Hardware(total_ram_bytes=8 * GIB, available_ram_bytes=6 * GIB, physical_cores=2, logical_cores=4)
ENTRY = load_catalog().get("qwen2.5-0.5b-instruct")
KEY = download_key(ENTRY.id)
CONTENT = make_gguf(name="Qwen look-alike", tensor_elements=100_000)  # ~420 KB
FAST = RetryPolicy(stall_seconds=0.5, connect_seconds=2, max_retries=2, backoff_seconds=0.05)
#: Pause and cancel land in the back-off after the server goes quiet.
SLOW_RETRY = RetryPolicy(stall_seconds=2, connect_seconds=2, max_retries=2, backoff_seconds=0.5)


@pytest.fixture
def hub(monkeypatch):
    with HubServer() as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.delenv("HF_TOKEN", raising=False)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        server.add_file(ENTRY.repo_id, ENTRY.filename, CONTENT)
        yield server


@pytest.fixture
def make_page(qtbot):
    bridges, pages = [], []

    def make(policy: RetryPolicy = FAST) -> ModelsPage:
        bridge = ModelManagerBridge(SettingsStore.load(), retry_policy=policy)
        bridges.append(bridge)
        page = ModelsPage(bridge, hardware=LAPTOP)
        qtbot.addWidget(page)
        pages.append(page)
        page.show()
        with qtbot.waitSignal(bridge.installed_changed, timeout=5000):
            bridge.refresh()
        return page

    yield make
    for bridge in bridges:
        assert bridge.shutdown(10_000)
    # Only now, with no pool thread left, may the pages be torn down: PySide can crash when a
    # pool thread collects garbage while the main thread destroys a widget tree.
    for page in pages:
        page.close()
    pages.clear()


def partial_files():
    folder = models_root() / PARTIAL_DIR
    return sorted(folder.glob("*.part")) if folder.exists() else []


def start_download(qtbot, page: ModelsPage):
    page.catalog_table.select_entry(ENTRY.id)
    assert page.download_button.isEnabled()
    with qtbot.waitSignal(page.bridge.transfer_started, timeout=1000):
        page.download_button.click()
    return page.transfer_widget(KEY)


def wait_for_partial(qtbot, size: int) -> None:
    qtbot.waitUntil(lambda: any(p.stat().st_size >= size for p in partial_files()), timeout=5000)


def test_lists_the_starter_model_and_the_catalog_with_fit_badges(make_page):
    page = make_page()
    [starter] = page.installed_table.models
    assert starter.source == "bundled" and "SmolLM2-135M" in page.installed_table.names()[0]
    page.installed_table.select_model(starter.id)
    assert page.verify_button.isEnabled() and not page.delete_button.isEnabled()  # bundled: not removable

    assert page.catalog_table.rowCount() == len(load_catalog().entries)
    name, size, languages, licence, fit, state = page.catalog_table.row_texts("qwen2.5-1.5b-instruct")
    assert name.startswith("★ ")  # the recommendation for 8 GB
    assert size == "1.1 GB" and "English" in languages and licence == "apache-2.0"
    assert fit == "● Fits" and state == ""
    row = [entry.id for entry in page.catalog_table.entries].index("gemma-3-4b-it")
    assert page.catalog_table.item(row, FIT).text() == "● May be slow"
    assert "2 processor cores" in page.catalog_table.item(row, FIT).toolTip()


@pytest.mark.loopback
def test_download_shows_progress_and_ends_installed(qtbot, hub, make_page):
    # The server closes the connection once after 200 KB, so the transfer has a moment
    # half-way (the retry) that the bar must show before it resumes and completes.
    hub.faults.stall_after, hub.faults.stall_times, hub.faults.stall_seconds = 200_000, 1, 0.2
    page = make_page()
    bars, texts = [], []
    widget = start_download(qtbot, page)
    widget.bar.valueChanged.connect(bars.append)
    page.bridge.transfer_progress.connect(lambda key, progress: texts.append(widget.detail_label.text()))
    assert page.catalog_table.row_texts(ENTRY.id)[-1] == "Downloading…"
    assert not page.download_button.isEnabled()  # one download per model

    with qtbot.waitSignal(page.bridge.transfer_finished, timeout=10_000) as finished:
        pass
    qtbot.waitUntil(lambda: ENTRY.id in {m.catalog_id for m in page.installed_table.models}, timeout=5000)

    model = finished.args[1]
    assert model.path.read_bytes() == CONTENT
    halfway = 200_000 * BAR_STEPS // len(CONTENT)
    assert halfway in bars, bars  # the bar stood at 200 KB of 420 KB
    assert bars[-1] == BAR_STEPS
    assert any("200.0 kB of 4" in text for text in texts), texts
    assert [r.headers.get("range") for r in hub.requests("GET")] == [None, "bytes=200000-"]
    assert page.catalog_table.row_texts(ENTRY.id)[-1] == "Installed"
    assert "installed" in page.notice_label.text()
    assert page.transfer_widget(KEY) is None and partial_files() == []


@pytest.mark.loopback
def test_pause_keeps_the_partial_file_and_resume_completes_it(qtbot, hub, make_page):
    hub.faults.stall_after, hub.faults.stall_times, hub.faults.stall_seconds = 120_000, 1, 0.3
    page = make_page(SLOW_RETRY)
    widget = start_download(qtbot, page)
    wait_for_partial(qtbot, 100_000)
    with qtbot.waitSignal(page.bridge.transfer_paused, timeout=5000):
        widget.pause_button.click()
        assert widget.detail_label.text() == "Pausing…"
    [partial] = partial_files()
    assert partial.stat().st_size == 120_000
    assert widget.state == PAUSED and widget.resume_button.isVisibleTo(page) and not widget.pause_button.isVisibleTo(page)
    # The refresh after the pause reads the partial file: the bar and the row say how far it got.
    qtbot.waitUntil(lambda: page.catalog_table.row_texts(ENTRY.id)[-1] == "Paused at 28%", timeout=5000)
    assert widget.bar.value() == 120_000 * BAR_STEPS // len(CONTENT)
    assert widget.detail_label.text() == "Paused at 120.0 kB of 418.3 kB"
    assert [m.source for m in list_installed()] == ["bundled"]  # a partial file is never a model

    hub.clear_log()
    with qtbot.waitSignal(page.bridge.transfer_finished, timeout=10_000):
        widget.resume_button.click()
    [get] = hub.requests("GET")
    assert get.headers["range"] == "bytes=120000-" and get.body_bytes == len(CONTENT) - 120_000
    qtbot.waitUntil(lambda: page.catalog_table.row_texts(ENTRY.id)[-1] == "Installed", timeout=5000)
    assert partial_files() == []


@pytest.mark.loopback
def test_cancel_deletes_the_partial_file(qtbot, hub, make_page):
    hub.faults.stall_after, hub.faults.stall_times, hub.faults.stall_seconds = 120_000, 1, 0.3
    page = make_page(SLOW_RETRY)
    widget = start_download(qtbot, page)
    wait_for_partial(qtbot, 100_000)
    with qtbot.waitSignal(page.bridge.transfer_cancelled, timeout=5000):
        widget.cancel_button.click()
    assert partial_files() == []
    assert page.transfer_widget(KEY) is None
    qtbot.waitUntil(lambda: page.catalog_table.row_texts(ENTRY.id)[-1] == "", timeout=5000)
    assert [m.source for m in list_installed()] == ["bundled"]


@pytest.mark.loopback
def test_a_paused_download_from_an_earlier_session_can_be_discarded(qtbot, hub, make_page):
    hub.faults.cut_after, hub.faults.cut_times = 150_000, 10
    first = make_page(RetryPolicy(stall_seconds=0.5, max_retries=0, backoff_seconds=0.01))
    with qtbot.waitSignal(first.bridge.transfer_failed, timeout=5000) as failed:
        start_download(qtbot, first)
    assert "download again to resume" in failed.args[1]
    assert "download again to resume" in first.transfer_widget(KEY).detail_label.text()

    page = make_page()  # as if Matome had been restarted
    widget = page.transfer_widget(KEY)
    assert widget is not None and widget.state == PAUSED and "150.0 kB" in widget.detail_label.text()
    page.catalog_table.select_entry(ENTRY.id)
    assert page.download_button.text() == "&Resume download"
    with qtbot.waitSignal(page.bridge.transfer_cancelled, timeout=5000):
        widget.cancel_button.click()
    assert partial_files() == [] and page.transfer_widget(KEY) is None


def test_import_verify_and_delete_a_gguf_file(qtbot, make_page, tmp_path, monkeypatch):
    source = tmp_path / "usb-stick-model.gguf"
    source.write_bytes(make_gguf(name="USB Stick Model"))
    page = make_page()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(source), ""))
    with qtbot.waitSignal(page.bridge.transfer_finished, timeout=5000) as finished:
        page.import_button.click()
    assert finished.args[0] == import_key(source)
    qtbot.waitUntil(lambda: "USB Stick Model" in page.installed_table.names(), timeout=5000)
    imported = finished.args[1]
    assert imported.path != source and imported.path.read_bytes() == source.read_bytes()  # copied

    assert page.installed_table.select_model(imported.id)
    with qtbot.waitSignal(page.bridge.transfer_finished, timeout=5000):
        page.verify_button.click()
    assert "SHA-256 matches" in page.notice_label.text()

    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    assert page.delete_button.isEnabled()
    with qtbot.waitSignal(page.bridge.transfer_finished, timeout=5000):
        page.delete_button.click()
    qtbot.waitUntil(lambda: "USB Stick Model" not in page.installed_table.names(), timeout=5000)
    assert not imported.path.exists() and source.exists()


def test_a_broken_import_shows_the_reason(qtbot, make_page, tmp_path):
    broken = tmp_path / "truncated.gguf"
    broken.write_bytes(make_gguf()[:5000])
    page = make_page()
    started = time.monotonic()
    with qtbot.waitSignal(page.bridge.transfer_failed, timeout=5000) as failed:
        page.import_file(broken)
    assert time.monotonic() - started < 5
    widget = page.transfer_widget(import_key(broken))
    assert widget.detail_label.text() == failed.args[1] and "Traceback" not in failed.args[1]
    assert "truncated" in failed.args[1].lower() or "damaged" in failed.args[1].lower()
    widget.cancel_button.click()  # "Close"
    assert page.transfer_widget(import_key(broken)) is None
