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


#: Ways around the size limits a review found: each rendered ~6 million characters, and each grows
#: linearly with the number of fields or lines (20,000 fields: ~2 GB).
SIZE_BYPASSES = {
    "printf width from the values": '{{ ("%*s" * 60) % ((99999, "a") * 60) }}',
    "printf width from the values, 20,000 fields": '{{ ("%*s" * 20000) % ((99999, "a") * 20000) }}',
    "printf precision": '{{ ("%.99999f" * 60) % ((1.5,) * 60) }}',
    "|format width from the values": '{{ ("%*s" * 60)|format(*((99999, "a") * 60)) }}',
    "nested str.format width": '{{ ("{:{w}}" * 60).format(*(["a"] * 60), w=99999) }}',
    "nested str.format width, 20,000 fields": '{{ ("{:{w}}" * 20000).format(*(["a"] * 20000), w=99999) }}',
    "str.format_map nested width": '{{ ("{a:{w}}" * 60).format_map({"a": "a", "w": 99999}) }}',
    "str.format precision": '{{ ("{:.99999f}" * 60).format(*([1.5] * 60)) }}',
    "indent by a number": '{{ ("a\n" * 60)|indent(99999, true, true) }}',
    "indent by a text": '{{ ("a\n" * 60)|indent("y" * 99999, true, true) }}',
    "indent keyword": '{{ ("a\n" * 60)|indent(width=99999, first=true, blank=true) }}',
    "tojson indent": "{{ range(60)|list|tojson(indent=99999) }}",
    "tojson separators": '{{ range(60)|list|tojson(separators=("y" * 99999, ":")) }}',
    "wordwrap string": '{{ ("a " * 60)|wordwrap(1, wrapstring="y" * 99999) }}',
    "a long text as an option": '{{ "a"|truncate(5, end="y" * 200000) }}',
    "one long text listed many times, printed": '{% set a = "x" * 3000000 %}{{ [a] * 100 }}',
    "one long text listed many times, |tojson": '{% set a = "x" * 3000000 %}{{ ([a] * 100)|tojson }}',
    "one long text listed many times, |string": '{% set a = "x" * 3000000 %}{{ ([a] * 100)|string }}',
    "one long text listed many times, ~": '{% set a = "x" * 3000000 %}{{ ([a] * 100) ~ "" }}',
}


@pytest.mark.parametrize("name", list(SIZE_BYPASSES))
def test_size_limits_cannot_be_bypassed(name):
    template = ChatTemplate(SIZE_BYPASSES[name])
    started = time.monotonic()
    with pytest.raises(TemplateRefused) as refused:
        template.render(MESSAGES)
    assert time.monotonic() - started < 1, "refused only after building the text"
    assert refused.value.hostile, str(refused.value)
    assert "may not do" in str(refused.value)


def test_formatting_is_refused_before_it_builds_anything(monkeypatch):
    # The worst case is foreseen from the layout and values: Python's formatting never runs.
    import string

    def never(*args, **kwargs):
        raise AssertionError("formatted before checking")

    monkeypatch.setattr(string.Formatter, "format_field", never)
    with pytest.raises(TemplateRefused, match="a formatted text"):
        ChatTemplate(SIZE_BYPASSES["nested str.format width, 20,000 fields"]).render(MESSAGES)


def test_filters_real_templates_do_not_use_are_absent():
    for source in ("{{ messages|pprint }}", "{{ 'a'|urlize }}", "{{ 'a'|center(9) }}", "{{ {}|xmlattr }}"):
        with pytest.raises(TemplateRefused, match="not valid Jinja") as refused:
            ChatTemplate(source)
        assert not refused.value.hostile


def test_long_messages_still_pass_through_the_calls_real_templates_make():
    # Texts and numbers are capped as options, not where a template merely keeps or prints them.
    content = "word " * 100_000
    source = (
        "{%- macro show(c) -%}{{ c }}{%- endmacro -%}"
        "{% set ns = namespace(last=messages[-1].content) %}{% for m in messages %}"
        "{% set c = m.content.split('</think>')[-1].lstrip('\n') %}"
        "{% if c.startswith(c[:4]) %}<{{ m.role }}>{{ show(c|trim) }}{% endif %}"
        "|{{ '%s:%s'|format(m.role, c|length) }}|{{ '{}={:>6}'.format(m.role, c|length) }}{% endfor %}"
        "|{{ ns.last|replace('word', 'w')|length }}|{{ {'a': [1]}|tojson(indent=4) }}|{{ 'x\ny'|indent(2) }}"
        "|{{ messages|map(attribute='content')|map('length')|list }}|{{ messages|tojson|length > 0 }}"
    )
    prompt = ChatTemplate(source).render([{"role": "system", "content": "Hi."}, {"role": "user", "content": content}])
    assert prompt.startswith("<system>Hi.|system:3|system=     3<user>word word")
    assert prompt.endswith('|user:500000|user=500000|200000|{\n    "a": [\n        1\n    ]\n}|x\n  y'
                           "|[3, 500000]|True")


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
