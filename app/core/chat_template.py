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
    joining (`*`, `+`, `~`, `join`, `replace`, formatting), powers, large numbers passed to any
    call or filter, `range` items per render, the size of values kept in a `namespace` across
    loop iterations, and the length of the rendered prompt.

A template that fails raises TemplateRefused, with a message saying what it tried. One that
broke a rule (`hostile`) gets its model file refused; one that merely fails (a syntax error, a
layout it refuses on purpose) leaves the model usable with the engine's plain prompt layout.
Before a model is installed or loaded, app/core/models/isolation.py also renders its templates
in a child process with a memory and time limit, which catches a template that explodes in
some way these limits do not foresee.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from datetime import datetime
from typing import Any, Sequence

import jinja2
from jinja2.compiler import CodeGenerator
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Namespace

#: Real chat templates are a few KB; even long tool-use ones stay far below this.
MAX_TEMPLATE_CHARS = 256 * 1024
#: Any string or list a template builds (a repetition, a join, a namespace value).
MAX_VALUE_CHARS = 4 * 1024 * 1024
#: Numbers passed to a call or filter (a width, a count); `range` has its own budget.
MAX_ARGUMENT = 100_000
#: `range` items across one render (Jinja's own limit is per call, so nested loops multiply).
MAX_RANGE_ITEMS = 1_000_000
#: The rendered prompt may be this much longer than the messages it lays out.
OUTPUT_ALLOWANCE_CHARS = 256 * 1024
OUTPUT_FACTOR = 4
#: String methods no chat template needs and whose output size a check can't foresee.
_REFUSED_METHODS = {"expandtabs", "translate", "maketrans"}
_NUMBER = re.compile(r"\d+")


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


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else None


def _check_size(size: int, what: str) -> None:
    if size > MAX_VALUE_CHARS:
        raise SecurityError(f"{what} of {size:,} characters or items")


def _check_arguments(args: Sequence[Any], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ARGUMENT:
            raise SecurityError(f"a call with the number {value:,}")


def _check_join(items: Sequence[Any], separator: Any = "") -> list:
    items = list(items)
    _check_size(sum(len(str(item)) for item in items) + len(items) * len(str(separator)), "a joined text")
    return items


def _check_replace(text: Any, old: Any = "", new: Any = "") -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        hits = len(text) + 1 if old == "" else text.count(old)
        _check_size(len(text) + hits * max(0, len(new) - len(old)), "a replaced text")


def _check_format(layout: Any, values: Any) -> None:
    """`'{}{}'.format(x)`, `'%s' % x`, `|format`: each field may repeat the longest value."""
    if not isinstance(layout, str):
        return
    if not isinstance(values, (list, tuple)):
        values = [values]
    values = [v for value in values for v in (value.values() if isinstance(value, dict) else [value])]
    _check_arguments(values, {})  # `%*s` takes its width from the values
    fields = layout.count("{") + layout.count("%")
    # Any number in the text may be a width; a seven-digit one is already too wide.
    widths = [int(number) if len(number) < 7 else 10**7 for number in _NUMBER.findall(layout)]
    longest = max((len(str(value)) for value in values), default=0)
    _check_size(len(layout) + fields * (longest + max(widths, default=0)), "a formatted text")


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
            _check_format(left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        method = getattr(__obj, "__name__", None) if isinstance(getattr(__obj, "__self__", None), str) else None
        if method in _REFUSED_METHODS:
            raise SecurityError(f"the string method {method}()")
        if __obj is not _limited_range:
            _check_arguments(args, kwargs)
        if method == "join" and args:
            args = (_check_join(args[0], __obj.__self__), *args[1:])
        elif method == "replace":
            _check_replace(__obj.__self__, *args[:2])
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any):
        # Jinja swaps `str.format` for its own sandboxed formatter when the attribute is read.
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None

        def checked(*args, **kwargs):
            _check_format(value.__self__, [*args, *kwargs.values()])
            return wrapped(*args, **kwargs)

        return checked


def _checked_filter(name: str, function):
    # Compiled templates call filters directly, not through the sandbox's call().
    value_at = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0  # after env/context

    @functools.wraps(function)
    def checked(*args, **kwargs):
        options = args[value_at + 1:]
        _check_arguments(options, kwargs)
        if len(args) > value_at:
            value = args[value_at]
            if name == "join":
                value = _check_join(value, options[0] if options else kwargs.get("d", ""))
                args = (*args[:value_at], value, *options)
            elif name == "replace" and len(options) >= 2:
                _check_replace(value, options[0], options[1])
            elif name == "format":
                _check_format(value, [*options, *kwargs.values()])
        return function(*args, **kwargs)

    return checked


def _tojson(value: Any, ensure_ascii: bool = False, indent: int | None = None,
            separators: tuple[str, str] | None = None, sort_keys: bool = False) -> str:
    # As Transformers renders chat templates: no HTML escaping, UTF-8 kept.
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def _raise_exception(message: str) -> None:
    raise TemplateRefused(f"the chat template refuses these messages: {message}")


def _strftime_now(layout: str) -> str:
    return datetime.now().strftime(layout)


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
        )
        environment.filters["tojson"] = _tojson
        for name, function in list(environment.filters.items()):
            environment.filters[name] = _checked_filter(name, function)
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
