"""An encrypted PDF asks for its password in the window, and is read with it."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog

from app.core import paths
from app.ui.document_entry import DONE, ERROR
from app.ui.password_prompt import PROMPT_NAME
from tests.test_documents_pdf import REPORT_PAGES, encrypt, make_pdf
from tests.ui.conftest import wait_until


def prompt(window):
    return window.findChild(QInputDialog, PROMPT_NAME)


def answer(qtbot, window, password: str) -> str:
    wait_until(qtbot, lambda: prompt(window) is not None and prompt(window).isVisible())
    dialog = prompt(window)
    question = dialog.labelText()
    dialog.setTextValue(password)
    dialog.accept()
    wait_until(qtbot, lambda: prompt(window) is None or not prompt(window).isVisible())
    return question


def test_a_password_is_asked_for_retried_when_wrong_and_never_stored(window, tmp_path, qtbot):
    path = tmp_path / "secret.pdf"
    path.write_bytes(encrypt(make_pdf(REPORT_PAGES), user_password="s3cret-pass", owner_password="owner"))
    entry = window.controller.entry(window.open_paths([path])[0])

    first = answer(qtbot, window, "guess")
    assert "“secret.pdf” is protected by a password" in first
    second = answer(qtbot, window, "s3cret-pass")
    assert "did not open “secret.pdf”" in second

    wait_until(qtbot, lambda: entry.status == DONE)
    assert "Heine-Borel" in entry.document.text
    wait_until(qtbot, lambda: not window.tasks.busy)
    for file in paths.data_dir().rglob("*"):
        if file.is_file():
            assert b"s3cret-pass" not in file.read_bytes(), file


def test_cancelling_the_password_leaves_the_document_with_its_message(window, tmp_path, qtbot):
    path = tmp_path / "secret.pdf"
    path.write_bytes(encrypt(make_pdf(REPORT_PAGES), user_password="s3cret-pass", owner_password="owner"))
    entry = window.controller.entry(window.open_paths([path])[0])
    wait_until(qtbot, lambda: prompt(window) is not None and prompt(window).isVisible())
    prompt(window).reject()
    assert entry.status == ERROR and "password" in entry.error
