"""The library in the window: a restart loses nothing, past documents can be searched and deleted."""

from __future__ import annotations

import time

from app.core.library import Library
from app.ui.document_entry import DONE
from tests.ui.conftest import REPORT_TEXT, wait_until
from tests.ui.fakes import EngineFactory


def summarize_and_ask(window, path, qtbot):
    entry = window.controller.entry(window.open_paths([path])[0])
    wait_until(qtbot, lambda: entry.status == DONE)
    window.questions.ask(entry.id, "What was the budget?")
    wait_until(qtbot, lambda: entry.turns[-1].state == "done")
    # The library is written in the background; wait until both rows are there.
    wait_until(qtbot, lambda: not window.tasks.busy)
    return entry


def test_after_a_restart_the_stored_summary_shows_at_once_without_the_model(make_window, write_text, qtbot):
    path = write_text("report.txt", REPORT_TEXT)
    first = make_window(engine_factory=EngineFactory())
    summary = summarize_and_ask(first, path, qtbot).summary
    first.close()

    factory = EngineFactory(delay=1.0)  # a model this slow would be noticed
    second = make_window(engine_factory=factory)
    started = time.monotonic()
    entry = second.controller.entry(second.open_paths([path])[0])
    wait_until(qtbot, lambda: entry.status == DONE, 2000)

    assert time.monotonic() - started < 1.0
    assert entry.summary == summary
    assert second.summary_view.markdown() == summary
    assert "summary from the history" in second.summary_view.source_label.text()
    assert [turn.question for turn in entry.turns] == ["What was the budget?"]
    assert "48 million yen" in second.qa_panel.transcript.toPlainText()
    qtbot.wait(100)
    assert all(not engine.requests for engine in factory.engines)  # the model was never asked


def test_history_search_finds_past_documents_by_content_and_reopens_them(window, write_text, tmp_path, qtbot):
    report = write_text("report.txt", REPORT_TEXT)
    other = write_text("other.md", "# Minutes\n\nThe committee discussed the parking rules.\n")
    summarize_and_ask(window, report, qtbot)
    window.open_paths([other])
    wait_until(qtbot, lambda: all(entry.status == DONE for entry in window.controller.entries()))
    wait_until(qtbot, lambda: not window.tasks.busy)
    panel = window.history_panel

    with qtbot.waitSignal(panel.search_requested):
        panel.search_edit.setText("Fukuoka")  # searched after a short pause in typing
    wait_until(qtbot, lambda: panel.results.count() == 1 and "Fukuoka" in panel.results.item(0).text())
    assert "«Fukuoka»" in panel.results.item(0).text()

    # Reopening from the history selects the document, even if it is no longer in the list.
    for entry in window.controller.entries():
        window.controller.remove(entry.id)
    panel.results.itemActivated.emit(panel.results.item(0))
    wait_until(qtbot, lambda: "48 million yen" in window.summary_view.markdown())
    assert window.controller.entry(window.summary_view.entry_id).name == "report.txt"


def test_a_document_whose_file_is_gone_still_shows_its_stored_summary(window, write_text, qtbot):
    path = write_text("gone.txt", REPORT_TEXT)
    entry = summarize_and_ask(window, path, qtbot)
    sha256 = entry.sha256
    window.controller.remove(entry.id)
    path.unlink()

    window.controller.open_from_history(sha256)
    wait_until(qtbot, lambda: window.controller.entries() and window.controller.entries()[0].summary)
    reopened = window.controller.entries()[0]
    assert reopened.status == DONE
    assert "no longer at" in reopened.notice
    assert not window.qa_panel.question_edit.isEnabled()


def test_deleting_a_documents_history_forgets_it(window, write_text, qtbot):
    entry = summarize_and_ask(window, write_text("secret.txt", REPORT_TEXT), qtbot)
    library = Library()
    assert library.document(entry.sha256) is not None

    window.controller.forget_history(entry.id)
    wait_until(qtbot, lambda: not window.tasks.busy)

    assert library.document(entry.sha256) is None
    assert library.search("Fukuoka") == []
