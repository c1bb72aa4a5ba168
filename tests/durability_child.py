"""A child process for tests/test_durability.py to kill with SIGKILL at chosen points.

    python -m tests.durability_child window MODEL FILE…   the window's path through the core:
                                                          remember, summarize, save the summary
    python -m tests.durability_child cli ARGS…            `matome ARGS`, unchanged
    python -m tests.durability_child writes               library writes in a loop
    python -m tests.durability_child die-in-write         SIGKILLs itself inside a library write
    python -m tests.durability_child notes                chunk notes saved in a loop

Each says what it finished on stdout, one JSON object a line, flushed, so the test knows what
was complete before the kill. With MATOME_TEST_CALLS set, every model request is recorded in
that file ("map 2/3", "other") before it runs: the evidence of which chunks a run re-read.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import sys
from pathlib import Path

SHA = "d" * 64


def say(**fields) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def record_model_requests() -> None:
    calls = os.environ.get("MATOME_TEST_CALLS")
    if not calls:
        return
    from app.core import engine

    generate = engine.Engine.generate

    def recorded(self, messages, **options):
        found = re.search(r"Below is part (\d+) of (\d+)", messages[-1]["content"])
        with open(calls, "a", encoding="utf-8") as handle:
            handle.write(f"map {found.group(1)}/{found.group(2)}\n" if found else "other\n")
        return generate(self, messages, **options)

    engine.Engine.generate = recorded


def window(model: str, files: list[str]) -> None:
    from app.core import settings as settings_store
    from app.core.documents import load_document
    from app.core.engine import Engine
    from app.core.library import Library, library_folder
    from app.core.summarize import Summarizer, SummaryOptions

    settings = settings_store.load().settings
    library = Library(library_folder(settings))
    engine = Engine(model, settings.inference)
    summarizer = Summarizer(engine, chunk_tokens=settings.summary.chunk_tokens)
    options = SummaryOptions(length="short")
    for name in files:
        document = load_document(name, limits=settings.limits)
        library.remember_document(document)
        say(remembered=document.sha256)
        result = list(summarizer.summarize(document, options))[-1]
        library.save_summary(document.sha256, Path(model).name, options, result.text,
                             chunk_count=result.chunk_count, seconds=result.seconds)
        say(saved=document.sha256, text=result.text, chunks=result.chunk_count)


def summary_text(number: int) -> str:
    """Big enough to span several database pages, so a commit writes many WAL frames."""
    return f"Summary {number}. " + f"Point {number} of the report. " * 900


def writes() -> None:
    from app.core.library import Library
    from tests.test_forget import make_document

    library = Library()
    library.remember_document(make_document(SHA, "Text."))
    number = 0
    while True:
        library.save_summary(SHA, "m.gguf", {"n": number}, summary_text(number))
        say(committed=number)
        number += 1


def die_in_write() -> None:
    """Save one summary, then start remembering a long document and die by SIGKILL in the
    middle of that transaction: at the first step after SQLite wrote some of the
    transaction's pages to the write-ahead log, uncommitted."""
    from app.core.library import Library
    from tests.test_forget import make_document

    library = Library()
    library.remember_document(make_document(SHA, "Text."))
    library.save_summary(SHA, "m.gguf", {}, summary_text(0))
    say(committed=0)
    log = Path(f"{library.path}-wal")
    connect = sqlite3.connect

    def connect_and_die_mid_write(*args, **kwargs):
        db = connect(*args, **kwargs)
        db.execute("PRAGMA cache_size = 8")  # a small cache spills dirty pages before the commit

        def after_each_step():
            if log.exists() and log.stat().st_size > 0:
                os.kill(os.getpid(), signal.SIGKILL)
            return 0

        db.set_progress_handler(after_each_step, 1)
        return db

    sqlite3.connect = connect_and_die_mid_write
    body = " ".join(f"Paragraph {n} of the long contract, clause {n * 7}." for n in range(20_000))
    library.remember_document(make_document("e" * 64, body, title="Long contract"))
    say(committed="long contract")  # never reached


def note_checkpoint():
    from types import SimpleNamespace

    from app.core.checkpoints import NoteCheckpoint
    from app.core.summarize import SummaryOptions
    from tests.test_forget import make_document

    engine = SimpleNamespace(model_path="/nonexistent/model.gguf", n_ctx=2048)
    return NoteCheckpoint.for_run(make_document(SHA, "Text."), engine, SummaryOptions(), 300)


def note_text(number: int) -> str:
    return f"- Note {number}: " + "the budget was 48 million yen. " * 200


def notes() -> None:
    checkpoint = note_checkpoint()
    number = 0
    while True:
        checkpoint.save(f"chunk {number}", note_text(number))
        say(saved=number)
        number += 1


def main(argv: list[str]) -> int:
    record_model_requests()
    command, rest = argv[0], argv[1:]
    if command == "window":
        window(rest[0], rest[1:])
    elif command == "cli":
        from app.__main__ import main as matome

        return matome(rest)
    elif command == "writes":
        writes()
    elif command == "die-in-write":
        die_in_write()
    elif command == "notes":
        notes()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
