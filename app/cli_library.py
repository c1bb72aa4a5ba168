"""`matome history` and `matome forget`: the library from a terminal.

`history` lists the documents Matome keeps (newest first) with the start of their SHA-256;
`forget FILE|HASH…` deletes everything Matome keeps of a document — its text, summaries,
answers and saved chunk notes — and never the file itself. A document whose file is gone is
named by its hash from `history`.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from app.core import settings as settings_store

EXIT_OK, EXIT_BAD_INPUT = 0, 2
COMMANDS = ("history", "forget")
_HASH = re.compile(r"^[0-9a-fA-F]{8,64}$")
_SHOWN_HASH = 12


def add_library_parsers(subparsers) -> None:
    history = subparsers.add_parser("history", help="documents kept in the library, newest first")
    history.add_argument("--json", action="store_true", help="print JSON instead of a table")
    forget = subparsers.add_parser(
        "forget", help="delete a document's text, summaries, answers and saved notes (not the file)")
    forget.add_argument("targets", nargs="+", metavar="FILE_OR_HASH",
                        help="a file, or the start of a SHA-256 from `matome history` (at least 8 characters)")


def run_library_command(args) -> int:
    from app.core.library import Library, library_folder

    loaded = settings_store.load()
    if loaded.problem:
        print(f"matome: {loaded.problem}", file=sys.stderr)
    library = Library(library_folder(loaded.settings))
    return _history(args, library) if args.command == "history" else _forget(args, library)


def _history(args, library) -> int:
    documents = library.recent_documents(limit=10_000)
    if args.json:
        print(json.dumps([{"sha256": d.sha256, "title": d.title, "path": d.path, "pages": d.page_count,
                           "opened_at": d.opened_at} for d in documents], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not documents:
        print("The library is empty.", file=sys.stderr)
    for document in documents:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(document.opened_at))
        print(f"{document.sha256[:_SHOWN_HASH]}  {when}  {document.title}  ({document.path})")
    return EXIT_OK


def _forget(args, library) -> int:
    failures = 0
    for target in args.targets:
        try:
            sha256, name = _resolve(target, library)
        except ValueError as problem:
            print(f"matome: {problem}", file=sys.stderr)
            failures += 1
            continue
        forgotten = library.forget_document(sha256)
        notes = f"{forgotten.note_files} file{'s' if forgotten.note_files != 1 else ''} of saved notes"
        if forgotten.in_library:
            print(f"Forgot {name}: its text, summaries and answers, and {notes}. The file itself is untouched.")
        elif forgotten.note_files:
            print(f"{name} was not in the library; deleted {notes}.")
        else:
            print(f"{name} was not in the library and had no saved notes; nothing to delete.")
        if not forgotten.log_emptied:
            print("matome: another program has the library open; old copies of the text are erased "
                  "when it closes and Matome next starts.", file=sys.stderr)
    return EXIT_BAD_INPUT if failures else EXIT_OK


def _resolve(target: str, library) -> tuple[str, str]:
    """The SHA-256 and a display name of a file or a hash (prefix) from `matome history`."""
    path = Path(target).expanduser()
    if path.is_file():
        from app.core.documents.model import file_sha256

        return file_sha256(path), path.name
    if _HASH.match(target):
        matches = [d for d in library.recent_documents(limit=1_000_000)
                   if d.sha256.lower().startswith(target.lower())]
        if len(matches) == 1:
            return matches[0].sha256, f"“{matches[0].title}”"
        if len(matches) > 1:
            raise ValueError(f"{target} is the start of {len(matches)} documents' hashes; give more of it.")
        if len(target) == 64:  # notes of a document the library never had (summarized with the CLI)
            return target.lower(), target[:_SHOWN_HASH]
    if path.exists():
        raise ValueError(f"{target} is a folder; name the document files in it.")
    raise ValueError(f"No file {target}, and no document in the library whose hash starts so. "
                     "`matome history` lists the documents and their hashes.")
