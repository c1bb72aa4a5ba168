"""The installed models as a table: name, size, how each came to be installed, and where it lives."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from app.core.models import InstalledModel
from app.ui.settings_pages.model_page import source_text
from app.ui.settings_pages.transfer_widget import bytes_text

NAME, SIZE, SOURCE, LOCATION = range(4)


class InstalledTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 4, parent)
        self.setObjectName("installed")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(LOCATION, QHeaderView.ResizeMode.Stretch)
        self.models: list[InstalledModel] = []
        self.retranslate()

    def retranslate(self) -> None:
        translate = QCoreApplication.translate
        self.setHorizontalHeaderLabels([translate("InstalledTable", "Model"), translate("InstalledTable", "Size"),
                                        translate("InstalledTable", "Kind"), translate("InstalledTable", "Location")])
        if self.models:
            self.set_models(self.models)

    def set_models(self, models: list[InstalledModel]) -> None:
        selected = self.selected_model()
        self.models = list(models)
        self.setRowCount(len(self.models))
        for row, model in enumerate(self.models):
            size = QTableWidgetItem(bytes_text(model.size_bytes))
            size.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            location = QTableWidgetItem(str(model.path))
            location.setToolTip(str(model.path))
            name = QTableWidgetItem(model.name)
            name.setToolTip(model.id)
            for column, item in ((NAME, name), (SIZE, size), (SOURCE, QTableWidgetItem(source_text(model))),
                                 (LOCATION, location)):
                self.setItem(row, column, item)
        if selected is not None:
            self.select_model(selected.id)

    def selected_model(self) -> InstalledModel | None:
        rows = self.selectionModel().selectedRows() if self.selectionModel() else []
        return self.models[rows[0].row()] if rows and rows[0].row() < len(self.models) else None

    def select_model(self, model_id: str) -> bool:
        for row, model in enumerate(self.models):
            if model.id == model_id:
                self.selectRow(row)
                return True
        self.clearSelection()
        return False

    def names(self) -> list[str]:
        return [model.name for model in self.models]
