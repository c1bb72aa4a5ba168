"""Export of a summary and its Q&A to Markdown, plain text or Word (.docx).

The file names its source document and the date, so a printed or mailed summary can be traced
back. Labels ("Summary", "Source"…) come from the caller, which knows the interface language.
Files are written atomically: a cancelled or failed export leaves no half-written file, and an
existing file is only replaced when the caller says the person agreed to it.
"""

from __future__ import annotations

import errno
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.core.atomic import atomic_write_bytes, atomic_write_text
from app.core.errors import MatomeError

FORMATS = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".docx": "docx"}

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")


class ExportError(MatomeError):
    """The export file could not be written."""


class ExportExistsError(ExportError):
    """The export file exists and replacing it was not agreed to."""

    def __init__(self, path: Path):
        super().__init__(f"“{path.name}” already exists in {path.parent}. Choose another name, "
                         "or agree to replace it.")
        self.path = path


@dataclass(frozen=True)
class ExportLabels:
    summary: str = "Summary"
    questions: str = "Questions and answers"
    source: str = "Source"
    date: str = "Date"
    model: str = "Model"
    question: str = "Q"
    answer: str = "A"
    sources: str = "Sources"


@dataclass(frozen=True)
class ExportTurn:
    question: str
    answer: str
    citations: tuple[str, ...] = ()


@dataclass(frozen=True)
class SummaryExport:
    title: str
    source_name: str
    summary: str
    created: datetime = field(default_factory=datetime.now)
    model: str = ""
    turns: tuple[ExportTurn, ...] = ()
    labels: ExportLabels = field(default_factory=ExportLabels)


def export_summary(content: SummaryExport, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write `content` to `path` in the format its suffix names (.md, .txt, .docx).

    An existing file is replaced only with `overwrite=True` (the person confirmed it);
    otherwise ExportExistsError is raised and nothing is written."""
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ExportError(f"Matome can export to .md, .txt or .docx, not “{path.suffix or path.name}”.")
    if not overwrite and path.exists():
        raise ExportExistsError(path)
    try:
        if kind == "markdown":
            atomic_write_text(path, to_markdown(content))
        elif kind == "text":
            atomic_write_text(path, to_text(content))
        else:
            atomic_write_bytes(path, to_docx_bytes(content))
    except OSError as exc:
        raise ExportError(_write_failure(path, exc)) from exc
    return path


def _write_failure(path: Path, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "this folder can't be written to"
    else:
        reason = exc.strerror or str(exc)
    return (f"Matome couldn't write “{path.name}” ({reason}). The summary is kept: "
            "choose another folder or file name.")


def _header_facts(content: SummaryExport) -> list[tuple[str, str]]:
    facts = [(content.labels.source, content.source_name),
             (content.labels.date, content.created.strftime("%Y-%m-%d %H:%M"))]
    if content.model:
        facts.append((content.labels.model, content.model))
    return facts


def to_markdown(content: SummaryExport) -> str:
    labels = content.labels
    lines = [f"# {content.title}", ""]
    lines += [f"- **{label}:** {value}" for label, value in _header_facts(content)]
    lines += ["", f"## {labels.summary}", "", content.summary.strip(), ""]
    if content.turns:
        lines += [f"## {labels.questions}", ""]
        for turn in content.turns:
            lines += [f"**{labels.question}:** {turn.question.strip()}", "",
                      f"**{labels.answer}:** {turn.answer.strip()}"]
            if turn.citations:
                lines += ["", f"*{labels.sources}: {', '.join(turn.citations)}*"]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_text(content: SummaryExport) -> str:
    labels = content.labels
    lines = [content.title, "=" * min(72, max(8, len(content.title)))]
    lines += [f"{label}: {value}" for label, value in _header_facts(content)]
    lines += ["", labels.summary, "-" * len(labels.summary), _plain(content.summary), ""]
    if content.turns:
        lines += [labels.questions, "-" * len(labels.questions)]
        for turn in content.turns:
            lines += [f"{labels.question}: {_plain(turn.question)}", f"{labels.answer}: {_plain(turn.answer)}"]
            if turn.citations:
                lines.append(f"{labels.sources}: {', '.join(turn.citations)}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _plain(markdown: str) -> str:
    """Markdown without its markup: headings as lines, bullets as •, bold as plain text."""
    lines = []
    for line in markdown.strip().splitlines():
        heading = _HEADING.match(line)
        if heading:
            line = heading.group(2)
        else:
            bullet = _BULLET.match(line)
            if bullet:
                line = "• " + bullet.group(1)
        lines.append(_BOLD.sub(r"\1", line))
    return "\n".join(lines)


def to_docx_bytes(content: SummaryExport) -> bytes:
    import docx  # python-docx is heavy (lxml); only exports need it

    document = docx.Document()
    document.core_properties.title = content.title
    document.add_heading(content.title, level=0)
    facts = document.add_paragraph()
    for number, (label, value) in enumerate(_header_facts(content)):
        if number:
            facts.add_run("\n")
        facts.add_run(f"{label}: ").bold = True
        facts.add_run(value)
    document.add_heading(content.labels.summary, level=1)
    _add_markdown(document, content.summary)
    if content.turns:
        document.add_heading(content.labels.questions, level=1)
        for turn in content.turns:
            question = document.add_paragraph()
            question.add_run(f"{content.labels.question}: ").bold = True
            question.add_run(turn.question.strip()).bold = True
            answer = document.add_paragraph()
            answer.add_run(f"{content.labels.answer}: ").bold = True
            _add_inline(answer, turn.answer.strip())
            if turn.citations:
                document.add_paragraph().add_run(
                    f"{content.labels.sources}: {', '.join(turn.citations)}").italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_markdown(document, markdown: str) -> None:
    for line in markdown.strip().splitlines():
        if not line.strip():
            continue
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        numbered = _NUMBERED.match(line)
        if heading:
            document.add_heading(_BOLD.sub(r"\1", heading.group(2)), level=min(4, len(heading.group(1)) + 1))
        elif bullet:
            _add_inline(document.add_paragraph(style="List Bullet"), bullet.group(1))
        elif numbered:
            _add_inline(document.add_paragraph(style="List Number"), numbered.group(1))
        else:
            _add_inline(document.add_paragraph(), line.strip())


def _add_inline(paragraph, text: str) -> None:
    """Add `text` to a paragraph, with **bold** spans as bold runs."""
    position = 0
    for match in _BOLD.finditer(text):
        if match.start() > position:
            paragraph.add_run(text[position:match.start()])
        paragraph.add_run(match.group(1)).bold = True
        position = match.end()
    if position < len(text):
        paragraph.add_run(text[position:])
