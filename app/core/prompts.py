"""The prompt texts, one JSON file per output language under resources/prompts/."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from app.core import paths

PROMPT_LANGUAGES = ("en", "ja")


@lru_cache(maxsize=None)
def prompt_set(language: str) -> dict[str, Any]:
    """Prompts for writing in `language`; English for languages without their own set."""
    if language not in PROMPT_LANGUAGES:
        language = "en"
    path = paths.resources_dir() / "prompts" / f"{language}.json"
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def output_language(requested: str, document_language: str) -> str:
    """The language to write in: the one asked for, or the document's own for "auto"."""
    if requested in PROMPT_LANGUAGES:
        return requested
    return document_language if document_language in PROMPT_LANGUAGES else "en"
