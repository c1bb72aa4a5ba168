"""`matome summarize | ask | text | models | history | forget`: the core, from a terminal.

Output goes to stdout (the summary streams as it is written), progress and messages to
stderr. Exit codes: 0 ok, 2 bad input (the message says why), 130 cancelled with Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from app import __version__
from app.core import settings as settings_store
from app.core.cancel import CancelToken
from app.core.errors import Cancelled, MatomeError
from app.core.events import AnswerResult, PartSummary, Progress, SummaryResult, TextDelta
from app.core.settings import FORMATS, LENGTHS, OUTPUT_LANGUAGES

EXIT_OK, EXIT_BAD_INPUT, EXIT_CANCELLED = 0, 2, 130
SUBCOMMANDS = ("summarize", "ask", "text", "models", "history", "forget")

STAGE_NAMES = {
    "reading": "Reading",
    "summarizing_parts": "Summarizing part",
    "merging": "Merging notes",
    "writing": "Writing the summary",
    "checking": "Checking coverage",
    "answering": "Answering",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="matome",
        description="Summarize documents and answer questions about them, privately and offline.",
    )
    parser.add_argument("--version", action="version", version=f"matome {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    summarize = commands.add_parser("summarize", help="summarize PDF, DOCX, TXT or Markdown files")
    summarize.add_argument("files", nargs="+", type=Path, metavar="FILE")
    summarize.add_argument("--length", choices=LENGTHS)
    summarize.add_argument("--format", choices=FORMATS)
    summarize.add_argument("--lang", choices=OUTPUT_LANGUAGES, help="output language (auto = the document's)")
    summarize.add_argument("--focus", help='what to pay attention to, e.g. "deadlines and amounts"')
    _add_common(summarize)

    ask = commands.add_parser("ask", help="answer a question about a document, with page citations")
    ask.add_argument("file", type=Path, metavar="FILE")
    ask.add_argument("question")
    ask.add_argument("--lang", choices=OUTPUT_LANGUAGES, default="auto")
    _add_common(ask)

    text = commands.add_parser("text", help="print the text Matome reads from a file, with page markers")
    text.add_argument("file", type=Path, metavar="FILE")
    text.add_argument("--password", help="password of an encrypted PDF")

    try:
        from app.cli_models import add_models_parser
    except ImportError:  # the model manager is optional for the rest of the CLI
        pass
    else:
        add_models_parser(commands)
    from app.cli_library import add_library_parsers

    add_library_parsers(commands)
    return parser


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, help="GGUF model file to use (default: the chosen or best installed model)")
    parser.add_argument("--password", help="password of an encrypted PDF")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of streaming text")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        build_parser().print_help()
        return EXIT_BAD_INPUT
    try:
        if args.command == "models":
            from app.cli_models import run_models_command

            return run_models_command(args)
        if args.command in ("history", "forget"):
            from app.cli_library import run_library_command

            return run_library_command(args)
        handler = {"summarize": _summarize, "ask": _ask, "text": _text}[args.command]
        with _reader_logs_quiet():
            return handler(args)
    except Cancelled:
        print("\nCancelled.", file=sys.stderr)
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        print("\nCancelled.", file=sys.stderr)
        return EXIT_CANCELLED
    except MatomeError as error:
        print(f"matome: {error}{_cli_hint(error)}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:
        return EXIT_OK


# ----- commands --------------------------------------------------------------------------


def _text(args) -> int:
    from app.core.documents import load_document

    current = settings_store.load().settings
    # Ctrl-C stops the reader process too, and exits with the usual 130.
    with _cancel_on_ctrl_c() as cancel:
        document = load_document(args.file, password=args.password, limits=current.limits,
                                 should_cancel=lambda: cancel.cancelled)
    for warning in document.warnings:
        print(f"matome: {warning}", file=sys.stderr)
    page = None
    for block in document.blocks:
        if block.page is not None and block.page != page:
            page = block.page
            print(f"\n=== page {page} ===\n")
        print(block.text)
        print()
    return EXIT_OK


def _summarize(args) -> int:
    from app.core.documents import load_document
    from app.core.documents.isolation import warm_up
    from app.core.summarize import Summarizer, SummaryOptions

    current = _load_settings()
    defaults = SummaryOptions.from_settings(current.summary)
    options = SummaryOptions(
        length=args.length or defaults.length,
        format=args.format or defaults.format,
        language=args.lang or defaults.language,
        focus=args.focus if args.focus is not None else defaults.focus,
    )
    failures = 0
    results = []
    with _cancel_on_ctrl_c() as cancel:
        # The reader process starts (about 0.3 s of another core) while the model loads.
        warm_up()
        engine = _load_engine(args, current)
        summarizer = Summarizer(engine, chunk_tokens=current.summary.chunk_tokens)
        for path in args.files:
            try:
                document = load_document(path, password=args.password, limits=current.limits,
                                         should_cancel=lambda: cancel.cancelled)
            except Cancelled:
                raise
            except MatomeError as error:
                print(f"matome: {path}: {error}{_cli_hint(error)}", file=sys.stderr)
                failures += 1
                continue
            for warning in document.warnings:
                _status(args, f"{path.name}: {warning}", newline=True)
            if len(args.files) > 1 and not args.json:
                print(f"# {document.title}\n", flush=True)
            result = _drive(summarizer.summarize(document, options, cancel), args)
            if args.json:
                results.append({
                    "file": str(path), "title": document.title, "language": document.language,
                    "pages": document.page_count, "summary": result.text, "chunks": result.chunk_count,
                    "restored_points": result.restored_points, "prompt_tokens": result.prompt_tokens,
                    "generated_tokens": result.generated_tokens, "seconds": round(result.seconds, 2),
                    "model": engine.model_name,
                })
            else:
                print("\n", flush=True)
    if args.json:
        print(json.dumps(results if len(args.files) > 1 else (results[0] if results else None),
                         ensure_ascii=False, indent=2))
    return EXIT_BAD_INPUT if failures else EXIT_OK


def _ask(args) -> int:
    from app.core.documents import load_document
    from app.core.qa import QuestionAnswerer

    current = _load_settings()
    with _cancel_on_ctrl_c() as cancel:
        document = load_document(args.file, password=args.password, limits=current.limits,
                                 should_cancel=lambda: cancel.cancelled)
        engine = _load_engine(args, current)
        answerer = QuestionAnswerer(engine)
        result = _drive(answerer.ask(document, args.question, language=args.lang, cancel=cancel), args)
    if args.json:
        print(json.dumps({
            "file": str(args.file), "question": args.question, "answer": result.text,
            "not_found": result.not_found, "whole_document": result.whole_document,
            "citations": [{"location": c.location, "page": c.page, "excerpt": c.excerpt}
                          for c in result.citations],
        }, ensure_ascii=False, indent=2))
    else:
        print()
        if result.citations:
            print("\nSources: " + ", ".join(c.location for c in result.citations))
    return EXIT_OK


# ----- helpers ---------------------------------------------------------------------------


def _cli_hint(error: MatomeError) -> str:
    """What to type, where the core's message says what to do in the window."""
    from app.core.errors import EncryptedDocumentError

    if isinstance(error, EncryptedDocumentError):
        return " (On the command line: --password PASSWORD.)"
    return ""


@contextmanager
def _reader_logs_quiet():
    # A damaged file makes the readers log what went wrong, tracebacks included, and Python
    # prints unhandled warnings to stderr; here the error message printed for the file says
    # what a person needs, so their diagnostics (and the reader process's) stay out of it.
    quiet = logging.NullHandler()
    loggers = [logging.getLogger(name) for name in ("app.core.documents", "pypdf", "docx")]
    before = [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.addHandler(quiet)
        logger.propagate = False
    try:
        yield
    finally:
        for logger, propagate in zip(loggers, before):
            logger.removeHandler(quiet)
            logger.propagate = propagate


def _load_settings():
    loaded = settings_store.load()
    if loaded.problem:
        print(f"matome: {loaded.problem}", file=sys.stderr)
    return loaded.settings


def _load_engine(args, current):
    from app.core.engine import Engine

    model_path = args.model
    if model_path is None:
        from app.core.models.installed import resolve_model

        model_path = resolve_model(current).path
    _status(args, f"Loading model {Path(model_path).name}…")
    engine = Engine(model_path, current.inference)
    _status(args, f"Model: {engine.describe()}", newline=True)
    return engine


def _drive(events: Iterator[object], args):
    """Run a pipeline: stream its text to stdout (unless --json), progress to stderr."""
    result = None
    for event in events:
        if isinstance(event, TextDelta):
            if not args.json:
                _status_clear(args)
                sys.stdout.write(event.text)
                sys.stdout.flush()
        elif isinstance(event, Progress):
            _status(args, _describe_progress(event))
        elif isinstance(event, PartSummary):
            _status(args, f"Part {event.index + 1}/{event.total} ({event.location}) done")
        elif isinstance(event, (SummaryResult, AnswerResult)):
            result = event
    _status_clear(args)
    return result


def _describe_progress(event: Progress) -> str:
    name = STAGE_NAMES.get(event.stage, event.stage)
    text = f"{name} {event.step}/{event.total}" if event.total > 1 else name
    if event.detail:
        text += f" ({event.detail})"
    if event.eta is not None:
        text += f" · about {_duration(event.eta)} left"
    return text


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


_status_shown = False


def _status(args, text: str, newline: bool = False) -> None:
    global _status_shown
    if getattr(args, "quiet", False):
        return
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K" + text + ("\n" if newline else ""))
        _status_shown = not newline
    else:
        sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _status_clear(args) -> None:
    global _status_shown
    if _status_shown and sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()
        _status_shown = False


@contextmanager
def _cancel_on_ctrl_c():
    """The first Ctrl-C cancels cleanly (the engine stops even mid-prompt); a second one forces."""
    cancel = CancelToken()

    def on_interrupt(signum, frame):
        if cancel.cancelled:
            raise KeyboardInterrupt
        cancel.cancel()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield cancel
        cancel.raise_if_cancelled()
    finally:
        signal.signal(signal.SIGINT, previous)
