"""What the parent and its child processes (the document reader, the model-file checker) share:
the limits a child sets on itself, and how the parent describes the way a child ended."""

from __future__ import annotations

import logging
import signal

log = logging.getLogger(__name__)


def no_core_dumps() -> None:
    # A crash in a child is an expected outcome of a hostile file, not a bug to debug from a
    # core file; and a core of a child near its memory limit would be gigabytes on the disk.
    _set_soft_limit("RLIMIT_CORE", 0)


def limit_address_space(megabytes: int) -> None:
    """Cap this process's address space (Linux enforces it; elsewhere it is not available or
    not enforced, and the parent watches the child's memory instead). Only the soft limit is
    set, so a later request may raise it again."""
    _set_soft_limit("RLIMIT_AS", megabytes * 1024 * 1024)


def _set_soft_limit(name: str, value: int) -> None:
    try:
        import resource
    except ImportError:
        return  # Windows
    try:
        limit = getattr(resource, name)
        _soft, hard = resource.getrlimit(limit)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(limit, (value, hard))
    except (AttributeError, ValueError, OSError) as exc:
        log.info("could not set %s in a child process: %s", name, exc)


def describe_exit(code: int | None) -> str:
    """How a child process ended, for a message: "was ended by signal SIGSEGV", "exited with code 1"."""
    if code is None:
        return "did not exit"
    if code < 0:
        try:
            return f"was ended by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"was ended by signal {-code}"
    return f"exited with code {code}"
