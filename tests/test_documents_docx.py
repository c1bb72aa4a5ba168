"""Word (.docx) reading: reading order, headings in English and Japanese, tables, lists,
headers and footers, footnotes, and the ways a "Word file" can turn out not to be one."""

from __future__ import annotations

import zipfile

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from app.core.documents import detect_kind, load_document, load_document_in_process
from app.core.errors import (
    Cancelled,
    CorruptDocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    UnsupportedDocumentError,
)


def japanese_report(path):
    document = docx.Document()
    document.add_heading("第1章 概要", level=1)
    document.add_paragraph("本書は二〇二四年度の活動をまとめたものです。")
    table = document.add_table(rows=3, cols=2)
    for row, (item, amount) in zip(table.rows, [("項目", "金額"), ("人件費", "120万円"), ("設備費", "30万円")]):
        row.cells[0].text, row.cells[1].text = item, amount
    document.add_paragraph("表のあとの段落です。")
    # A heading style named in Japanese, as Japanese Word templates sometimes have it.
    custom = document.styles.add_style("見出し 2", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = document.styles["Normal"]
    document.add_paragraph("第2章 詳細", style="見出し 2")
    document.add_paragraph("一つ目の項目", style="List Bullet")
    document.add_paragraph("二つ目の項目", style="List Bullet")
    # A heading made only by outline level, with no heading style at all.
    outlined = document.add_paragraph("第3章 まとめ")
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "0")
    outlined._p.get_or_add_pPr().append(outline)
    document.add_paragraph("以上です。")
    document.save(path)
    return path


def test_japanese_docx_reading_order_headings_and_table(tmp_path):
    document = load_document(japanese_report(tmp_path / "報告.docx"))
    assert document.kind == "docx"
    assert document.language == "ja"
    assert document.title == "第1章 概要"
    assert [(block.kind, block.text) for block in document.blocks] == [
        ("heading", "第1章 概要"),
        ("paragraph", "本書は二〇二四年度の活動をまとめたものです。"),
        ("table", "項目 | 金額\n人件費 | 120万円\n設備費 | 30万円"),
        ("paragraph", "表のあとの段落です。"),
        ("heading", "第2章 詳細"),
        ("list", "• 一つ目の項目\n• 二つ目の項目"),
        ("heading", "第3章 まとめ"),
        ("paragraph", "以上です。"),
    ]
    sections = [block.section for block in document.blocks]
    assert sections == ["第1章 概要"] * 4 + ["第2章 詳細"] * 2 + ["第3章 まとめ"] * 2
    assert [block.index for block in document.blocks] == list(range(8))
    assert all(block.page is None for block in document.blocks)


def test_headers_and_footers_go_last_deduplicated(tmp_path):
    path = tmp_path / "memo.docx"
    document = docx.Document()
    document.core_properties.title = "Budget memo"
    document.add_paragraph("The budget for next year is flat.")
    document.sections[0].header.paragraphs[0].text = "ACME Corp — Confidential"
    document.sections[0].footer.paragraphs[0].text = "Prepared by Finance"
    document.sections[0].footer.add_paragraph("7")  # what a PAGE field shows; not information
    second = document.add_section()
    second.header.is_linked_to_previous = False
    second.header.paragraphs[0].text = "ACME Corp — Confidential"  # same text: kept once
    document.add_paragraph("Second section text.")
    document.save(path)

    read = load_document(path)
    assert read.title == "Budget memo"
    assert [(block.kind, block.text) for block in read.blocks] == [
        ("paragraph", "The budget for next year is flat."),
        ("paragraph", "Second section text."),
        ("header", "ACME Corp — Confidential"),
        ("footer", "Prepared by Finance"),
    ]


def add_footnotes(path, notes: list[str]) -> None:
    """python-docx can't write footnotes; add a footnotes part the way Word lays it out."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f'<w:footnote w:id="{number}"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:footnote>'
                   for number, text in enumerate(notes, start=1))
    footnotes = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{w}">'
                 '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
                 f"{body}</w:footnotes>")
    with zipfile.ZipFile(path) as original:
        members = {name: original.read(name) for name in original.namelist()}
    members["word/footnotes.xml"] = footnotes.encode()
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/word/footnotes.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>')
    members["word/_rels/document.xml.rels"] = members["word/_rels/document.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdNotes" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for name, data in members.items():
            rewritten.writestr(name, data)


def test_footnotes_are_read_after_the_body(tmp_path):
    path = tmp_path / "paper.docx"
    document = docx.Document()
    document.add_paragraph("Results improved markedly.")
    document.save(path)
    add_footnotes(path, ["Measured in March.", "See the appendix."])
    blocks = load_document(path).blocks
    assert [(block.kind, block.text) for block in blocks] == [
        ("paragraph", "Results improved markedly."),
        ("footnote", "[1] Measured in March."),
        ("footnote", "[2] See the appendix."),
    ]


def test_tracked_insertions_and_content_controls_are_read(tmp_path):
    path = tmp_path / "tracked.docx"
    document = docx.Document()
    paragraph = document.add_paragraph("Kept text, ")
    inserted = OxmlElement("w:ins")
    for name, value in (("w:id", "1"), ("w:author", "A"), ("w:date", "2024-01-01T00:00:00Z")):
        inserted.set(qn(name), value)
    inserted.append(paragraph.add_run("inserted text.")._r)
    paragraph._p.append(inserted)
    control = OxmlElement("w:sdt")
    content = OxmlElement("w:sdtContent")
    content.append(docx.Document().add_paragraph("Inside a content control.")._p)
    control.append(content)
    document.element.body.insert(0, control)
    document.save(path)
    texts = [block.text for block in load_document(path).blocks]
    assert texts == ["Inside a content control.", "Kept text, inserted text."]


def test_merged_cells_are_not_repeated(tmp_path):
    path = tmp_path / "merged.docx"
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Wide"
    table.cell(0, 2).text = "Right"
    for column, text in enumerate(["a", "b", "c"]):
        table.cell(1, column).text = text
    document.save(path)
    assert load_document(path).blocks[0].text == "Wide | Right\na | b | c"


def test_docx_without_text_is_empty(tmp_path):
    path = tmp_path / "blank.docx"
    document = docx.Document()
    document.add_paragraph("   ")
    document.save(path)
    with pytest.raises(EmptyDocumentError):
        load_document(path)


def test_truncated_docx_is_corrupt(tmp_path):
    source = japanese_report(tmp_path / "whole.docx").read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(source[: len(source) // 2])
    with pytest.raises(CorruptDocumentError) as caught:
        load_document(path)
    assert "damaged" in str(caught.value)


def test_docx_with_broken_xml_is_corrupt(tmp_path):
    path = tmp_path / "broken.docx"
    japanese_report(path)
    with zipfile.ZipFile(path) as original:
        members = {name: original.read(name) for name in original.namelist()}
    members["word/document.xml"] = members["word/document.xml"][:200]
    with zipfile.ZipFile(path, "w") as rewritten:
        for name, data in members.items():
            rewritten.writestr(name, data)
    with pytest.raises(CorruptDocumentError) as caught:
        load_document(path)
    assert "Save As" in str(caught.value)


def compound_file(*stream_names: str) -> bytes:
    """Enough of an OLE compound file for detection: the magic and UTF-16 stream names."""
    names = b"".join(name.encode("utf-16-le") + b"\x00\x00" for name in stream_names)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + names + b"\x00" * 512


def test_password_protected_docx(tmp_path):
    path = tmp_path / "locked.docx"
    path.write_bytes(compound_file("EncryptionInfo", "EncryptedPackage"))
    with pytest.raises(EncryptedDocumentError) as caught:
        load_document(path)
    message = str(caught.value)
    assert "can't open encrypted Word files" in message and "Remove the password in Word" in message


def test_legacy_doc_asks_for_docx(tmp_path):
    path = tmp_path / "old.doc"
    path.write_bytes(compound_file("WordDocument", "1Table"))
    with pytest.raises(UnsupportedDocumentError) as caught:
        load_document(path)
    assert "old-style Word document (.doc)" in str(caught.value)
    assert "save it as .docx" in str(caught.value)


@pytest.mark.parametrize(("member", "named"), [
    ("xl/workbook.xml", "an Excel workbook"),
    ("ppt/presentation.xml", "a PowerPoint presentation"),
    ("notes/readme.txt", "a ZIP archive"),
])
def test_other_zip_files_named_docx_are_refused_by_name(tmp_path, member, named):
    path = tmp_path / "renamed.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, "<x/>")
    with pytest.raises(UnsupportedDocumentError) as caught:
        detect_kind(path)
    assert str(caught.value).startswith(f"This file is {named}, not a document Matome can read.")


def test_kind_comes_from_content_not_name(tmp_path):
    path = tmp_path / "actually-a-word-file.pdf"
    japanese_report(path)
    assert detect_kind(path) == "docx"
    assert load_document(path).kind == "docx"


def test_cancel_while_reading_docx(tmp_path):
    path = japanese_report(tmp_path / "report.docx")
    calls = []

    def cancel_on_second_poll():
        calls.append(1)
        return len(calls) >= 2

    with pytest.raises(Cancelled):
        load_document_in_process(path, should_cancel=cancel_on_second_poll)
