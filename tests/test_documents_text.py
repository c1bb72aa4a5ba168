"""Plain text and Markdown: encodings, paragraphs, headings; content sniffing; language guess;
and the text cleanup all readers share, tested on strings (Japanese above all)."""

from __future__ import annotations

import codecs

import pytest

from app.core.documents import SUPPORTED_SUFFIXES, detect_kind, load_document
from app.core.documents.cleanup import (
    is_page_number_line,
    join_wrapped_lines,
    normalize_characters,
    remove_spaces_between_cjk,
    split_paragraphs,
    strip_page_furniture,
)
from app.core.documents.language import guess_language
from app.core.documents.text import decode_text
from app.core.errors import DocumentError, EmptyDocumentError, UnsupportedDocumentError

JAPANESE = "会議の議事録\n\n本日の会議では、来年度の予算について話し合いました。\n結論は次回に持ち越します。\n\n以上"


def test_shift_jis_japanese(tmp_path):
    path = tmp_path / "議事録.txt"
    path.write_bytes(JAPANESE.encode("cp932"))
    assert decode_text(path.read_bytes())[1] == "cp932"
    document = load_document(path)
    assert document.kind == "txt"
    assert document.language == "ja"
    assert document.title == "議事録"  # plain text has no headings: the file name
    assert [block.text for block in document.blocks] == [
        "会議の議事録",
        "本日の会議では、来年度の予算について話し合いました。結論は次回に持ち越します。",
        "以上",
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom", "utf-8-sig"])
def test_byte_order_marks(tmp_path, encoding):
    text = "Zusammenfassung für Café Ünter\n\nZweiter Absatz."
    if encoding == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)
    path = tmp_path / "notes.txt"
    path.write_bytes(data)
    blocks = load_document(path).blocks
    assert [block.text for block in blocks] == ["Zusammenfassung für Café Ünter", "Zweiter Absatz."]


def test_utf16_without_bom(tmp_path):
    path = tmp_path / "export.txt"
    path.write_bytes("Plain words exported by an old tool.\r\nSecond line.".encode("utf-16-le"))
    assert decode_text(path.read_bytes())[1] == "utf-16-le"
    assert load_document(path).blocks[0].text == "Plain words exported by an old tool. Second line."


def test_legacy_western_encoding_falls_back_to_charset_normalizer(tmp_path):
    path = tmp_path / "menu.txt"
    text = ("Le café servait une crème brûlée délicieuse, préparée à la française, "
            "avec des œufs frais et du sucre caramélisé. ") * 5
    path.write_bytes(text.encode("cp1252"))
    assert "crème brûlée" in load_document(path).text


def test_paragraphs_join_wrapped_lines_but_keep_list_items(tmp_path):
    path = tmp_path / "mail.txt"
    path.write_text("Hello team,\nthis line was wrapped\nby the mail program.\n\n"
                    "- first item\n- second item\n", encoding="utf-8")
    assert [block.text for block in load_document(path).blocks] == [
        "Hello team, this line was wrapped by the mail program.",
        "- first item\n- second item",
    ]


def test_markdown_headings_set_sections(tmp_path):
    path = tmp_path / "README.md"
    path.write_text(
        "# Project Plan\n\nIntro paragraph.\n\n## Risks ##\nBudget may slip.\n\n"
        "```sh\n# not a heading\nrun --fast\n```\n\n"
        "Timeline\n========\n\nQ3 delivery.\n\n---\n\nAfter the rule.\n",
        encoding="utf-8",
    )
    document = load_document(path)
    assert document.kind == "md"
    assert document.title == "Project Plan"
    assert [(block.kind, block.section, block.text) for block in document.blocks] == [
        ("heading", "Project Plan", "Project Plan"),
        ("paragraph", "Project Plan", "Intro paragraph."),
        ("heading", "Risks", "Risks"),
        ("paragraph", "Risks", "Budget may slip."),
        ("paragraph", "Risks", "# not a heading\nrun --fast"),
        ("heading", "Timeline", "Timeline"),
        ("paragraph", "Timeline", "Q3 delivery."),
        ("paragraph", "Timeline", "After the rule."),
    ]
    assert document.blocks[3].location == "§ Risks"


def test_japanese_markdown(tmp_path):
    path = tmp_path / "メモ.md"
    path.write_text("# 第一章\n\n全角の　ＡＢＣ　と半角ｶﾅの混在。\n", encoding="utf-8")
    document = load_document(path)
    assert document.blocks[1].section == "第一章"
    # Full-width ASCII and half-width kana are normalized; the ideographic spaces stay.
    assert document.blocks[1].text == "全角の　ABC　と半角カナの混在。"


def test_empty_files(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(EmptyDocumentError) as caught:
        load_document(empty)
    assert "0 bytes" in str(caught.value)
    blank = tmp_path / "blank.md"
    blank.write_text("\n  \n\t\n", encoding="utf-8")
    with pytest.raises(EmptyDocumentError):
        load_document(blank)


def test_binary_named_txt_is_unsupported(tmp_path):
    path = tmp_path / "data.txt"
    path.write_bytes(bytes(range(256)) * 16)
    with pytest.raises(UnsupportedDocumentError) as caught:
        load_document(path)
    assert "PDF, Word (.docx), text (.txt) and Markdown (.md)" in str(caught.value)


@pytest.mark.parametrize(("data", "named"), [
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "a Windows program"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "a JPEG image"),
    (b"{\\rtf1\\ansi Hello}", "an RTF document"),
])
def test_other_formats_are_named(tmp_path, data, named):
    path = tmp_path / "thing.txt"
    path.write_bytes(data)
    with pytest.raises(UnsupportedDocumentError) as caught:
        detect_kind(path)
    assert str(caught.value).startswith(f"This file is {named}")


def test_text_is_judged_by_content(tmp_path):
    note = tmp_path / "MZ notes.pdf"
    note.write_text("MZ is the start of this note, which is text despite its name.", encoding="utf-8")
    assert detect_kind(note) == "txt"
    markdown = tmp_path / "notes.markdown"
    markdown.write_text("# Title\n", encoding="utf-8")
    assert detect_kind(markdown) == "md"
    assert {".pdf", ".docx", ".txt", ".md"} <= set(SUPPORTED_SUFFIXES)


def test_missing_file(tmp_path):
    with pytest.raises(DocumentError) as caught:
        load_document(tmp_path / "gone.txt")
    assert "can't find" in str(caught.value)


@pytest.mark.parametrize(("text", "language"), [
    ("本日の会議では、来年度の予算について話し合いました。", "ja"),
    ("株式会社東京本社営業部長", "ja"),  # kanji alone: Japanese, unless Chinese-only words show
    ("我们这个项目的预算还没有确定。", "zh"),
    ("Pythonのlistとdictを使ったdata処理の例です。", "ja"),
    ("The committee met on Tuesday and it agreed that the budget is fine for the year.", "en"),
    ("Die Sitzung hat gezeigt, dass der Plan nicht mit dem Budget vereinbar ist und die Zahlen "
     "für das Jahr sich ändern.", "de"),
    ("Le comité a décidé que le budget est suffisant pour les projets de la ville et des écoles.", "fr"),
    ("Совет директоров утвердил бюджет на следующий год.", "ru"),
    ("회의에서 내년 예산을 논의했습니다.", "ko"),
    ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor et dolore "
     "magna aliqua. Ut enim ad minim veniam, quis nostrud est laborum.", ""),
    ("12345 67890", ""),
])
def test_guess_language(text, language):
    assert guess_language(text) == language


def test_a_few_kana_do_not_make_english_japanese():
    text = "The report, titled ありがとう in the original, covers the year's sales and costs in detail. " * 3
    assert guess_language(text) == "en"


# --- the shared cleanup, on strings (the PDF reader's line joining and page furniture) ---

@pytest.mark.parametrize(("lines", "joined"), [
    (["日本語の文章が", "続きます。"], "日本語の文章が続きます。"),
    (["これはPython", "です。"], "これはPythonです。"),
    (["設定は", "Settings から"], "設定はSettings から"),
    (["Use the", "API."], "Use the API."),
    (["infor-", "mation"], "information"),
    (["Heine-", "Borel"], "Heine-Borel"),
    (["COVID-", "19"], "COVID-19"),
    (["a dash -", "then more"], "a dash - then more"),
])
def test_join_wrapped_lines(lines, joined):
    assert join_wrapped_lines(lines) == joined


def test_spaces_between_japanese_characters_are_removed_and_others_kept():
    assert remove_spaces_between_cjk("日 本 語 の 文 章 で す 。") == "日本語の文章です。"
    assert remove_spaces_between_cjk("Python を 使う") == "Python を使う"
    assert remove_spaces_between_cjk("東京　タワー") == "東京　タワー"  # an ideographic space is meant
    assert remove_spaces_between_cjk("한국 어") == "한국 어"  # Korean is written with spaces


def test_normalize_characters_is_careful_with_japanese():
    assert normalize_characters("ＡＢＣ１２３！") == "ABC123!"
    assert normalize_characters("ｶﾞｲﾄﾞﾌﾞｯｸ") == "ガイドブック"
    assert normalize_characters("⽇本の⼈⼝") == "日本の人口"
    assert normalize_characters("x² ① ㍿ 〜") == "x² ① ㍿ 〜"
    assert normalize_characters("\u3000字下げ") == "\u3000字下げ"
    assert normalize_characters("ﬁle\x00\x07 A\r\nB\u00adC") == "file A\nBC"


@pytest.mark.parametrize("line", ["12", "- 12 -", "— 7 —", "Page 12 of 40", "12 / 40", "xii", "12ページ",
                                  "p. 4"])
def test_page_number_lines(line):
    assert is_page_number_line(line)


@pytest.mark.parametrize("line", ["Chapter 12", "civil", "x", "2023 results", "1 Foo 2"])
def test_not_page_number_lines(line):
    assert not is_page_number_line(line)


def test_strip_page_furniture():
    # Printed page numbers run 9 ahead of the page position, inside a running header; body
    # lines at the page edges that differ only in their numbers ("Definition 7") are kept.
    pages = [
        [f"{number + 9} Chapter Two", f"Definition {number * 7}", "1 Introduction 5",
         f"Theorem {number * 3}.", f"Confidential — draft {number}", "ACME Corp"]
        for number in range(1, 6)
    ]
    cleaned = strip_page_furniture(pages)
    for number, lines in enumerate(cleaned, start=1):
        assert lines == [f"Definition {number * 7}", "1 Introduction 5", f"Theorem {number * 3}."]


def test_strip_page_furniture_keeps_pages_that_are_all_one_line():
    pages = [["يبيبَح habibi"]] * 4
    assert strip_page_furniture(pages) == pages


def test_split_paragraphs_by_width_and_japanese_indent():
    lines = [
        "\u3000第一段落の最初の行で、とても長い文章が続いています。これは折り返",
        "された行です。",
        "\u3000第二段落は短い。",
        "This English line is long enough to count as a full-width line here",
        "and this one continues it.",
        "• a bullet",
    ]
    assert split_paragraphs(lines, typical_width=66) == [
        "第一段落の最初の行で、とても長い文章が続いています。これは折り返された行です。",
        "第二段落は短い。",
        "This English line is long enough to count as a full-width line here and this one continues it.",
        "• a bullet",
    ]
