"""A model's chat template, rendered in a Jinja sandbox with limits.

A GGUF file carries its prompt layout as a Jinja template (`tokenizer.chat_template`) written by
whoever made the file, so Matome treats it as untrusted code. It renders the template itself
rather than through llama-cpp-python's formatter, so these guarantees do not depend on that
library's choices:

  * ImmutableSandboxedEnvironment: no attribute starting with "_" (no `__class__.__mro__` walk
    to `os` or `subprocess`), only safe callables, no changing lists or dicts; the only names in
    scope are the ones given below, and `include`/`import`/`extends` find no templates, so a
    template can neither read a file nor run code.
  * Limits on what can make memory or time explode: the template's length, repetition and
    joining (`*`, `+`, `~`, `join`, `replace`), formatting (`%`, `|format`, `str.format`: each
    field counted at its worst case, widths taken from values or nested `{:{w}}` included),
    powers, large numbers and long texts or lists passed to a call or filter, `indent`,
    `wordwrap` and `tojson` foreseen from their options, a list's size as text before it is
    printed or turned into text, the size of every call's and filter's result, `range` items per
    render, values kept in a `namespace`, and the length of the rendered prompt. Only the
    filters real chat templates use exist (ALLOWED_FILTERS).

A template that fails raises TemplateRefused, with a message saying what it tried. One that
broke a rule (`hostile`) gets its model file refused; one that merely fails (a syntax error, a
layout it refuses on purpose) leaves the model usable with the engine's plain prompt layout.
Before a model is installed or loaded, app/core/models/isolation.py also renders its templates
in a child process with a memory and time limit, which catches a template that explodes in
some way these limits do not foresee. The limits themselves, and the checks that size a value
before it is built, are in app/core/template_limits.py.
"""

from __future__ import annotations

import functools
import json
import threading
from datetime import datetime
from typing import Any, Sequence

import jinja2
from jinja2.compiler import CodeGenerator
from jinja2.ext import Extension
from jinja2.runtime import Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter, SecurityError
from jinja2.utils import Namespace
from markupsafe import Markup

from app.core.template_limits import (  # noqa: F401 - MAX_VALUE_CHARS, MAX_ARGUMENT: re-exported
    ALLOWED_FILTERS,
    MAX_ARGUMENT,
    MAX_JSON_INDENT,
    MAX_RANGE_ITEMS,
    MAX_TEMPLATE_CHARS,
    MAX_VALUE_CHARS,
    OUTPUT_ALLOWANCE_CHARS,
    OUTPUT_FACTOR,
    _FILTERS_KEEPING_OPTIONS,
    _REFUSED_METHODS,
    _STRINGIFYING_FILTERS,
    _check_arguments,
    _check_join,
    _check_percent_format,
    _check_replace,
    _check_result,
    _check_size,
    _check_str_format,
    _check_text_size,
    _CheckedEscapeFormatter,
    _CheckedFormatter,
    _estimate_filter,
    _size,
    _text_size,
)

# The sandbox checks `str.format` through this hook (Jinja2 3.1.5+; 3.1.6 fixes CVE-2025-27516
# in it). Without it, `'{}'.format` would bypass every formatting limit below: refuse to run.
if not callable(getattr(ImmutableSandboxedEnvironment, "wrap_str_format", None)):
    raise ImportError(f"Matome's chat-template sandbox needs Jinja2 >= 3.1.6, but Jinja2 {jinja2.__version__} "
                      "is installed (its sandbox has no wrap_str_format hook)")


class TemplateRefused(ValueError):
    """The template is unusable or tried something a template may not do; str() says what.

    `hostile` is True when it broke a sandbox rule or limit (something a real template has
    no reason to do), False when it merely failed (a syntax error, or a template that refuses
    a message layout on purpose, as Gemma's does for system messages)."""

    def __init__(self, message: str, *, hostile: bool = False):
        super().__init__(message)
        self.hostile = hostile


class _IgnoreGenerationTags(Extension):
    """Hugging Face's `{% generation %}` marks the assistant's part for training; renders as is."""

    tags = {"generation"}

    def parse(self, parser):
        parser.stream.skip(1)
        return parser.parse_statements(("name:endgeneration",), drop_needle=True)


class _Budget(threading.local):
    range_items = 0


_budget = _Budget()


class _LimitedNamespace(Namespace):
    """`namespace()` is how a template carries values across loop iterations: cap their size."""

    def __setitem__(self, name: str, value: Any) -> None:
        size = _size(value)
        if size is not None:
            _check_size(size, "a namespace value")
        Namespace.__setitem__(self, name, value)


def _limited_range(*args: int) -> range:
    items = range(*args)
    _budget.range_items += len(items)
    if _budget.range_items > MAX_RANGE_ITEMS:
        raise SecurityError(f"loops over more than {MAX_RANGE_ITEMS:,} range items")
    return items


class _CheckedConcat(CodeGenerator):
    """Compiles `a ~ b` to a size-checked join (Jinja offers no hook for `~`)."""

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.checked_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _CheckedConcat

    def checked_concat(self, items: Sequence[Any]) -> str:
        size = 0
        for item in items:  # sized before str() builds anything
            size += _text_size(item)
            _check_size(size, "a joined text")
        parts = [str(item) for item in items]
        _check_size(sum(map(len, parts)), "a joined text")
        return "".join(parts)

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if _size(seq) is not None and isinstance(count, int):
                    _check_size(_size(seq) * max(count, 0), "a repetition")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > 4096:
                raise SecurityError("a multiplication of huge numbers")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and \
                    left.bit_length() * abs(right) > 4096:
                raise SecurityError(f"a power of {right:,}")
        elif operator == "+" and _size(left) is not None and _size(right) is not None:
            _check_size(_size(left) + _size(right), "a concatenation")
        elif operator == "%":
            _check_percent_format(left, right)
        return _check_result(super().call_binop(context, operator, left, right), f"a result of {operator!r}")

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        method = getattr(__obj, "__name__", None) if isinstance(getattr(__obj, "__self__", None), str) else None
        if method in _REFUSED_METHODS:
            raise SecurityError(f"the string method {method}()")
        # Arguments are capped, except where they are only kept (or raised with), or checked as a
        # whole below: a long message may well be passed to namespace() or a macro.
        if not (any(__obj is kept for kept in _KEEPS_ARGUMENTS) or isinstance(__obj, Macro)
                or getattr(__obj, "_checked_format", False) or method in ("join", "replace")):
            _check_arguments(args, kwargs)
        if method == "join" and args:
            args = (_check_join(args[0], __obj.__self__), *args[1:])
        elif method == "replace":
            _check_replace(__obj.__self__, *args[:2])
        result = super().call(__context, __obj, *args, **kwargs)
        return _check_result(result, f"the result of {getattr(__obj, '__name__', 'a call')}()")

    def wrap_str_format(self, value: Any):
        # Jinja swaps `str.format` / `format_map` for a sandboxed formatter when the attribute is
        # read (so also when it is called without call()). Same test and behaviour as Jinja's own,
        # with a formatter that sizes each field before building it.
        if super().wrap_str_format(value) is None:
            return None
        layout: str = value.__self__
        is_format_map = value.__name__ == "format_map"
        formatter: SandboxedFormatter = (
            _CheckedEscapeFormatter(self, escape=layout.escape) if isinstance(layout, Markup)
            else _CheckedFormatter(self))

        def checked(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs:
                    raise TypeError("format_map() takes no keyword arguments")
                if len(args) != 1:
                    raise TypeError(f"format_map() takes exactly one argument ({len(args)} given)")
                kwargs, args = args[0], ()
            _check_str_format(layout, args, kwargs)
            return type(layout)(formatter.vformat(layout, args, kwargs))

        checked = functools.update_wrapper(checked, value)
        checked._checked_format = True  # type: ignore[attr-defined]
        return checked


def _checked_filter(name: str, function):
    # Compiled templates call filters directly, not through the sandbox's call(): every filter is
    # wrapped here, its options capped, its cost foreseen where it can be, and its result sized.
    value_at = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0  # after env/context

    @functools.wraps(function)
    def checked(*args, **kwargs):
        options = args[value_at + 1:]
        if name not in _FILTERS_KEEPING_OPTIONS:
            _check_arguments(options, kwargs)
        if len(args) > value_at:
            value = args[value_at]
            if name in _STRINGIFYING_FILTERS:
                _check_text_size(value, f"a value given to |{name}")
            if name == "join":
                value = _check_join(value, options[0] if options else kwargs.get("d", ""))
                args = (*args[:value_at], value, *options)
            elif name == "replace" and len(options) >= 2:
                _check_replace(value, options[0], options[1])
            elif name == "format":
                _check_percent_format(value, kwargs or tuple(options))
            else:
                _estimate_filter(name, function, args, kwargs)
        return _check_result(function(*args, **kwargs), f"the result of |{name}")

    return checked


def _tojson(value: Any, ensure_ascii: bool = False, indent: int | str | None = None,
            separators: tuple[str, str] | None = None, sort_keys: bool = False) -> str:
    # As Transformers renders chat templates: no HTML escaping, UTF-8 kept. Indent and separators
    # are repeated for every item, so they stay short.
    if indent is not None and (isinstance(indent, bool) or not isinstance(indent, (int, str)) or
                               (len(indent) if isinstance(indent, str) else indent) > MAX_JSON_INDENT):
        raise SecurityError(f"tojson with an indent over {MAX_JSON_INDENT}")
    if separators is not None and (not isinstance(separators, (tuple, list)) or
                                   sum(len(str(part)) for part in separators) > 2 * MAX_JSON_INDENT):
        raise SecurityError("tojson with long separators")
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def _finalize(value: Any) -> Any:
    # `{{ value }}` turns a list or dict into text: size it first (one long text listed many times).
    _check_text_size(value, "a printed value")
    return value


def _raise_exception(message: str) -> None:
    raise TemplateRefused(f"the chat template refuses these messages: {message}")


def _strftime_now(layout: str) -> str:
    return datetime.now().strftime(layout)


#: Calls that keep their arguments (or raise with them) rather than repeat them: no length cap.
_KEEPS_ARGUMENTS = (_LimitedNamespace, dict, _raise_exception, _limited_range)  # range: its own budget


class ChatTemplate:
    """One compiled template. `render(messages)` gives the prompt text, or raises TemplateRefused."""

    def __init__(self, source: str, *, bos_token: str = "", eos_token: str = ""):
        if len(source) > MAX_TEMPLATE_CHARS:
            raise TemplateRefused(f"the chat template is {len(source):,} characters long, which no real template is",
                                  hostile=True)
        environment = _Sandbox(
            loader=jinja2.DictLoader({}),  # include/import/extends find nothing: no file is read
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=[_IgnoreGenerationTags, "jinja2.ext.loopcontrols"],
            finalize=_finalize,
        )
        environment.filters["tojson"] = _tojson
        environment.filters = {name: _checked_filter(name, function)
                               for name, function in environment.filters.items() if name in ALLOWED_FILTERS}
        environment.globals.update(namespace=_LimitedNamespace, range=_limited_range)
        environment.globals.pop("lipsum", None)  # pages of filler text: no template needs it
        self.bos_token, self.eos_token = bos_token, eos_token
        try:
            self._template = environment.from_string(source)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateRefused(f"the chat template is not valid Jinja (line {exc.lineno}: {exc.message})") from None
        except (MemoryError, RecursionError):
            raise TemplateRefused("the chat template is too deeply nested to compile", hostile=True) from None

    def render(self, messages: Sequence[dict], *, add_generation_prompt: bool = True) -> str:
        messages = [dict(message) for message in messages]
        budget = OUTPUT_FACTOR * sum(len(str(m.get("content", ""))) for m in messages) + OUTPUT_ALLOWANCE_CHARS
        pieces: list[str] = []
        produced = 0
        _budget.range_items = 0
        try:
            for piece in self._template.generate(
                messages=messages, bos_token=self.bos_token, eos_token=self.eos_token,
                add_generation_prompt=add_generation_prompt, raise_exception=_raise_exception,
                strftime_now=_strftime_now, tools=None, functions=None, tool_choice=None, function_call=None,
            ):
                produced += len(piece)
                if produced > budget:
                    raise SecurityError(f"a prompt over {budget:,} characters for {len(messages)} messages")
                pieces.append(piece)
        except TemplateRefused:
            raise
        except SecurityError as exc:
            raise TemplateRefused(f"the chat template tried something a template may not do: {exc}",
                                  hostile=True) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateRefused(f"the chat template tried to read another template or a file ({exc.name}), "
                                  "which a template may not do", hostile=True) from None
        except (MemoryError, RecursionError, OverflowError) as exc:
            raise TemplateRefused(f"the chat template ran out of room ({type(exc).__name__})", hostile=True) from None
        except Exception as exc:  # noqa: BLE001 - any template bug is the template's problem
            raise TemplateRefused(f"the chat template failed: {exc}") from None
        return "".join(pieces)


#: The message shapes Matome sends: a probe that renders them all proves the template usable.
PROBE_MESSAGES = (
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Summarize: x"}],
    [{"role": "user", "content": "Question?"}],
)


def probe(source: str, *, bos_token: str = "", eos_token: str = "") -> ChatTemplate:
    """Compile `source` and render the message shapes Matome uses; raises TemplateRefused."""
    template = ChatTemplate(source, bos_token=bos_token, eos_token=eos_token)
    for messages in PROBE_MESSAGES:
        template.render(messages)
    return template
