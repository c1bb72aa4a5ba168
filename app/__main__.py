"""The one entry point: `python -m app` and the `matome` script.

With a subcommand (summarize, ask, text, models) it is the command line; with file arguments
or none it opens the window; `--self-test [--model FILE]` checks an installed build.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    # First of all: in a frozen bundle, the document reader process (app/core/documents/
    # isolation.py) starts this same executable, and this call turns it into that worker
    # instead of a second Matome. Elsewhere it does nothing, so multiprocessing stays off the
    # start-up path of the window.
    if getattr(sys, "frozen", False):
        import multiprocessing

        multiprocessing.freeze_support()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--self-test":
        from app.selftest import main as self_test_main

        return self_test_main(argv[1:])
    from app.cli import SUBCOMMANDS

    if argv and (argv[0] in SUBCOMMANDS or argv[0] in ("-h", "--help", "--version")):
        from app.cli import run

        return run(argv)
    try:
        from app.ui.application import run_gui
    except ImportError:
        print("The Matome window is not part of this build yet; use `matome summarize FILE` "
              "or `matome --help`.", file=sys.stderr)
        return 2
    return run_gui(argv)


if __name__ == "__main__":
    sys.exit(main())
