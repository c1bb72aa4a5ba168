"""The window's log file never quotes a document at the default level.

People attach matome.log to bug reports. The checks write to it through the handler the
window installs and grep its bytes for a marker that only the document contains.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from app.core import paths
from app.core.documents.isolation import ReaderPool
from app.core.documents.model import TextBlock
from app.core.errors import CorruptDocumentError
from app.core.log_file import DEBUG_ENV, LOG_NAME, log_file_handler
from tests.fixtures.report import make_report

MARKER = "Quillfeather7731"


@pytest.fixture
def window_log():
    """The log file as the window sets it up (app.ui.application.log_to_file): the root
    logger at the handler's level. Yields a function returning the file's text."""
    def install():
        handler = log_file_handler()
        root.setLevel(handler.level)  # setLevel, not an assignment: loggers cache their level
        root.addHandler(handler)
        installed.append(handler)
        return handler

    root = logging.getLogger()
    level, installed = root.level, []
    yield install
    root.setLevel(level)
    for handler in installed:
        root.removeHandler(handler)
        handler.close()


def log_text() -> str:
    return (paths.cache_dir() / LOG_NAME).read_text(encoding="utf-8")


def log_what_bugs_log(text: str) -> None:
    """What Matome's code logs when something goes wrong while it holds document text."""
    log = logging.getLogger("app.ui.tasks")
    try:
        try:
            raise KeyError(text)
        except KeyError as inner:
            raise ValueError(f"could not format the prompt for: {text}") from inner
    except ValueError as error:
        log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    logging.getLogger("app.core.documents").warning("cannot read %s: %s", "report.pdf", RuntimeError(text))
    logging.getLogger("app.core.engine").warning("prompt was %s", f"Summarize this:\n{text}")
    logging.getLogger("app.core.engine").warning(f"chunk {text}\nfailed")  # an f-string: the case to catch
    logging.getLogger("app.core.engine").debug("llama.cpp: %s", text)
    logging.getLogger("app.core.documents").warning("bad file", exc_info=CorruptDocumentError("report.pdf is damaged."))


def test_errors_holding_document_text_are_logged_without_it(window_log):
    handler = window_log()
    log_what_bugs_log(f"The secret {MARKER} plan")
    handler.flush()

    text = log_text()
    assert MARKER not in text
    # The log is still useful: where it failed, what kind of error, how it came about.
    assert "Traceback (most recent call last)" in text and "in log_what_bugs_log" in text
    assert "ValueError (message of" in text and "caused by KeyError" in text
    assert "cannot read report.pdf: RuntimeError (message of 32 characters not logged)" in text
    assert "CorruptDocumentError: report.pdf is damaged." in text  # our own messages stay
    if os.name == "posix":
        assert stat.S_IMODE(os.stat(paths.cache_dir() / LOG_NAME).st_mode) == 0o600


def test_debug_logging_is_opt_in_and_then_complete(window_log, monkeypatch):
    monkeypatch.setenv(DEBUG_ENV, "1")
    handler = window_log()
    log_what_bugs_log(f"The secret {MARKER} plan")
    handler.flush()
    text = log_text()
    assert f"KeyError: 'The secret {MARKER} plan'" in text
    assert f"llama.cpp: The secret {MARKER} plan" in text


def test_a_real_summary_and_its_failures_leave_nothing_of_the_document_in_the_log(engine, window_log, qapp):
    from app.core.library import Library
    from app.core.summarize import Summarizer, SummaryOptions
    from app.ui.tasks import describe_error

    handler = window_log()
    report = make_report(sections=2, filler_per_section=5)
    blocks = [*report.blocks, TextBlock(f"The {MARKER} contract is worth 9 million yen.", len(report.blocks), page=3)]
    document = replace(report, blocks=blocks, sha256="log-test")
    library = Library()
    library.remember_document(document)
    events = list(Summarizer(engine, chunk_tokens=256).summarize(document, SummaryOptions(length="short")))
    result = events[-1]
    library.save_summary(document.sha256, "starter", SummaryOptions(length="short"), result.text)
    assert result.text and MARKER in document.text
    # A bug while handling the summary reaches the log through the window's error path.
    describe_error(RuntimeError(f"unexpected summary: {result.text}\n{document.text[-200:]}"))
    handler.flush()

    text = log_text()
    assert "RuntimeError (message of" in text
    assert MARKER not in text
    for line in (result.text.splitlines() + [block.text for block in document.blocks]):
        assert len(line) < 20 or line not in text


def reader_that_logs_document_text(request):
    """A reader for the reader process (sent by name) that fails the way pypdf can: its
    exception's message quotes bytes of the file, and the reader logs it as pdf.py does."""
    text = Path(request.path).read_text(encoding="utf-8")
    logging.getLogger("app.core.documents.pdf").warning(
        "pypdf cannot decrypt %s: %s", request.path, ValueError(f"bad object near b'{text}'"))
    logging.getLogger("app.core.documents.pdf").warning("found %s", f"{text}\n{text}")
    raise RuntimeError(f"unexpected token in {text}")


def read_in_reader_process(tmp_path) -> None:
    pool = ReaderPool(reader_that_logs_document_text, keep_warm=0)
    path = tmp_path / "secret.pdf"
    path.write_text(f"The secret {MARKER} plan", encoding="utf-8")
    try:
        with pytest.raises(CorruptDocumentError):
            pool.read(path)
    finally:
        pool.close()


def test_the_reader_process_log_lines_reach_the_log_without_document_text(window_log, tmp_path):
    handler = window_log()
    read_in_reader_process(tmp_path)
    handler.flush()

    text = log_text()
    assert MARKER not in text
    assert "pypdf cannot decrypt" in text and "ValueError (message of" in text
    assert "the reader failed on" in text and "(RuntimeError)" in text


def test_the_reader_process_log_lines_are_complete_in_debug_logging(window_log, tmp_path, monkeypatch):
    monkeypatch.setenv(DEBUG_ENV, "1")  # before the reader process starts: it inherits it
    handler = window_log()
    read_in_reader_process(tmp_path)
    handler.flush()
    assert f"bad object near b'The secret {MARKER} plan'" in log_text()
