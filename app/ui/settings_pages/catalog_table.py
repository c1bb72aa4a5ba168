"""The curated catalog as a table: size, languages, licence, whether it fits this computer, and
which model is recommended for it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from app.core.models import Catalog, CatalogEntry, Fit, FitVerdict, Hardware
from app.ui.settings_pages.transfer_widget import bytes_text, memory_text

ENTRY_ROLE = Qt.ItemDataRole.UserRole
NAME, SIZE, LANGUAGES, LICENCE, FIT, STATE = range(6)
#: Badge colours that read on light and dark themes alike.
FIT_COLOURS = {Fit.FITS: "#2e7d32", Fit.MAY_BE_SLOW: "#b26a00", Fit.WONT_FIT: "#c62828"}
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}


def fit_label(fit: Fit) -> str:
    translate = QCoreApplication.translate
    return {Fit.FITS: translate("CatalogTable", "Fits"),
            Fit.MAY_BE_SLOW: translate("CatalogTable", "May be slow"),
            Fit.WONT_FIT: translate("CatalogTable", "Won't fit")}[fit]


def fit_reason(verdict: FitVerdict, hardware: Hardware) -> str:
    """The verdict's reason in the interface language (the core's own is English only)."""
    translate = QCoreApplication.translate
    need, free, total = (memory_text(verdict.needed_ram_bytes), memory_text(hardware.available_ram_bytes),
                         memory_text(hardware.total_ram_bytes))
    if verdict.fit == Fit.WONT_FIT:
        return translate("CatalogTable", "Needs about {need} of memory; this computer has {total} in all.").format(
            need=need, total=total)
    if verdict.fit == Fit.MAY_BE_SLOW:
        if verdict.needed_ram_bytes > hardware.available_ram_bytes:
            return translate("CatalogTable", "Needs about {need}; only {free} is free now, so other programs "
                             "will be pushed aside while it runs.").format(need=need, free=free)
        return translate("CatalogTable", "Fits in memory, but {cores} processor cores make a model this size "
                         "slow.").format(cores=hardware.physical_cores)
    return translate("CatalogTable", "Needs about {need} of memory; {free} is free.").format(need=need, free=free)


def language_list(codes: tuple[str, ...], *, short: bool = False) -> str:
    """"English, 日本語"; with `short`, other languages are counted ("English, 日本語 +5") so the
    column stays narrow (the tooltip lists them all)."""
    named = [LANGUAGE_NAMES[code] for code in codes if code in LANGUAGE_NAMES]
    others = [code for code in codes if code not in LANGUAGE_NAMES]
    if not short:
        return ", ".join(named + others)
    return ", ".join(named) + (f" +{len(others)}" if others else "") if named else ", ".join(others)


class CatalogTable(QTableWidget):
    """One row per catalog model; `set_states()` fills the last column (installed / paused…)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 6, parent)
        self.setObjectName("catalog")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.entries: list[CatalogEntry] = []
        self.verdicts: dict[str, FitVerdict] = {}
        self.recommended: dict[str, list[str]] = {}
        self.retranslate()

    def retranslate(self) -> None:
        translate = QCoreApplication.translate
        self.setHorizontalHeaderLabels([
            translate("CatalogTable", "Model"), translate("CatalogTable", "Download"),
            translate("CatalogTable", "Languages"), translate("CatalogTable", "Licence"),
            translate("CatalogTable", "This computer"), translate("CatalogTable", "Status")])

    def set_catalog(self, catalog: Catalog, hardware: Hardware) -> None:
        self.entries = list(catalog.entries)
        self.verdicts = {entry.id: entry.fit(hardware) for entry in self.entries}
        self.recommended = {}
        for language, model_id in catalog.recommended_ids(hardware.total_ram_bytes).items():
            self.recommended.setdefault(model_id, []).append(language)
        translate = QCoreApplication.translate
        self.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            name = QTableWidgetItem(entry.name)
            name.setData(ENTRY_ROLE, entry.id)
            tip = [entry.description, f"{entry.repo_id} / {entry.filename}",
                   translate("CatalogTable", "{parameters} parameters · {quantization} · {context} tokens context").format(
                       parameters=f"{entry.parameters / 1e9:.1f} B", quantization=entry.quantization,
                       context=f"{entry.context_length:,}")]
            if entry.id in self.recommended:
                recommended_for = language_list(tuple(self.recommended[entry.id]))
                name.setText("★ " + entry.name)
                font = QFont(name.font())
                font.setBold(True)
                name.setFont(font)
                tip.insert(0, translate("CatalogTable", "Recommended for this computer ({languages}).").format(
                    languages=recommended_for))
            name.setToolTip("\n".join(tip))
            size = QTableWidgetItem(bytes_text(entry.size_bytes))
            size.setToolTip(translate("CatalogTable", "Estimated; the exact size is known when the download starts."))
            size.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            verdict = self.verdicts[entry.id]
            fit = QTableWidgetItem("● " + fit_label(verdict.fit))
            fit.setForeground(QBrush(QColor(FIT_COLOURS[verdict.fit])))
            fit.setToolTip(fit_reason(verdict, hardware))
            languages = QTableWidgetItem(language_list(entry.languages, short=True))
            languages.setToolTip(language_list(entry.languages))
            for column, item in ((NAME, name), (SIZE, size), (LANGUAGES, languages),
                                 (LICENCE, QTableWidgetItem(entry.license)), (FIT, fit), (STATE, QTableWidgetItem())):
                self.setItem(row, column, item)

    def set_states(self, states: dict[str, str]) -> None:
        """Catalog id → a short status ("Installed", "Paused at 40%"); missing ids show nothing."""
        for row, entry in enumerate(self.entries):
            self.item(row, STATE).setText(states.get(entry.id, ""))

    def selected_entry(self) -> CatalogEntry | None:
        rows = self.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows else None

    def select_entry(self, catalog_id: str) -> None:
        for row, entry in enumerate(self.entries):
            if entry.id == catalog_id:
                self.selectRow(row)
                return

    def row_texts(self, catalog_id: str) -> list[str]:
        """What a row shows (for tests and accessibility checks)."""
        for row, entry in enumerate(self.entries):
            if entry.id == catalog_id:
                return [self.item(row, column).text() for column in range(self.columnCount())]
        return []
