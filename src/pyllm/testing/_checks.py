"""Checks on scripted replies, run when a reply is made: a mistake is a ``TypeError`` (or
``ValueError``) at the line that scripted it, never a crash inside the server that a retry
papers over.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = [
    "check_reply_fields",
    "check_tool_call_fields",
    "mappings_tuple",
    "tool_calls_tuple",
    "urls_tuple",
]

USAGE_CHUNKS = ("repeat", "separate", "none")
"""How the final usage arrives on a stream: repeated with the last choice, in a separate chunk
without choices, or not at all."""

_OPTIONAL_TEXT = ("text", "reasoning", "finish_reason", "model", "content_type")
_COUNTS = ("keepalives", "error_after", "stall_after")
_SECONDS = ("delay", "chunk_delay", "stall")


def _named(value: Any) -> str:
    return f"{value!r:.60} ({type(value).__name__})"


def check_tool_call_fields(name: Any, arguments: Any, call_id: Any) -> None:
    """The fields of a ``ToolCallSpec``."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"a ToolCallSpec name must be a non-empty string, got {_named(name)}")
    if not isinstance(arguments, (Mapping, str)):
        raise TypeError(
            f"the arguments of tool call {name!r} must be a dict or a JSON string, "
            f"got {_named(arguments)}"
        )
    if isinstance(arguments, Mapping):
        try:
            json.dumps(dict(arguments))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"the arguments of tool call {name!r} must be JSON: {exc}") from None
    if call_id is not None and not isinstance(call_id, str):
        raise TypeError(f"the id of tool call {name!r} must be a string, got {_named(call_id)}")


def tool_calls_tuple(calls: Any, spec_type: type) -> tuple[Any, ...]:
    """``calls`` as a tuple of ``ToolCallSpec``, or a ``TypeError`` showing how to write one."""
    if isinstance(calls, (str, bytes, Mapping)) or not hasattr(calls, "__iter__"):
        raise TypeError(f"tool_calls must be a list of ToolCallSpec, got {_named(calls)}")
    items: tuple[Any, ...] = tuple(calls)
    for call in items:
        if not isinstance(call, spec_type):
            raise TypeError(
                f"tool_calls must hold pyllm.testing.ToolCallSpec values, got {_named(call)}; "
                "write e.g. ToolCallSpec('weather', {'city': 'Oslo'})"
            )
    return items


def urls_tuple(images: Any) -> tuple[str, ...]:
    """``images`` as a tuple of URL strings."""
    if isinstance(images, str) or not all(isinstance(url, str) for url in images):
        raise TypeError(f"images must be a list of data: or https: URLs, got {_named(images)}")
    return tuple(images)


def mappings_tuple(name: str, items: Any) -> tuple[Mapping[str, Any], ...]:
    """``items`` as a tuple of dicts (JSON objects), or a ``TypeError`` naming ``name``."""
    if isinstance(items, (str, bytes, Mapping)) or not hasattr(items, "__iter__"):
        raise TypeError(f"{name} must be a list of dicts, got {_named(items)}")
    checked: tuple[Any, ...] = tuple(items)
    for item in checked:
        if not isinstance(item, Mapping):
            raise TypeError(f"{name} must hold dicts, got {_named(item)}")
    return checked


def check_reply_fields(fields: Mapping[str, Any]) -> None:
    """Every field of a ``Reply`` (given as a mapping of name to value)."""
    for name in _OPTIONAL_TEXT:
        if fields[name] is not None and not isinstance(fields[name], str):
            raise TypeError(f"{name} must be a string or None, got {_named(fields[name])}")
    if not isinstance(fields["upstream"], str):
        raise TypeError(f"upstream must be a string, got {_named(fields['upstream'])}")
    _check_ints(fields)
    for name in _SECONDS:
        value = fields[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"{name} must be a number of seconds >= 0, got {value!r}")
    for name in ("usage", "stream_error", "headers", "error"):
        value = fields[name]
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(f"{name} must be a dict, got {_named(value)}")
    if fields["body"] is not None and not isinstance(fields["body"], (bytes, str, Mapping, list)):
        raise TypeError(f"body must be bytes, a str or a dict, got {_named(fields['body'])}")
    usage_chunk = fields["usage_chunk"]
    if usage_chunk not in USAGE_CHUNKS:
        raise ValueError(f"usage_chunk must be one of {USAGE_CHUNKS}, got {usage_chunk!r}")
    drop = fields["drop"]
    if drop is not None and drop != "before_headers" and not _is_count(drop):
        raise ValueError(f"drop must be 'before_headers' or a number of events, got {drop!r}")


def _check_ints(fields: Mapping[str, Any]) -> None:
    status = fields["status"]
    if not _is_count(status) or not 100 <= status <= 599:
        raise ValueError(f"status must be an HTTP status from 100 to 599, got {status!r}")
    for name in _COUNTS:
        if not _is_count(fields[name]):
            raise ValueError(f"{name} must be a whole number >= 0, got {fields[name]!r}")
    for name in ("chunks", "write_size"):
        value = fields[name]
        if value is not None and (not _is_count(value) or value < 1):
            raise ValueError(f"{name} must be a whole number >= 1 or None, got {value!r}")
    if not _is_count(fields["repeat"]) or fields["repeat"] < 1:
        raise ValueError(f"repeat must be a whole number >= 1, got {fields['repeat']!r}")


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
