"""The left panel: the open documents with their name, pages and status.

Each entry shows what is happening to it — queued, reading, summarizing 3 of 7, done, or its
error — and can be removed. Dropping files is handled by the window (anywhere on it), so this
list accepts no drops itself and lets them pass to the window.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QListWidget, QListWidgetItem, QMenu, QPushButton, QStyle, QVBoxLayout,
    QWidget,
)

from app.ui.document_entry import CANCELLED, DONE, ERROR, DocumentEntry
from app.ui.forget_dialog import confirm_forget
from app.ui.wording import details_text

ENTRY_ID_ROLE = Qt.ItemDataRole.UserRole


class DocumentList(QWidget):
    """Signals:
        current_changed(int): the selected entry id, or 0 when none is selected.
        open_requested(), remove_requested(int), regenerate_requested(int),
        forget_requested(int): the user confirmed that this document is to be forgotten
            (its text, summaries, answers and saved notes deleted, the entry closed).
    """

    current_changed = Signal(int)
    open_requested = Signal()
    remove_requested = Signal(int)
    regenerate_requested = Signal(int)
    forget_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.list_widget = QListWidget()
        self.list_widget.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_widget.setWordWrap(True)
        self.list_widget.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list_widget.setAlternatingRowColors(True)
        self.list_widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list_widget.customContextMenuRequested.connect(self._on_list_context_menu)
        self.list_widget.currentItemChanged.connect(self._on_list_current_changed)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self.open_requested)
        self.remove_button = QPushButton()
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.remove_button.setEnabled(False)
        self._delete_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list_widget)
        self._delete_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        self._delete_shortcut.activated.connect(self._on_remove_clicked)

        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list_widget, 1)
        layout.addLayout(buttons)
        self._items: dict[int, QListWidgetItem] = {}
        self._entries: dict[int, DocumentEntry] = {}
        self._retranslate()

    # ----- entries ---------------------------------------------------------------------

    def add_entry(self, entry: DocumentEntry) -> None:
        item = QListWidgetItem()
        item.setData(ENTRY_ID_ROLE, entry.id)
        self._items[entry.id] = item
        self._entries[entry.id] = entry
        self.list_widget.addItem(item)
        self.update_entry(entry)
        if self.list_widget.currentItem() is None:
            self.list_widget.setCurrentItem(item)

    def update_entry(self, entry: DocumentEntry) -> None:
        item = self._items.get(entry.id)
        if item is None:
            return
        item.setText(f"{entry.name}\n{details_text(entry)}")
        tooltip = [str(entry.path)]
        if entry.title and entry.title != entry.path.stem:
            tooltip.insert(0, entry.title)
        if entry.error or entry.notice:
            tooltip.append(entry.error or entry.notice)
        item.setToolTip("\n".join(tooltip))
        item.setIcon(self.style().standardIcon(_status_icon(entry.status)))

    def remove_entry(self, entry_id: int) -> None:
        item = self._items.pop(entry_id, None)
        self._entries.pop(entry_id, None)
        if item is not None:
            self.list_widget.takeItem(self.list_widget.row(item))
        if not self._items:
            self.current_changed.emit(0)

    def select(self, entry_id: int) -> None:
        item = self._items.get(entry_id)
        if item is not None:
            self.list_widget.setCurrentItem(item)

    def current_entry_id(self) -> int:
        item = self.list_widget.currentItem()
        return int(item.data(ENTRY_ID_ROLE)) if item is not None else 0

    def item_text(self, entry_id: int) -> str:
        item = self._items.get(entry_id)
        return item.text() if item is not None else ""

    def count(self) -> int:
        return self.list_widget.count()

    # ----- user actions ----------------------------------------------------------------

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_list_current_changed(self, current: QListWidgetItem | None, _previous) -> None:
        self.remove_button.setEnabled(current is not None)
        self.current_changed.emit(int(current.data(ENTRY_ID_ROLE)) if current is not None else 0)

    @Slot()
    def _on_remove_clicked(self) -> None:
        entry_id = self.current_entry_id()
        if entry_id:
            self.remove_requested.emit(entry_id)

    @Slot(QPoint)
    def _on_list_context_menu(self, position: QPoint) -> None:
        item = self.list_widget.itemAt(position)
        if item is not None:
            menu = self.context_menu(int(item.data(ENTRY_ID_ROLE)))
            menu.exec(self.list_widget.viewport().mapToGlobal(position))
            menu.deleteLater()  # one menu per right-click; don't keep them all

    def context_menu(self, entry_id: int) -> QMenu:
        """The menu of one entry: summarize again (or try again), remove, forget."""
        entry = self._entries.get(entry_id)
        menu = QMenu(self)
        retry = menu.addAction(self.tr("Try again") if entry and entry.status in (ERROR, CANCELLED)
                               else self.tr("Summarize again"))
        retry.triggered.connect(lambda: self.regenerate_requested.emit(entry_id))
        menu.addAction(self.tr("Remove from list")).triggered.connect(lambda: self.remove_requested.emit(entry_id))
        forget = menu.addAction(self.tr("Forget this document…"))
        # Known by its hash once read; before that there is nothing kept to forget.
        forget.setEnabled(bool(entry and entry.sha256))
        forget.triggered.connect(lambda: self._forget(entry_id))
        return menu

    def _forget(self, entry_id: int) -> None:
        entry = self._entries.get(entry_id)
        if entry is not None and confirm_forget(self, entry.display_title):
            self.forget_requested.emit(entry_id)

    def _retranslate(self) -> None:
        self.open_button.setText(self.tr("Open…"))
        self.open_button.setToolTip(self.tr("Open documents (Ctrl+O)"))
        self.remove_button.setText(self.tr("Remove"))
        self.remove_button.setToolTip(self.tr("Remove the selected document from the list (Delete)"))
        self.list_widget.setToolTip(self.tr("Drop PDF, Word, text or Markdown files or folders here"))
        for entry in self._entries.values():
            self.update_entry(entry)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)


def _status_icon(status: str) -> QStyle.StandardPixmap:
    if status == DONE:
        return QStyle.StandardPixmap.SP_DialogApplyButton
    if status == ERROR:
        return QStyle.StandardPixmap.SP_MessageBoxCritical
    if status == CANCELLED:
        return QStyle.StandardPixmap.SP_DialogCancelButton
    return QStyle.StandardPixmap.SP_BrowserReload
