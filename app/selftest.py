"""`matome --self-test [--model PATH]`: prove that this installation works, end to end.

Run from a frozen bundle it catches what the packager can leave out — a module, a Qt plugin,
a data file, a native library — and from a checkout it is a quick health check. Each check
prints one line, "ok" or "FAILED: reason"; the result is 0 only if every check passed.

The checks run in a temporary MATOME_HOME, so the user's settings, library and window state
are neither read nor changed (only the choice of model, when no --model is given).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pkgutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

#: The sentence both generated documents carry; the readers must give it back.
SAMPLE_SENTENCE = "The annual budget of 48 million yen was approved in April."
_LABEL_WIDTH = 14


def main(argv: list[str]) -> int:
    """`matome --self-test [--model PATH]`, given the arguments after `--self-test`."""
    import argparse

    parser = argparse.ArgumentParser(prog="matome --self-test",
                                     description="Check that this installation of Matome works.")
    parser.add_argument("--model", metavar="PATH",
                        help="a GGUF model to load (default: the one Matome would use)")
    return run_self_test(parser.parse_args(argv).model)


def run_self_test(model_path: str | None) -> int:
    """Run every check, print one line each, and return 0 if all passed (else 1)."""
    import app

    print(f"Matome {app.__version__} self-test ({_where_from()})", flush=True)
    model_choice = _choose_model(model_path)  # before the home is swapped: it reads the user's settings
    results: list[bool] = []
    with _isolated_home() as scratch:
        qt_app = None  # held for the whole run: Qt objects need their application alive

        def record(name: str, check: Callable[[], str]) -> bool:
            outcome = _run_check(name, check)
            results.append(outcome)
            return outcome

        record("resources", _check_resources)
        record("modules", _check_modules)
        record("translations", _check_translations)

        def start_qt() -> str:
            nonlocal qt_app
            qt_app, detail = _start_qt()
            return detail

        if record("qt", start_qt):
            record("main window", _check_main_window)
        else:
            _report("main window", False, "skipped: Qt did not start")
            results.append(False)
        record("pdf", lambda: _check_pdf(scratch))
        record("docx", lambda: _check_docx(scratch))
        record("hub client", _check_hub_client)
        record("model", lambda: _check_model(model_choice))
    failed = results.count(False)
    if failed:
        print(f"self-test FAILED: {failed} of {len(results)} checks failed", flush=True)
        return 1
    print(f"self-test passed: {len(results)} checks", flush=True)
    return 0


# ----- running and reporting -------------------------------------------------------------

def _run_check(name: str, check: Callable[[], str]) -> bool:
    try:
        detail = check()
    except Exception as exc:  # noqa: BLE001 — every failure becomes one line of the report
        if os.environ.get("MATOME_SELF_TEST_TRACEBACK"):
            traceback.print_exc()
        _report(name, False, f"{type(exc).__name__}: {exc}")
        return False
    _report(name, True, detail)
    return True


def _report(name: str, passed: bool, detail: str) -> None:
    line = " ".join(str(detail).split())  # one line per check, whatever the message holds
    outcome = f"ok ({line})" if passed and line else "ok" if passed else f"FAILED: {line}"
    print(f"{name:<{_LABEL_WIDTH}} {outcome}", flush=True)


def _where_from() -> str:
    if getattr(sys, "frozen", False):
        return f"frozen bundle {Path(sys.executable).resolve().parent}"
    return f"Python {sys.version.split()[0]} at {sys.prefix}"


@contextlib.contextmanager
def _isolated_home() -> Iterator[Path]:
    from app.core.paths import HOME_ENV

    previous = os.environ.get(HOME_ENV)
    with tempfile.TemporaryDirectory(prefix="matome-self-test-") as folder:
        os.environ[HOME_ENV] = str(Path(folder) / "home")
        try:
            yield Path(folder)
        finally:
            if previous is None:
                os.environ.pop(HOME_ENV, None)
            else:
                os.environ[HOME_ENV] = previous


# ----- the checks ------------------------------------------------------------------------

def _check_resources() -> str:
    from app.core.paths import resources_dir

    folder = resources_dir()
    missing = [name for name in ("models.json", "prompts") if not (folder / name).exists()]
    if missing:
        raise FileNotFoundError(f"{', '.join(missing)} not in {folder}")
    return str(folder)


def _check_modules() -> str:
    import app

    names = [info.name for info in pkgutil.walk_packages(app.__path__, prefix="app.", onerror=lambda _name: None)]
    failures = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 — list every module that fails, not only the first
            failures.append(f"{name} ({type(exc).__name__}: {exc})")
    if failures:
        raise ImportError(f"{len(failures)} of {len(names)} modules failed: " + "; ".join(failures))
    if not any(name.startswith("app.ui.") for name in names) or not any(name.startswith("app.core.") for name in names):
        raise ImportError(f"only {len(names)} modules found; app.core or app.ui is missing")
    return f"{len(names)} modules imported"


def _check_translations() -> str:
    from PySide6.QtCore import QTranslator

    from app.core.paths import resources_dir

    files = sorted((resources_dir() / "translations").glob("*.qm"))
    if not files:
        return "none shipped: the interface is in English"
    unreadable = [path.name for path in files if not QTranslator().load(str(path))]
    if unreadable:
        raise ValueError(f"could not load {', '.join(unreadable)}")
    return f"{len(files)} loaded ({', '.join(path.name for path in files)})"


def _start_qt():
    # Headless unless the caller chose a platform: the self-test must run on a build server.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import __version__ as pyside_version
    from PySide6.QtWidgets import QApplication

    qt_app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "matome"])
    return qt_app, f"{qt_app.platformName()} platform, PySide6 {pyside_version}"


def _check_main_window() -> str:
    from PySide6.QtWidgets import QApplication

    window = _build_main_window()
    try:
        QApplication.processEvents()
        if not window.isVisible():
            raise RuntimeError("the window did not show")
        # Painting it exercises the style, fonts and image plugins, as on screen.
        if window.grab().isNull():
            raise RuntimeError("the window could not be painted")
        title = window.windowTitle()
    finally:
        window.close()
        window.deleteLater()
        QApplication.processEvents()
    return f"opened and closed ({title or 'untitled'})"


def _build_main_window():
    """The window as `app.ui.application` builds it, with a model factory that loads nothing:
    the model check below loads the model itself, and only once."""
    from app.core.errors import ModelNotFoundError

    def no_model(_settings):
        raise ModelNotFoundError("The self-test opens the window without a model.")

    from app.ui import application

    if hasattr(application, "build_main_window"):
        _app, window = application.build_main_window([], engine_factory=no_model)
        return window
    # An application module without build_main_window: build what it would, by hand.
    from app.core.settings import Settings
    from app.ui.main_window import MainWindow

    window = MainWindow(Settings(), engine_factory=no_model)
    window.show()
    return window


def _check_pdf(folder: Path) -> str:
    import pypdfium2

    from app.core.documents import load_document

    path = folder / "self-test.pdf"
    path.write_bytes(minimal_pdf(SAMPLE_SENTENCE))
    document = load_document(path)
    _expect_sentence(document.text, "load_document")
    where = _reader_process()
    # load_document falls back to pypdf when PDFium fails, which would hide a missing libpdfium.
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        page = pdf[0]
        text_page = page.get_textpage()
        pdfium_text = text_page.get_text_bounded()
        text_page.close()
        page.close()
    finally:
        pdf.close()
    _expect_sentence(pdfium_text, "PDFium")
    return (f"{document.page_count} page read with load_document {where} and PDFium "
            f"{pypdfium2.PDFIUM_INFO.build}")


def _check_docx(folder: Path) -> str:
    import docx

    from app.core.documents import load_document

    path = folder / "self-test.docx"
    word = docx.Document()
    word.add_heading("Matome self-test", level=1)
    word.add_paragraph(SAMPLE_SENTENCE)
    word.save(str(path))
    document = load_document(path)
    _expect_sentence(document.text, "load_document")
    return f"{len(document.blocks)} blocks read {_reader_process()}"


def _reader_process() -> str:
    """Where load_document read: it must be the reader process, which a bundle can only start
    if the frozen executable turns into a worker when asked (multiprocessing.freeze_support)."""
    from app.core.documents.isolation import default_pool

    pid = default_pool().last_pid
    if pid is None or pid == os.getpid():
        raise RuntimeError("load_document did not read in a separate reader process")
    return f"in reader process {pid}"


def _check_hub_client() -> str:
    """What a model download imports and builds before its first request; no network."""
    from app.core.models import hub

    hub.configure()
    from huggingface_hub import __version__ as hub_version
    from huggingface_hub import get_hf_file_metadata  # noqa: F401 — the download's HEAD request
    from huggingface_hub.utils import get_session, hf_raise_for_status  # noqa: F401 — its byte stream

    headers = hub.request_headers()
    if "user-agent" not in {name.lower() for name in headers}:
        raise RuntimeError("the download request has no User-Agent header")
    return f"huggingface_hub {hub_version}, offline until a download starts"


def _check_model(model_choice: Path | Exception) -> str:
    if isinstance(model_choice, Exception):
        raise model_choice
    from app.core.engine import Engine
    from app.core.settings import InferenceSettings

    started = time.monotonic()
    # One thread: this checks that llama.cpp loads and generates, not its speed, and on a busy
    # machine (a CI runner) two spinning threads on two shared cores took 30 s for 8 tokens.
    engine = Engine(model_choice, InferenceSettings(n_ctx=512, n_threads=1))
    try:
        reply = engine.generate([{"role": "user", "content": "Say hello in one short sentence."}],
                                max_tokens=8, temperature=0.0, stop_on_repetition=False)
        generated = engine.last_stats.generated_tokens
    finally:
        engine.close()
    if generated == 0 and not reply.strip():
        raise RuntimeError("the model generated nothing")
    return (f"{model_choice.name}: {generated} tokens in {time.monotonic() - started:.1f} s "
            f"({reply.strip()[:40]!r})")


# ----- helpers ---------------------------------------------------------------------------

def _choose_model(model_path: str | None) -> Path | Exception:
    """The GGUF to load: the one given, else the one the app would use. An error is returned,
    not raised, so that it is reported as the model check's failure."""
    if model_path:
        path = Path(model_path).expanduser()
        return path if path.is_file() else FileNotFoundError(f"no model file at {path}")
    try:
        from app.core import settings as settings_store
        from app.core.models.installed import resolve_model

        return resolve_model(settings_store.load().settings).path
    except Exception as exc:  # noqa: BLE001 — no installed model is a failed check, not a crash
        return RuntimeError(f"no model given (use --model PATH) and none usable installed: {exc}")


def _expect_sentence(text: str, reader: str) -> None:
    if "48 million yen" not in " ".join(text.split()):
        raise ValueError(f"{reader} did not return the sample text (got {text[:80]!r})")


def minimal_pdf(text: str) -> bytes:
    """A valid one-page PDF showing `text` (ASCII) in Helvetica, with a correct xref table."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    content = f"BT /F1 14 Tf 72 720 Td ({escaped}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(pdf)
