"""The pure-Python GGUF reader: real metadata from the starter model, clear errors for bad files."""

from __future__ import annotations

import struct
import time
import tracemalloc

import pytest

from app.core.errors import ModelLoadError
from app.core.models.gguf import (
    MAX_ARRAY_LENGTH, MAX_KEPT_STRING_BYTES, MAX_KEYS, MAX_METADATA_BYTES, MAX_TENSORS, SkippedString, is_gguf,
    read_gguf,
)
from tests.gguf_edit import ARRAY, STRING, UINT32, entry, raw_header
from tests.hub_server import make_gguf


def _s(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<Q", len(raw)) + raw


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


# ----- hostile headers: every lie is caught before it costs memory or time ----------------------

def _hostile(tmp_path, data: bytes, name: str = "hostile.gguf"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("header, expected", [
    (raw_header(tensor_count=1 << 40), r"claims 1,099,511,627,776 tensors"),
    (raw_header(tensor_count=MAX_TENSORS + 1), r"claims 100,001 tensors"),
    (raw_header()[:16] + struct.pack("<Q", MAX_KEYS + 1), r"claims 65,537 metadata entries"),
    (raw_header(entries=[entry("tokenizer.ggml.tokens", ARRAY, struct.pack("<IQ", STRING, 1 << 30))]),
     r"an array claims 1,073,741,824 elements"),
    (raw_header(entries=[entry("a", ARRAY, struct.pack("<IQ", ARRAY, 1) + struct.pack("<IQ", ARRAY, 1)
                               + struct.pack("<IQ", UINT32, 0))]), r"nested more than 2 deep"),
    (raw_header(entries=[entry("general.name", STRING, _s("a")), entry("general.name", STRING, _s("b"))]),
     r"'general.name' appears twice"),
    (raw_header(entries=[entry("general.alignment", UINT32, struct.pack("<I", 48))]), r"alignment 48 is not a power"),
    (raw_header(entries=[entry("general.name", STRING, struct.pack("<Q", 1 << 62))]), r"claims 4,611,686,018,427,387,904 bytes"),
    (raw_header(entries=[entry(b"k" * 70_000, UINT32, b"\0" * 4)])[:24] + struct.pack("<Q", 70_000),
     r"a metadata key claims 70,000 bytes"),
])
def test_hostile_header_is_refused_as_damaged(tmp_path, header, expected):
    path = _hostile(tmp_path, header + b"\0" * 64)
    started = time.perf_counter()
    with pytest.raises(ModelLoadError, match=expected) as refused:
        read_gguf(path)
    assert time.perf_counter() - started < 0.5
    assert "Delete it and download or copy it again" in str(refused.value)


def test_a_lying_string_array_ends_at_the_end_of_the_file(tmp_path):
    # 16 million zero-length strings claimed, 100 present: the reader stops at the file's end.
    tokens = entry("tokenizer.ggml.tokens", ARRAY, struct.pack("<IQ", STRING, MAX_ARRAY_LENGTH)
                   + struct.pack("<Q", 0) * 100)
    path = _hostile(tmp_path, raw_header(entries=[tokens]))
    started = time.perf_counter()
    with pytest.raises(ModelLoadError, match="incomplete"):
        read_gguf(path)
    assert time.perf_counter() - started < 0.5


def test_metadata_kept_in_memory_is_capped(tmp_path):
    # A long value is skipped, not kept; many medium ones together are refused.
    long_value = "x" * (MAX_KEPT_STRING_BYTES + 1)
    path = _hostile(tmp_path, raw_header(entries=[entry("general.name", STRING, _s("ok")),
                                                  entry("tokenizer.huggingface.json", STRING, _s(long_value))]))
    info = read_gguf(path, check_size=False)
    assert info.metadata["tokenizer.huggingface.json"] == SkippedString(MAX_KEPT_STRING_BYTES + 1)
    assert info.name == "ok"

    medium = _s("y" * MAX_KEPT_STRING_BYTES)
    many = [entry(f"junk.{i}", STRING, medium) for i in range(MAX_METADATA_BYTES // MAX_KEPT_STRING_BYTES + 1)]
    path = _hostile(tmp_path, raw_header(entries=many), "many.gguf")
    tracemalloc.start()
    try:
        with pytest.raises(ModelLoadError, match="metadata holds over 32 MB of text"):
            read_gguf(path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MAX_METADATA_BYTES + 8 * 1024 * 1024


def test_a_hostile_header_is_refused_by_import_in_the_child(tmp_path):
    from app.core.models import import_model, list_installed

    path = _hostile(tmp_path, raw_header(tensor_count=1 << 40) + b"\0" * 64, "stick.gguf")
    with pytest.raises(ModelLoadError, match="stick.gguf is damaged"):
        import_model(path)
    assert [m for m in list_installed() if m.source == "imported"] == []
