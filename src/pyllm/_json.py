"""The one reader of JSON that comes from outside pyllm: response and error bodies, stream
events, tool arguments, structured output, the model cache. Pure.

:func:`loads` gives the values and errors of :func:`json.loads`, with one difference: JSON
nested deeper than Python can recurse raises :class:`JSONNestingError`, a ``ValueError``, instead
of a bare ``RecursionError``. Every caller already turns a ``ValueError`` into its typed outcome
(:class:`~pyllm.InvalidResponseError` for a body or an event, ``arguments_error`` for tool
arguments, a warning and the bundled snapshot for the cache), so hostile nesting lands there too.

>>> loads('{"a": [1, 2.5, null]}'), loads(' 7 ')
({'a': [1, 2.5, None]}, 7)
>>> loads("[" * 100_000)
Traceback (most recent call last):
...
pyllm._json.JSONNestingError: JSON nested too deeply to read
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["JSONNestingError", "loads", "parse_tool_arguments"]


class JSONNestingError(ValueError):
    """JSON nested too deeply to read (``msg`` is the reason, as on ``json.JSONDecodeError``)."""

    msg = "nested too deeply to read"

    def __init__(self) -> None:
        super().__init__(f"JSON {self.msg}")


# The C scanner json.loads runs (an instance attribute of JSONDecoder that typeshed omits).
_scan_once: Callable[[str, int], tuple[Any, int]] = vars(json.JSONDecoder())["scan_once"]


def loads(data: str | bytes) -> Any:
    """``json.loads(data)``; :class:`JSONNestingError` instead of ``RecursionError``.

    A ``str`` with no surrounding whitespace skips ``json.loads``'s per-call overhead (~1.3 us,
    it matters once per streamed event): the C scanner behind it is called directly. Anything
    else (bytes, whitespace, a BOM, bad JSON) goes through ``json.loads``: same values, same
    errors.
    """
    try:
        if type(data) is str:
            try:
                value, end = _scan_once(data, 0)
            except (StopIteration, ValueError):
                return json.loads(data)
            return value if end == len(data) else json.loads(data)
        return json.loads(data)
    except RecursionError:
        raise JSONNestingError() from None


def parse_tool_arguments(raw: str) -> tuple[dict[str, Any], str | None]:
    """Arguments string -> (object, error). Empty means no arguments.

    >>> parse_tool_arguments('{"city": "Berlin"}')
    ({'city': 'Berlin'}, None)
    >>> parse_tool_arguments('{"city": ')[1]
    'arguments are not valid JSON: Expecting value at position 9'
    """
    if not raw.strip():
        return {}, None
    try:
        value = loads(raw)
    except ValueError as exc:
        reason = getattr(exc, "msg", str(exc))
        position = getattr(exc, "pos", None)
        where = f" at position {position}" if position is not None else ""
        return {}, f"arguments are not valid JSON: {reason}{where}"
    if not isinstance(value, dict):
        return {}, f"arguments must be a JSON object, got {type(value).__name__}"
    return value, None
