"""The welcome: shown while only the starter model is installed and until the user answers it;
its recommendation, and a download inside it that makes the new model the active one."""

from __future__ import annotations

import pytest

from app.core.models import RetryPolicy, import_model, load_catalog
from app.core.models.hardware import GIB, Hardware
from app.ui.first_run import FIRST_RUN_DONE, FirstRunOffer, read_ui_state, ui_state_path
from app.ui.model_manager_bridge import ModelManagerBridge
from app.ui.settings_pages.transfer_widget import BAR_STEPS
from app.ui.settings_store import SettingsStore
from tests.hub_server import HubServer, make_gguf

LAPTOP = Hardware(total_ram_bytes=8 * GIB, available_ram_bytes=6 * GIB, physical_cores=4, logical_cores=8)
RECOMMENDED_EN = load_catalog().get("qwen2.5-1.5b-instruct")
CONTENT = make_gguf(name="Recommended look-alike", tensor_elements=60_000)


@pytest.fixture
def store():
    return SettingsStore.load()


@pytest.fixture
def kept():
    """What a test makes, kept until the bridge's threads have stopped: PySide can crash when a
    pool thread collects garbage while the main thread tears down a widget tree."""
    objects = []
    yield objects
    for thing in objects:
        if thing.dialog is not None:
            thing.dialog.close()
    objects.clear()


@pytest.fixture
def bridge(store, kept):
    bridge = ModelManagerBridge(store, retry_policy=RetryPolicy(stall_seconds=0.5, max_retries=1,
                                                                backoff_seconds=0.05))
    yield bridge
    assert bridge.shutdown(10_000)


@pytest.fixture
def offer_welcome(qtbot, store, bridge, kept):
    def offer() -> FirstRunOffer:
        first_run = FirstRunOffer(store, bridge, hardware=LAPTOP)
        kept.append(first_run)
        with qtbot.waitSignal(first_run.decided, timeout=5000):
            first_run.start()
        if first_run.dialog is not None:
            qtbot.addWidget(first_run.dialog)
        return first_run

    return offer


def test_welcome_appears_with_only_the_starter_model_until_answered(qtbot, store, offer_welcome):
    store.apply(_with_language(store, "en"))
    first = offer_welcome()
    dialog = first.dialog
    assert dialog is not None and dialog.isVisible()
    assert "never leave it" in dialog.privacy_label.text()
    assert RECOMMENDED_EN.name in dialog.recommendation_label.text()
    assert "8.0 GB" in dialog.recommendation_label.text() and "Fits" in dialog.fit_label.text()
    # Documents mostly in Japanese: the Japanese model for this memory tier.
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("ja"))
    assert "LLM-jp-3 1.8B" in dialog.recommendation_label.text()
    assert not ui_state_path().exists()

    dialog.skip_button.click()  # use the starter model
    assert not dialog.isVisible()
    assert read_ui_state()[FIRST_RUN_DONE] is True
    # The settings file is for preferences only: nothing about the welcome goes there.
    assert ui_state_path().name != store.path.name

    again = offer_welcome()
    assert again.dialog is None


def test_no_welcome_once_a_model_is_installed(qtbot, offer_welcome, tmp_path):
    model_file = tmp_path / "office.gguf"
    model_file.write_bytes(make_gguf(name="Office"))
    import_model(model_file)
    first = offer_welcome()
    assert first.dialog is None
    assert not ui_state_path().exists()  # not answered: nothing to remember


@pytest.mark.loopback
def test_download_inside_the_welcome_installs_and_activates_the_model(qtbot, store, bridge, offer_welcome,
                                                                       monkeypatch):
    store.apply(_with_language(store, "en"))
    with HubServer() as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        hub.add_file(RECOMMENDED_EN.repo_id, RECOMMENDED_EN.filename, CONTENT)
        dialog = offer_welcome().dialog
        with qtbot.waitSignal(store.changed, timeout=10_000) as changed:
            dialog.download_button.click()
            assert not dialog.download_button.isEnabled()
            assert dialog.skip_button.text() == "&Continue in the background"
    assert changed.args == [frozenset({"models"})]
    model = dialog.installed_model
    assert model.catalog_id == RECOMMENDED_EN.id and model.path.read_bytes() == CONTENT
    assert store.settings.models.active_model == str(model.path)
    assert dialog.transfer.bar.value() == BAR_STEPS
    assert "is installed" in dialog.status_label.text()
    assert dialog.skip_button.text() == "&Start using Matome"
    dialog.skip_button.click()
    assert read_ui_state()[FIRST_RUN_DONE] is True


def _with_language(store, language):
    settings = store.settings
    settings.ui.language = language
    return settings
