"""Errors a person can act on.

Every error that can reach a user derives from MatomeError and carries a message written for
that user (what happened, and what to do about it). Code that shows errors — the CLI, the
GUI — prints `str(error)` and never a traceback.
"""

from __future__ import annotations


class MatomeError(Exception):
    """Base of every user-facing error. `str(err)` is the message to show."""

    #: CLI exit code for this kind of failure.
    exit_code = 1


class DocumentError(MatomeError):
    """A document could not be read. `path` names it."""

    exit_code = 2

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.path = path


class EncryptedDocumentError(DocumentError):
    """The document is password-protected and no (or a wrong) password was given."""

    def __init__(self, message: str, path: str | None = None, *, wrong_password: bool = False):
        super().__init__(message, path)
        self.wrong_password = wrong_password


class ScannedDocumentError(DocumentError):
    """The document has pages but no text layer (a scan or pictures of text)."""


class CorruptDocumentError(DocumentError):
    """The file is damaged or truncated."""


class EmptyDocumentError(DocumentError):
    """The file holds no text at all."""


class UnsupportedDocumentError(DocumentError):
    """The file's content is not a kind Matome reads."""


class DocumentTooLargeError(DocumentError):
    """The file exceeds the page or size limit in settings."""


class ModelError(MatomeError):
    """A model could not be found, loaded or run."""

    exit_code = 2


class ModelNotFoundError(ModelError):
    """No model is installed, or the chosen one is missing."""


class ModelLoadError(ModelError):
    """The model file exists but llama.cpp could not load it (corrupt, not GGUF, too big)."""


class Cancelled(MatomeError):
    """The user cancelled a long job. Not a failure; callers stop quietly."""

    exit_code = 130

    def __init__(self, message: str = "Cancelled."):
        super().__init__(message)
