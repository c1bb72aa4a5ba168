"""The window's actions, menus and toolbar, with their names and shortcuts.

Kept apart from the main window so that it stays composition and wiring: this module says
what the user can do and how it is labelled; the window connects each action to its slot.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QMainWindow, QStyle


def toolbar_text(menu_text: str) -> str:
    """A menu entry's text as a toolbar button shows it: without its mnemonic — Japanese
    menus write it as a trailing "(&O)", which Qt's own stripping leaves as "(O)" — or "…"."""
    return re.sub(r"\(&\w\)", "", menu_text).replace("&", "").rstrip("…").strip()


class WindowActions(QObject):
    """open, export, copy, settings, quit, about — each a QAction already in the menus.
    The window calls `retranslate()` when the interface language changes."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.open = self._action(QKeySequence.StandardKey.Open, "document-open",
                                 QStyle.StandardPixmap.SP_DialogOpenButton, window)
        self.export = self._action("Ctrl+E", "document-save-as", QStyle.StandardPixmap.SP_DialogSaveButton, window)
        self.copy = self._action("Ctrl+Shift+C", "edit-copy", QStyle.StandardPixmap.SP_FileDialogDetailedView, window)
        self.settings = self._action("Ctrl+,", "preferences-system", QStyle.StandardPixmap.SP_FileDialogInfoView,
                                     window)
        self.settings.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.quit = self._action(QKeySequence.StandardKey.Quit, "application-exit", None, window)
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.about = self._action(None, "help-about", None, window)
        self.about.setMenuRole(QAction.MenuRole.AboutRole)

        menus = window.menuBar()
        self.file_menu = menus.addMenu("")
        self.file_menu.addActions([self.open, self.export])
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit)
        self.edit_menu = menus.addMenu("")
        self.edit_menu.addAction(self.copy)
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.settings)
        self.help_menu = menus.addMenu("")
        self.help_menu.addAction(self.about)
        self.toolbar = window.addToolBar("")
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.setMovable(False)
        self.toolbar.addActions([self.open, self.copy, self.export, self.settings])
        self.retranslate()

    @staticmethod
    def _action(shortcut, theme_icon: str, fallback_icon, window: QMainWindow) -> QAction:
        action = QAction(window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        # The desktop's icon theme where there is one (Linux); Qt's own icons elsewhere.
        fallback = window.style().standardIcon(fallback_icon) if fallback_icon is not None else QIcon()
        action.setIcon(QIcon.fromTheme(theme_icon, fallback))
        return action

    def retranslate(self) -> None:
        self.file_menu.setTitle(self.tr("&File"))
        self.edit_menu.setTitle(self.tr("&Edit"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.toolbar.setWindowTitle(self.tr("Toolbar"))
        self.open.setText(self.tr("&Open…"))
        self.open.setToolTip(self.tr("Open PDF, Word, text or Markdown files (Ctrl+O)"))
        self.export.setText(self.tr("&Export…"))
        self.export.setToolTip(self.tr("Save the summary and answers as Markdown, text or Word (Ctrl+E)"))
        self.copy.setText(self.tr("&Copy summary"))
        self.copy.setToolTip(self.tr("Copy the summary to the clipboard (Ctrl+Shift+C)"))
        self.settings.setText(self.tr("&Settings…"))
        self.settings.setToolTip(self.tr("Models, inference, summary defaults, language and history (Ctrl+,)"))
        self.quit.setText(self.tr("&Quit"))
        self.about.setText(self.tr("&About Matome"))
        for action in (self.open, self.export, self.copy, self.settings):
            action.setIconText(toolbar_text(action.text()))
