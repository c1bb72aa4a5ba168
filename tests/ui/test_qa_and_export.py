"""Questions about the selected document, and exporting the summary with its Q&A."""

from __future__ import annotations

import docx
from PySide6.QtCore import Qt

from app.ui.document_entry import DONE
from tests.ui.conftest import REPORT_TEXT, wait_until
from tests.ui.fakes import EngineFactory


def ask(qtbot, window, question: str):
    window.qa_panel.question_edit.setText(question)
    qtbot.keyClick(window.qa_panel.question_edit, Qt.Key.Key_Return)


def test_an_answer_streams_in_with_its_citations_and_follow_ups_carry_the_history(window, corpus_dir, qtbot,
                                                                                  engine_factory):
    pdf = corpus_dir / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
    entry = window.controller.entry(window.open_paths([pdf])[0])
    wait_until(qtbot, lambda: entry.status == DONE)
    assert window.qa_panel.question_edit.isEnabled()

    ask(qtbot, window, "What was the budget?")

    assert window.qa_panel.stop_button.isVisible()  # answering
    wait_until(qtbot, lambda: entry.turns and entry.turns[-1].state == "done")
    transcript = window.qa_panel.transcript.toPlainText()
    assert "What was the budget?" in transcript
    assert "48 million yen" in transcript
    assert entry.turns[-1].citations == ("p. 1",)
    assert "Sources:" in transcript
    assert not window.qa_panel.stop_button.isVisible()

    ask(qtbot, window, "And who approved it?")
    wait_until(qtbot, lambda: len(entry.turns) == 2 and entry.turns[-1].state == "done")
    follow_up = engine_factory.engine.requests[-1]
    # The first exchange is part of the follow-up's conversation.
    assert any(m["role"] == "assistant" and "48 million yen" in m["content"] for m in follow_up)
    assert "And who approved it?" in follow_up[-1]["content"]


def test_stop_ends_an_answer_at_once(make_window, write_text, qtbot):
    factory = EngineFactory(delay=0.05, answer_reply="A long answer " * 30)
    window = make_window(engine_factory=factory)
    entry = window.controller.entry(window.open_paths([write_text("r.txt", REPORT_TEXT)])[0])
    wait_until(qtbot, lambda: entry.status == DONE)
    ask(qtbot, window, "Tell me everything")
    wait_until(qtbot, lambda: entry.turns[-1].answer != "")

    window.qa_panel.stop_button.click()

    assert entry.turns[-1].state == "cancelled"
    assert "(stopped)" in window.qa_panel.transcript.toPlainText()
    assert window.qa_panel.ask_button.isVisible()


def test_export_writes_a_docx_that_word_can_read(window, write_text, tmp_path, qtbot):
    entry = window.controller.entry(window.open_paths([write_text("quarterly-report.txt", REPORT_TEXT)])[0])
    wait_until(qtbot, lambda: entry.status == DONE)
    ask(qtbot, window, "What was the budget?")
    wait_until(qtbot, lambda: entry.turns[-1].state == "done")
    target = tmp_path / "out" / "export.docx"

    with qtbot.waitSignal(window.status_bar.messageChanged, timeout=10_000):
        window.exporter.export_to(target)

    exported = docx.Document(str(target))
    paragraphs = [paragraph.text for paragraph in exported.paragraphs]
    text = "\n".join(paragraphs)
    assert "Source: quarterly-report.txt" in text
    assert "Date: " in text
    assert "The budget was set at 48 million yen [p. 1]." in paragraphs
    assert any(p.style.name == "List Bullet" for p in exported.paragraphs)
    assert "Q: What was the budget?" in text
    assert entry.turns[-1].citations == ("¶ 2",)  # a text file has no pages: the matching paragraph
    assert "Sources: ¶ 2" in text
    assert str(target) in window.status_bar.currentMessage()


def test_copy_puts_the_summary_on_the_clipboard(window, write_text, qtbot):
    from PySide6.QtGui import QGuiApplication

    entry = window.controller.entry(window.open_paths([write_text("r.txt", REPORT_TEXT)])[0])
    wait_until(qtbot, lambda: entry.status == DONE)
    window.window_actions.copy.trigger()
    assert QGuiApplication.clipboard().text() == entry.summary


def test_export_asks_before_replacing_a_file_and_keeps_it_when_told_no(window, write_text, tmp_path, qtbot,
                                                                        monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    entry = window.controller.entry(window.open_paths([write_text("quarterly-report.txt", REPORT_TEXT)])[0])
    wait_until(qtbot, lambda: entry.status == DONE)
    target = tmp_path / "mine.md"
    target.write_text("the person's own notes")
    asked = []

    def answer(reply):
        def question(parent, title, text, *args):
            asked.append(text)
            return reply
        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    assert window.exporter.export_to(target) is None
    assert "mine.md" in asked[-1]
    assert target.read_text() == "the person's own notes"

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    with qtbot.waitSignal(window.status_bar.messageChanged, timeout=10_000):
        window.exporter.export_to(target)
    wait_until(qtbot, lambda: "48 million yen" in target.read_text(encoding="utf-8"))
    assert len(asked) == 2


def test_a_failed_export_is_shown_in_a_message_and_the_summary_stays(window, write_text, tmp_path, qtbot):
    from PySide6.QtWidgets import QMessageBox

    entry = window.controller.entry(window.open_paths([write_text("quarterly-report.txt", REPORT_TEXT)])[0])
    wait_until(qtbot, lambda: entry.status == DONE)
    summary = entry.summary
    blocker = tmp_path / "a-file"
    blocker.write_text("x")

    window.exporter.export_to(blocker / "summary.md")  # a file is not a folder: the write fails

    wait_until(qtbot, lambda: window.findChild(QMessageBox, "export-failed") is not None)
    box = window.findChild(QMessageBox, "export-failed")
    assert "couldn't write" in box.text() and "summary is kept" in box.text()
    assert entry.summary == summary and window.summary_view.markdown() == summary
    box.close()
