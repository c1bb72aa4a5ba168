"""Copies of a real GGUF model with edited metadata, for tests: a hostile or missing chat
template, a different context length. The tensor table and weights are copied unchanged;
only the key/value section is rebuilt, and the data re-aligned after it.

Also `raw_header`, for hand-made hostile headers whose counts and lengths lie.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
STRING, ARRAY, UINT32, UINT64 = 8, 9, 4, 10


def _string(text: str | bytes) -> bytes:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return struct.pack("<Q", len(raw)) + raw


def _skip_value(data: bytes, at: int, value_type: int) -> int:
    if value_type in _SIZES:
        return at + _SIZES[value_type]
    if value_type == STRING:
        return at + 8 + struct.unpack_from("<Q", data, at)[0]
    if value_type == ARRAY:
        element_type, length = struct.unpack_from("<IQ", data, at)
        at += 12
        if element_type in _SIZES:
            return at + length * _SIZES[element_type]
        for _ in range(length):
            at = _skip_value(data, at, element_type)
        return at
    raise ValueError(f"value type {value_type}")


def _encode(value: Any) -> bytes:
    if isinstance(value, str):
        return struct.pack("<I", STRING) + _string(value)
    if isinstance(value, bool):
        return struct.pack("<I?", 7, value)
    if isinstance(value, int):
        return struct.pack("<IQ", UINT64, value) if value > 0xFFFFFFFF else struct.pack("<II", UINT32, value)
    raise TypeError(type(value))


def copy_with_metadata(source: Path, target: Path, *, set_values: dict[str, Any] | None = None,
                       remove: tuple[str, ...] = ()) -> Path:
    """Write `source` to `target` with keys set (added or replaced) and keys removed."""
    data = source.read_bytes()
    assert data[:4] == b"GGUF"
    version, tensor_count, kv_count = struct.unpack_from("<IQQ", data, 4)
    at = 24
    entries: list[tuple[str, bytes]] = []
    alignment = 32
    for _ in range(kv_count):
        key_length = struct.unpack_from("<Q", data, at)[0]
        key = data[at + 8:at + 8 + key_length].decode()
        value_at = at + 8 + key_length
        value_type = struct.unpack_from("<I", data, value_at)[0]
        end = _skip_value(data, value_at + 4, value_type)
        if key == "general.alignment":
            alignment = struct.unpack_from("<I", data, value_at + 4)[0]
        entries.append((key, data[at:end]))
        at = end
    tensors_at = at
    for _ in range(tensor_count):
        name_length = struct.unpack_from("<Q", data, at)[0]
        at += 8 + name_length
        n_dims = struct.unpack_from("<I", data, at)[0]
        at += 4 + 8 * n_dims + 4 + 8
    tensor_table = data[tensors_at:at]
    data_start = -(-at // alignment) * alignment

    wanted = dict(set_values or {})
    rebuilt = []
    for key, raw in entries:
        if key in remove:
            continue
        if key in wanted:
            raw = _string(key) + _encode(wanted.pop(key))
        rebuilt.append(raw)
    rebuilt += [_string(key) + _encode(value) for key, value in wanted.items()]
    header = b"GGUF" + struct.pack("<IQQ", version, tensor_count, len(rebuilt)) + b"".join(rebuilt) + tensor_table
    with open(target, "wb") as out:
        out.write(header + b"\0" * (-len(header) % alignment))
        out.write(memoryview(data)[data_start:])
    return target


def raw_header(*, tensor_count: int = 0, entries: list[bytes] = (), tail: bytes = b"", version: int = 3) -> bytes:
    """A GGUF header from pre-encoded entries (see `entry`), with counts that may lie."""
    return b"GGUF" + struct.pack("<IQQ", version, tensor_count, len(entries)) + b"".join(entries) + tail


def entry(key: str | bytes, value_type: int, payload: bytes) -> bytes:
    return _string(key) + struct.pack("<I", value_type) + payload
