"""Checking a model file in a child process before llama.cpp ever opens it.

A .gguf file carried in on a USB stick or downloaded from the internet is untrusted input, and
llama.cpp's own header parser is C code. So every file is first checked in a child process
started with multiprocessing's "spawn" method (never fork: the window has threads, and a forked
copy of a held lock never unlocks), under a memory limit and a wall-clock limit:

  * its header is parsed by the pure-Python reader with its size caps (gguf.py);
  * every chat template it carries is compiled and rendered in the sandbox (chat_template.py).

A child that crashes, runs out of memory or overruns is killed, and the file refused with a
message; Matome itself is not affected. A file whose template breaks a sandbox rule is refused
too: no real template has a reason to. The child imports the reader and Jinja, never llama_cpp.

Verdicts are remembered per file (path, size, modification time) for the life of the process,
so loading the same model again costs nothing; the first check of a file costs ~0.2 s.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from dataclasses import dataclass
from pathlib import Path

from app.core.child_limits import describe_exit, limit_address_space, no_core_dumps
from app.core.errors import ModelLoadError
from app.core.models.gguf import GGUFInfo, SkippedString, read_gguf

log = logging.getLogger(__name__)

#: A header is a few hundred KB to a few MB: seconds even from a slow USB stick.
CHECK_SECONDS = 30.0
#: Starting the child's Python (before the clock above starts), generous for a busy computer.
STARTUP_SECONDS = 60.0
#: Python, the reader and Jinja need ~100 MB; the rest is room for the metadata and a template.
CHECK_MEGABYTES = 1024

CRASHED = ("Checking the model file {name} crashed the checker ({how}). The file is damaged, or was made to "
           "attack programs that open it. It was not used; download or copy it again from a source you trust.")
TIMED_OUT = ("Checking the model file {name} took longer than {seconds:g} seconds, so Matome stopped. The file "
             "is damaged, or was made to attack programs that open it. It was not used.")
OUT_OF_MEMORY = ("Checking the model file {name} needed more than {megabytes:,} MB of memory, so Matome stopped. "
                 "The file is damaged, or was made to attack programs that open it. It was not used.")
HOSTILE_TEMPLATE = ("The model file {name} was not used: {problem}. A real model's chat template has no reason "
                    "to do that, so the file may have been made to attack the program that opens it. Delete it "
                    "and get the model from a source you trust.")
DID_NOT_START = ("Matome could not start the process that checks model files ({detail}), so no model can be "
                 "loaded. Reinstall Matome; if that does not help, report this problem.")


@dataclass(frozen=True)
class CheckedModel:
    """A file that passed: its header, and why its chat template can't be used (None if it can)."""

    info: GGUFInfo
    template_problem: str | None


_verdicts: dict[tuple, CheckedModel] = {}
_verdicts_lock = threading.Lock()


def check_model_file(path: str | Path, *, check_size: bool = True, timeout: float = CHECK_SECONDS,
                     memory_megabytes: int = CHECK_MEGABYTES) -> CheckedModel:
    """Parse `path`'s header and try its chat template in a child process with limits.

    Raises ModelLoadError (with a message for the user) when the file is not a whole GGUF, when
    the check crashes, overruns its limits, or finds a hostile chat template.
    """
    path = Path(path)
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, check_size)
    except OSError:
        return CheckedModel(read_gguf(path), None)  # raises the reader's "does not exist" or "folder" message
    with _verdicts_lock:
        if key in _verdicts:
            return _verdicts[key]
    checked = _check_in_child(path, check_size, timeout, memory_megabytes)
    with _verdicts_lock:
        _verdicts[key] = checked
    return checked


def _check_in_child(path: Path, check_size: bool, timeout: float, memory_megabytes: int) -> CheckedModel:
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child_main, args=(sender, str(path), check_size, memory_megabytes),
                              name="matome-model-check", daemon=True)
    try:
        process.start()
    except OSError as exc:
        raise ModelLoadError(DID_NOT_START.format(detail=exc.strerror or exc)) from exc
    finally:
        sender.close()  # the child holds the only writing end: its death is our EOF
    started = False
    try:
        while True:
            # Starting Python is not the file's fault: the clock runs from the child's "ready".
            if not receiver.poll(timeout if started else max(timeout, STARTUP_SECONDS)):
                log.warning("checking %s took over %g s; stopping the checker", path, timeout)
                raise ModelLoadError(TIMED_OUT.format(name=path.name, seconds=timeout))
            try:
                kind, payload = receiver.recv()
            except (EOFError, OSError):
                process.join(5)
                how = describe_exit(process.exitcode)
                if not started:
                    log.error("the model checker ended before it was ready (%s)", how)
                    raise ModelLoadError(DID_NOT_START.format(detail=f"it {how}")) from None
                log.warning("the model checker %s on %s", how, path)
                raise ModelLoadError(CRASHED.format(name=path.name, how=how)) from None
            if kind != "ready":
                break
            started = True
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if kind == "ok":
        return payload
    if kind == "memory":
        raise ModelLoadError(OUT_OF_MEMORY.format(name=path.name, megabytes=memory_megabytes))
    raise ModelLoadError(payload)


# ----- the child process -------------------------------------------------------------------

def _child_main(connection, path: str, check_size: bool, memory_megabytes: int) -> None:
    # Ctrl-C in a terminal reaches the whole process group; stopping the check is the parent's call.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    connection.send(("ready", None))
    no_core_dumps()
    limit_address_space(memory_megabytes)
    try:
        answer = ("ok", inspect(Path(path), check_size=check_size))
    except ModelLoadError as exc:
        answer = ("refused", str(exc))
    except MemoryError:
        answer = ("memory", None)
    try:
        connection.send(answer)
    except MemoryError:
        connection.send(("memory", None))
    connection.close()


def inspect(path: Path, *, check_size: bool = True) -> CheckedModel:
    """The check itself, in whatever process calls it (the child, or a test)."""
    from app.core.chat_template import MAX_TEMPLATE_CHARS, TemplateRefused, probe

    info = read_gguf(path, check_size=check_size)
    for key, value in info.metadata.items():
        if key == "tokenizer.chat_template" or key.startswith("tokenizer.chat_template."):
            length = value.length if isinstance(value, SkippedString) else len(str(value))
            if length > MAX_TEMPLATE_CHARS:
                raise ModelLoadError(HOSTILE_TEMPLATE.format(
                    name=path.name, problem=f"its chat template ({key}) is {length:,} bytes long"))
    problem = None
    # Named templates (tool use, retrieval) are compiled by llama-cpp-python too, so all are tried.
    for key, value in info.metadata.items():
        if not (key == "tokenizer.chat_template" or key.startswith("tokenizer.chat_template.")):
            continue
        if not isinstance(value, str) or not value.strip():
            continue
        try:
            probe(value)
        except TemplateRefused as exc:
            if exc.hostile:
                raise ModelLoadError(HOSTILE_TEMPLATE.format(name=path.name, problem=str(exc))) from None
            if key == "tokenizer.chat_template":
                problem = str(exc)
    return CheckedModel(info, problem)
