"""The reader process: a file that crashes, hangs or exhausts a reader costs one typed error,
the app (this test process) lives on, and the next file reads.

The misbehaviour is real — a segmentation fault in native code, an endless loop, memory
allocated until the limit — done by tests/isolation_faults.py inside the worker in place of the
reader. Files with ordinary names are read by the real reader.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import docx
import pytest

from app.core.cancel import CancelToken
from app.core.documents import load_document
from app.core.documents import isolation
from app.core.documents.isolation import ReaderPool
from app.core.errors import (
    Cancelled,
    CorruptDocumentError,
    DocumentTooLargeError,
    EncryptedDocumentError,
)
from app.core.settings import LimitSettings
from app.selftest import SAMPLE_SENTENCE, minimal_pdf
from tests.isolation_faults import misbehaving_reader

PASSWORD_PDF = "005-libreoffice-writer-password/libreoffice-writer-password.pdf"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pool():
    readers = ReaderPool(misbehaving_reader)
    readers.warm_up()
    yield readers
    readers.close()


def write_pdf(folder, name):
    path = folder / name
    path.write_bytes(minimal_pdf(SAMPLE_SENTENCE))
    return path


def write_docx(folder, name):
    path = folder / name
    document = docx.Document()
    document.add_paragraph(SAMPLE_SENTENCE)
    document.save(str(path))
    return path


def assert_reads(pool, path):
    assert "48 million yen" in pool.read(path).text


@pytest.mark.parametrize("name, write, reader", [
    ("segfault.pdf", write_pdf, "the PDF reader"),
    ("segfault.docx", write_docx, "the Word reader"),
    ("exit.pdf", write_pdf, "the PDF reader"),
])
def test_a_crashing_reader_costs_one_error_and_the_next_file_reads(pool, tmp_path, caplog, name, write, reader):
    path = write(tmp_path, name)
    restarts = pool.restarts
    with pytest.raises(CorruptDocumentError) as caught, caplog.at_level(logging.WARNING):
        pool.read(path)
    message = str(caught.value)
    assert message.startswith(f"Reading this file crashed {reader}; the file is probably damaged.")
    assert caught.value.path == str(path)
    assert ("SIGSEGV" if name.startswith("segfault") else "exited with code 3") in caplog.text
    assert pool.restarts == restarts + 1
    assert_reads(pool, write(tmp_path, "after-" + name))


def test_a_hanging_reader_is_stopped_at_the_time_limit(pool, tmp_path):
    path = write_pdf(tmp_path, "hang.pdf")
    started = time.monotonic()
    with pytest.raises(DocumentTooLargeError) as caught:
        pool.read(path, limits=LimitSettings(max_read_seconds=1))
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 4.0, elapsed
    assert "took longer than 1 seconds" in str(caught.value)
    assert "Settings → Documents" in str(caught.value)
    assert_reads(pool, write_pdf(tmp_path, "after-hang.pdf"))


def test_cancel_stops_a_hung_reader_promptly(pool, tmp_path):
    path = write_pdf(tmp_path, "hang.pdf")
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    restarts = pool.restarts
    started = time.monotonic()
    with pytest.raises(Cancelled):
        pool.read(path, should_cancel=lambda: token.cancelled)
    assert time.monotonic() - started < 1.5
    assert pool.restarts == restarts + 1  # the stuck worker was stopped, not left running
    assert_reads(pool, write_pdf(tmp_path, "after-cancel.pdf"))


def test_a_reader_that_exhausts_its_memory_limit_is_stopped(pool, tmp_path):
    path = write_pdf(tmp_path, "allocate.pdf")
    started = time.monotonic()
    with pytest.raises(DocumentTooLargeError) as caught:
        pool.read(path, limits=LimitSettings(max_reader_megabytes=400))
    assert time.monotonic() - started < 10
    assert str(caught.value).startswith("Reading this file needed more than 400 MB of memory")
    assert_reads(pool, write_pdf(tmp_path, "after-allocate.pdf"))


@pytest.mark.skipif(sys.platform == "win32", reason="the fault lifts a POSIX rlimit first")
def test_the_parent_watches_resident_memory_where_no_rlimit_holds(pool, tmp_path):
    path = write_pdf(tmp_path, "grow.pdf")
    with pytest.raises(DocumentTooLargeError) as caught:
        pool.read(path, limits=LimitSettings(max_reader_megabytes=300))
    assert "more than 300 MB of memory" in str(caught.value)
    assert_reads(pool, write_pdf(tmp_path, "after-grow.pdf"))


def test_at_the_lowest_memory_limit_a_worker_stays_warm_and_a_crash_is_a_crash(pool, tmp_path):
    # The idle worker already holds ~190 MB of address space; judged by growth over that, an
    # ordinary file at the lowest limit the settings allow neither retires it nor makes a crash
    # read as memory.
    limits = LimitSettings(max_reader_megabytes=512)
    first = pool.read(write_pdf(tmp_path, "whoami-low-1.pdf"), limits=limits).warnings[-1]
    second = pool.read(write_docx(tmp_path, "whoami-low-2.docx"), limits=limits).warnings[-1]
    assert first.split()[0] == second.split()[0]
    with pytest.raises(CorruptDocumentError) as caught:
        pool.read(write_pdf(tmp_path, "segfault-low.pdf"), limits=limits)
    assert "crashed the PDF reader" in str(caught.value)


def crashed_worker(peak, baseline=180.0):
    return SimpleNamespace(peak_megabytes=peak, baseline_megabytes=baseline)


def test_a_crash_after_growth_to_near_the_limit_reads_as_memory_on_linux(monkeypatch):
    monkeypatch.setattr(isolation, "ADDRESS_SPACE_LIMITED", True)
    segfault = -int(signal.SIGSEGV)
    assert isolation._crash_was_memory(crashed_worker(380), segfault, 400)
    assert not isolation._crash_was_memory(crashed_worker(260), segfault, 512)  # growth of 80 MB
    assert not isolation._crash_was_memory(crashed_worker(200), segfault, 256)  # was "memory" before


@pytest.mark.skipif(sys.platform == "win32", reason="no SIGKILL")
def test_without_an_address_space_limit_only_a_kill_or_abort_at_high_residence_is_memory(monkeypatch):
    # macOS: the address space is hundreds of GB for any process, and RLIMIT_AS is not enforced.
    monkeypatch.setattr(isolation, "ADDRESS_SPACE_LIMITED", False)
    segfault, abort, kill = (-int(sig) for sig in (signal.SIGSEGV, signal.SIGABRT, signal.SIGKILL))
    assert not isolation._crash_was_memory(crashed_worker(1900, 60), segfault, 2048)
    assert isolation._crash_was_memory(crashed_worker(1900, 60), abort, 2048)
    assert isolation._crash_was_memory(crashed_worker(1900, 60), kill, 2048)
    assert not isolation._crash_was_memory(crashed_worker(150, 60), abort, 2048)
    assert not isolation._crash_was_memory(crashed_worker(1900, 60), 3, 2048)


def test_without_an_address_space_limit_the_peak_is_resident_memory(monkeypatch):
    monkeypatch.setattr(isolation, "ADDRESS_SPACE_LIMITED", False)
    worker = isolation._Worker.__new__(isolation._Worker)
    worker.peak_megabytes = 0.0
    megabyte = 1024 * 1024
    worker._watch = SimpleNamespace(memory_info=lambda: SimpleNamespace(rss=90 * megabyte,
                                                                        vms=400_000 * megabyte))
    assert worker.resident_megabytes() == 90
    assert worker.peak_megabytes == 90


def test_a_warm_worker_reads_file_after_file_and_imports_no_qt_or_llama(pool, tmp_path):
    first = pool.read(write_pdf(tmp_path, "whoami-1.pdf")).warnings[-1]
    second = pool.read(write_docx(tmp_path, "whoami-2.docx")).warnings[-1]
    assert first.split()[0] == second.split()[0]  # the same process read both
    assert first.split()[0] != f"pid={os.getpid()}"
    assert first.endswith("modules=") and second.endswith("modules="), (first, second)


def test_reads_from_two_threads_at_once_both_succeed(pool, tmp_path):
    paths = [write_pdf(tmp_path, f"parallel-{n}.pdf") for n in range(8)]
    results: list[str] = []

    def read(some):
        results.extend(pool.read(path).text for path in some)

    threads = [threading.Thread(target=read, args=(paths[n::2],)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 8 and all("48 million yen" in text for text in results)


# ----- through load_document and the default pool, with the real reader ---------------------

def test_typed_errors_keep_their_details_across_the_process_boundary(corpus_dir):
    path = corpus_dir / PASSWORD_PDF
    with pytest.raises(EncryptedDocumentError) as caught:
        load_document(path, password="not-the-password")
    assert caught.value.wrong_password is True
    assert caught.value.path == str(path)
    assert "password is wrong" in str(caught.value)


def test_the_readers_log_lines_reach_this_process(corpus_dir, tmp_path, caplog):
    source = corpus_dir / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
    damaged = tmp_path / "cut.pdf"
    damaged.write_bytes(source.read_bytes()[:4000])
    with caplog.at_level(logging.INFO), pytest.raises(CorruptDocumentError):
        load_document(damaged)
    forwarded = [record for record in caplog.records if record.processName == "matome-reader"]
    assert any("trying pypdf" in record.getMessage() for record in forwarded), caplog.text


def test_the_windows_reading_step_reads_and_honours_its_cancel_token(tmp_path):
    from app.ui.document_entry import read_document

    path = write_pdf(tmp_path, "window.pdf")
    outcome = read_document(path, LimitSettings(), None, CancelToken())
    assert "48 million yen" in outcome.document.text
    cancelled = CancelToken()
    cancelled.cancel()
    with pytest.raises(Cancelled):
        read_document(path, LimitSettings(), None, cancelled)


def test_a_relative_path_reads_after_this_process_changes_folder(pool, tmp_path, monkeypatch):
    folder = tmp_path / "here"
    folder.mkdir()
    write_pdf(folder, "relative.pdf")
    pool.read(write_pdf(tmp_path, "started-elsewhere.pdf"))  # the worker's folder is not `folder`
    monkeypatch.chdir(folder)
    document = pool.read("relative.pdf")
    assert str(document.path) == "relative.pdf" and "48 million yen" in document.text
    write_pdf(folder, "segfault.pdf")
    with pytest.raises(CorruptDocumentError) as caught:
        pool.read("segfault.pdf")
    assert caught.value.path == "segfault.pdf"  # errors, too, name the file as the caller did


def test_a_hung_reader_ends_when_the_app_is_killed(tmp_path):
    import psutil

    path = write_pdf(tmp_path, "hang.pdf")
    with subprocess.Popen([sys.executable, "-m", "tests.isolation_faults", "hang", str(path)], cwd=PROJECT_ROOT,
                          stdout=subprocess.PIPE, text=True) as app:
        try:
            worker = psutil.Process(int(app.stdout.readline()))
            assert worker.is_running() and worker.ppid() == app.pid
        finally:
            app.kill()  # as the system does to a hung app, or as a crash ends it: no clean-up runs
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if worker.status() == psutil.STATUS_ZOMBIE:
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.1)
    else:
        worker.kill()
        pytest.fail("the reader went on with its hung file after the app was killed")



def test_the_reader_of_an_app_that_loaded_qt_and_llama_has_neither(tmp_path):
    # Run as the window runs (`python -m …`, so the worker imports the main module by name),
    # with PySide6 and llama_cpp imported before the first read.
    path = write_pdf(tmp_path, "whoami.pdf")
    result = subprocess.run([sys.executable, "-m", "tests.isolation_faults", "whoami", str(path)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("modules="), result.stdout
