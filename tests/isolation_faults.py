"""A reader that misbehaves on purpose, for tests of the reader process (isolation.py).

`misbehaving_reader` runs inside the worker in place of the real reader and, when the file's
name asks for it, does what a hostile file can make native code do: crash with a real
segmentation fault, hang, exhaust memory, exit. Any other file is read for real, so a test can
show that the next file still reads. Nothing in the app is patched: the pool is simply given
this function (ReaderPool(misbehaving_reader)), which it sends to the worker by name.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
from pathlib import Path

from app.core.documents.isolation import ReadRequest, read_request


def misbehaving_reader(request: ReadRequest):
    name = Path(request.path).stem
    if name.startswith("segfault"):
        ctypes.string_at(0)  # reads address 0: SIGSEGV in native code, as a pdfium bug would
    if name.startswith("exit"):
        os._exit(3)
    if name.startswith("hang"):
        while True:  # a native loop that never checks anything looks the same from outside
            time.sleep(0.05)
    if name.startswith("allocate"):
        hoard = []
        while True:  # under RLIMIT_AS this ends in MemoryError
            hoard.append(bytearray(16 * 1024 * 1024))
    if name.startswith("grow"):
        # Lifts the address-space limit (as on Windows, where there is none) and touches pages, so
        # only the parent's watch on resident memory can stop it.
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        hoard = []
        for _ in range(100):
            hoard.append(b"x" * (16 * 1024 * 1024))
            time.sleep(0.02)
        raise AssertionError("the parent did not stop a reader that used 1.6 GB")
    document = read_request(request)
    if name.startswith("whoami"):
        loaded = sorted(module for module in sys.modules
                        if module.split(".")[0] in ("PySide6", "shiboken6", "llama_cpp", "huggingface_hub"))
        document.warnings.append(f"pid={os.getpid()} modules={','.join(loaded)}")
    return document


def main(argv: list[str]) -> None:
    """An app for the tests to run as a process of its own (`python -m tests.isolation_faults`):

        whoami FILE   import Qt and llama_cpp first, as the window does, then read FILE in a
                      reader process and print what that process had imported
        hang FILE     start reading FILE (named hang…) and print the reader's pid, then wait
    """
    import threading

    from app.core.documents.isolation import ReaderPool

    command, path = argv
    pool = ReaderPool(misbehaving_reader)
    if command == "whoami":
        import llama_cpp  # noqa: F401 — loaded in this process, must not be in the reader's
        from PySide6 import QtWidgets  # noqa: F401

        print(pool.read(path).warnings[-1], flush=True)
        return
    threading.Thread(target=pool.read, args=(path,), daemon=True).start()
    while pool.last_pid is None:
        time.sleep(0.01)
    time.sleep(0.5)  # the reader has the request and is hanging in it
    print(pool.last_pid, flush=True)
    time.sleep(60)


if __name__ == "__main__":
    main(sys.argv[1:])
