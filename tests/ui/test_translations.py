"""The Japanese interface: every string of app/ui is translated (scripts/build_translations
--check), the window starts in Japanese when the settings say so, switches language while
open, and the Settings dialog is Japanese too; the compiled .qm is where a frozen build looks."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QAbstractButton, QAbstractSpinBox, QApplication, QComboBox, QDialogButtonBox, QGroupBox, QLabel, QLineEdit,
    QListWidget, QMenu, QStackedWidget, QTableWidget, QTabWidget, QToolButton, QWidget,
)

from app.core import paths
from app.core import settings as core_settings
from app.core.models.hardware import GIB, Hardware
from app.core.settings import Settings
from app.ui import application
from app.ui.document_entry import DONE
from app.ui.first_run import FirstRunOffer
from app.ui.model_manager_bridge import ModelManagerBridge
from app.ui.settings_dialog import SettingsDialog
from app.ui.settings_store import SettingsStore
from tests.ui.conftest import REPORT_TEXT, wait_until
from tests.ui.fakes import EngineFactory

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_translations"
TRANSLATIONS = ROOT / "resources" / "translations"
TS_FILE = TRANSLATIONS / "matome_ja.ts"
LAPTOP = Hardware(total_ram_bytes=8 * GIB, available_ram_bytes=6 * GIB, physical_cores=4, logical_cores=8)


def build_translations(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def english_patterns() -> list[re.Pattern]:
    """A pattern per source string whose Japanese differs from the English (placeholders match
    anything): none of them may match a text on screen in Japanese."""
    patterns = []
    for message in ET.parse(TS_FILE).getroot().iter("message"):
        source, translation = message.findtext("source"), message.findtext("translation")
        parts = re.split(r"\{[^{}]*\}", source or "")
        # "{done} of {total}" would match any English sentence with "of": too little to go on.
        if source and translation != source and len(re.findall(r"[A-Za-z]", "".join(parts))) >= 4:
            patterns.append(re.compile(".+?".join(re.escape(part) for part in parts), re.DOTALL))
    return patterns


def shown(widget: QWidget, root: QWidget) -> bool:
    """Whether `widget` is on screen whenever `root` is: nothing between them was hidden, except
    pages of a QStackedWidget (a Settings page is shown when chosen) and menus (when opened)."""
    while widget is not None and widget is not root:
        parent = widget.parentWidget()
        if widget.isHidden() and not isinstance(parent, QStackedWidget) and not isinstance(widget, QMenu):
            return False
        widget = parent
    return True


def visible_texts(root: QWidget, skip: tuple[QWidget, ...] = ()) -> list[str]:
    """Every text a user sees in `root` (but not in `skip`): titles, labels, buttons, menus and
    their actions, placeholders, list and table entries, spin box words, tooltips."""
    texts = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not shown(widget, root) or any(widget is part or part.isAncestorOf(widget) for part in skip):
            continue
        texts += [widget.windowTitle(), widget.toolTip()]
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        if isinstance(widget, (QGroupBox, QMenu)):
            texts.append(widget.title())
        if isinstance(widget, QMenu):
            texts += [text for action in widget.actions() for text in (action.text(), action.toolTip())]
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(row) for row in range(widget.count())]
        if isinstance(widget, QTabWidget):
            texts += [widget.tabText(index) for index in range(widget.count())]
        if isinstance(widget, QListWidget):
            items = [widget.item(row) for row in range(widget.count())]
            texts += [text for item in items for text in (item.text(), item.toolTip())]
        if isinstance(widget, QTableWidget):
            headers = [widget.horizontalHeaderItem(column) for column in range(widget.columnCount())]
            cells = [widget.item(row, column) for row in range(widget.rowCount())
                     for column in range(widget.columnCount())]
            texts += [text for item in headers + cells if item is not None for text in (item.text(), item.toolTip())]
        if isinstance(widget, QAbstractSpinBox):
            texts += [widget.specialValueText(), getattr(widget, "suffix", lambda: "")()]
    return [text for text in texts if text]


def english_left(root: QWidget, skip: tuple[QWidget, ...] = ()) -> list[str]:
    """The texts in `root` that are, or contain a line or " · " part that is, an English string."""
    patterns = english_patterns()
    left = set()
    for text in visible_texts(root, skip):
        pieces = [text, *re.split(r"\n+| · ", text)]
        if any(pattern.fullmatch(piece.strip()) for piece in pieces for pattern in patterns):
            left.add(text)
    return sorted(left)


@pytest.fixture
def interface_language():
    """Switch the interface language like the app does; English, the default locale and the
    application font are back after the test."""
    app = QApplication.instance()
    font, locale = app.font(), QLocale()

    def switch(language: str) -> list[str]:
        return application.install_translations(app, language)

    yield switch
    application.install_translations(app, "en")
    QLocale.setDefault(locale)
    app.setFont(font)


# ----- the catalogue ------------------------------------------------------------------------------

def test_every_interface_string_has_a_japanese_translation():
    result = build_translations("--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"matome_ja\.ts: all \d+ strings translated", result.stdout), result.stdout


def test_the_check_names_a_new_untranslated_string_and_changes_nothing(tmp_path):
    sources, translations = tmp_path / "ui", tmp_path / "translations"
    shutil.copytree(ROOT / "app" / "ui", sources, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(TRANSLATIONS, translations)
    (sources / "new_panel.py").write_text(
        "from PySide6.QtWidgets import QWidget\n\n\n"
        "class NewPanel(QWidget):\n"
        "    def retranslate(self):\n"
        "        return self.tr(\"A brand-new label nobody translated\")\n", encoding="utf-8")
    before = (translations / "matome_ja.ts").read_bytes()

    result = build_translations("--check", "--sources", str(sources), "--translations", str(translations))

    assert result.returncode != 0
    assert "NewPanel: 'A brand-new label nobody translated': no Japanese translation" in result.stderr
    assert (translations / "matome_ja.ts").read_bytes() == before


def test_the_check_names_a_translation_that_lost_its_placeholder_or_accelerator(tmp_path):
    translations = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, translations)
    ts_file = translations / "matome_ja.ts"
    text = ts_file.read_text(encoding="utf-8")
    broken = {"<translation>{name} を削除しました。</translation>": "<translation>モデルを削除しました。</translation>",
              "<translation>ファイル(&amp;F)</translation>": "<translation>ファイル</translation>"}
    for good, bad in broken.items():
        assert good in text
        text = text.replace(good, bad)
    ts_file.write_text(text, encoding="utf-8")

    result = build_translations("--check", "--translations", str(translations))

    assert result.returncode != 0
    assert "ModelsPage: '{name} is deleted.': placeholders ['{name}'] must all be kept" in result.stderr
    assert "WindowActions: '&File': needs exactly as many & accelerators" in result.stderr
    assert "matome_ja.qm is not matome_ja.ts compiled" in result.stderr


# ----- the window ---------------------------------------------------------------------------------

def test_a_window_started_with_japanese_settings_is_japanese(qtbot, write_text, interface_language):
    settings = Settings()
    settings.ui.language = "ja"
    core_settings.save(settings)
    path = write_text("report.txt", REPORT_TEXT)

    app, window = application.build_main_window([str(path)], engine_factory=EngineFactory())
    qtbot.addWidget(window)
    try:
        actions = window.window_actions
        assert actions.file_menu.title() == "ファイル(&F)"
        assert actions.settings.text() == "設定(&S)…"
        assert actions.open.text() == "開く(&O)…" and actions.export.text() == "書き出し(&E)…"
        assert actions.open.shortcut().toString() == "Ctrl+O"  # shortcuts are the same in both languages
        assert window.side_tabs.tabText(0) == "ドキュメント" and window.side_tabs.tabText(1) == "履歴"
        entry = window.controller.entries()[0]
        wait_until(qtbot, lambda: entry.status == DONE)
        assert "完了" in window.document_list.list_widget.item(0).text()
        assert english_left(window) == []
    finally:
        window.close()
    assert not window.model_service.running


def test_switching_language_retranslates_an_open_window(window, qtbot, interface_language, write_text):
    actions = window.window_actions
    entry = window.controller.entry(window.open_paths([write_text("report.txt", REPORT_TEXT)])[0])
    wait_until(qtbot, lambda: entry.status == DONE)
    wait_until(qtbot, lambda: window.history_panel.results.count() == 1)
    assert actions.file_menu.title() == "&File"
    assert "done" in window.document_list.list_widget.item(0).text()

    loaded = interface_language("ja")

    assert "matome_ja.qm" in loaded
    # Qt posts LanguageChange to the top-level widgets: the window retranslates in the event loop.
    qtbot.waitUntil(lambda: actions.file_menu.title() == "ファイル(&F)", timeout=5000)
    assert actions.settings.text() == "設定(&S)…"
    assert window.side_tabs.tabText(0) == "ドキュメント"
    assert "完了" in window.document_list.list_widget.item(0).text()
    assert window.qa_panel.ask_button.text() == "質問する"
    assert window.qa_panel.heading_label.text() == "「report」についての質問"
    assert window.status_bar.model_label.text().startswith("モデル: ")
    assert english_left(window) == []

    interface_language("en")

    qtbot.waitUntil(lambda: actions.file_menu.title() == "&File", timeout=5000)
    assert actions.settings.text() == "&Settings…"
    assert window.side_tabs.tabText(0) == "Documents"
    assert "done" in window.document_list.list_widget.item(0).text()


def test_a_window_shows_no_document_in_japanese(window, qtbot, interface_language):
    interface_language("ja")

    qtbot.waitUntil(lambda: window.summary_view.title_label.text() == "ドキュメントが選択されていません", timeout=5000)
    assert "開く…" in window.summary_view.text_view.toPlainText()
    assert window.qa_panel.heading_label.text() == "質問"


def test_the_history_panel_retranslates_what_it_shows(window, qtbot, interface_language):
    panel = window.history_panel
    wait_until(qtbot, lambda: panel.empty_label.text() != "")

    interface_language("ja")

    qtbot.waitUntil(lambda: window.side_tabs.tabText(1) == "履歴", timeout=5000)
    qtbot.wait(200)
    assert english_left(panel) == []


def test_japanese_toolbar_buttons_have_no_leftover_mnemonic(window, qtbot, interface_language):
    interface_language("ja")

    qtbot.waitUntil(lambda: window.window_actions.open.text() == "開く(&O)…", timeout=5000)
    toolbar = window.window_actions.toolbar
    buttons = [button.text() for button in toolbar.findChildren(QToolButton) if button.text()]
    assert "開く" in buttons[0]
    assert not [text for text in buttons if re.search(r"\(\w\)", text)]


# ----- the Settings dialog ------------------------------------------------------------------------

@pytest.fixture
def store():
    return SettingsStore.load()


@pytest.fixture
def bridge(store):
    """The model manager's bridge; what a test opens on it is closed (`opened`) before its
    threads stop."""
    bridge = ModelManagerBridge(store)
    bridge.opened = []
    yield bridge
    for widget in bridge.opened:
        widget.close()
    assert bridge.shutdown(10_000)


@pytest.fixture
def settings_dialog(qtbot, store, bridge):
    def make() -> SettingsDialog:
        dialog = SettingsDialog(store, bridge, hardware=LAPTOP)
        qtbot.addWidget(dialog)
        bridge.opened.append(dialog)
        dialog.show()
        return dialog

    return make


def page_titles(dialog: SettingsDialog) -> list[str]:
    return [dialog.navigation.item(row).text() for row in range(dialog.navigation.count())]


def test_the_settings_dialog_in_japanese(settings_dialog, interface_language, qtbot):
    loaded = interface_language("ja")
    dialog = settings_dialog()

    assert page_titles(dialog) == ["全般", "モデル", "モデル管理", "推論", "要約の既定値", "ドキュメント"]
    assert dialog.windowTitle() == "設定"
    combo = dialog.general_page.language_combo
    assert "システムの設定に従う" in [combo.itemText(row) for row in range(combo.count())]
    if "qtbase_ja.qm" in loaded:  # Qt's own strings: PySide6 ships them
        assert dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "キャンセル"
    assert english_left(dialog) == []

    interface_language("en")

    qtbot.waitUntil(lambda: page_titles(dialog)[0] == "General", timeout=5000)
    assert page_titles(dialog) == ["General", "Model", "Models", "Inference", "Summary defaults", "Documents"]
    assert dialog.windowTitle() == "Settings"


def test_the_welcome_in_japanese(qtbot, store, bridge, interface_language):
    interface_language("ja")
    offer = FirstRunOffer(store, bridge, hardware=LAPTOP)
    with qtbot.waitSignal(offer.decided, timeout=5000):
        offer.start()
    dialog = offer.dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    bridge.opened.append(dialog)

    assert dialog.windowTitle() == "Matome へようこそ"
    assert "このコンピューター上で動作する言語モデル" in dialog.privacy_label.text()
    assert dialog.skip_button.text() == "スキップしてスターターモデルを使う(&S)"
    assert english_left(dialog) == []


# ----- shipping -----------------------------------------------------------------------------------

def test_the_compiled_translation_is_where_the_app_and_a_frozen_build_look():
    assert application.translations_dir() == paths.resources_dir() / "translations"
    assert (application.translations_dir() / "matome_ja.qm").is_file()
    # packaging/matome.spec bundles resources/ file by file into _internal/resources, which is
    # paths.resources_dir() in the frozen app: the .qm must be among them, the .ts need not.
    spec = ast.parse((ROOT / "packaging" / "matome.spec").read_text(encoding="utf-8"))
    function = next(node for node in spec.body if isinstance(node, ast.FunctionDef) and node.name == "resource_files")
    namespace = {"ROOT": ROOT, "Path": Path}
    exec(compile(ast.Module(body=[function], type_ignores=[]), "matome.spec", "exec"), namespace)
    bundled = dict(namespace["resource_files"]())
    assert bundled.get(str(TRANSLATIONS / "matome_ja.qm")) == str(Path("resources") / "translations")
    assert str(TS_FILE) not in bundled


def test_core_errors_lead_with_a_japanese_gist_in_the_japanese_interface(qapp, interface_language):
    from app.core.errors import ScannedDocumentError
    from app.ui.tasks import describe_error

    error = ScannedDocumentError("This PDF has no text layer — it looks scanned. Matome reads text.")
    assert describe_error(error) == str(error)  # English: the core's own message, once
    interface_language("ja")
    shown = describe_error(error)
    assert shown.startswith("このPDFにはテキスト情報がありません")
    assert shown.endswith(str(error))  # the details are kept
