"""The main window: composes the panels and wires them to the controller and services.

It decides nothing about documents or the model: the DocumentController and the
QuestionController do that, the ModelService owns the model thread, the TaskRunner the short
jobs. The window also offers the Settings dialog its hooks: `settings_requested`,
`apply_settings()` and `delete_all_history()`.
"""

from __future__ import annotations

import copy
import logging
from functools import partial

from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QPaintEvent
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QSplitter, QTabWidget, QVBoxLayout, QWidget

from app import __version__
from app.core.documents import SUPPORTED_SUFFIXES
from app.core.library import Library, LibraryError, library_folder
from app.core.settings import Settings
from app.core.summarize import SummaryOptions
from app.ui import window_state
from app.ui.citations import cited_text
from app.ui.document_controller import DocumentController
from app.ui.document_list import DocumentList
from app.ui.history_panel import HistoryPanel
from app.ui.model_service import ModelService
from app.ui.model_worker import EngineFactory
from app.ui.page_viewer import PageViewer
from app.ui.password_prompt import PasswordPrompt
from app.ui.qa_panel import QAPanel
from app.ui.question_controller import QuestionController
from app.ui.status_bar import MatomeStatusBar
from app.ui.summary_export import SummaryExporter
from app.ui.summary_options import SummaryOptionsBar
from app.ui.summary_view import SummaryView
from app.ui.tasks import TaskRunner, describe_error
from app.ui.window_actions import WindowActions

log = logging.getLogger(__name__)

#: If the window is never painted (hidden, minimized at start), the model thread starts anyway.
MODEL_START_FALLBACK_MS = 1000


class MainWindow(QMainWindow):
    """Signals: settings_requested(): the user chose Settings…; the Settings dialog connects here."""

    settings_requested = Signal()

    def __init__(self, settings: Settings, *, engine_factory: EngineFactory | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        # A copy: the Settings dialog may hand back the same object, changed in place.
        self._applied_settings = copy.deepcopy(settings)
        self.status_bar = MatomeStatusBar()
        self.tasks = TaskRunner(max_threads=3, parent=self)
        self.model_service = ModelService(engine_factory, self, start=False)
        self.controller = DocumentController(self.model_service, self.tasks, self._open_library(settings),
                                             settings, self)
        self.questions = QuestionController(self.controller, self.model_service, self.tasks, self)
        self.exporter = SummaryExporter(self, self.tasks, self._current_entry)
        self.password_prompt = PasswordPrompt(self, self.controller.read_with_password, self._entry_name)
        self.document_list = DocumentList()
        self.history_panel = HistoryPanel()
        self.options_bar = SummaryOptionsBar(SummaryOptions.from_settings(settings.summary))
        self.summary_view = SummaryView()
        self.qa_panel = QAPanel()
        self.page_viewer: PageViewer | None = None
        self._wanted_sha256 = ""
        self._shut_down = False
        self._build_layout()
        self._build_actions()
        self._connect()
        self._retranslate()
        self.setAcceptDrops(True)
        window_state.restore(self, self.splitter)
        self.model_service.warm_up()
        self.model_service.load_model(settings)
        self.history_panel.refresh()
        # The model thread (importing llama.cpp, loading the weights) starts once the window has
        # been painted: started earlier, its imports share the GIL with building the window and
        # hold up the first paint. Once the window is up, the loading thread leaves its event
        # loop turning within ~35 ms (bench/run, `ui`).
        self._model_thread_started = False
        QTimer.singleShot(MODEL_START_FALLBACK_MS, self._start_model_thread)

    # ----- composition -----------------------------------------------------------------

    def _build_layout(self) -> None:
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.document_list, "")
        self.side_tabs.addTab(self.history_panel, "")
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.options_bar)
        centre_layout.addWidget(self.summary_view, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget, stretch in ((self.side_tabs, 0), (centre, 3), (self.qa_panel, 2)):
            self.splitter.addWidget(widget)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        self.splitter.setSizes([250, 680, 350])
        self.splitter.setContentsMargins(6, 6, 6, 0)
        self.setCentralWidget(self.splitter)
        self.setStatusBar(self.status_bar)
        self.resize(1280, 800)

    def _build_actions(self) -> None:
        self.window_actions = WindowActions(self)
        self.window_actions.open.triggered.connect(self.choose_files)
        self.window_actions.export.triggered.connect(self.exporter.choose_file)
        self.window_actions.copy.triggered.connect(self.exporter.copy)
        self.window_actions.settings.triggered.connect(self.settings_requested)
        self.window_actions.quit.triggered.connect(self.close)
        self.window_actions.about.triggered.connect(self.show_about)

    def _connect(self) -> None:
        controller, service = self.controller, self.model_service
        controller.entry_added.connect(self._on_controller_entry_added)
        controller.entry_changed.connect(self._on_controller_entry_changed)
        controller.entry_removed.connect(self._on_controller_entry_removed)
        controller.summary_reset.connect(self._on_controller_summary_reset)
        controller.summary_text_added.connect(self._on_controller_summary_text_added)
        controller.summary_finished.connect(self._on_controller_summary_finished)
        self.questions.answer_changed.connect(self._on_questions_answer_changed)
        self.questions.answer_text_added.connect(self._on_questions_answer_text_added)
        self.questions.message.connect(self.status_bar.show_note)
        self.exporter.note.connect(self.status_bar.show_note)
        controller.message.connect(self.status_bar.show_note)
        controller.password_needed.connect(self.password_prompt.ask)
        self.tasks.unhandled_error.connect(self.status_bar.show_note)
        service.model_loading.connect(self.status_bar.show_model_loading)
        service.model_ready.connect(self.status_bar.show_model)
        service.model_failed.connect(self.status_bar.show_model_error)
        service.model_unloaded.connect(self.status_bar.show_model_unloaded)
        service.stats_measured.connect(self.status_bar.show_stats)
        self.document_list.current_changed.connect(self._show_entry)
        self.document_list.open_requested.connect(self.choose_files)
        self.document_list.remove_requested.connect(controller.remove)
        self.document_list.regenerate_requested.connect(controller.regenerate)
        self.document_list.forget_requested.connect(self._on_document_list_forget_requested)
        self.history_panel.search_requested.connect(self._on_history_search_requested)
        self.history_panel.document_activated.connect(self._on_history_document_activated)
        self.history_panel.forget_requested.connect(self._on_history_forget_requested)
        self.options_bar.options_changed.connect(controller.set_options)
        self.options_bar.regenerate_requested.connect(self._on_options_regenerate_requested)
        self.summary_view.cancel_requested.connect(self._on_summary_cancel_requested)
        self.summary_view.citation_activated.connect(self.show_citation)
        self.qa_panel.citation_activated.connect(self.show_citation)
        self.qa_panel.question_asked.connect(self._on_qa_question_asked)
        self.qa_panel.cancel_requested.connect(self._on_qa_cancel_requested)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Matome — private document summaries"))
        self.side_tabs.setTabText(0, self.tr("Documents"))
        self.side_tabs.setTabText(1, self.tr("History"))

    def changeEvent(self, event) -> None:
        if event.type() == event.Type.LanguageChange:
            self._retranslate()
            self.window_actions.retranslate()
        super().changeEvent(event)

    # ----- public: opening, exporting, settings ------------------------------------------

    def open_paths(self, file_paths) -> list[int]:
        ids = self.controller.add_paths(file_paths)
        if ids:
            self.side_tabs.setCurrentWidget(self.document_list)
            self.document_list.select(ids[0])
        return ids

    @Slot()
    def choose_files(self) -> None:
        patterns = " ".join(f"*{suffix}" for suffix in sorted(SUPPORTED_SUFFIXES))
        chosen, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Open documents"), QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation),
            self.tr("Documents ({patterns});;All files (*)").format(patterns=patterns))
        if chosen:
            self.open_paths(chosen)

    def apply_settings(self, settings: Settings) -> None:
        """Use new settings (the Settings dialog calls this after saving them): reload the model
        if the choice of model or its inference settings changed, reopen the library if it moved."""
        previous, self.settings = self._applied_settings, settings
        self._applied_settings = copy.deepcopy(settings)
        library = self.controller.library
        if previous.ui.library_dir != settings.ui.library_dir:
            library = self._open_library(settings)
        self.controller.apply_settings(settings, library)
        if previous.summary != settings.summary:
            self.options_bar.set_options(SummaryOptions.from_settings(settings.summary))
            self.controller.set_options(self.options_bar.options())
        if previous.models != settings.models or previous.inference != settings.inference:
            self.model_service.load_model(settings)
        self.history_panel.refresh()

    def delete_all_history(self) -> None:
        """Forget every stored document, summary and answer (the Settings dialog's button)."""
        if self.controller.library is not None:
            self.tasks.run(self.controller.library.delete_all, self._on_history_changed, self._show_error)

    @Slot(str)
    def show_citation(self, location: str) -> None:
        entry = self._current_entry()
        if entry is None:
            return
        if entry.document is None:
            self.status_bar.show_note(entry.notice or self.tr("The document is still being read."))
            return
        if self.page_viewer is None:
            self.page_viewer = PageViewer(self)
        self.page_viewer.show_citation(entry.display_title, location, cited_text(entry.document, location))

    @Slot()
    def show_about(self) -> None:
        QMessageBox.about(self, self.tr("About Matome"), self.tr(
            "<h3>Matome {version}</h3><p>Summaries of and answers about your documents, written by a "
            "language model that runs on this computer. Nothing is sent anywhere.</p>").format(version=__version__))

    # ----- shutdown ----------------------------------------------------------------------

    def shutdown(self) -> None:
        """Cancel every job and join every thread; safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        window_state.save(self, self.splitter)
        self.controller.shutdown()
        self.model_service.shutdown()
        self.tasks.shutdown()

    def _entry_name(self, entry_id: int) -> str | None:
        entry = self.controller.entry(entry_id)
        return entry.name if entry is not None else None

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 — Qt's name
        super().paintEvent(event)
        if not self._model_thread_started:
            # After this frame is on screen, not during it.
            QTimer.singleShot(0, self._start_model_thread)

    @Slot()
    def _start_model_thread(self) -> None:
        if not self._model_thread_started:
            self._model_thread_started = True
            self.model_service.start()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        if self.page_viewer is not None:
            self.page_viewer.close()
        super().closeEvent(event)

    # ----- drops anywhere on the window ------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        dropped = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if dropped:
            event.acceptProposedAction()
            self.open_paths(dropped)

    # ----- controller news -------------------------------------------------------------------

    def _current_entry(self):
        return self.controller.entry(self.document_list.current_entry_id())

    def _is_current(self, entry_id: int) -> bool:
        return entry_id == self.document_list.current_entry_id()

    @Slot(int)
    def _show_entry(self, entry_id: int) -> None:
        entry = self.controller.entry(entry_id)
        self.summary_view.show_entry(entry)
        self.qa_panel.show_entry(entry)

    @Slot(int)
    def _on_controller_entry_added(self, entry_id: int) -> None:
        self.document_list.add_entry(self.controller.entry(entry_id))
        self._select_if_wanted(entry_id)

    @Slot(int)
    def _on_controller_entry_changed(self, entry_id: int) -> None:
        entry = self.controller.entry(entry_id)
        self.document_list.update_entry(entry)
        if self._is_current(entry_id):
            self.summary_view.refresh()
            self.qa_panel.refresh_state(entry)
        self._select_if_wanted(entry_id)

    @Slot(int)
    def _on_controller_entry_removed(self, entry_id: int) -> None:
        self.document_list.remove_entry(entry_id)

    @Slot(int)
    def _on_controller_summary_reset(self, entry_id: int) -> None:
        if self._is_current(entry_id):
            self.summary_view.show_entry(self.controller.entry(entry_id))

    @Slot(int, str)
    def _on_controller_summary_text_added(self, entry_id: int, text: str) -> None:
        if self._is_current(entry_id):
            self.summary_view.append_text(text)

    @Slot(int)
    def _on_controller_summary_finished(self, entry_id: int) -> None:
        if self._is_current(entry_id):
            self.summary_view.finish()
        self.history_panel.refresh()

    @Slot(int)
    def _on_questions_answer_changed(self, entry_id: int) -> None:
        if self._is_current(entry_id):
            self.qa_panel.show_entry(self.controller.entry(entry_id))

    @Slot(int, str)
    def _on_questions_answer_text_added(self, entry_id: int, text: str) -> None:
        if self._is_current(entry_id):
            self.qa_panel.append_answer(text)

    # ----- panel requests --------------------------------------------------------------------

    @Slot()
    def _on_options_regenerate_requested(self) -> None:
        self.controller.set_options(self.options_bar.options())
        self.controller.regenerate(self.document_list.current_entry_id())

    @Slot()
    def _on_summary_cancel_requested(self) -> None:
        if self.summary_view.entry_id is not None:
            self.controller.cancel_summary(self.summary_view.entry_id)

    @Slot(str)
    def _on_qa_question_asked(self, question: str) -> None:
        if self.qa_panel.entry_id is not None:
            self.questions.ask(self.qa_panel.entry_id, question)

    @Slot()
    def _on_qa_cancel_requested(self) -> None:
        if self.qa_panel.entry_id is not None:
            self.questions.cancel(self.qa_panel.entry_id)

    @Slot(int)
    def _on_document_list_forget_requested(self, entry_id: int) -> None:
        entry = self.controller.entry(entry_id)
        if entry is not None and entry.sha256:
            self.controller.forget(entry.sha256, self._on_history_changed)

    @Slot(str)
    def _on_history_search_requested(self, query: str) -> None:
        if self.controller.library is not None:
            self.tasks.run(partial(self.controller.library.search, query), self.history_panel.show_results,
                           self._show_error)

    @Slot(str)
    def _on_history_document_activated(self, sha256: str) -> None:
        self._wanted_sha256 = sha256
        self.side_tabs.setCurrentWidget(self.document_list)
        self.controller.open_from_history(sha256)

    @Slot(str)
    def _on_history_forget_requested(self, sha256: str) -> None:
        self.controller.forget(sha256, self._on_history_changed)

    # ----- helpers ---------------------------------------------------------------------------

    def _select_if_wanted(self, entry_id: int) -> None:
        entry = self.controller.entry(entry_id)
        if self._wanted_sha256 and entry is not None and entry.sha256 == self._wanted_sha256:
            self._wanted_sha256 = ""
            self.document_list.select(entry_id)

    def _on_history_changed(self, _result=None) -> None:
        self.history_panel.refresh()

    def _show_error(self, error: BaseException) -> None:
        self.status_bar.show_note(describe_error(error))

    def _open_library(self, settings: Settings) -> Library | None:
        try:
            return Library(library_folder(settings))
        except LibraryError as error:
            # The window still works without history; say so rather than refuse to start.
            log.warning("library unavailable: %s", error)
            self.status_bar.show_note(str(error))
            return None
