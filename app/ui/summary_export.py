"""Copy and Export of the selected document's summary (with its Q&A) for the main window.

The file is written on the task runner, so a large DOCX never holds up the window; the
labels inside it are in the interface language. An existing file is replaced only after the
person agreed (in the save dialog or in a question here), and a failed write is shown in a
message box, not only in the status bar: the summary stays in the window and the library.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.core.export import ExportLabels, ExportTurn, SummaryExport, export_summary
from app.ui.document_entry import DocumentEntry
from app.ui.tasks import Task, TaskRunner, describe_error

EXPORT_SUFFIXES = (".md", ".txt", ".docx")


class SummaryExporter(QObject):
    """Signals: note(str): what happened, for the status bar."""

    note = Signal(str)

    def __init__(self, window: QWidget, tasks: TaskRunner, current_entry: Callable[[], DocumentEntry | None]):
        super().__init__(window)
        self._window = window
        self._tasks = tasks
        self._current_entry = current_entry

    @Slot()
    def copy(self) -> None:
        entry = self._current_entry()
        if entry is None or not entry.summary:
            self.note.emit(self.tr("There is no summary to copy yet."))
            return
        QGuiApplication.clipboard().setText(entry.summary)
        self.note.emit(self.tr("Summary copied."))

    @Slot()
    def choose_file(self) -> None:
        entry = self._current_entry()
        if entry is None or not entry.summary:
            self.note.emit(self.tr("There is no summary to export yet."))
            return
        folder = Path(QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation) or Path.home())
        filters = [self.tr("Markdown (*.md)"), self.tr("Plain text (*.txt)"), self.tr("Word document (*.docx)")]
        suggested = self.tr("{name} – summary").format(name=entry.path.stem) + ".md"
        path, chosen_filter = QFileDialog.getSaveFileName(
            self._window, self.tr("Export summary"), str(folder / suggested), ";;".join(filters))
        if path:
            suffix = EXPORT_SUFFIXES[filters.index(chosen_filter)] if chosen_filter in filters else ".md"
            final = path if Path(path).suffix.lower() in EXPORT_SUFFIXES else path + suffix
            # The dialog asked about replacing the name it returned, not the one with a suffix added.
            self.export_to(final, overwrite=final == path)

    def export_to(self, path: str | Path, *, overwrite: bool = False) -> Task | None:
        """Write the selected summary and its answers to `path` (.md, .txt or .docx).

        If `path` exists and `overwrite` is False, the person is asked first."""
        entry = self._current_entry()
        if entry is None or not entry.summary:
            return None
        path = Path(path)
        if not overwrite and path.exists():
            if not self._agree_to_replace(path):
                self.note.emit(self.tr("Export cancelled: “{name}” was kept.").format(name=path.name))
                return None
            overwrite = True
        labels = ExportLabels(summary=self.tr("Summary"), questions=self.tr("Questions and answers"),
                              source=self.tr("Source"), date=self.tr("Date"), model=self.tr("Model"),
                              question=self.tr("Q"), answer=self.tr("A"), sources=self.tr("Sources"))
        turns = tuple(ExportTurn(turn.question, turn.answer, turn.citations)
                      for turn in entry.turns if turn.state == "done")
        content = SummaryExport(entry.display_title, entry.name, entry.summary, datetime.now(), entry.summary_model,
                                turns, labels)
        return self._tasks.run(partial(export_summary, content, path, overwrite=overwrite),
                               self._on_exported, self._on_failed)

    def _agree_to_replace(self, path: Path) -> bool:
        answer = QMessageBox.question(
            self._window, self.tr("Replace file?"),
            self.tr("“{name}” already exists in {folder}. Replace it?").format(name=path.name, folder=path.parent),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _on_exported(self, path: Path) -> None:
        self.note.emit(self.tr("Exported to {path}").format(path=path))

    def _on_failed(self, error: BaseException) -> None:
        message = describe_error(error)
        self.note.emit(message)
        # Not modal: the window (and the summary in it) stays usable while this is read.
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Export failed"), message,
                          QMessageBox.StandardButton.Ok, self._window)
        box.setObjectName("export-failed")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
