from app.core.repetition import RepetitionGuard, repeated_tail, trim_repetition


def test_clean_text_is_left_alone():
    text = "- Sales grew 64%.\n- Costs fell.\n- Sales grew in Vietnam.\n- Costs fell.\n- Profit rose."
    assert repeated_tail(text) == 0
    assert trim_repetition(text) == text


def test_a_sentence_repeated_in_a_row_is_cut_back_to_one():
    text = "Intro. The cat sat on the mat. The cat sat on the mat. The cat sat on the mat. "
    assert trim_repetition(text) == "Intro. The cat sat on the mat."


def test_japanese_loop_is_cut_without_spaces():
    assert trim_repetition("これは重要です。これは重要です。これは重要です。") == "これは重要です。"


def test_numbered_list_of_the_same_item_is_a_loop():
    text = "1. Customers\n2. Energy\n3. Energy\n4. Energy\n5. Energy\n6. Energy\n"
    trimmed = trim_repetition(text)
    assert trimmed.count("Energy") == 3
    assert not trimmed.rstrip().endswith(".")


def test_paragraphs_that_loop_with_small_variations_are_caught():
    loop = "The report concludes by providing details on plans to improve logistics in Japan"
    text = f"{loop}. One.\n{loop}, including X. Two.\n{loop}, including Y"
    trimmed = trim_repetition(text)
    assert trimmed.count(loop) == 2


def test_guard_fires_while_streaming():
    guard = RepetitionGuard(min_chars_between_checks=1)
    fired = [guard.feed(piece) for piece in ["All ", "work ", "and ", "no ", "play. "] * 4]
    assert not any(fired[:5])
    assert any(fired)


def test_guard_keeps_a_bounded_tail_and_still_fires_late_in_a_long_reply():
    from app.core.repetition import WINDOW

    guard = RepetitionGuard()
    # A long reply with no loop (each sentence distinct) must not trip the guard...
    words = ["river", "ledger", "orbit", "canvas", "meadow", "signal", "harbor", "quartz",
             "lantern", "fabric", "summit", "cobalt", "willow", "engine", "parcel", "violet"]
    sentences = [f"The {a} met the {b} near a {c}. " for a in words for b in words for c in words[:3]
                 if len({a, b, c}) == 3]
    fired = [guard.feed(sentence) for sentence in sentences[:400]]
    assert not any(fired)
    assert len(guard.text) <= WINDOW
    # ...and a loop that starts after it is caught within a few repeats.
    loop = [guard.feed("The committee approved the budget. ") for _ in range(12)]
    assert any(loop[:6])
