"""Chat templates from GGUF files are untrusted code: rendered in a sandbox with limits, and
checked in a child process with a memory and time limit before a model is installed or loaded.

The attacks are real templates inside real GGUF files (copies of the starter model, or small
synthetic ones), going through the same paths a user's file would.
"""

from __future__ import annotations

import os
import time

import pytest

from app.core.chat_template import ChatTemplate, TemplateRefused, probe
from app.core.errors import ModelLoadError
from app.core.models import import_model, list_installed
from app.core.models.gguf import read_gguf
from app.core.models.isolation import check_model_file
from tests.gguf_edit import copy_with_metadata
from tests.hub_server import make_gguf

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Summarize: budget."}]


def run_id() -> str:
    return f"matome-pwned-{os.getpid()}-{time.monotonic_ns()}"


def attacks(marker: str) -> dict[str, str]:
    """Templates that would read a file, run a command or exhaust memory or time if obeyed."""
    return {
        "walk to os via a global": "{{ cycler.__init__.__globals__.os.system('touch " + marker + "') }}",
        "walk to subprocess via str": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "template internals": "{{ self._TemplateReference__context.environment }}",
        "read a file by include": "{% include '/etc/passwd' %}",
        "read a file by import": "{% from '/etc/hostname' import x %}{{ x }}",
        "format-string field walk": "{{ '{0.__class__.__init__.__globals__}'.format(cycler) ~ messages.pop() }}",
        "modify the messages": "{{ messages.append({'role': 'user', 'content': 'leak'}) }}",
        "repetition bomb": "{{ 'x' * 10 ** 10 }}",
        "doubling in a loop": "{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}"
                              "{% endfor %}{{ ns.s }}",
        "join bomb": "{% set a = 'x' * 3000000 %}{{ [a, a, a]|join }}",
        "replace bomb": "{% set a = 'x' * 1000000 %}{{ a.replace('x', 'xxxxxxxxxx') }}",
        "format width bomb": "{{ ('%999999s' * 100) % ('x',) * 1 }}",
        "huge width": "{{ 'x'.center(10 ** 9) }}",
        "nested loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "huge prompt": "{% for i in range(50000) %}{{ messages[0].content * 100 }}{% endfor %}",
    }


@pytest.mark.parametrize("name", list(attacks("x")))
def test_each_attack_is_refused_as_hostile_and_does_nothing(name, tmp_path):
    marker = tmp_path / run_id()
    source = attacks(str(marker))[name]
    with pytest.raises(TemplateRefused) as refused:
        ChatTemplate(source).render(MESSAGES)
    assert refused.value.hostile, str(refused.value)
    assert str(refused.value).startswith("the chat template")
    assert not marker.exists()


def test_the_starter_template_renders_exactly_as_llama_cpp_python_would(starter_model_path):
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    source = read_gguf(starter_model_path).chat_template
    ours = probe(source, bos_token="<|im_start|>", eos_token="<|im_end|>")
    theirs = Jinja2ChatFormatter(template=source, eos_token="<|im_end|>", bos_token="<|im_start|>")
    for messages in (MESSAGES, [{"role": "user", "content": "日本語の質問？"}],
                     MESSAGES + [{"role": "assistant", "content": "ok"}, {"role": "user", "content": "more"}]):
        assert ours.render(messages) == theirs(messages=messages).prompt


def test_what_real_templates_use_still_works():
    source = (
        "{{ bos_token }}{% set ns = namespace(system='') %}"
        "{% for m in messages %}{% if m.role == 'system' %}{% set ns.system = ns.system ~ m.content|trim %}"
        "{% continue %}{% endif %}{% generation %}<{{ m['role'] }}>{{ m.content }}{% endgeneration %}{% endfor %}"
        "|{{ ns.system }}|{{ messages|map(attribute='role')|join(',') }}|{{ {'k': 'v'}|tojson }}"
        "|{{ '%s-%d'|format('a', 1) }}|{{ '{}!'.format('b') }}|{{ strftime_now('%Y') | length }}"
        "{% if add_generation_prompt %}<assistant>{% endif %}"
    )
    prompt = ChatTemplate(source, bos_token="<s>").render(MESSAGES)
    assert prompt == '<s><user>Summarize: budget.|Be brief.|system,user|{"k": "v"}|a-1|b!|4<assistant>'


def test_a_template_that_refuses_a_layout_on_purpose_is_not_called_hostile():
    # Gemma's template raises for system messages: a model to use with the plain layout, not an attack.
    source = "{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
    with pytest.raises(TemplateRefused, match="System role not supported") as refused:
        probe(source)
    assert not refused.value.hostile
    with pytest.raises(TemplateRefused) as broken:
        ChatTemplate("{% for %}")
    assert not broken.value.hostile and "not valid Jinja (line 1" in str(broken.value)


def test_importing_a_real_model_with_a_hostile_template_is_refused(tmp_path, starter_model_path):
    marker = tmp_path / run_id()
    hostile = copy_with_metadata(starter_model_path, tmp_path / "SmolLM2-helpful.gguf", set_values={
        "tokenizer.chat_template": attacks(str(marker))["walk to os via a global"]})
    with pytest.raises(ModelLoadError) as refused:
        import_model(hostile)
    message = str(refused.value)
    assert message.startswith("The model file SmolLM2-helpful.gguf was not used: the chat template tried")
    assert "source you trust" in message
    assert not marker.exists()
    assert [m for m in list_installed() if m.source == "imported"] == []


def test_a_named_template_is_checked_too(tmp_path):
    # llama-cpp-python compiles tokenizer.chat_template.* as well, so those are tried like the default.
    path = tmp_path / "tools.gguf"
    path.write_bytes(make_gguf(tensor_elements=64, vocab=4))
    named = copy_with_metadata(path, tmp_path / "named.gguf",
                               set_values={"tokenizer.chat_template.tool_use": attacks("x")["read a file by include"]})
    with pytest.raises(ModelLoadError, match="tried to read another template or a file"):
        check_model_file(named)


def test_an_overlong_template_is_refused_before_it_is_compiled(tmp_path):
    path = tmp_path / "long.gguf"
    path.write_bytes(make_gguf(chat_template="{# padding #}" * 200_000, tensor_elements=64, vocab=4))
    with pytest.raises(ModelLoadError, match=r"chat template \(tokenizer.chat_template\) is 2,600,000 bytes long"):
        import_model(path)


def test_a_template_that_spins_is_stopped_by_the_child_time_limit(tmp_path):
    # Within every per-operation limit, yet ~10¹³ steps: only the child's wall clock stops it.
    spin = "{% set s = 'x' * 3000000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}"
    path = tmp_path / "spin.gguf"
    path.write_bytes(make_gguf(chat_template=spin, tensor_elements=64, vocab=4))
    started = time.monotonic()
    with pytest.raises(ModelLoadError, match="took longer than 2 seconds"):
        check_model_file(path, timeout=2)
    assert time.monotonic() - started < 10
    # This process is unharmed and the next check works.
    fine = tmp_path / "fine.gguf"
    fine.write_bytes(make_gguf(tensor_elements=64, vocab=4))
    assert check_model_file(fine).template_problem is None


def test_a_template_that_hoards_memory_is_stopped_by_the_child_memory_limit(tmp_path):
    # 48 values of 3 MB each: every one within the per-value limit, 144 MB in all.
    hoard = "{% set ns = namespace() %}" + "".join(
        f"{{% set ns.v{i} = 'x' * 3000000 ~ '{i}' %}}" for i in range(48))
    path = tmp_path / "hoard.gguf"
    path.write_bytes(make_gguf(chat_template=hoard, tensor_elements=64, vocab=4))
    with pytest.raises(ModelLoadError) as refused:
        check_model_file(path, memory_megabytes=128)
    assert "128 MB" in str(refused.value) or "ran out of room" in str(refused.value)
    assert check_model_file(path).template_problem is None  # with the normal limit it is merely wasteful
