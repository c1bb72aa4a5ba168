"""Export of a summary and its Q&A to Markdown, plain text and Word."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

import docx
import pytest

from app.core.export import ExportError, ExportExistsError, ExportLabels, ExportTurn, SummaryExport, export_summary

SUMMARY = "## Key points\n\n- The budget is **48 million yen** [p. 1].\n- The office opens in April [p. 2].\n\nAll on time."


def content(**overrides) -> SummaryExport:
    values = dict(title="Quarterly report", source_name="report.pdf", summary=SUMMARY,
                  created=datetime(2026, 4, 1, 9, 30), model="SmolLM2",
                  turns=(ExportTurn("What is the budget?", "48 million yen [p. 1].", ("p. 1",)),))
    values.update(overrides)
    return SummaryExport(**values)


def test_markdown_keeps_the_summary_and_names_source_and_date(tmp_path):
    path = export_summary(content(), tmp_path / "out.md")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Quarterly report\n")
    assert "- **Source:** report.pdf" in text and "- **Date:** 2026-04-01 09:30" in text
    assert "- The budget is **48 million yen** [p. 1]." in text
    assert "**Q:** What is the budget?" in text and "*Sources: p. 1*" in text


def test_plain_text_has_no_markup(tmp_path):
    text = export_summary(content(), tmp_path / "out.txt").read_text(encoding="utf-8")
    assert "**" not in text and "##" not in text
    assert "• The budget is 48 million yen [p. 1]." in text
    assert "Source: report.pdf" in text and "Date: 2026-04-01 09:30" in text
    assert "Q: What is the budget?" in text and "Sources: p. 1" in text


def test_docx_reads_back_with_headings_bullets_and_bold(tmp_path):
    path = export_summary(content(), tmp_path / "out.docx")
    document = docx.Document(str(path))
    paragraphs = document.paragraphs
    texts = [p.text for p in paragraphs]
    assert texts[0] == "Quarterly report"
    assert "Source: report.pdf\nDate: 2026-04-01 09:30\nModel: SmolLM2" in texts
    bullet = next(p for p in paragraphs if p.text.startswith("The budget"))
    assert bullet.style.name == "List Bullet"
    assert [run.text for run in bullet.runs if run.bold] == ["48 million yen"]
    assert next(p for p in paragraphs if p.text == "Key points").style.name.startswith("Heading")
    assert "Q: What is the budget?" in texts and "Sources: p. 1" in texts
    assert document.core_properties.title == "Quarterly report"


def test_labels_follow_the_interface_language(tmp_path):
    labels = ExportLabels(summary="要約", questions="質問と回答", source="元の文書", date="日付", model="モデル",
                          question="問", answer="答", sources="出典")
    text = export_summary(content(labels=labels, title="四半期報告"), tmp_path / "要約.md").read_text(encoding="utf-8")
    assert "## 要約" in text and "**元の文書:** report.pdf" in text and "**問:** What is the budget?" in text


def test_an_unknown_format_or_unwritable_place_is_a_clear_error(tmp_path):
    with pytest.raises(ExportError, match=".md, .txt or .docx"):
        export_summary(content(), tmp_path / "out.pdf")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="couldn't write"):
        export_summary(content(), blocker / "out.md")
    assert list(tmp_path.iterdir()) == [blocker]  # nothing half-written left behind


def test_an_existing_file_is_kept_unless_replacing_it_was_agreed(tmp_path):
    target = tmp_path / "summary.md"
    target.write_text("the person's own notes")
    with pytest.raises(ExportExistsError, match="already exists"):
        export_summary(content(), target)
    assert target.read_text() == "the person's own notes"
    export_summary(content(), target, overwrite=True)
    assert "Quarterly report" in target.read_text(encoding="utf-8")


@pytest.fixture
def mounted_tmpfs(tmp_path):
    """A real small file system (tmpfs), so a full disk and a read-only folder are real
    errors from the kernel. Mounting needs root, as on CI; elsewhere these tests skip."""
    mounts = []

    def mount(name: str, options: str) -> Path:
        point = tmp_path / name
        point.mkdir()
        if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
                                               capture_output=True).returncode:
            pytest.skip("mounting a tmpfs needs root")
        mounts.append(point)
        return point

    yield mount
    for point in mounts:
        subprocess.run(["umount", str(point)], check=False)


def test_a_full_disk_is_named_and_leaves_no_partial_file(mounted_tmpfs):
    disk = mounted_tmpfs("full", "size=16k")
    (disk / "filler").write_bytes(b"x" * 8 * 1024)
    long = content(summary="- A point worth keeping.\n" * 4000)
    with pytest.raises(ExportError, match="disk is full.*summary is kept"):
        export_summary(long, disk / "summary.docx")
    assert sorted(p.name for p in disk.iterdir()) == ["filler"]


def test_a_read_only_folder_is_named(mounted_tmpfs):
    folder = mounted_tmpfs("readonly", "ro,size=16k")
    with pytest.raises(ExportError, match="can't be written to"):
        export_summary(content(), folder / "summary.md")
