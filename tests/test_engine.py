"""The engine on the real starter model: streaming, Japanese, cancel, prefix reuse."""

import threading
import time

import psutil
import pytest

from app.core.cancel import CancelToken
from app.core.engine import Engine
from app.core.errors import Cancelled, ModelLoadError, ModelNotFoundError
from app.core.models.gguf import read_gguf
from app.core.models.hardware import NotEnoughMemoryError, memory_to_load
from app.core.settings import InferenceSettings
from tests.fixtures.report import make_report
from tests.gguf_edit import copy_with_metadata


def test_reads_context_length_and_chat_template_from_the_gguf(engine):
    assert engine.context_length == 8192
    assert engine.n_ctx <= engine.context_length
    assert engine.has_chat_template
    prompt = engine.format_prompt([{"role": "user", "content": "hello"}])
    assert "<|im_start|>user\nhello<|im_end|>" in prompt
    assert prompt.endswith("<|im_start|>assistant\n")


def test_streams_text_and_reports_counts(engine):
    pieces = list(engine.stream([{"role": "user", "content": "Name three colours."}], max_tokens=24))
    assert len(pieces) > 1
    assert "".join(pieces).strip()
    stats = engine.last_stats
    assert 0 < stats.generated_tokens <= 24
    assert stats.prompt_tokens > 5
    assert stats.prompt_seconds > 0 and stats.generation_seconds > 0


def test_japanese_output_streams_as_whole_characters(engine):
    messages = [{"role": "system", "content": "日本語で答えてください。"},
                {"role": "user", "content": "東京について日本語で三文で説明してください。"}]
    pieces = list(engine.stream(messages, max_tokens=80, temperature=0.0))
    text = "".join(pieces)
    assert any("\u3040" <= ch <= "\u9fff" for ch in text), text
    # Piece by piece, the stream is exactly the whole reply decoded at once: a character split
    # between tokens was neither broken nor lost.
    assert text == engine.detokenize(engine.last_tokens).decode("utf-8", errors="ignore")
    for piece in pieces:
        assert "\ufffd" not in piece


def test_cancel_while_reading_a_long_prompt_returns_within_a_second(engine):
    long_text = make_report(sections=12).text
    messages = [{"role": "user", "content": long_text + "\n\nSummarize this."}]
    cancel = CancelToken()
    timer = threading.Timer(0.5, cancel.cancel)
    started = time.monotonic()
    timer.start()
    with pytest.raises(Cancelled):
        for _ in engine.stream(messages, cancel=cancel):
            pass
    elapsed = time.monotonic() - started
    # Reading that prompt takes tens of seconds here; a cancel must cut it short.
    assert elapsed < 1.5, elapsed
    assert engine.last_stats.generated_tokens == 0
    # The engine stays usable after an abort in the middle of a decode.
    assert engine.generate([{"role": "user", "content": "Say hi."}], max_tokens=8)


def test_a_follow_up_on_the_same_document_reuses_its_prefix(engine):
    document = make_report(sections=3).text
    first = [{"role": "user", "content": document + "\n\nQuestion: what was the budget?"}]
    second = [{"role": "user", "content": document + "\n\nQuestion: who was hired?"}]
    engine.generate(first, max_tokens=4)
    first_stats = engine.last_stats
    engine.generate(second, max_tokens=4)
    second_stats = engine.last_stats
    assert first_stats.reused_tokens < 0.1 * first_stats.prompt_tokens
    # Only the question is read again; the speed-up itself is measured in bench/.
    assert second_stats.prompt_tokens - second_stats.reused_tokens < 20


def test_missing_and_broken_model_files_give_clear_errors(tmp_path, starter_model_path):
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        Engine(tmp_path / "nope.gguf")
    not_a_model = tmp_path / "notes.gguf"
    not_a_model.write_text("meeting notes")
    with pytest.raises(ModelLoadError, match="not a GGUF model"):
        Engine(not_a_model)
    # A download cut short: the header is fine, the weights are missing.
    truncated = tmp_path / "truncated.gguf"
    with open(starter_model_path, "rb") as source:
        truncated.write_bytes(source.read(4 << 20))
    with pytest.raises(ModelLoadError) as caught:
        Engine(truncated)
    assert "incomplete" in str(caught.value)


def test_a_model_without_chat_template_gets_the_plain_prompt_layout(tmp_path, starter_model_path):
    # A real GGUF without tokenizer.chat_template, as base models are published.
    base = copy_with_metadata(starter_model_path, tmp_path / "base.gguf", remove=("tokenizer.chat_template",))
    base_like = Engine(base)
    try:
        assert not base_like.has_chat_template and base_like.template_problem is None
        messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Name a fruit."}]
        prompt = base_like.format_prompt(messages)
        assert prompt == "Be brief.\n\n### Instruction:\nName a fruit.\n\n### Response:\n"
        text = base_like.generate(messages, max_tokens=40)
        assert "### Instruction" not in text
        assert base_like.last_stats.generated_tokens > 0
    finally:
        base_like.close()


def test_a_template_that_refuses_our_layout_falls_back_to_the_plain_one(tmp_path, starter_model_path):
    gemma_like = copy_with_metadata(starter_model_path, tmp_path / "gemma-like.gguf", set_values={
        "tokenizer.chat_template": "{% if messages[0].role == 'system' %}{{ raise_exception('System role not "
                                   "supported') }}{% endif %}{% for m in messages %}{{ m.content }}{% endfor %}"})
    engine = Engine(gemma_like)
    try:
        assert not engine.has_chat_template
        assert "System role not supported" in engine.template_problem
        assert engine.format_prompt([{"role": "user", "content": "Hi"}]).startswith("### Instruction:")
        assert engine.generate([{"role": "user", "content": "Say hi."}], max_tokens=4) is not None
    finally:
        engine.close()


def test_a_hostile_template_is_refused_before_llama_cpp_loads_the_file(tmp_path, starter_model_path):
    marker = tmp_path / "pwned"
    hostile = copy_with_metadata(starter_model_path, tmp_path / "helpful.gguf", set_values={
        "tokenizer.chat_template": "{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}"})
    started = time.monotonic()
    with pytest.raises(ModelLoadError, match="helpful.gguf was not used: the chat template tried something"):
        Engine(hostile)
    assert not marker.exists()
    assert time.monotonic() - started < 5  # refused by the check, not after loading the weights


def test_a_model_that_would_not_fit_in_memory_is_refused_with_the_numbers(starter_model_path):
    settings = InferenceSettings(n_ctx=8192)
    need = memory_to_load(read_gguf(starter_model_path), 8192, settings.n_batch)
    # Free memory for the weights and buffers but not the whole 8k-token KV cache.
    short = need.total_bytes - need.kv_cache_bytes // 2
    started = time.monotonic()
    with pytest.raises(NotEnoughMemoryError) as refused:
        Engine(starter_model_path, settings, available_memory=short)
    message = str(refused.value)
    assert time.monotonic() - started < 5
    assert message.startswith(f"{starter_model_path.name} needs about {need.total_bytes / 2**20:,.0f} MB")
    assert f"for a 8,192-token context" in message and f"only {short / 2**20:,.0f} MB is free" in message
    suggested = int(message.split("about ")[2].split(" tokens")[0].replace(",", ""))
    assert 2048 <= suggested < 8192
    assert refused.value.need.kv_cache_bytes == 8192 * 30 * 3 * (64 + 64) * 2  # SmolLM2-135M's shape

    # With the suggested context it loads; with almost nothing free only a smaller model helps.
    engine = Engine(starter_model_path, InferenceSettings(n_ctx=suggested), available_memory=short)
    engine.close()
    with pytest.raises(NotEnoughMemoryError, match="choose a smaller model"):
        Engine(starter_model_path, settings, available_memory=64 * 2**20)


def test_the_memory_estimate_covers_what_loading_really_takes(starter_model_path):
    process = psutil.Process()
    before = process.memory_info().rss
    engine = Engine(starter_model_path, InferenceSettings(n_ctx=8192))
    try:
        # The KV cache is allocated whole at load; a prompt of more than one full batch puts the
        # compute buffer to work too.
        engine.generate([{"role": "user", "content": make_report(sections=2).text[:3000]}], max_tokens=2)
        assert engine.last_stats.prompt_tokens > InferenceSettings().n_batch
        grown = process.memory_info().rss - before
    finally:
        engine.close()
    estimate = engine.memory_need.total_bytes
    assert grown <= estimate, (grown, estimate)
    # Close enough not to refuse models that would fit (measured: 332 MB used, 443 MB estimated).
    assert estimate < 2 * grown, (grown, estimate)
