"""The limits of the chat-template sandbox, and the checks that size a value before it is built.

app/core/chat_template.py renders a model's untrusted chat template in a Jinja sandbox; this
module holds what that sandbox measures against: the limits (MAX_VALUE_CHARS, MAX_ARGUMENT,
ALLOWED_FILTERS, ...) and the helpers that foresee a result's size without building it (a
value's length as text, joins, replacements, every `%` / `|format` / `str.format` field at its
worst case, `indent` and `wordwrap` from their options), capping arguments and sizing results.
A check that fails raises jinja2's SecurityError, which ChatTemplate turns into TemplateRefused.
"""

from __future__ import annotations

import inspect
import re
import string
from typing import Any, Sequence

from jinja2.sandbox import SandboxedEscapeFormatter, SandboxedFormatter, SecurityError
from jinja2.utils import Namespace
from markupsafe import Markup


#: Real chat templates are a few KB; even long tool-use ones stay far below this.
MAX_TEMPLATE_CHARS = 256 * 1024
#: Any string or list a template builds (a repetition, a join, a namespace value).
MAX_VALUE_CHARS = 4 * 1024 * 1024
#: Numbers passed to a call or filter (a width, a count); `range` has its own budget. Also the
#: length of a text or list passed as an option (a separator, an indent, a wrap string), except
#: to the calls that only keep their arguments or check them themselves (chat_template._KEEPS_ARGUMENTS).
MAX_ARGUMENT = 100_000
#: `tojson`'s indent and separators: real templates use 2 or 4 and ", " / ": ".
MAX_JSON_INDENT = 8
#: `range` items across one render (Jinja's own limit is per call, so nested loops multiply).
MAX_RANGE_ITEMS = 1_000_000
#: The rendered prompt may be this much longer than the messages it lays out.
OUTPUT_ALLOWANCE_CHARS = 256 * 1024
OUTPUT_FACTOR = 4
#: String methods no chat template needs and whose output size a check can't foresee.
_REFUSED_METHODS = {"expandtabs", "translate", "maketrans"}
_NUMBER = re.compile(r"\d+")
#: The filters chat templates use (plus harmless relatives). Others (pprint, urlize, xmlattr,
#: center, batch, slice, filesizeformat, random, urlencode, ...) are left out: a template
#: naming one fails to compile, and its model is used with the plain prompt layout.
ALLOWED_FILTERS = frozenset({
    "abs", "attr", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "first", "float",
    "forceescape", "format", "groupby", "indent", "int", "items", "join", "last", "length", "list", "lower",
    "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select",
    "selectattr", "sort", "string", "striptags", "sum", "title", "tojson", "trim", "truncate", "unique",
    "upper", "wordcount", "wordwrap",
})
#: Filters that turn their value into text: a list of many references to one long text would
#: become a huge text, so the value's size as text is estimated first.
_STRINGIFYING_FILTERS = frozenset({
    "capitalize", "e", "escape", "forceescape", "format", "indent", "lower", "replace", "safe", "string",
    "striptags", "title", "tojson", "trim", "truncate", "upper", "wordcount", "wordwrap",
})
#: Filters whose options are kept or checked as a whole (format's widths included): not capped.
_FILTERS_KEEPING_OPTIONS = frozenset({"d", "default", "format", "join", "replace"})
_JINJA_CALL_KEYWORDS = frozenset({"_loop_vars", "_block_vars"})
#: Line breaks `str.splitlines()` (so `indent` and `wordwrap`) splits on.
_LINE_BREAKS = ("\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
#: printf-style conversion specs: %(key)flags width .precision length-modifier conversion.
_PRINTF_SPEC = re.compile(r"%(?:\((?P<key>[^()]*)\))?[-+ #0]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d*))?[hlL]?"
                          r"(?P<type>.)?", re.DOTALL)
#: str.format specs: [[fill]align][sign][z][#][0][width][grouping][.precision][type].
_FORMAT_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d+))?[a-zA-Z%]?",
                          re.DOTALL)
#: Escaping (a Markup layout) or repr() can make a text this many times longer.
_ESCAPE_FACTOR = 6
_REPR_FACTOR = 10


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, bytes, list, tuple, dict)) else None


def _check_size(size: int, what: str) -> None:
    if size > MAX_VALUE_CHARS:
        raise SecurityError(f"{what} of {size:,} characters or items")


def _text_size(value: Any, limit: int = MAX_VALUE_CHARS) -> int:
    """About how long `str(value)` (or its JSON) is, without building it; stops once past `limit`.

    Exact for texts; for lists and dicts the sum of their parts, so a list holding one long text
    many times counts that text each time."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if value is None or isinstance(value, (bool, float)):
        return 24
    if isinstance(value, int):
        return value.bit_length() // 3 + 2
    if isinstance(value, Namespace):
        value = getattr(value, "_Namespace__attrs", {})
    if isinstance(value, dict):
        parts: Any = (part for item in value.items() for part in item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        parts = value
    else:
        return 100  # a cycler, a loop, an Undefined...: a short repr
    total = 2
    stack = [iter(parts)]
    while stack:  # not recursive: a deeply nested list must not overflow the stack here
        for part in stack[-1]:
            if isinstance(part, (list, tuple, set, frozenset, dict, Namespace)):
                total += 4
                if isinstance(part, Namespace):
                    part = getattr(part, "_Namespace__attrs", {})
                stack.append(iter((p for item in part.items() for p in item) if isinstance(part, dict) else part))
                break
            total += _text_size(part) + 4  # quotes and a separator
            if total > limit:
                return total
        else:
            stack.pop()
        if total > limit:
            return total
    return total


def _check_text_size(value: Any, what: str) -> None:
    if not isinstance(value, str):
        _check_size(_text_size(value), what)


def _check_arguments(args: Sequence[Any], kwargs: dict[str, Any]) -> None:
    """Refuse numbers beyond MAX_ARGUMENT, and texts, lists and dicts longer than that."""
    # Jinja passes the loop's and block's variables along as `_loop_vars` / `_block_vars`.
    for value in (*args, *(value for key, value in kwargs.items() if key not in _JINJA_CALL_KEYWORDS)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ARGUMENT:
            raise SecurityError(f"a call with the number {value:,}")
        if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)) and \
                _text_size(value, MAX_ARGUMENT) > MAX_ARGUMENT:
            raise SecurityError(f"a call with an argument of over {MAX_ARGUMENT:,} characters or items")


def _check_result(result: Any, what: str) -> Any:
    size = _size(result)
    if size is not None:
        _check_size(size, what)
    return result


def _check_join(items: Any, separator: Any = "") -> list:
    items = list(items)
    size = 0
    for item in items:
        size += _text_size(item)
        _check_size(size, "a joined text")
    _check_size(size + len(items) * _text_size(separator), "a joined text")
    return items


def _check_replace(text: Any, old: Any = "", new: Any = "") -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        hits = len(text) + 1 if old == "" else text.count(old)
        _check_size(len(text) + hits * max(0, len(new) - len(old)), "a replaced text")


def _number(digits: str | None) -> int:
    # A width of ten digits or more is far too wide anyway (and int() of 5,000 digits raises).
    return 0 if not digits else int(digits) if len(digits) < 10 else 10**10


def _field_size(value: Any, width: int, precision: int | None, conversion: str | None) -> int:
    """The worst-case length of one formatted field."""
    size = _text_size(value)
    if conversion in ("r", "a"):
        size = size * _REPR_FACTOR + 2
    if isinstance(value, str) and conversion not in ("r", "a"):
        if precision is not None:
            size = min(size, precision)
    elif isinstance(value, (int, float)):
        size = size * 2 + (precision or 0) + 320  # digit grouping, 1e300 written out, decimals
    else:
        size += precision or 0
    return max(size, width)


def _check_percent_format(layout: Any, values: Any) -> None:
    """`layout % values` and `|format`: every field counted at its worst case (the widest width,
    literal or taken from the values by `*`, and the longest value), before anything is built."""
    if not isinstance(layout, str):
        return
    candidates = list(values) if isinstance(values, tuple) else [values]
    if isinstance(values, dict):
        candidates += list(values.values())
    numbers = [abs(v) for v in candidates if isinstance(v, int) and not isinstance(v, bool)]
    largest_number = min(max(numbers, default=0), 10**10)
    longest = max((_text_size(v) for v in candidates), default=0)
    factor = _ESCAPE_FACTOR if isinstance(layout, Markup) else 1
    total = len(layout)
    for spec in _PRINTF_SPEC.finditer(layout):
        if spec.group(0) == "%%":
            continue
        width = largest_number if spec["width"] == "*" else _number(spec["width"])
        precision = largest_number if spec["precision"] == "*" else _number(spec["precision"])
        value = longest * (_REPR_FACTOR if spec["type"] in ("r", "a") else 1) + 320 + precision
        total += max(width, value) * factor
        _check_size(total, "a formatted text")


def _check_str_format(layout: str, args: Sequence[Any], kwargs: Any) -> None:
    """`str.format` foreseen before anything is built: every field (nested ones in a spec too) at
    its worst case. _CheckedFormatter then checks each field as it is actually filled in."""
    candidates = [*args, *(kwargs.values() if isinstance(kwargs, dict) else [kwargs])]
    numbers = [abs(v) for v in candidates if isinstance(v, int) and not isinstance(v, bool)]
    largest_number = min(max(numbers, default=0), 10**10)
    longest = max((_text_size(v) for v in candidates), default=0)
    factor = _ESCAPE_FACTOR if isinstance(layout, Markup) else 1
    total = len(layout)
    pending = [layout]
    while pending:
        try:
            fields = list(string.Formatter().parse(pending.pop()))
        except ValueError:
            return  # the format call itself raises
        for _literal, field, spec, conversion in fields:
            if field is None:
                continue
            spec = spec or ""
            if "{" in spec:  # a nested field: its width or precision may be any of the values
                pending.append(spec)
                width = precision = largest_number
            else:
                match = _FORMAT_SPEC.fullmatch(spec)
                numbers_in_spec = [_number(n) for n in _NUMBER.findall(spec)]
                width = _number(match["width"]) if match else sum(numbers_in_spec)
                precision = _number(match["precision"]) if match else sum(numbers_in_spec)
            value = longest * (_REPR_FACTOR if conversion in ("r", "a") else 1) + 320 + precision
            total += max(width, value) * factor
            _check_size(total, "a formatted text")


class _CheckedFormatter(SandboxedFormatter):
    """`str.format` / `format_map`: each field's size is checked before it is built, nested
    widths (`{:{w}}`) included, since they reach format_field already filled in."""

    factor = 1

    def vformat(self, format_string, args, kwargs):
        self._produced = len(format_string)
        _check_size(self._produced, "a formatted text")
        return super().vformat(format_string, args, kwargs)

    def convert_field(self, value, conversion):
        if conversion in ("r", "a"):
            _check_size(self._produced + _field_size(value, 0, None, conversion) * self.factor, "a formatted text")
        return super().convert_field(value, conversion)

    def format_field(self, value, format_spec):
        spec = _FORMAT_SPEC.fullmatch(format_spec)
        if spec:
            size = _field_size(value, _number(spec["width"]),
                               None if spec["precision"] is None else _number(spec["precision"]), None)
        else:  # not a standard spec: count every number in it as a width
            size = _text_size(value) + len(format_spec) + sum(map(_number, _NUMBER.findall(format_spec)))
        self._produced += size * self.factor
        _check_size(self._produced, "a formatted text")
        return super().format_field(value, format_spec)


class _CheckedEscapeFormatter(_CheckedFormatter, SandboxedEscapeFormatter):
    factor = _ESCAPE_FACTOR


def _line_count(text: str) -> int:
    return sum(text.count(mark) for mark in _LINE_BREAKS) + 1


def _estimate_filter(name: str, function, args: tuple, kwargs: dict) -> None:
    """Refuse, before it runs, a filter whose result can be foreseen to be too long."""
    try:
        bound = inspect.signature(function).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return  # the filter itself raises for these arguments
    bound.apply_defaults()
    options = bound.arguments
    text = options.get("s")
    if name == "indent" and isinstance(text, str):
        width = options.get("width", 4)
        width = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        _check_size(len(text) + _line_count(text) * max(width, 0), "an indented text")
    elif name == "wordwrap" and isinstance(text, str):
        wrapstring = options.get("wrapstring")
        wrap = len(wrapstring) if isinstance(wrapstring, str) else 1
        # Every wrapped line holds at least one character, so there are at most len + paragraphs lines.
        _check_size(len(text) + (len(text) + _line_count(text)) * wrap, "a wrapped text")
    elif name == "truncate" and isinstance(text, str):
        end = options.get("end")
        _check_size(len(text) + (len(end) if isinstance(end, str) else 0), "a truncated text")
