"""One transfer (a download, an import copy, a check) as the user sees it: a progress bar, a
line with bytes, rate and time left, and Pause / Resume / Cancel.

The widget follows one job of the ModelManagerBridge by its key; it asks the bridge to pause,
resume or cancel and changes state only when the bridge reports back.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.core.models import PartialDownload, TransferProgress
from app.ui.model_manager_bridge import DOWNLOAD, ModelManagerBridge, key_kind
from app.ui.wording import duration_text

#: The bar counts in thousandths: bytes overflow a QProgressBar's int for files over 2 GB.
BAR_STEPS = 1000

RUNNING, STOPPING, PAUSED, FAILED = "running", "stopping", "paused", "failed"


def bytes_text(value: int | float | None) -> str:
    if value is None:
        return "?"
    return QLocale().formattedDataSize(int(value), 1, QLocale.DataSizeFormat.DataSizeSIFormat)


def memory_text(value: int) -> str:
    """Memory sizes the way operating systems show them (8 GB of RAM is 8 × 1024³ bytes)."""
    return QLocale().formattedDataSize(int(value), 1, QLocale.DataSizeFormat.DataSizeTraditionalFormat)


def progress_text(progress: TransferProgress) -> str:
    """"120.0 kB of 418.3 kB · 1.2 MB/s · about 3 seconds left", or the phase's own words."""
    translate = QCoreApplication.translate
    amounts = translate("TransferWidget", "{done} of {total}").format(
        done=bytes_text(progress.bytes_done), total=bytes_text(progress.bytes_total))
    if progress.phase == "connecting":
        return translate("TransferWidget", "Connecting…")
    if progress.phase == "retrying":
        return translate("TransferWidget", "The connection failed; trying again (attempt {attempt}) · {amounts}").format(
            attempt=progress.attempt, amounts=amounts)
    if progress.phase == "verifying":
        return translate("TransferWidget", "Checking the file · {amounts}").format(amounts=amounts)
    if progress.phase == "done":
        return translate("TransferWidget", "Installed.")
    parts = [amounts]
    if progress.rate_bytes_per_s:
        parts.append(translate("TransferWidget", "{rate}/s").format(rate=bytes_text(progress.rate_bytes_per_s)))
    if progress.eta_seconds is not None and progress.eta_seconds >= 1:
        parts.append(translate("TransferWidget", "about {time} left").format(time=duration_text(progress.eta_seconds)))
    text = " · ".join(parts)
    if progress.phase == "copying":
        text = translate("TransferWidget", "Copying · {details}").format(details=text)
    return text


def bar_value(done: int, total: int | None) -> int | None:
    if not total:
        return None
    return min(BAR_STEPS, done * BAR_STEPS // total)


class TransferWidget(QFrame):
    """Signals: closed(key): the transfer is over (installed, cancelled or dismissed); the
    owner removes the widget."""

    closed = Signal(str)

    def __init__(self, bridge: ModelManagerBridge, key: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.bridge = bridge
        self.key = key
        self.state = RUNNING
        self.is_download = key_kind(key) == DOWNLOAD
        self.title_label = QLabel(title)
        self.title_label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setValue(0)
        self.bar.setTextVisible(True)
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.pause_button = QPushButton()
        self.resume_button = QPushButton()
        self.cancel_button = QPushButton()
        self.pause_button.clicked.connect(self._on_pause_clicked)
        self.resume_button.clicked.connect(self._on_resume_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.detail_label, 1)
        for button in (self.pause_button, self.resume_button, self.cancel_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.bar)
        layout.addLayout(buttons)
        bridge.transfer_started.connect(self._on_bridge_transfer_started)
        bridge.transfer_progress.connect(self._on_bridge_transfer_progress)
        bridge.transfer_finished.connect(self._on_bridge_transfer_finished)
        bridge.transfer_paused.connect(self._on_bridge_transfer_paused)
        bridge.transfer_cancelled.connect(self._on_bridge_transfer_cancelled)
        bridge.transfer_failed.connect(self._on_bridge_transfer_failed)
        self.detail_label.setText(self.tr("Starting…"))
        if bridge.progress(key) is not None:
            self.show_progress(bridge.progress(key))
        self.retranslate()

    def retranslate(self) -> None:
        self.pause_button.setText(self.tr("Pause"))
        self.resume_button.setText(self.tr("Resume") if self.state == PAUSED else self.tr("Try again"))
        self.cancel_button.setText(self.tr("Cancel") if self.state in (RUNNING, STOPPING) or self.is_download
                                   else self.tr("Close"))
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_paused(self, partial: PartialDownload) -> None:
        """Show a download left paused or interrupted earlier (perhaps in an earlier session)."""
        self._set_state(PAUSED)
        value = bar_value(partial.bytes_done, partial.size)
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setValue(value or 0)
        self.detail_label.setText(self.tr("Paused at {done} of {total}").format(
            done=bytes_text(partial.bytes_done), total=bytes_text(partial.size)))

    def show_progress(self, progress: TransferProgress) -> None:
        value = bar_value(progress.bytes_done, progress.bytes_total)
        if value is None:
            self.bar.setRange(0, 0)  # size unknown yet: a busy bar
        else:
            self.bar.setRange(0, BAR_STEPS)
            self.bar.setValue(value)
        if self.state == RUNNING:
            self.detail_label.setText(progress_text(progress))

    # ----- the bridge's news about this transfer ---------------------------------------------

    @Slot(str)
    def _on_bridge_transfer_started(self, key: str) -> None:
        if key == self.key:
            self._set_state(RUNNING)
            self.detail_label.setText(self.tr("Starting…"))

    @Slot(str, object)
    def _on_bridge_transfer_progress(self, key: str, progress: TransferProgress) -> None:
        if key == self.key:
            self.show_progress(progress)

    @Slot(str, object)
    def _on_bridge_transfer_finished(self, key: str, _result: object) -> None:
        if key == self.key:
            self.bar.setRange(0, BAR_STEPS)
            self.bar.setValue(BAR_STEPS)
            self.closed.emit(self.key)

    @Slot(str, str)
    def _on_bridge_transfer_paused(self, key: str, _message: str) -> None:
        if key == self.key:
            self._set_state(PAUSED)
            progress = self.bridge.progress(key)
            self.detail_label.setText(self.tr("Paused. Resume continues where it stopped."))
            if progress is not None:
                self.show_progress(progress)

    @Slot(str, str)
    def _on_bridge_transfer_cancelled(self, key: str, _message: str) -> None:
        if key == self.key:
            self.closed.emit(self.key)

    @Slot(str, str)
    def _on_bridge_transfer_failed(self, key: str, message: str) -> None:
        if key == self.key:
            self._set_state(FAILED)
            self.bar.setRange(0, BAR_STEPS)
            self.detail_label.setText(message)

    # ----- buttons ----------------------------------------------------------------------------

    @Slot()
    def _on_pause_clicked(self) -> None:
        self._set_state(STOPPING)
        self.detail_label.setText(self.tr("Pausing…"))
        self.bridge.pause(self.key)

    @Slot()
    def _on_resume_clicked(self) -> None:
        self._set_state(RUNNING)
        self.detail_label.setText(self.tr("Resuming…"))
        self.bridge.resume(self.key)

    @Slot()
    def _on_cancel_clicked(self) -> None:
        if self.state in (RUNNING, STOPPING) or self.is_download:
            self._set_state(STOPPING)
            self.detail_label.setText(self.tr("Cancelling…"))
            self.bridge.cancel(self.key)  # a paused download's partial file is deleted
        else:
            self.closed.emit(self.key)

    def _set_state(self, state: str) -> None:
        self.state = state
        self.retranslate()

    def _update_buttons(self) -> None:
        self.pause_button.setVisible(self.is_download and self.state == RUNNING)
        self.resume_button.setVisible(self.is_download and self.state in (PAUSED, FAILED))
        self.cancel_button.setEnabled(self.state != STOPPING)
        self.pause_button.setEnabled(self.state == RUNNING)
