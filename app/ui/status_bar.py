"""The status bar: the active model, its context size, and the speed of the last generation."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Slot
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.core.events import GenerationStats
from app.ui.model_worker import ModelInfo

MESSAGE_MS = 8000


class MatomeStatusBar(QStatusBar):
    """Listens to the model service; shows transient messages on the left."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model_label = QLabel()
        self.speed_label = QLabel()
        self.addPermanentWidget(self.speed_label)
        self.addPermanentWidget(self.model_label)
        self._model: ModelInfo | None = None
        self._state = "none"  # "none", "loading", "ready", "failed"
        self._error = ""
        self._stats: GenerationStats | None = None
        self._retranslate()

    @Slot()
    def show_model_loading(self) -> None:
        self._state, self._model = "loading", None
        self._retranslate()

    @Slot(object)
    def show_model(self, model: ModelInfo) -> None:
        self._state, self._model = "ready", model
        self._retranslate()

    @Slot(str)
    def show_model_error(self, message: str) -> None:
        self._state, self._error = "failed", message
        self._retranslate()
        self.showMessage(message, MESSAGE_MS * 2)

    @Slot()
    def show_model_unloaded(self) -> None:
        if self._state == "ready":
            self._state, self._model = "none", None
            self._retranslate()

    @Slot(object)
    def show_stats(self, stats: GenerationStats) -> None:
        self._stats = stats
        self._retranslate()

    @Slot(str)
    def show_note(self, message: str) -> None:
        self.showMessage(message, MESSAGE_MS)

    def _retranslate(self) -> None:
        if self._state == "ready" and self._model is not None:
            self.model_label.setText(self.tr("Model: {name} · {context} tokens context").format(
                name=self._model.name, context=f"{self._model.n_ctx:,}"))
            self.model_label.setToolTip(f"{self._model.description}\n{self._model.path}")
        elif self._state == "loading":
            self.model_label.setText(self.tr("Loading the model…"))
            self.model_label.setToolTip("")
        elif self._state == "failed":
            self.model_label.setText(self.tr("No model loaded"))
            self.model_label.setToolTip(self._error)
        else:
            self.model_label.setText(self.tr("No model loaded"))
            self.model_label.setToolTip("")
        stats = self._stats
        if stats is not None and stats.generation_tokens_per_second > 0:
            self.speed_label.setText(self.tr("{speed:.0f} tokens/s").format(
                speed=stats.generation_tokens_per_second))
            tooltip = self.tr("Last run: read {prompt:.0f} tokens/s, wrote {write:.0f} tokens/s")
            self.speed_label.setToolTip(tooltip.format(prompt=stats.prompt_tokens_per_second,
                                                       write=stats.generation_tokens_per_second))
        else:
            self.speed_label.setText("")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)
