"""Reading a GGUF model file's header and metadata, in pure Python, without loading weights.

This module owns the answer to "is this file a model llama.cpp can load, and what is it?":
the magic and version check, the key/value metadata (architecture, name, context length,
chat template, quantization), the tensor table (for the parameter count), and the expected
file length, which is how a file cut short by a failed copy or download is told apart from a
whole one. Large arrays such as `tokenizer.tokens` are skipped with seeks, so reading a
multi-gigabyte model costs a few hundred kilobytes of I/O.

Everything that goes wrong raises ModelLoadError with a message a person can act on.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from app.core.errors import ModelLoadError

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32

# Value types of the GGUF key/value section, with struct formats for the fixed-size ones.
_UINT8, _INT8, _UINT16, _INT16, _UINT32, _INT32, _FLOAT32, _BOOL, _STRING, _ARRAY = range(10)
_UINT64, _INT64, _FLOAT64 = 10, 11, 12
_SCALAR_FORMATS = {
    _UINT8: "<B", _INT8: "<b", _UINT16: "<H", _INT16: "<h", _UINT32: "<I", _INT32: "<i",
    _FLOAT32: "<f", _BOOL: "<?", _UINT64: "<Q", _INT64: "<q", _FLOAT64: "<d",
}

# Limits, so that a damaged or hostile header fails fast with a message instead of making us
# allocate gigabytes or loop for hours. Each is far above what any published model uses.
#: Metadata entries (real models: 20–60).
MAX_KEYS = 65_536
#: A key's name (the GGUF spec allows 65,535 bytes; real ones are under 100).
MAX_KEY_BYTES = 65_535
#: Any one text value; longer ones are refused (the largest real ones, embedded tokenizer
#: JSON, are a few MB).
MAX_STRING_BYTES = 64 * 1024 * 1024
#: Text values longer than this are skipped (recorded as SkippedString), not kept in memory.
MAX_KEPT_STRING_BYTES = 1024 * 1024
#: All keys and text values kept in memory together.
MAX_METADATA_BYTES = 32 * 1024 * 1024
#: Elements of one array (the largest real vocabularies and merge lists are under 1 million).
MAX_ARRAY_LENGTH = 1 << 24
#: Arrays inside arrays (llama.cpp itself reads none).
MAX_ARRAY_DEPTH = 2
#: Tensors (the largest published models have a few thousand).
MAX_TENSORS = 100_000

# llama.cpp's `general.file_type` (llama_ftype) → the quantization name people see on the hub.
FILE_TYPE_NAMES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
    23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
    29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 33: "Q4_0_4_4", 34: "Q4_0_4_8",
    35: "Q4_0_8_8", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE",
}

# ggml tensor type → (elements per block, bytes per block), as in gguf-py's GGML_QUANT_SIZES.
# Used only to compute where the tensor data should end; an unknown type skips that check.
TENSOR_BLOCK_SIZES = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
    9: (32, 36), 10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176),
    14: (256, 210), 15: (256, 292), 16: (256, 66), 17: (256, 74), 18: (256, 98),
    19: (256, 50), 20: (32, 18), 21: (256, 110), 22: (256, 82), 23: (256, 136),
    24: (1, 1), 25: (1, 2), 26: (1, 4), 27: (1, 8), 28: (1, 8), 29: (256, 56), 30: (1, 2),
    34: (256, 54), 35: (256, 66), 39: (32, 17), 40: (64, 36), 41: (128, 18),
}


@dataclass(frozen=True)
class ArrayInfo:
    """An array value that was skipped rather than read: its element type and length."""

    element_type: int
    length: int


@dataclass(frozen=True)
class SkippedString:
    """A text value too long to keep (over MAX_KEPT_STRING_BYTES): only its length in bytes."""

    length: int


@dataclass
class GGUFInfo:
    """What a GGUF file says about itself. `metadata` holds every scalar and string value;
    arrays appear as ArrayInfo (length only), very long strings as SkippedString."""

    path: Path
    version: int
    file_size: int
    metadata: dict[str, Any] = field(default_factory=dict)
    tensor_count: int = 0
    parameter_count: int | None = None
    #: Where the last tensor's data should end; None when a tensor type is unknown to us.
    expected_size: int | None = None

    @property
    def architecture(self) -> str | None:
        value = self.metadata.get("general.architecture")
        return value if isinstance(value, str) else None

    @property
    def name(self) -> str | None:
        value = self.metadata.get("general.name")
        return value if isinstance(value, str) else None

    @property
    def context_length(self) -> int | None:
        if not self.architecture:
            return None
        value = self.metadata.get(f"{self.architecture}.context_length")
        return int(value) if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def chat_template(self) -> str | None:
        value = self.metadata.get("tokenizer.chat_template")
        return value if isinstance(value, str) and value.strip() else None

    @property
    def file_type(self) -> int | None:
        value = self.metadata.get("general.file_type")
        return int(value) if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def quantization(self) -> str | None:
        if self.file_type is None:
            return None
        return FILE_TYPE_NAMES.get(self.file_type, f"type {self.file_type}")

    @property
    def vocab_size(self) -> int | None:
        tokens = self.metadata.get("tokenizer.ggml.tokens")
        return tokens.length if isinstance(tokens, ArrayInfo) else None

    def summary(self) -> dict[str, Any]:
        """The facts the model list shows and the manifest caches, as plain JSON types."""
        return {
            "architecture": self.architecture,
            "name": self.name,
            "context_length": self.context_length,
            "quantization": self.quantization,
            "parameter_count": self.parameter_count,
            "has_chat_template": self.chat_template is not None,
            "gguf_version": self.version,
        }


class _Reader:
    """Little-endian reads from a file, turning a short read into a clear 'file ends early' error."""

    def __init__(self, handle: BinaryIO, path: Path, file_size: int):
        self.handle = handle
        self.path = path
        self.file_size = file_size
        #: Bytes of keys and text values kept so far (MAX_METADATA_BYTES).
        self.kept_bytes = 0

    def read(self, count: int) -> bytes:
        data = self.handle.read(count)
        if len(data) != count:
            raise _truncated(self.path)
        return data

    def unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.read(struct.calcsize(fmt)))[0]

    def skip(self, count: int) -> None:
        if self.handle.tell() + count > self.file_size:
            raise _truncated(self.path)
        self.handle.seek(count, io.SEEK_CUR)

    def string(self, limit: int = MAX_STRING_BYTES, *, what: str = "a text value") -> str | SkippedString:
        length = self.unpack("<Q")
        if length > limit:
            raise _damaged(self.path, f"{what} claims {length:,} bytes")
        if length > MAX_KEPT_STRING_BYTES:
            self.skip(length)
            return SkippedString(length)
        self.kept_bytes += length
        if self.kept_bytes > MAX_METADATA_BYTES:
            raise _damaged(self.path, f"its metadata holds over {MAX_METADATA_BYTES // (1024 * 1024)} MB of text")
        return self.read(length).decode("utf-8", errors="replace")

    def skip_string(self, limit: int = MAX_STRING_BYTES) -> None:
        length = self.unpack("<Q")
        if length > limit:
            raise _damaged(self.path, f"a text value claims {length:,} bytes")
        self.skip(length)

    def value(self, value_type: int) -> Any:
        if value_type in _SCALAR_FORMATS:
            return self.unpack(_SCALAR_FORMATS[value_type])
        if value_type == _STRING:
            return self.string()
        if value_type == _ARRAY:
            element_type, length = self.array_header()
            self.skip_array(element_type, length, depth=1)
            return ArrayInfo(element_type, length)
        raise _damaged(self.path, f"unknown value type {value_type}")

    def array_header(self) -> tuple[int, int]:
        element_type = self.unpack("<I")
        length = self.unpack("<Q")
        if length > MAX_ARRAY_LENGTH:
            raise _damaged(self.path, f"an array claims {length:,} elements")
        return element_type, length

    def skip_array(self, element_type: int, length: int, depth: int) -> None:
        if element_type in _SCALAR_FORMATS:
            self.skip(length * struct.calcsize(_SCALAR_FORMATS[element_type]))
        elif element_type == _STRING:
            for _ in range(length):
                self.skip_string()
        elif element_type == _ARRAY:
            if depth >= MAX_ARRAY_DEPTH:
                raise _damaged(self.path, f"arrays are nested more than {MAX_ARRAY_DEPTH} deep")
            for _ in range(length):
                self.skip_array(*self.array_header(), depth=depth + 1)
        else:
            raise _damaged(self.path, f"unknown array element type {element_type}")


def _truncated(path: Path) -> ModelLoadError:
    return ModelLoadError(
        f"The model file {path.name} is incomplete: it ends before its own header says it should. "
        "It was probably cut short while copying or downloading. Delete it and download or copy it again."
    )


def _damaged(path: Path, detail: str) -> ModelLoadError:
    return ModelLoadError(
        f"The model file {path.name} is damaged ({detail}). Delete it and download or copy it again."
    )


def read_gguf(path: str | Path, *, check_size: bool = True) -> GGUFInfo:
    """Read `path`'s GGUF header, metadata and tensor table.

    With `check_size`, a file shorter than its tensor table says is rejected as truncated.
    Raises ModelLoadError for anything that is not a whole, readable GGUF v2/v3 file.
    """
    path = Path(path)
    try:
        file_size = path.stat().st_size
        # A large buffer makes the thousands of small reads of a tokenizer table cheap.
        handle = open(path, "rb", buffering=1 << 16)
    except FileNotFoundError:
        raise ModelLoadError(f"The model file {path} does not exist.") from None
    except IsADirectoryError:
        raise ModelLoadError(f"{path} is a folder, not a model file.") from None
    except OSError as exc:
        raise ModelLoadError(f"The model file {path} cannot be opened: {exc.strerror or exc}.") from None
    with handle:
        return _parse(_Reader(handle, path, file_size), path, file_size, check_size)


def _parse(reader: _Reader, path: Path, file_size: int, check_size: bool) -> GGUFInfo:
    head = reader.handle.read(8)
    if len(head) < 8 or head[:4] != GGUF_MAGIC:
        raise ModelLoadError(
            f"{path.name} is not a GGUF model file. Matome runs models in the GGUF format "
            "(files ending in .gguf, as published for llama.cpp)."
        )
    version = struct.unpack("<I", head[4:8])[0]
    if version not in SUPPORTED_VERSIONS:
        if struct.unpack(">I", head[4:8])[0] in SUPPORTED_VERSIONS:
            raise ModelLoadError(f"{path.name} is a big-endian GGUF file, which llama.cpp on this computer cannot run.")
        raise ModelLoadError(
            f"{path.name} uses GGUF version {version}; Matome reads versions 2 and 3. "
            "Download a newer conversion of this model."
        )
    tensor_count = reader.unpack("<Q")
    kv_count = reader.unpack("<Q")
    if tensor_count > MAX_TENSORS:
        raise _damaged(path, f"it claims {tensor_count:,} tensors")
    if kv_count > MAX_KEYS:
        raise _damaged(path, f"it claims {kv_count:,} metadata entries")

    info = GGUFInfo(path=path, version=version, file_size=file_size, tensor_count=tensor_count)
    for _ in range(kv_count):
        key = reader.string(limit=MAX_KEY_BYTES, what="a metadata key")
        if key in info.metadata:
            raise _damaged(path, f"the metadata key {key[:80]!r} appears twice")
        info.metadata[key] = reader.value(reader.unpack("<I"))

    _read_tensor_table(reader, info)
    if check_size and info.expected_size is not None and file_size < info.expected_size:
        raise _truncated(path)
    return info


def _read_tensor_table(reader: _Reader, info: GGUFInfo) -> None:
    parameters = 0
    data_end = 0
    sizes_known = True
    for _ in range(info.tensor_count):
        reader.skip_string(limit=MAX_KEY_BYTES)  # tensor name (llama.cpp's are under 64 bytes)
        n_dims = reader.unpack("<I")
        if n_dims > 8:
            raise _damaged(info.path, f"a tensor claims {n_dims} dimensions")
        elements = 1
        for _dim in range(n_dims):
            elements *= reader.unpack("<Q")
        tensor_type = reader.unpack("<I")
        offset = reader.unpack("<Q")
        parameters += elements
        block = TENSOR_BLOCK_SIZES.get(tensor_type)
        if block is None:
            sizes_known = False
            continue
        per_block, block_bytes = block
        data_end = max(data_end, offset + -(-elements // per_block) * block_bytes)
    info.parameter_count = parameters if info.tensor_count else None

    alignment = info.metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or isinstance(alignment, bool) or alignment <= 0 or alignment & (alignment - 1):
        # llama.cpp refuses these too; refusing here gives the reason.
        raise _damaged(info.path, f"its data alignment {alignment!r} is not a power of two")
    header_end = reader.handle.tell()
    data_start = -(-header_end // alignment) * alignment
    info.expected_size = data_start + data_end if sizes_known else None


def is_gguf(path: str | Path) -> bool:
    """True when `path` starts with the GGUF magic (a cheap check; read_gguf validates fully)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == GGUF_MAGIC
    except OSError:
        return False
