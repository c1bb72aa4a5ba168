"""The Settings dialog, and the hooks that tie settings to the main window.

The dialog holds one page per topic (app/ui/settings_pages). OK checks every page before any
is saved; if one has a problem, the dialog stays open on that page with the problem shown
there, and nothing is written. When all pages are fine they write into a copy of the current
settings, which goes to `SettingsStore.apply()`: validated again, saved atomically, and
announced. The dialog never talks to the model worker or the library itself — the store's
`changed` signal reaches whoever owns them (see `SettingsHooks`).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget, QStackedWidget, QVBoxLayout, QWidget,
)

from app.core.models import Catalog, Hardware
from app.ui.model_manager_bridge import ModelManagerBridge
from app.ui.settings_pages.base import PROBLEM_STYLE, SettingsPage
from app.ui.settings_pages.documents_page import DocumentsPage
from app.ui.settings_pages.general_page import GeneralPage
from app.ui.settings_pages.inference_page import InferencePage
from app.ui.settings_pages.model_page import ModelPage
from app.ui.settings_pages.models_page import ModelsPage
from app.ui.settings_pages.summary_page import SummaryPage
from app.ui.settings_store import SettingsError, SettingsStore

log = logging.getLogger(__name__)

PROBLEM_COLOUR = "#c62828"


class SettingsDialog(QDialog):
    """Signals: history_deletion_requested(): the user confirmed "Delete all history"; the
    owner of the library (the main window) deletes it."""

    history_deletion_requested = Signal()

    def __init__(self, store: SettingsStore, bridge: ModelManagerBridge, parent: QWidget | None = None, *,
                 hardware: Hardware | None = None, catalog: Catalog | None = None):
        super().__init__(parent)
        self.setObjectName("settings-dialog")
        self.store = store
        self.bridge = bridge
        self.general_page = GeneralPage()
        self.model_page = ModelPage(bridge)
        self.models_page = ModelsPage(bridge, hardware=hardware, catalog=catalog)
        self.inference_page = InferencePage()
        self.summary_page = SummaryPage()
        self.documents_page = DocumentsPage()
        self.pages: list[SettingsPage] = [self.general_page, self.model_page, self.models_page,
                                          self.inference_page, self.summary_page, self.documents_page]
        self.general_page.delete_history_requested.connect(self.history_deletion_requested)

        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(PROBLEM_STYLE)
        self.banner.hide()
        self.navigation = QListWidget()
        self.navigation.setObjectName("pages")
        self.navigation.setMaximumWidth(190)
        self.stack = QStackedWidget()
        for page in self.pages:
            self.navigation.addItem(page.title())
            self.stack.addWidget(page)
        self.navigation.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        middle = QHBoxLayout()
        middle.addWidget(self.navigation)
        middle.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(middle, 1)
        layout.addWidget(self.buttons)
        self.navigation.setCurrentRow(0)
        self.resize(QSize(980, 740))
        self.retranslate()

        settings = store.settings
        for page in self.pages:
            page.load(settings)
        problem = store.take_problem()
        if problem:
            # The settings file was unusable at start-up and nobody has told the user yet.
            self._show_banner(problem)
        bridge.refresh()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        for row, page in enumerate(self.pages):
            self.navigation.item(row).setText(page.title())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ----- pages -------------------------------------------------------------------------

    def show_page(self, page: SettingsPage) -> None:
        self.navigation.setCurrentRow(self.pages.index(page))

    def current_page(self) -> SettingsPage:
        return self.pages[self.stack.currentIndex()]

    # ----- OK -----------------------------------------------------------------------------

    def accept(self) -> None:
        if self.save():
            super().accept()

    def save(self) -> bool:
        """Check every page; if all are fine, save them together. False (and nothing written)
        when a page has a problem or the settings could not be saved."""
        problems = {id(page): page.check() for page in self.pages}
        first_with_problems = None
        for row, page in enumerate(self.pages):
            found = problems[id(page)]
            page.show_problems(found)
            self._mark_page(row, bool(found))
            if found and first_with_problems is None:
                first_with_problems = page
        if first_with_problems is not None:
            self.show_page(first_with_problems)
            self._show_banner(self.tr("Some settings need attention; nothing was saved."))
            return False
        new_settings = self.store.settings
        for page in self.pages:
            page.save(new_settings)
        try:
            self.store.apply(new_settings)
        except SettingsError as error:
            self._show_banner(str(error))
            return False
        self.banner.hide()
        return True

    def _mark_page(self, row: int, has_problems: bool) -> None:
        item = self.navigation.item(row)
        colour = QColor(PROBLEM_COLOUR) if has_problems else self.palette().color(QPalette.ColorRole.Text)
        item.setForeground(QBrush(colour))

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()


class SettingsHooks(QObject):
    """Ties settings to the main window, so the window needs one line to get them:

        SettingsHooks(window, store, bridge)

    * the window's `settings_requested` opens the Settings dialog (one at a time, non-blocking);
    * the dialog's "Delete all history" reaches `window.delete_all_history()`;
    * `store.changed` reaches `window.apply_settings(settings)` (which reloads the model when the
      model or inference settings changed, and reopens a moved library), and a new interface
      language is installed at once.
    """

    def __init__(self, window: QWidget, store: SettingsStore, bridge: ModelManagerBridge):
        # The window is reached through parent(), not an attribute: a child holding its parent
        # would be a reference cycle, freed by the garbage collector on whichever thread runs it.
        super().__init__(window)
        self.store = store
        self.bridge = bridge
        self.dialog: SettingsDialog | None = None
        self._language = store.settings.ui.language
        window.settings_requested.connect(self.open_dialog)
        store.changed.connect(self._on_store_changed)

    @property
    def window(self):
        return self.parent()

    @Slot()
    def open_dialog(self) -> SettingsDialog:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        dialog = SettingsDialog(self.store, self.bridge, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.history_deletion_requested.connect(self.window.delete_all_history)
        dialog.destroyed.connect(self._on_dialog_destroyed)
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def _on_dialog_destroyed(self) -> None:
        self.dialog = None

    @Slot(object)
    def _on_store_changed(self, sections: frozenset[str]) -> None:
        settings = self.store.settings
        self.window.apply_settings(settings)
        if "ui" in sections and settings.ui.language != self._language:
            self._language = settings.ui.language
            from app.ui.application import choose_font, install_translations

            app = QCoreApplication.instance()
            install_translations(app, settings.ui.language)  # retranslates open windows
            choose_font(app, settings.ui.language)
