"""Inference: how the model runs (context size, threads, batch, GPU layers, sampling)."""

from __future__ import annotations

import dataclasses
import os

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from app.core.settings import InferenceSettings, Settings
from app.ui.settings_pages.base import SettingsPage, form_layout, note_label

MIN_CONTEXT, MAX_CONTEXT = 512, 131072


def _spin(minimum: int, maximum: int, step: int = 1) -> QSpinBox:
    box = QSpinBox()
    box.setRange(minimum, maximum)
    box.setSingleStep(step)
    box.setGroupSeparatorShown(True)
    return box


def _double_spin(minimum: float, maximum: float, step: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(minimum, maximum)
    box.setSingleStep(step)
    box.setDecimals(2)
    return box


class InferencePage(SettingsPage):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._loaded = InferenceSettings()
        # Any value can be typed, so check() can name a bad one instead of the box silently
        # clamping it; the core's rules are mirrored there.
        self.context_spin = _spin(0, MAX_CONTEXT, 512)
        self.max_context_spin = _spin(MIN_CONTEXT, MAX_CONTEXT, 512)
        self.threads_spin = _spin(0, 256)
        self.batch_spin = _spin(1, 8192, 64)
        self.gpu_layers_spin = _spin(-1, 999)
        self.temperature_spin = _double_spin(0.0, 5.0, 0.05)
        self.top_p_spin = _double_spin(0.05, 1.0, 0.05)
        self.repeat_penalty_spin = _double_spin(0.5, 3.0, 0.05)
        self.reset_button = QPushButton()
        self.reset_button.clicked.connect(self.reset_to_defaults)

        self.form = form_layout()
        self.labels = [QLabel() for _ in range(8)]
        fields = (self.context_spin, self.max_context_spin, self.threads_spin, self.batch_spin,
                  self.gpu_layers_spin, self.temperature_spin, self.top_p_spin, self.repeat_penalty_spin)
        for label, field in zip(self.labels, fields):
            label.setBuddy(field)
            self.form.addRow(label, field)
        self.body.addLayout(self.form)
        self.note = note_label()
        self.body.addWidget(self.note)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)
        self.body.addLayout(buttons)
        self.body.addStretch(1)
        self.retranslate()

    def title(self) -> str:
        return self.tr("Inference")

    def retranslate(self) -> None:
        texts = (self.tr("&Context size:"), self.tr("&Largest automatic context:"), self.tr("&Threads:"),
                 self.tr("&Batch size:"), self.tr("&GPU layers:"), self.tr("T&emperature:"),
                 self.tr("Top &p:"), self.tr("&Repetition penalty:"))
        for label, text in zip(self.labels, texts):
            label.setText(text)
        self.context_spin.setSpecialValueText(self.tr("Automatic (the model's own)"))
        self.context_spin.setSuffix(self.tr(" tokens"))
        self.max_context_spin.setSuffix(self.tr(" tokens"))
        self.threads_spin.setSpecialValueText(self.tr("Automatic (one per core)"))
        self.gpu_layers_spin.setSpecialValueText(self.tr("All"))
        self.context_spin.setToolTip(self.tr(
            "How much text the model sees at once. Larger contexts need more memory."))
        self.max_context_spin.setToolTip(self.tr(
            "With an automatic context size, Matome uses the model's own context but never more than this."))
        self.gpu_layers_spin.setToolTip(self.tr(
            "0 runs everything on the processor; higher numbers move that many layers to a graphics card."))
        self.temperature_spin.setToolTip(self.tr(
            "Lower values give more literal, repeatable summaries; higher values more varied wording."))
        self.note.setText(self.tr(
            "This computer has {cores} processor threads. Changes take effect when the model is loaded "
            "again, which happens as soon as you press OK.").format(cores=os.cpu_count() or 1))
        self.reset_button.setText(self.tr("Reset to &defaults"))

    def load(self, settings: Settings) -> None:
        self._loaded = dataclasses.replace(settings.inference)
        self._show(self._loaded)

    def _show(self, values: InferenceSettings) -> None:
        self.context_spin.setValue(values.n_ctx)
        self.max_context_spin.setValue(values.max_context)
        self.threads_spin.setValue(values.n_threads)
        self.batch_spin.setValue(values.n_batch)
        self.gpu_layers_spin.setValue(values.n_gpu_layers)
        self.temperature_spin.setValue(values.temperature)
        self.top_p_spin.setValue(values.top_p)
        self.repeat_penalty_spin.setValue(values.repeat_penalty)

    @Slot()
    def reset_to_defaults(self) -> None:
        """Show the default values; like every change on the page, OK saves them."""
        defaults = InferenceSettings()
        self._loaded = dataclasses.replace(self._loaded, seed=defaults.seed)
        self._show(defaults)
        self.show_problems([])

    def check(self) -> list[str]:
        problems = []
        context = self.context_spin.value()
        if context and not MIN_CONTEXT <= context <= MAX_CONTEXT:
            problems.append(self.tr("Context size must be automatic or between {low} and {high} tokens.").format(
                low=f"{MIN_CONTEXT:,}", high=f"{MAX_CONTEXT:,}"))
        if not 8 <= self.batch_spin.value() <= 8192:
            problems.append(self.tr("Batch size must be between 8 and 8192."))
        if not 0.0 <= self.temperature_spin.value() <= 2.0:
            problems.append(self.tr("Temperature must be between 0 and 2."))
        if not 1.0 <= self.repeat_penalty_spin.value() <= 2.0:
            problems.append(self.tr("Repetition penalty must be between 1.0 and 2.0."))
        return problems

    def save(self, settings: Settings) -> None:
        settings.inference = dataclasses.replace(
            self._loaded,  # keeps what the page does not show (the seed)
            n_ctx=self.context_spin.value(),
            max_context=self.max_context_spin.value(),
            n_threads=self.threads_spin.value(),
            n_batch=self.batch_spin.value(),
            n_gpu_layers=self.gpu_layers_spin.value(),
            temperature=round(self.temperature_spin.value(), 2),
            top_p=round(self.top_p_spin.value(), 2),
            repeat_penalty=round(self.repeat_penalty_spin.value(), 2),
        )
