"""The pure-Python GGUF reader: real metadata from the starter model, clear errors for bad files."""

from __future__ import annotations

import struct
import time

import pytest

from app.core.errors import ModelLoadError
from app.core.models.gguf import is_gguf, read_gguf
from tests.hub_server import make_gguf


def test_starter_model_metadata(starter_model_path):
    started = time.perf_counter()
    info = read_gguf(starter_model_path)
    elapsed = time.perf_counter() - started

    assert info.architecture == "llama"
    assert info.context_length == 8192
    assert info.chat_template is not None and "messages" in info.chat_template
    assert info.quantization == "Q4_1"
    assert info.version == 3
    assert info.vocab_size == 49152
    assert 130_000_000 < info.parameter_count < 140_000_000  # SmolLM2-135M
    # The tensor table accounts for the file to the last byte: the truncation check is exact.
    assert info.expected_size == info.file_size == starter_model_path.stat().st_size
    # 49k tokenizer strings are skipped with seeks, not loaded: well under a second.
    assert elapsed < 2.0


def test_summary_is_plain_json(starter_model_path):
    summary = read_gguf(starter_model_path).summary()
    assert summary == {
        "architecture": "llama", "name": summary["name"], "context_length": 8192, "quantization": "Q4_1",
        "parameter_count": summary["parameter_count"], "has_chat_template": True, "gguf_version": 3,
    }
    assert isinstance(summary["name"], str) and summary["name"]


def test_synthetic_file_round_trip(tmp_path):
    path = tmp_path / "m.gguf"
    path.write_bytes(make_gguf(name="Tiny", architecture="qwen2", context_length=32768, file_type=15,
                               tensor_elements=1000, vocab=10))
    info = read_gguf(path)
    assert (info.name, info.architecture, info.context_length, info.quantization) == ("Tiny", "qwen2", 32768, "Q4_K_M")
    assert info.parameter_count == 1000
    assert info.vocab_size == 10


def test_version_2_is_read_and_version_1_is_refused(tmp_path):
    path = tmp_path / "v2.gguf"
    path.write_bytes(make_gguf(version=2, tensor_elements=64, vocab=4))
    assert read_gguf(path).version == 2

    path.write_bytes(make_gguf(version=1, tensor_elements=64, vocab=4))
    with pytest.raises(ModelLoadError, match="version 1"):
        read_gguf(path)


def test_big_endian_file_is_named_as_such(tmp_path):
    data = bytearray(make_gguf(tensor_elements=64, vocab=4))
    data[4:8] = struct.pack(">I", 3)
    path = tmp_path / "be.gguf"
    path.write_bytes(bytes(data))
    with pytest.raises(ModelLoadError, match="big-endian"):
        read_gguf(path)


def test_model_without_chat_template(tmp_path):
    path = tmp_path / "base.gguf"
    path.write_bytes(make_gguf(chat_template=None, tensor_elements=64, vocab=4))
    info = read_gguf(path)
    assert info.chat_template is None
    assert info.summary()["has_chat_template"] is False


def test_not_a_gguf_file(tmp_path):
    path = tmp_path / "notes.gguf"
    path.write_text("these are meeting notes, not a model")
    assert not is_gguf(path)
    with pytest.raises(ModelLoadError, match="not a GGUF model file"):
        read_gguf(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.gguf"
    path.write_bytes(b"")
    with pytest.raises(ModelLoadError, match="not a GGUF"):
        read_gguf(path)


def test_starter_model_cut_inside_tokenizer_table(tmp_path, starter_model_path):
    cut = tmp_path / "cut.gguf"
    with open(starter_model_path, "rb") as source:
        cut.write_bytes(source.read(300_000))  # ends among the 49k token strings
    assert is_gguf(cut)
    with pytest.raises(ModelLoadError, match="incomplete"):
        read_gguf(cut)


def test_file_cut_inside_tensor_data_is_caught(tmp_path):
    whole = make_gguf(tensor_elements=50_000, vocab=8)
    path = tmp_path / "half.gguf"
    path.write_bytes(whole[: len(whole) - 1000])
    with pytest.raises(ModelLoadError, match="incomplete.*download or copy it again"):
        read_gguf(path)
    # The header alone is still readable when the caller only wants metadata.
    assert read_gguf(path, check_size=False).architecture == "llama"


def test_absurd_lengths_are_reported_as_damage(tmp_path):
    data = bytearray(make_gguf(tensor_elements=64, vocab=4))
    key_length_at = 4 + 4 + 8 + 8  # magic, version, tensor count, kv count
    data[key_length_at:key_length_at + 8] = struct.pack("<Q", 1 << 40)
    path = tmp_path / "damaged.gguf"
    path.write_bytes(bytes(data))
    with pytest.raises(ModelLoadError, match="damaged"):
        read_gguf(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        read_gguf(tmp_path / "nowhere.gguf")
    with pytest.raises(ModelLoadError, match="folder"):
        read_gguf(tmp_path)
