"""Reading JSON that is still arriving: the value a prefix of a JSON text shows so far. Pure.

Structured output streams its JSON a few characters at a time; :func:`parse_partial` gives the
value those characters already describe, closing what is still open:

>>> parse_partial('{"name": "Ada Love')
{'name': 'Ada Love'}
>>> parse_partial('{"name": "Ada", "known_for": ["the first prog')
{'name': 'Ada', 'known_for': ['the first prog']}
>>> parse_partial('{"name": "Ada", "bor')
{'name': 'Ada'}

What it keeps and drops (the limits of a value that is not there yet):

- a string cut short is kept as far as it goes (a cut escape sequence is left out);
- a number, ``true``, ``false`` or ``null`` is kept only once something follows it (``12`` may
  still become ``123``), and an object key only once its value has started;
- anything that is not JSON (prose before the object, a stray character) ends the reading
  there: what came before it is the answer; nothing readable yet gives ``None``.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["parse_partial"]

_NOTHING: Any = object()
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}
_WHITESPACE = " \t\n\r"
_AFTER_NUMBER = frozenset(_WHITESPACE + ",]}")
_MAX_DEPTH = 200


class _Cut(Exception):
    """The text ends (or stops being JSON) inside a value; ``partial`` is what it shows."""

    def __init__(self, partial: Any = _NOTHING) -> None:
        super().__init__()
        self.partial = partial


def parse_partial(text: str) -> Any:
    """The value the JSON text so far describes (see the module docstring), or ``None``.

    >>> parse_partial('[1, 2, {"a": tr'), parse_partial('{"b": [true, nul'), parse_partial("")
    ([1, 2, {}], {'b': [True]}, None)
    """
    try:
        return _value(text, 0, 0)[0]
    except _Cut as cut:
        return None if cut.partial is _NOTHING else cut.partial


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    if index >= len(text):
        raise _Cut()
    return index


def _value(text: str, index: int, depth: int) -> tuple[Any, int]:
    index = _skip(text, index)
    first = text[index]
    if depth > _MAX_DEPTH:
        raise _Cut()
    if first == "{":
        return _object(text, index + 1, depth + 1)
    if first == "[":
        return _array(text, index + 1, depth + 1)
    if first == '"':
        return _string(text, index + 1)
    number = _NUMBER.match(text, index)
    if number:
        end = number.end()
        if end == len(text) or text[end] not in _AFTER_NUMBER:
            raise _Cut()  # it may go on ("12", "1.", "1e")
        return json.loads(number.group()), end
    for word, value in _LITERALS.items():
        if text.startswith(word, index):
            return value, index + len(word)
    raise _Cut()  # the start of a literal, or not JSON: either way, nothing to show


def _string(text: str, index: int) -> tuple[str, int]:
    """A string whose opening quote is before ``index``; a cut one is kept as far as it goes."""
    end, escape = index, -1
    while end < len(text):
        char = text[end]
        if char == '"':
            try:
                return json.loads(text[index - 1 : end + 1]), end + 1
            except ValueError:  # a control character or a bad escape: not JSON
                raise _Cut() from None
        if char == "\\":
            escape = end
            end += 6 if text[end + 1 : end + 2] == "u" else 2
        else:
            end += 1
    body = text[index : escape if end > len(text) else len(text)]  # without a cut escape
    try:
        raise _Cut(json.loads(f'"{body}"'))
    except ValueError:  # a control character or a bad escape: not JSON
        raise _Cut() from None


def _object(text: str, index: int, depth: int) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    try:
        index = _skip(text, index)
        if text[index] == "}":
            return result, index + 1
        while True:
            index = _skip(text, index)
            if text[index] != '"':
                raise _Cut()
            key, index = _string(text, index + 1)
            index = _skip(text, index)
            if text[index] != ":":
                raise _Cut()
            try:
                result[key], index = _value(text, index + 1, depth)
            except _Cut as cut:
                if cut.partial is not _NOTHING:
                    result[key] = cut.partial
                raise
            index = _skip(text, index)
            if text[index] == "}":
                return result, index + 1
            if text[index] != ",":
                raise _Cut()
            index += 1
    except _Cut:
        raise _Cut(result) from None


def _array(text: str, index: int, depth: int) -> tuple[list[Any], int]:
    result: list[Any] = []
    try:
        index = _skip(text, index)
        if text[index] == "]":
            return result, index + 1
        while True:
            try:
                item, index = _value(text, index, depth)
            except _Cut as cut:
                if cut.partial is not _NOTHING:
                    result.append(cut.partial)
                raise
            result.append(item)
            index = _skip(text, index)
            if text[index] == "]":
                return result, index + 1
            if text[index] != ",":
                raise _Cut()
            index += 1
    except _Cut:
        raise _Cut(result) from None
