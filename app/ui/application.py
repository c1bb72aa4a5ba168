"""Start-up of the window: system checks, QApplication, translations, settings, main window.

Nothing heavy is imported here: llama.cpp is loaded on the model thread after the window is
up, and the document readers on first use.
"""

from __future__ import annotations

import ctypes.util
import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QObject, QTranslator, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import __version__
from app.core import paths
from app.core import settings as settings_store

log = logging.getLogger(__name__)

APPLICATION_NAME = "Matome"
#: What Qt's xcb platform plugin loads, and the Debian/Ubuntu package that provides it.
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-shape": "libxcb-shape0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-image": "libxcb-image0",
    "EGL": "libegl1",
}
CJK_FONT_PACKAGE = "fonts-noto-cjk"
#: Families with Japanese glyph shapes, best first (Chinese fonts draw some kanji differently).
JAPANESE_FONTS = ("Noto Sans CJK JP", "Noto Sans JP", "Source Han Sans JP", "IPAexGothic", "IPAGothic",
                  "TakaoPGothic", "Yu Gothic UI", "Meiryo UI", "Hiragino Sans")

# QTranslators must outlive their installation; Qt does not keep them alive.
_installed_translators: list[QTranslator] = []


def display_problem() -> str | None:
    """Why Qt could not open a window here (with the packages to install), or None.

    Checked before QApplication exists, because Qt aborts the process instead of raising."""
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None  # offscreen, wayland, vnc…: not the xcb plugin's libraries
    if not platform and os.environ.get("WAYLAND_DISPLAY"):
        return None
    if not os.environ.get("DISPLAY"):
        return ("Matome could not find a desktop to open its window on (DISPLAY is not set). Start it "
                "from a desktop session, or use the command line: `matome summarize FILE`.")
    missing = [package for library, package in XCB_LIBRARIES.items() if not _library_present(library)]
    if not missing:
        return None
    return ("Matome's window needs system libraries that are missing: " + ", ".join(missing) + ".\n"
            "Install them with:\n    sudo apt-get install -y " + " ".join(missing + [CJK_FONT_PACKAGE]) + "\n"
            "(On Fedora: sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms xcb-util-image "
            "xcb-util-renderutil libxkbcommon-x11 mesa-libEGL google-noto-sans-cjk-fonts)")


def _library_present(name: str) -> bool:
    if ctypes.util.find_library(name) is not None:
        return True
    # An installed bundle carries the xcb libraries itself, where find_library does not look.
    bundle = getattr(sys, "_MEIPASS", None)
    return bool(bundle) and any(Path(bundle).rglob(f"lib{name}.so*"))


def interface_locale(language: str) -> QLocale:
    """The locale of the interface: "ja", "en", or "system" (the desktop's)."""
    if language == "ja":
        return QLocale(QLocale.Language.Japanese, QLocale.Country.Japan)
    if language == "en":
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return QLocale.system()


def translations_dir() -> Path:
    return paths.resources_dir() / "translations"


def install_translations(app: QCoreApplication, language: str) -> list[str]:
    """Replace the installed translations with Matome's and Qt's own for `language`.

    Missing .qm files are fine (English is the source language). Installing sends every
    widget a LanguageChange event, so an open window retranslates itself. Returns the names of
    the files loaded."""
    for translator in _installed_translators:
        app.removeTranslator(translator)
    _installed_translators.clear()
    locale = interface_locale(language)
    QLocale.setDefault(locale)
    loaded = []
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name, folder in (("matome", str(translations_dir())), ("qtbase", qt_dir)):
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder):
            app.installTranslator(translator)
            _installed_translators.append(translator)
            loaded.append(Path(translator.filePath()).name)
    log.info("interface language %s (%s); translations: %s", language, locale.name(), loaded or "none")
    return loaded


def choose_font(app: QApplication, language: str) -> bool:
    """Prefer a Japanese font for CJK text when the interface or system is Japanese, so kanji
    get Japanese glyph shapes. False if no Japanese font is installed."""
    if interface_locale(language).language() != QLocale.Language.Japanese:
        return True
    available = set(QFontDatabase.families())
    family = next((name for name in JAPANESE_FONTS if name in available), None)
    if family is None:
        log.warning("no Japanese font found; install %s", CJK_FONT_PACKAGE)
        return False
    font = QFont(app.font())
    font.setFamilies([family, *font.families()])
    app.setFont(font)
    return True


def app_icon() -> QIcon:
    """The icons in resources/icons; failing those, まとめ's ま drawn on an indigo square."""
    icon = QIcon()
    for path in sorted((paths.resources_dir() / "icons").glob("matome-*.png")):
        icon.addFile(str(path))
    if not icon.isNull():
        return icon
    for size in (16, 24, 32, 48, 64, 128, 256):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QColor("#3949ab"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(0, 0, size, size, size * 0.2, size * 0.2)
        font = QFont()
        font.setPixelSize(int(size * 0.7))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, "ま")
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def create_application(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "matome", *argv])
    app.setApplicationName(APPLICATION_NAME)
    app.setApplicationDisplayName(APPLICATION_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APPLICATION_NAME)
    app.setDesktopFileName("matome")
    app.setWindowIcon(app_icon())
    return app


def show_settings_problem(window: QWidget, problem: str) -> QMessageBox:
    """Tell the user their settings file was unusable, without blocking start-up."""
    box = QMessageBox(QMessageBox.Icon.Warning, QCoreApplication.translate("Application", "Settings reset"),
                      problem, QMessageBox.StandardButton.Ok, window)
    box.setInformativeText(QCoreApplication.translate(
        "Application", "Matome started with default settings. You can change them in Settings."))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def build_main_window(argv: list[str], *, engine_factory=None):
    """The application, translated, with its main window shown and argv's files opening."""
    created = QApplication.instance() is None
    app = create_application(argv)
    # Qt takes its own options (-platform, -style…) out of the arguments it was given.
    files = app.arguments()[1:] if created else list(argv)
    # One load: a second would lose the message about a corrupt settings file.
    from app.ui.settings_store import SettingsStore

    store = SettingsStore(settings_store.load())
    language = store.settings.ui.language
    install_translations(app, language)
    choose_font(app, language)
    from app.ui.main_window import MainWindow

    window = MainWindow(store.settings, engine_factory=engine_factory)
    extras = StartUpExtras(window, store, offer_welcome=not files)
    # Downloads pause on quit (they resume next time) before the model thread is joined.
    app.aboutToQuit.connect(extras.shutdown)
    app.aboutToQuit.connect(window.shutdown)
    window.show()
    problem = store.take_problem()
    if problem:
        show_settings_problem(window, problem)
    if files:
        window.open_paths(files)
    app.installEventFilter(FileOpenForwarder(window))
    extras.start()
    return app, window


class FileOpenForwarder(QObject):
    """macOS opens documents (a double-click in Finder, a drop on the Dock icon) by sending the
    running app a FileOpen event instead of passing arguments; they open in the window."""

    def __init__(self, window):
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 — Qt's name
        if event.type() == QEvent.Type.FileOpen and event.file():
            self._window.open_paths([event.file()])
            return True
        return False


#: Modules the model manager, the Settings dialog and the first-run welcome need: about a third
#: of the app's start-up time, and nothing the first frame shows.
EXTRA_MODULES = ("app.core.models", "app.ui.model_manager_bridge", "app.ui.settings_dialog", "app.ui.first_run")


class StartUpExtras(QObject):
    """The model manager, Settings and the first-run welcome, attached after the window shows.

    Their modules are imported on the window's task pool, then the objects are built here on
    the window's thread: the window appears sooner and its first frames are not held up by
    imports. Asking for Settings before then attaches them at once."""

    def __init__(self, window, store, *, offer_welcome: bool):
        super().__init__(window)
        self._window = window
        self._store = store
        self._offer_welcome = offer_welcome
        self.bridge = None
        self.hooks = None
        self._closed = False
        window.settings_requested.connect(self._settings_requested_early)
        # Seen before the window's own closeEvent, which joins the model thread: downloads
        # pause first.
        window.installEventFilter(self)

    def start(self) -> None:
        self._window.tasks.run(_import_extras, lambda _names: self.attach(), lambda _error: self.attach())

    def attach(self) -> None:
        if self.bridge is not None or self._closed:
            return
        from app.ui.first_run import offer_first_run
        from app.ui.model_manager_bridge import ModelManagerBridge
        from app.ui.settings_dialog import SettingsHooks

        window = self._window
        window.settings_requested.disconnect(self._settings_requested_early)
        self.bridge = ModelManagerBridge(self._store, window)
        self.hooks = SettingsHooks(window, self._store, self.bridge)  # parented to the window
        if self._offer_welcome:
            offer_first_run(window, self._store, self.bridge)

    def _settings_requested_early(self) -> None:
        self.attach()
        if self.hooks is not None:
            self.hooks.open_dialog()

    def shutdown(self) -> None:
        self._closed = True
        if self.bridge is not None:
            self.bridge.shutdown()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 — Qt's name
        if watched is self._window and event.type() == QEvent.Type.Close:
            self.shutdown()
        return False


def _import_extras() -> list[str]:
    import importlib

    from app.core.documents import isolation

    names = [importlib.import_module(name).__name__ for name in EXTRA_MODULES]
    # The document reader process takes ~0.3 s to start: started now, the first file dropped
    # in does not wait for it.
    isolation.warm_up()
    return names


def log_to_file() -> logging.Handler | None:
    """Send logging to matome.log: a windowed app has no console, so errors and tracebacks go
    to a file the user can send — one that never quotes their documents (app.core.log_file)."""
    from app.core.log_file import log_file_handler

    try:
        handler = log_file_handler()
    except OSError:
        return None
    logging.basicConfig(level=handler.level, handlers=[handler])
    return handler


def run_gui(argv: list[str]) -> int:
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 3
    log_to_file()
    app, window = build_main_window(list(argv))
    code = app.exec()
    window.shutdown()
    return code
