"""Opening documents: drag and drop anywhere on the window, batches with broken files, removal."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from app.ui.document_entry import CANCELLED, DONE, ERROR
from tests.ui.conftest import REPORT_TEXT, wait_until


def drop_files(target, paths) -> bool:
    """Drag `paths` over `target` and drop them, as a file manager does; True if accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    # Drag-enter and drag-move take an integer point; the drop, a float one.
    position = target.rect().center()
    enter = QDragEnterEvent(position, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    move = QDragMoveEvent(position, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, move)
    drop = QDropEvent(QPointF(position), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, drop)
    return drop.isAccepted()


def test_dropping_files_and_a_folder_on_the_summary_opens_and_summarizes_them(window, write_text, tmp_path, qtbot):
    first = write_text("first.txt", REPORT_TEXT)
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "second.md").write_text("# Case\n\nThe Kobe building gets 23 percent of its power from solar panels.\n")
    (folder / "ignored.png").write_bytes(b"\x89PNG not a document")

    # Dropped on a child widget (the summary text), the drop reaches the window.
    assert drop_files(window.summary_view.text_view.viewport(), [first, folder])

    entries = window.controller.entries()
    assert [entry.name for entry in entries] == ["first.txt", "second.md"]
    assert window.document_list.count() == 2
    wait_until(qtbot, lambda: all(entry.status == DONE for entry in entries))
    assert all("48 million yen" in entry.summary for entry in entries)
    assert "done" in window.document_list.item_text(entries[0].id)


def test_a_drag_without_local_files_is_refused(window):
    mime = QMimeData()
    mime.setText("just text")
    event = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, event)
    assert not event.isAccepted()
    assert window.controller.entries() == []


def test_a_broken_file_shows_its_error_while_the_rest_of_the_batch_finishes(window, write_text, tmp_path, qtbot):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage, and no xref or trailer")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    good = write_text("good.txt", REPORT_TEXT)

    ids = window.open_paths([broken, empty, good])

    entries = [window.controller.entry(entry_id) for entry_id in ids]
    wait_until(qtbot, lambda: all(entry.status in (DONE, ERROR) for entry in entries))
    assert [entry.status for entry in entries] == [ERROR, ERROR, DONE]
    assert "damaged" in entries[0].error or "read" in entries[0].error
    assert "empty" in entries[1].error
    assert "error:" in window.document_list.item_text(ids[1])
    assert entries[1].error in window.document_list.item_text(ids[1])
    # Selecting the broken entry shows its message in the summary view, not a traceback.
    window.document_list.select(ids[1])
    assert window.summary_view.notice_label.text() == entries[1].error
    assert "Traceback" not in window.summary_view.notice_label.text()


def test_removing_an_entry_cancels_its_work_and_the_next_one_starts(make_window, write_text, qtbot):
    from tests.ui.fakes import EngineFactory

    factory = EngineFactory(delay=0.05)
    window = make_window(engine_factory=factory)
    ids = window.open_paths([write_text("slow.txt", REPORT_TEXT), write_text("next.txt", REPORT_TEXT)])
    slow, following = (window.controller.entry(entry_id) for entry_id in ids)
    wait_until(qtbot, lambda: slow.summary != "")

    window.document_list.select(ids[0])
    window.document_list.remove_button.click()

    assert window.controller.entry(ids[0]) is None
    assert window.document_list.count() == 1
    wait_until(qtbot, lambda: following.status == DONE)
    assert following.summary.startswith("## Key points")


def test_cancel_is_immediate_and_stops_the_model(make_window, write_text, qtbot):
    from tests.ui.fakes import EngineFactory

    factory = EngineFactory(delay=0.05)
    window = make_window(engine_factory=factory)
    entry = window.controller.entry(window.open_paths([write_text("long.txt", REPORT_TEXT)])[0])
    wait_until(qtbot, lambda: entry.summary != "")
    assert window.summary_view.progress_row.isVisible()

    window.summary_view.cancel_button.click()

    # The window says so at once, without waiting for the model thread…
    assert entry.status == CANCELLED
    assert not window.summary_view.progress_row.isVisible()
    text_at_cancel = entry.summary
    # …and the model stops promptly: no more text arrives.
    wait_until(qtbot, lambda: not factory.engine.streaming.is_set(), 1000)
    qtbot.wait(200)
    assert entry.summary == text_at_cancel
    assert len(entry.summary) < len(factory.engine.summary_reply)
    assert "cancelled" in window.document_list.item_text(entry.id)
