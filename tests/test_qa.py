"""Questions about documents on the real starter model."""

from app.core.engine import Engine
from app.core.events import AnswerResult, TextDelta
from app.core.qa import QuestionAnswerer
from app.core.retrieval import BM25Index, terms
from app.core.settings import InferenceSettings
from tests.fixtures.report import make_report


def answer(answerer, document, question, history=()):
    events = list(answerer.ask(document, question, history))
    result = events[-1]
    assert isinstance(result, AnswerResult)
    assert "".join(e.text for e in events if isinstance(e, TextDelta)).strip() == result.text
    return result


def test_japanese_text_is_searched_by_character_bigrams():
    assert terms("東京支社の予算") == ["東京", "京支", "支社", "社の", "の予", "予算"]
    index = BM25Index.build(["大阪の倉庫で配送時間を短縮した。", "東京支社の予算は四千万円です。"])
    assert index.top("予算はいくら？", k=1)[0][0] == 1


def test_english_retrieval_ignores_question_words():
    index = BM25Index.build(["The budget was 48 million yen.", "What the team did and how."])
    assert index.top("What was the budget?", k=2) == [(0, index.scores("budget")[0])]


def test_a_short_document_is_read_whole_and_the_answer_cites_a_real_page(engine):
    document = make_report(sections=3, filler_per_section=8)
    result = answer(QuestionAnswerer(engine), document, "What was the annual budget?")
    assert result.whole_document
    assert result.text
    assert result.citations, result.text
    pages = document.pages()
    for citation in result.citations:
        assert citation.page in pages
        assert citation.excerpt.strip("…") in pages[citation.page]


def test_a_follow_up_question_does_not_reread_the_document(engine):
    # A document no other test used, so the first question really has to read it.
    document = make_report(sections=4, filler_per_section=9)
    answerer = QuestionAnswerer(engine)
    first = answer(answerer, document, "How many engineers were hired?")
    second = answer(answerer, document, "Where is the warehouse?", [("How many engineers were hired?", first.text)])
    assert first.stats.reused_tokens < 0.5 * first.stats.prompt_tokens
    # The document, the first question and its answer are all reused; only the new question
    # is read. (The speed-up itself is measured in bench/.)
    assert second.stats.reused_tokens > 0.9 * second.stats.prompt_tokens


def test_a_long_document_is_searched_and_only_relevant_parts_are_read(starter_model_path):
    small_context = Engine(starter_model_path, InferenceSettings(n_ctx=2048))
    try:
        document = make_report(sections=12, filler_per_section=30)
        answerer = QuestionAnswerer(small_context)
        assert not answerer.fits_whole(document)
        result = answer(answerer, document, "What did the Kestrel system change at the Osaka warehouse?")
        assert not result.whole_document
        prompt = answerer.last_messages[1]["content"]
        assert "Kestrel" in prompt
        assert "[p. 3]" in prompt  # the retrieved passage keeps its page marker
        assert small_context.last_stats.prompt_tokens < 2048
    finally:
        small_context.close()


def test_a_question_the_document_cannot_answer_says_so_without_guessing(starter_model_path):
    small_context = Engine(starter_model_path, InferenceSettings(n_ctx=2048))
    try:
        document = make_report(sections=12, filler_per_section=30)
        result = answer(QuestionAnswerer(small_context), document, "Penguins xylophone zeppelin?")
        assert result.not_found
        assert result.citations == ()
        assert "does not say" in result.text
    finally:
        small_context.close()
