import json

from app.core import settings as store
from app.core.settings import Settings


def test_defaults_round_trip_through_the_file():
    original = Settings()
    original.inference.temperature = 0.5
    original.summary.length = "long"
    store.save(original)
    loaded = store.load()
    assert loaded.problem is None
    assert loaded.settings == original
    assert json.loads(store.settings_path().read_text())["schema_version"] == store.SCHEMA_VERSION


def test_missing_file_gives_defaults_without_complaint():
    loaded = store.load()
    assert loaded.problem is None
    assert loaded.settings == Settings()


def test_corrupt_file_is_backed_up_and_defaults_are_used():
    path = store.settings_path()
    path.write_text("{ this is not json", encoding="utf-8")
    loaded = store.load()
    assert loaded.settings == Settings()
    assert "could not be read" in loaded.problem
    backups = list(path.parent.glob("settings.json.corrupt-*"))
    assert len(backups) == 1
    assert backups[0].read_text(encoding="utf-8") == "{ this is not json"
    assert not path.exists()


def test_mistyped_and_unknown_fields_fall_back_per_field():
    path = store.settings_path()
    path.write_text(json.dumps({
        "schema_version": 1,
        "inference": {"temperature": "hot", "n_threads": 3, "unknown": 1},
        "summary": {"length": "short"},
        "nonsense": True,
    }), encoding="utf-8")
    loaded = store.load()
    assert loaded.problem is None
    assert loaded.settings.inference.temperature == Settings().inference.temperature
    assert loaded.settings.inference.n_threads == 3
    assert loaded.settings.summary.length == "short"


def test_invalid_values_are_refused_on_save_and_reported_on_load():
    bad = Settings()
    bad.summary.length = "enormous"
    problems = bad.validate()
    assert any("length" in p for p in problems)
    try:
        store.save(bad)
    except ValueError as error:
        assert "length" in str(error)
    else:
        raise AssertionError("invalid settings were saved")
    store.settings_path().write_text(json.dumps({"summary": {"length": "enormous"}}), encoding="utf-8")
    loaded = store.load()
    assert loaded.settings.summary.length == "medium"
    assert "invalid" in loaded.problem


def test_save_is_atomic_and_leaves_no_temporary_files():
    store.save(Settings())
    store.save(Settings())
    leftovers = [p.name for p in store.settings_path().parent.iterdir() if p.name != "settings.json"]
    assert leftovers == []
