from app.core.coverage import key_terms, lost_points, missing_key_sentences


def test_key_terms_find_names_numbers_and_japanese_words():
    terms = key_terms("- The Tokyo office spent 4.2 million yen in March 2024.\n- Tanaka leads Project Falcon.")
    assert {"Tokyo", "4.2", "2024", "Tanaka", "Project Falcon"} <= terms
    assert "The" not in terms
    ja = key_terms("東京支社のプロジェクトマネージャーは予算420万円を管理します。")
    assert {"420", "プロジェクトマネージャー", "東京支社"} <= ja


def test_lost_points_are_the_fact_lines_missing_from_the_summary():
    notes = [("p. 1", "- Budget was 48 million yen, approved by Akiyama.\n- Nothing else happened."),
             ("p. 2", "- Kestrel cut delivery to 31 hours.")]
    lost = lost_points(notes, "The budget was 48 million yen (Akiyama).")
    assert [(p.location, p.line) for p in lost] == [("p. 2", "Kestrel cut delivery to 31 hours.")]


def test_a_limited_restore_spreads_over_the_whole_document():
    notes = [(f"p. {i}", f"- Item {i} cost {i * 100} yen at Site{i}.") for i in range(1, 21)]
    lost = lost_points(notes, "nothing", limit=4)
    assert len(lost) == 4
    assert lost[0].location == "p. 1" and lost[-1].location == "p. 20"


def test_missing_key_sentences_returns_the_fact_the_note_skipped():
    source = ("The team met often. The Osaka warehouse cut delivery times to 31 hours with Kestrel. "
              "Work continued as planned.")
    assert missing_key_sentences(source, "- The team met often.") == [
        "The Osaka warehouse cut delivery times to 31 hours with Kestrel."]
    assert missing_key_sentences(source, "- Osaka cut delivery to 31 hours using Kestrel.") == []
