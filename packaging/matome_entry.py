"""The frozen bundle's entry point: the same `main` as `python -m app` and the `matome` script."""

import multiprocessing
import sys

from app.__main__ import main

if __name__ == "__main__":
    # A frozen program that starts worker processes must let them run as workers, not as Matome.
    multiprocessing.freeze_support()
    sys.exit(main())
