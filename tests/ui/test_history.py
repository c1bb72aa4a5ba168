"""The library in the window: a restart loses nothing, past documents can be searched and forgotten."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from app.core import paths
from app.core.library import Library
from app.core.settings import Settings
from app.ui.document_entry import DONE
from app.ui.forget_dialog import FORGET_BUTTON_NAME
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


def answer_confirmation(forget: bool, seen: list[str]) -> None:
    """Answer the confirmation the next context-menu action opens, as a user would: by
    clicking Forget or Cancel in the modal box. Its question is appended to `seen`."""
    def click(attempts_left: int = 50) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            if attempts_left:
                QTimer.singleShot(20, lambda: click(attempts_left - 1))
            return
        seen.append(f"{box.text()} {box.informativeText()}")
        button = box.findChild(QPushButton, FORGET_BUTTON_NAME) if forget else box.button(
            QMessageBox.StandardButton.Cancel)
        button.click()

    QTimer.singleShot(0, click)


def trigger(menu, text: str) -> None:
    action = next(action for action in menu.actions() if action.text() == text)
    assert action.isEnabled()
    action.trigger()


def files_containing(needle: str) -> list[str]:
    found = []
    for folder in (paths.data_dir(), paths.cache_dir(), paths.config_dir()):
        found += [path.name for path in folder.rglob("*") if path.is_file() and needle.encode() in path.read_bytes()]
    return found


def test_forget_in_the_history_asks_first_then_leaves_no_trace(make_window, write_text, qtbot):
    settings = Settings()
    settings.summary.chunk_tokens = 256  # several chunks, so chunk notes are saved on disk
    text = "Quarterly report\n\n" + "\n\n".join(
        f"Section {n}. The Quillfeather7731 project in room {n} was reviewed by the team and "
        "the results were documented for the committee in detail. " * 3 for n in range(12))
    window = make_window(settings)
    entry = summarize_and_ask(window, write_text("secret.txt", text), qtbot)
    assert files_containing("Quillfeather7731"), "the library and notes should hold the text first"
    assert list((paths.cache_dir() / "summaries").glob("*.json"))
    panel = window.history_panel
    window.side_tabs.setCurrentWidget(panel)
    panel.refresh()
    wait_until(qtbot, lambda: panel.results.count() == 1)

    seen: list[str] = []
    answer_confirmation(False, seen)
    trigger(panel.context_menu(panel.results.item(0)), "Forget this document…")
    assert "Forget “secret”?" in seen[0] and "file itself is not touched" in seen[0]
    qtbot.wait(50)
    assert Library().document(entry.sha256) is not None and window.controller.entries()  # Cancel kept it

    answer_confirmation(True, seen)
    trigger(panel.context_menu(panel.results.item(0)), "Forget this document…")
    wait_until(qtbot, lambda: not window.tasks.busy and panel.results.count() == 0)

    assert window.controller.entries() == [] and window.document_list.count() == 0  # closed too
    assert Library().document(entry.sha256) is None
    assert files_containing("Quillfeather7731") == []
    assert list((paths.cache_dir() / "summaries").glob("*")) == []
    assert entry.path.is_file()  # the file itself stays


def test_forget_in_the_document_list_closes_the_document_and_deletes_its_history(window, write_text, qtbot):
    entry = summarize_and_ask(window, write_text("secret.txt", REPORT_TEXT), qtbot)
    other = summarize_and_ask(window, write_text("other.txt", REPORT_TEXT + "\nAnd a note.\n"), qtbot)
    seen: list[str] = []

    answer_confirmation(True, seen)
    trigger(window.document_list.context_menu(entry.id), "Forget this document…")
    wait_until(qtbot, lambda: not window.tasks.busy)

    assert "Forget “secret”?" in seen[0]
    assert [e.id for e in window.controller.entries()] == [other.id]
    library = Library()
    assert library.document(entry.sha256) is None and library.turns(entry.sha256) == []
    assert library.find_summary(other.sha256) is not None  # the other document is untouched


def test_a_document_forgotten_while_its_file_is_being_read_again_stays_forgotten(window, write_text, qtbot):
    path = write_text("secret.txt", REPORT_TEXT)
    first = summarize_and_ask(window, path, qtbot)
    sha256 = first.sha256
    window.controller.remove(first.id)

    reopened = window.open_paths([path])[0]  # read again in the background, its hash not known yet
    window.controller.forget(sha256)
    wait_until(qtbot, lambda: not window.tasks.busy and not window.controller._reading)

    assert Library().document(sha256) is None
    assert window.controller.entry(reopened) is None
