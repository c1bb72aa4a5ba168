"""kill -9 at any point of a summary loses nothing that was finished.

Real child processes (tests/durability_child.py, and the real `matome summarize`) are killed
with SIGKILL — no cleanup, no atexit, like a crash or a cut in the power as far as the
process is concerned — at chosen points: in the middle of a library transaction, between
library commits, and in the map step of a summary once some chunk notes are saved. Then the
database must pass its integrity check, every summary reported saved must be intact, and the
interrupted summary must resume from its saved notes instead of reading those chunks again.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.library import Library
from tests.durability_child import SHA, note_checkpoint, note_text, summary_text

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and process groups")

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def start(home: Path, *args: str, calls: Path | None = None) -> subprocess.Popen:
    env = dict(os.environ, MATOME_HOME=str(home), PYTHONUNBUFFERED="1")
    if calls is not None:
        env["MATOME_TEST_CALLS"] = str(calls)
    # Its own process group: the kill also reaches any document-reader process it started.
    return subprocess.Popen([sys.executable, "-m", "tests.durability_child", *args], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def kill(child: subprocess.Popen) -> tuple[list[dict], str]:
    """SIGKILL the child and its group; what it had said (stdout lines) and its stderr."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    out, err = child.communicate(timeout=30)
    return [json.loads(line) for line in out.splitlines() if line.strip()], err


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def stored_summaries(library: Library) -> dict:
    with library._connection() as db:
        rows = db.execute("SELECT options, text FROM summaries").fetchall()
    return {json.loads(row["options"]).get("n", 0): row["text"] for row in rows}


def test_the_library_flushes_every_commit_to_disk(matome_home):
    library = Library()
    with library._connection() as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        # 2 = FULL: a commit is on the disk when it returns; NORMAL (1) may lose it to a power cut.
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert db.execute("PRAGMA secure_delete").fetchone()[0] == 1


def test_killed_inside_a_library_transaction_the_write_is_rolled_back_whole(matome_home):
    child = start(matome_home, "die-in-write")
    child.wait(timeout=30)
    said, err = kill(child)
    assert child.returncode == -signal.SIGKILL, err
    assert said == [{"committed": 0}]
    log = matome_home / "data" / "library.sqlite3-wal"
    assert log.stat().st_size > 100_000  # it died with the long document's pages in the log, uncommitted

    assert integrity(matome_home / "data" / "library.sqlite3") == "ok"
    library = Library()
    assert stored_summaries(library) == {0: summary_text(0)}
    assert library.document("e" * 64) is None and library.search("contract") == []
    from tests.test_forget import make_document

    library.remember_document(make_document("e" * 64, "Paragraph 1 of the long contract."))
    assert [hit.document.sha256 for hit in library.search("contract")] == ["e" * 64]


def test_killed_at_random_moments_between_and_during_commits_no_commit_is_lost(tmp_path, monkeypatch):
    rng = random.Random(2026)
    for round_number in range(4):
        home = tmp_path / f"round-{round_number}"
        child = start(home, "writes")
        wanted = rng.randint(2, 12)
        committed = []
        while len(committed) < wanted:
            line = child.stdout.readline()
            assert line, child.stderr.read()
            committed.append(json.loads(line)["committed"])
        time.sleep(rng.uniform(0.0, 0.03))  # somewhere inside the next commits
        said, _ = kill(child)
        committed += [entry["committed"] for entry in said]

        assert integrity(home / "data" / "library.sqlite3") == "ok"
        monkeypatch.setenv("MATOME_HOME", str(home))
        stored = stored_summaries(Library())
        assert all(stored.get(number) == summary_text(number) for number in committed), round_number
        # Nothing torn: whatever else is there (a commit that finished as it was killed) is whole.
        assert all(text == summary_text(number) for number, text in stored.items())
        assert max(stored) - max(committed) <= 1
        assert Library().document(SHA) is not None


def test_killed_while_saving_chunk_notes_the_notes_file_is_whole(tmp_path, monkeypatch):
    rng = random.Random(7)
    for round_number in range(3):
        home = tmp_path / f"round-{round_number}"
        child = start(home, "notes")
        saved = []
        for _ in range(rng.randint(3, 20)):
            line = child.stdout.readline()
            assert line, child.stderr.read()
            saved.append(json.loads(line)["saved"])
        time.sleep(rng.uniform(0.0, 0.01))
        said, _ = kill(child)
        saved += [entry["saved"] for entry in said]

        monkeypatch.setenv("MATOME_HOME", str(home))
        checkpoint = note_checkpoint()
        notes = checkpoint.load()
        # Every note reported saved is there, whole; at most one more (saved as it was killed).
        for number in saved:
            assert notes[checkpoint.chunk_key(f"chunk {number}")] == note_text(number)
        assert len(notes) - len(saved) in (0, 1)


# ----- a real summary, killed in its map step -------------------------------------------------


def small_chunks(home: Path) -> None:
    """Settings with the smallest chunks, so a short report makes a few quick map steps."""
    from app.core import settings as settings_store
    from app.core.settings import Settings

    settings = Settings()
    settings.summary.chunk_tokens = 256
    settings_store.save(settings, home / "config" / "settings.json")


def saved_notes(home: Path) -> dict[str, str]:
    notes: dict[str, str] = {}
    for path in (home / "cache" / "summaries").glob("*.json"):
        notes.update(json.loads(path.read_text(encoding="utf-8"))["notes"])
    return notes


def kill_when(child: subprocess.Popen, condition, what: str, timeout: float = 240) -> list[dict]:
    """Poll `condition()` (files on disk); SIGKILL the child as soon as it holds. Returns
    what the child had said."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert child.poll() is None, f"the child ended before {what}: {child.stderr.read()}"
        assert time.monotonic() < deadline, f"not in time: {what}"
        time.sleep(0.02)
    said, err = kill(child)
    assert child.returncode == -signal.SIGKILL, err
    return said


def map_steps(calls: Path) -> list[tuple[int, int]]:
    """(part, parts) of every map request a run made, in order, from the child's record."""
    if not calls.exists():
        return []
    # Only whole lines: the child may be writing the last one as this reads.
    whole = calls.read_text().rpartition("\n")[0]
    return [(int(found[1]), int(found[2])) for found in re.finditer(r"^map (\d+)/(\d+)$", whole, re.MULTILINE)]


def test_summarize_killed_in_its_map_step_resumes_from_the_saved_notes(tmp_path, matome_home, starter_model_path):
    from tests.fixtures.report import write_report_text

    small_chunks(matome_home)
    report = write_report_text(tmp_path / "report.md", sections=4, filler_per_section=8)
    command = ["cli", "summarize", str(report), "--json", "--length", "short", "--model", str(starter_model_path)]
    first_calls, second_calls = tmp_path / "first.calls", tmp_path / "second.calls"

    kill_when(start(matome_home, *command, calls=first_calls), lambda: saved_notes(matome_home),
              "a chunk's note was saved")
    notes = saved_notes(matome_home)
    parts = map_steps(first_calls)[0][1]
    assert 1 <= len(notes) < parts  # killed with some chunks noted and some not

    # Run it again, and kill it as soon as it asks the model for its first note.
    kill_when(start(matome_home, *command, calls=second_calls), lambda: map_steps(second_calls),
              "the rerun asked for a note")
    # It skipped the chunks whose notes were saved: its first request was for the next chunk.
    assert map_steps(second_calls)[0] == (len(notes) + 1, parts), map_steps(first_calls)
    assert {key: saved_notes(matome_home)[key] for key in notes} == notes


def test_after_a_kill_saved_summaries_are_intact_and_the_unfinished_one_resumes(tmp_path, matome_home,
                                                                                starter_model_path):
    from app.core.documents.model import file_sha256
    from tests.fixtures.report import write_report_text

    small_chunks(matome_home)
    memo = write_report_text(tmp_path / "memo.md", sections=1, filler_per_section=2)
    report = write_report_text(tmp_path / "report.md", sections=2, filler_per_section=8)
    first_calls, second_calls = tmp_path / "first.calls", tmp_path / "second.calls"
    # The memo has one chunk (no notes); the report is killed once one chunk's note is saved.
    said = kill_when(start(matome_home, "window", str(starter_model_path), str(memo), str(report), calls=first_calls),
                     lambda: saved_notes(matome_home), "the report's first note was saved")
    notes = saved_notes(matome_home)
    parts = map_steps(first_calls)[0][1]
    memo_saved = next(entry for entry in said if entry.get("saved") == file_sha256(memo))
    assert {"remembered": file_sha256(report)} in said and 1 <= len(notes) < parts

    assert integrity(matome_home / "data" / "library.sqlite3") == "ok"
    library = Library()
    assert library.find_summary(file_sha256(memo)).text == memo_saved["text"]  # intact
    # The interrupted summary is cleanly unfinished: its document is known, no summary stored.
    assert library.document(file_sha256(report)) is not None
    assert library.find_summary(file_sha256(report)) is None

    # Restarted, it makes the missing notes only (killed once all are saved, to keep this short).
    kill_when(start(matome_home, "window", str(starter_model_path), str(report), calls=second_calls),
              lambda: len(saved_notes(matome_home)) == parts, "all notes were saved")
    assert {part for part, _ in map_steps(second_calls)} == set(range(len(notes) + 1, parts + 1))
    assert library.find_summary(file_sha256(memo)).text == memo_saved["text"]
    assert integrity(library.path) == "ok"
