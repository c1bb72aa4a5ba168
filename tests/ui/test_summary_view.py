"""The summary view: streamed text painted on a timer, Markdown, progress, clickable citations."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextCursor

from app.core.settings import Settings
from app.ui.document_entry import DONE
from app.ui.markdown_view import PAINT_INTERVAL_MS
from tests.ui.conftest import REPORT_TEXT, wait_until
from tests.ui.fakes import EngineFactory


def test_the_summary_streams_into_the_view_in_buffered_paints(make_window, write_text, qtbot):
    factory = EngineFactory(delay=0.02)
    window = make_window(engine_factory=factory)
    view = window.summary_view.text_view
    painted_lengths = []
    view.document().contentsChanged.connect(lambda: painted_lengths.append(len(view.toPlainText())))
    entry = window.controller.entry(window.open_paths([write_text("report.txt", REPORT_TEXT)])[0])

    wait_until(qtbot, lambda: entry.status == DONE)

    pieces = len(factory.engine.summary_reply.split())
    growing = sorted(set(length for length in painted_lengths if length > 0))
    # The text appeared in several steps while it was written…
    assert len(growing) >= 3
    # …but not one repaint per token: the view paints at most every PAINT_INTERVAL_MS.
    assert view.render_count < pieces
    assert PAINT_INTERVAL_MS <= 60
    assert "48 million yen" in view.toPlainText()


def test_markdown_is_rendered_and_page_citations_open_the_cited_page(window, corpus_dir, qtbot):
    pdf = corpus_dir / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
    entry = window.controller.entry(window.open_paths([pdf])[0])
    wait_until(qtbot, lambda: entry.status == DONE)
    document = window.summary_view.text_view.document()

    # "## Key points" is a heading, "- …" a list, "**…**" bold: no Markdown syntax is left.
    text = document.toPlainText()
    assert "##" not in text and "**" not in text
    assert document.firstBlock().blockFormat().headingLevel() == 2
    assert any(document.findBlockByNumber(n).textList() is not None for n in range(document.blockCount()))
    assert "4 pages" in window.summary_view.source_label.text()

    # The "[p. 2]" citation is a link; following it shows page 2's text.
    found = document.find("p. 2")
    assert not found.isNull()
    inside_link = QTextCursor(document)
    inside_link.setPosition(found.selectionStart() + 1)
    href = inside_link.charFormat().anchorHref()
    assert href.startswith("cite:")
    with qtbot.waitSignal(window.summary_view.citation_activated) as clicked:
        window.summary_view.text_view.anchorClicked.emit(QUrl(href))
    assert clicked.args == ["p. 2"]
    viewer = window.page_viewer
    assert viewer is not None and viewer.isVisible()
    assert viewer.text_view.toPlainText() == entry.document.pages()[2]
    assert "p. 2" in viewer.windowTitle()


def test_a_long_document_shows_part_progress_in_the_list_and_time_left(make_window, corpus_dir, qtbot):
    settings = Settings()
    settings.summary.chunk_tokens = 256  # the scripted engine counts words: several parts
    factory = EngineFactory(delay=0.002)
    window = make_window(settings=settings, engine_factory=factory)
    seen_in_list, seen_in_view = set(), set()

    def record(entry_id):
        seen_in_list.add(window.document_list.item_text(entry_id).split("\n")[-1])
        if window.summary_view.progress_row.isVisible():
            seen_in_view.add(window.summary_view.progress_label.text())

    window.controller.entry_changed.connect(record)
    pdf = corpus_dir / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
    entry = window.controller.entry(window.open_paths([pdf])[0])
    wait_until(qtbot, lambda: entry.status == DONE, 20_000)

    assert any(text.startswith("4 pages · summarizing 2 of ") for text in seen_in_list), seen_in_list
    assert any(text.startswith("Summarizing part 2 of ") for text in seen_in_view), seen_in_view
    assert any("left" in text for text in seen_in_view), seen_in_view
    assert window.document_list.item_text(entry.id).endswith("4 pages · done")
    assert not window.summary_view.progress_row.isVisible()


def test_regenerate_uses_the_options_on_the_toolbar(window, write_text, qtbot, engine_factory):
    entry = window.controller.entry(window.open_paths([write_text("report.txt", REPORT_TEXT)])[0])
    wait_until(qtbot, lambda: entry.status == DONE)
    requests_before = len(engine_factory.engine.requests)
    bar = window.options_bar
    bar.length_combo.setCurrentIndex(bar.length_combo.findData("short"))
    bar.focus_edit.setText("deadlines")

    bar.regenerate_button.click()

    wait_until(qtbot, lambda: entry.status == DONE and len(engine_factory.engine.requests) > requests_before)
    prompt = engine_factory.engine.requests[-1][-1]["content"]
    assert "deadlines" in prompt
    assert window.controller.options.length == "short"
