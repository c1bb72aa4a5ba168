"""`matome models …`: list, browse the catalog, download, import, delete, inspect, verify.

Results go to stdout, progress and messages to stderr. Exit codes: 0 ok, 2 bad input or a
model problem (the message says what to do), 130 when stopped with Ctrl-C (a download keeps
what it fetched and resumes next time).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.core import settings as settings_store
from app.core.errors import Cancelled, MatomeError, ModelError
from app.core.models.fileops import format_bytes
from app.core.models.progress import TransferProgress

EXIT_OK, EXIT_BAD_INPUT, EXIT_CANCELLED = 0, 2, 130


def add_models_parser(subparsers) -> argparse.ArgumentParser:
    models = subparsers.add_parser("models", help="list, download, import and remove models")
    commands = models.add_subparsers(dest="models_command", metavar="ACTION")

    listing = commands.add_parser("list", help="installed models (* marks the one in use)")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")

    catalog = commands.add_parser("catalog", help="models you can download, and how well each fits this computer")
    catalog.add_argument("--json", action="store_true", help="print JSON instead of a table")

    download = commands.add_parser(
        "download", help="download a catalog model (by id) or any hub GGUF (owner/repo FILE.gguf)")
    download.add_argument("model", metavar="ID_OR_REPO")
    download.add_argument("filename", nargs="?", metavar="FILE.gguf", help="file in the repository, for a hub repo")
    download.add_argument("--revision", default=None, help="branch or commit (default: main)")

    importing = commands.add_parser("import", help="install a local .gguf file (from a USB stick, say)")
    importing.add_argument("file", type=Path, metavar="FILE")
    importing.add_argument("--link", action="store_true",
                           help="link to the file instead of copying it (it must stay where it is)")
    importing.add_argument("--name", help="display name (default: the model's own name)")

    for verb in ("delete", "remove"):
        deleting = commands.add_parser(verb, help="delete an installed model" if verb == "delete" else "same as delete")
        deleting.add_argument("model", metavar="ID")

    info = commands.add_parser("info", help="what a .gguf file (or installed model) is: architecture, context, quantization")
    info.add_argument("target", metavar="FILE_OR_ID")
    info.add_argument("--json", action="store_true")

    verify = commands.add_parser("verify", help="check an installed model against its SHA-256")
    verify.add_argument("model", metavar="ID")
    models.set_defaults(models_parser=models)
    return models


def run_models_command(args) -> int:
    handlers = {
        "list": _list, "catalog": _catalog, "download": _download, "import": _import,
        "delete": _delete, "remove": _delete, "info": _info, "verify": _verify,
    }
    handler = handlers.get(getattr(args, "models_command", None))
    if handler is None:
        args.models_parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return handler(args)
    except (KeyboardInterrupt, Cancelled) as stop:
        _ProgressLine.finish_any()
        detail = str(stop) if isinstance(stop, Cancelled) else "Stopped."
        print(f"\nmatome: {detail}", file=sys.stderr)
        return EXIT_CANCELLED
    except MatomeError as error:
        _ProgressLine.finish_any()
        print(f"matome: {error}", file=sys.stderr)
        return error.exit_code if error.exit_code != 1 else EXIT_BAD_INPUT


# ----- commands --------------------------------------------------------------------------


def _list(args) -> int:
    from app.core.models import ensure_details, list_installed, partial_downloads

    current = _settings()
    active = _active_path(current)
    models = list_installed(settings=current)
    for model in models:
        try:
            ensure_details(model)
        except ModelError as problem:
            model.details = {"problem": str(problem)}
    if args.json:
        print(json.dumps([dict(m.to_json(), active=m.path == active) for m in models], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not models:
        print("No models installed. See `matome models catalog`, then `matome models download ID`.", file=sys.stderr)
    rows = [("", "ID", "SOURCE", "SIZE", "QUANT", "CONTEXT", "PATH")]
    for model in models:
        details = model.details or {}
        rows.append(("*" if model.path == active else "", model.id, model.source, format_bytes(model.size_bytes),
                     str(details.get("quantization") or "?"), str(details.get("context_length") or "?"),
                     str(model.path) + (" (link)" if model.linked else "")))
    _table(rows)
    for waiting in partial_downloads(settings=current):
        print(f"Paused: {waiting.repo_id} {waiting.filename} ({format_bytes(waiting.bytes_done)} of "
              f"{format_bytes(waiting.size)}); download it again to resume.", file=sys.stderr)
    return EXIT_OK


def _catalog(args) -> int:
    from app.core.models import load_catalog, probe_hardware

    catalog, hardware = load_catalog(), probe_hardware()
    recommended = catalog.recommended_ids(hardware.total_ram_bytes)
    if args.json:
        print(json.dumps([dict(entry.to_json(), fit=entry.fit(hardware).label,
                               recommended_for=[lang for lang, mid in recommended.items() if mid == entry.id])
                          for entry in catalog.entries], ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"This computer: {hardware.total_ram_gb:.1f} GB memory, {hardware.physical_cores} cores. "
          + "Recommended: " + ", ".join(f"{lang} → {mid}" for lang, mid in recommended.items()))
    rows = [("ID", "SIZE", "LANGUAGES", "LICENCE", "FIT", "")]
    for entry in catalog.entries:
        marks = [lang for lang, mid in recommended.items() if mid == entry.id]
        rows.append((entry.id, format_bytes(entry.size_bytes), ",".join(entry.languages), entry.license,
                     entry.fit(hardware).label, f"recommended ({', '.join(marks)})" if marks else ""))
    _table(rows)
    return EXIT_OK


def _download(args) -> int:
    from app.core.models import download_catalog_model, download_model, load_catalog

    current = _settings()
    progress = _ProgressLine()
    options = dict(settings=current, on_progress=progress.show)
    if args.filename:
        model = download_model(args.model, args.filename, revision=args.revision or "main", **options)
    elif "/" in args.model and args.model.lower().endswith(".gguf"):
        repo_id, filename = args.model.rsplit("/", 1)
        model = download_model(repo_id, filename, revision=args.revision or "main", **options)
    else:
        entry = load_catalog().get(args.model)
        if args.revision:
            return _bad(f"--revision applies to hub repositories, not catalog ids like {entry.id}.")
        model = download_catalog_model(entry, **options)
    progress.finish()
    print(f"{model.id}\t{model.path}")
    print(f"Installed {model.name} ({format_bytes(model.size_bytes)}).", file=sys.stderr)
    return EXIT_OK


def _import(args) -> int:
    from app.core.models import import_model

    progress = _ProgressLine()
    model = import_model(args.file, mode="link" if args.link else "copy", settings=_settings(),
                         name=args.name, on_progress=progress.show)
    progress.finish()
    how = "linked" if model.linked else "copied"
    print(f"{model.id}\t{model.path}")
    print(f"Imported {model.name} ({how}, {format_bytes(model.size_bytes)}).", file=sys.stderr)
    return EXIT_OK


def _delete(args) -> int:
    from app.core.models import delete_model

    model = delete_model(args.model, settings=_settings())
    what = "the link to it" if model.linked else model.path
    print(f"Deleted {model.id} ({what}).", file=sys.stderr)
    return EXIT_OK


def _info(args) -> int:
    from app.core.models import find_model, probe_hardware, read_gguf
    from app.core.models.hardware import fit_verdict

    path = Path(args.target).expanduser()
    if not path.exists():
        path = find_model(args.target, settings=_settings()).path
    info = read_gguf(path)
    verdict = fit_verdict(info.file_size, probe_hardware(), parameter_count=info.parameter_count)
    facts = dict(info.summary(), path=str(path), size_bytes=info.file_size, fit=verdict.label,
                 fit_reason=verdict.reason)
    if args.json:
        print(json.dumps(facts, ensure_ascii=False, indent=2))
        return EXIT_OK
    params = info.parameter_count
    _table([
        ("File", str(path)),
        ("Name", info.name or "?"),
        ("Architecture", info.architecture or "?"),
        ("Parameters", f"{params / 1e9:.2f} B" if params else "?"),
        ("Quantization", info.quantization or "?"),
        ("Context length", str(info.context_length or "?")),
        ("Chat template", "yes" if info.chat_template else "no (a generic prompt layout is used)"),
        ("Size", format_bytes(info.file_size)),
        ("On this computer", f"{verdict.label}: {verdict.reason}"),
    ])
    return EXIT_OK


def _verify(args) -> int:
    from app.core.models import verify_model

    progress = _ProgressLine()
    model, hashed = verify_model(args.model, settings=_settings(), on_progress=progress.show)
    progress.finish()
    if hashed:
        print(f"{model.id}: OK (SHA-256 matches).", file=sys.stderr)
    else:
        print(f"{model.id}: the file is a whole GGUF model; no checksum was recorded to compare.", file=sys.stderr)
    return EXIT_OK


# ----- helpers ---------------------------------------------------------------------------


def _settings():
    loaded = settings_store.load()
    if loaded.problem:
        print(f"matome: {loaded.problem}", file=sys.stderr)
    return loaded.settings


def _active_path(current) -> Path | None:
    from app.core.models import resolve_model

    try:
        return resolve_model(current).path
    except MatomeError:
        return None


def _bad(message: str) -> int:
    print(f"matome: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


PHASE_NAMES = {"connecting": "Connecting", "downloading": "Downloading", "retrying": "Retrying",
               "verifying": "Verifying", "copying": "Copying", "done": "Done"}


class _ProgressLine:
    """A progress bar on stderr: one rewritten line on a terminal, a line per 10% otherwise."""

    _open: "_ProgressLine | None" = None

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last_phase = ""
        self.last_decile = -1
        self.dirty = False

    def show(self, event: TransferProgress) -> None:
        _ProgressLine._open = self
        line = self._describe(event)
        if self.tty:
            sys.stderr.write("\r" + line[:120].ljust(min(len(line), 120) + 2))
            self.dirty = True
        else:
            decile = int((event.fraction or 0) * 10)
            if event.phase != self.last_phase or decile != self.last_decile or event.phase == "retrying":
                print(line, file=sys.stderr)
        sys.stderr.flush()
        self.last_phase, self.last_decile = event.phase, int((event.fraction or 0) * 10)

    def finish(self) -> None:
        if self.dirty:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.dirty = False
        _ProgressLine._open = None

    @classmethod
    def finish_any(cls) -> None:
        if cls._open is not None:
            cls._open.finish()

    @staticmethod
    def _describe(event: TransferProgress) -> str:
        if event.phase in ("connecting", "retrying", "done") and event.message:
            return event.message
        name = PHASE_NAMES.get(event.phase, event.phase)
        parts = [name]
        if event.fraction is not None:
            parts.append(f"{event.fraction * 100:5.1f}%")
        parts.append(f"{format_bytes(event.bytes_done)} of {format_bytes(event.bytes_total)}")
        if event.rate_bytes_per_s:
            parts.append(f"{format_bytes(event.rate_bytes_per_s)}/s")
        if event.eta_seconds is not None:
            parts.append(f"{_duration(event.eta_seconds)} left")
        return "  ".join(parts)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


