"""How states and stages are put into words, in one place for the translators (context "Wording")."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.core.events import Progress
from app.ui.document_entry import CANCELLED, DONE, ERROR, QUEUED, READING, SUMMARIZING, DocumentEntry


# lupdate finds literal translate("Context", "text") calls, not calls through a helper.
translate = QCoreApplication.translate


def duration_text(seconds: float) -> str:
    # One source string per form rather than Qt's %n plurals, which need an English .qm to
    # read well; translators give both forms the same translation where their language has one.
    if seconds < 60:
        count = max(1, round(seconds))
        if count == 1:
            return translate("Wording", "1 second")
        return translate("Wording", "{count} seconds").format(count=count)
    if seconds < 3600:
        count = round(seconds / 60)
        if count == 1:
            return translate("Wording", "1 minute")
        return translate("Wording", "{count} minutes").format(count=count)
    count = round(seconds / 3600)
    if count == 1:
        return translate("Wording", "1 hour")
    return translate("Wording", "{count} hours").format(count=count)


def stage_text(progress: Progress) -> str:
    step, total = progress.step, progress.total
    texts = {
        "loading": translate("Wording", "Loading the model…"),
        "reading": translate("Wording", "Reading the document…"),
        "summarizing_parts": translate("Wording", "Summarizing part {step} of {total}").format(
            step=step, total=total),
        "merging": translate("Wording", "Merging notes (step {step} of {total})").format(
            step=step, total=total),
        "writing": translate("Wording", "Writing the summary…"),
        "checking": translate("Wording", "Checking that no key point was lost…"),
        "answering": translate("Wording", "Answering…"),
    }
    return texts.get(progress.stage, progress.stage)


def progress_text(progress: Progress) -> str:
    """"Summarizing part 3 of 7 · about 2 minutes left"."""
    text = stage_text(progress)
    if progress.eta is not None and progress.eta >= 1:
        text += " · " + translate("Wording", "about {time} left").format(time=duration_text(progress.eta))
    return text


def status_text(entry: DocumentEntry) -> str:
    """The status line of a document in the list."""
    if entry.status == SUMMARIZING and entry.progress is not None and entry.progress.total > 1:
        return translate("Wording", "summarizing {step} of {total}").format(
            step=entry.progress.step, total=entry.progress.total)
    texts = {
        QUEUED: translate("Wording", "queued"),
        READING: translate("Wording", "reading"),
        SUMMARIZING: translate("Wording", "summarizing"),
        DONE: translate("Wording", "done"),
        CANCELLED: translate("Wording", "cancelled"),
    }
    if entry.status == ERROR:
        return translate("Wording", "error: {message}").format(message=entry.error or entry.notice)
    return texts.get(entry.status, entry.status)


def pages_text(page_count: int | None) -> str:
    if not page_count:
        return ""
    if page_count == 1:
        return translate("Wording", "1 page")
    return translate("Wording", "{count} pages").format(count=page_count)


def details_text(entry: DocumentEntry) -> str:
    """"12 pages · summarizing 3 of 7"."""
    parts = [pages_text(entry.page_count), status_text(entry)]
    return " · ".join(part for part in parts if part)
