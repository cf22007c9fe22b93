"""Lenient readers for Chat Completions bodies: anything unexpected becomes a default, never a
crash. Pure; shared by the parsers in ``chat_completions.py``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .._json import loads, parse_tool_arguments
from ..chunk import CHUNK_DEFAULTS, ToolCallDelta
from ..citation import Citation
from ..content import Attachment
from ..logprobs import TokenLogprob
from ..message import ToolCall

__all__ = [
    "CHUNK_VALUES",
    "PLAIN_DELTA_KEYS",
    "attachment_from_url",
    "dicts",
    "metadata",
    "parse_citations",
    "parse_delta_extras",
    "parse_images",
    "parse_logprobs",
    "parse_tool_calls",
    "str_or_none",
    "text",
]


def attachment_from_url(url: str) -> Attachment:
    """An ``image_url``/``file_data`` value (data URL or remote URL) as an :class:`Attachment`."""
    try:
        return Attachment.from_url(url)
    except ValueError:
        return Attachment(url=url)


def text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # content given as parts
        return "".join(
            p.get("text", "")
            for p in value
            if isinstance(p, Mapping) and isinstance(p.get("text"), str)
        )
    return ""


def str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def dicts(value: Any) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, Mapping))


def metadata(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str) and value.strip():
        try:
            parsed = loads(value)
        except ValueError:
            return {"raw": value}
        return dict(parsed) if isinstance(parsed, Mapping) else {"raw": parsed}
    return {}


def parse_tool_calls(value: Any) -> list[ToolCall]:
    calls: list[ToolCall] = []
    if not isinstance(value, list):
        return calls
    for position, item in enumerate(value):
        if not isinstance(item, Mapping):
            continue
        function = item.get("function")
        function = function if isinstance(function, Mapping) else {}
        raw_arguments = function.get("arguments")
        if isinstance(raw_arguments, Mapping):  # some hosts send an object, not a string
            raw_arguments = json.dumps(raw_arguments)
        raw = raw_arguments if isinstance(raw_arguments, str) else ""
        arguments, error = parse_tool_arguments(raw)
        calls.append(
            ToolCall(
                id=str_or_none(item.get("id")) or f"call_{position}",
                name=text(function.get("name")),
                arguments=arguments,
                raw_arguments=raw,
                arguments_error=error,
            )
        )
    return calls


CHUNK_VALUES = dict(CHUNK_DEFAULTS)  # a plain dict copies faster than the read-only view

PLAIN_DELTA_KEYS = frozenset({"role", "content"})
"""What nearly every streamed delta holds; anything more goes through parse_delta_extras."""


def parse_delta_extras(delta: Mapping[str, Any], values: dict[str, Any]) -> None:
    """Chunk fields beyond ``content`` from a delta, set only when present (falsy means default)."""
    reasoning = delta.get("reasoning") or delta.get("reasoning_content")
    if reasoning and isinstance(reasoning, str):
        values["reasoning"] = reasoning
    if details := delta.get("reasoning_details"):
        values["reasoning_details"] = dicts(details)
    if tool_calls := delta.get("tool_calls"):
        values["tool_call_deltas"] = parse_tool_deltas(tool_calls)
    if refusal := delta.get("refusal"):
        values["refusal"] = text(refusal)
    if images := delta.get("images"):
        values["images"] = tuple(parse_images(images))
    if annotations := delta.get("annotations"):
        values["annotations"] = dicts(annotations)
        values["citations"] = parse_citations(annotations)


def parse_tool_deltas(value: Any) -> tuple[ToolCallDelta, ...]:
    if not value or not isinstance(value, list):
        return ()
    deltas = []
    for item in value:
        if not isinstance(item, Mapping):
            continue
        function = item.get("function")
        function = function if isinstance(function, Mapping) else {}
        index = item.get("index")
        arguments = function.get("arguments")
        if isinstance(arguments, Mapping):
            arguments = json.dumps(arguments)
        deltas.append(
            ToolCallDelta(
                index=index if isinstance(index, int) and not isinstance(index, bool) else None,
                id=str_or_none(item.get("id")) or None,
                name=str_or_none(function.get("name")) or None,
                arguments=arguments if isinstance(arguments, str) else "",
            )
        )
    return tuple(deltas)


def parse_images(value: Any) -> list[Attachment]:
    images: list[Attachment] = []
    if not isinstance(value, list):
        return images
    for item in value:
        if not isinstance(item, Mapping):
            continue
        image_url = item.get("image_url")
        url = image_url.get("url") if isinstance(image_url, Mapping) else item.get("url")
        if isinstance(url, str) and url:
            images.append(attachment_from_url(url))
    return images


def parse_citations(annotations: Any) -> tuple[Citation, ...]:
    """The ``url_citation`` annotations of a message (or a delta) as :class:`Citation` values;
    other annotations (``file``...) and malformed ones are skipped."""
    if not isinstance(annotations, list):
        return ()
    found = []
    for item in annotations:
        if not isinstance(item, Mapping) or item.get("type") != "url_citation":
            continue
        cited = item.get("url_citation")
        cited = cited if isinstance(cited, Mapping) else item  # some hosts flatten it
        url = cited.get("url")
        if not isinstance(url, str) or not url:
            continue
        found.append(
            Citation(
                url=url,
                title=str_or_none(cited.get("title")),
                content=str_or_none(cited.get("content")),
                start=_index(cited.get("start_index")),
                end=_index(cited.get("end_index")),
            )
        )
    return tuple(found)


def parse_logprobs(value: Any) -> tuple[TokenLogprob, ...]:
    """A choice's ``logprobs`` (``{"content": [{"token", "logprob", "bytes", "top_logprobs"}]}``)
    as :class:`TokenLogprob` values; ``null`` or anything malformed gives none."""
    content = value.get("content") if isinstance(value, Mapping) else None
    if not isinstance(content, list):
        return ()
    return tuple(t for t in map(_token, content) if t is not None)


def _token(item: Any, *, nested: bool = False) -> TokenLogprob | None:
    if not isinstance(item, Mapping) or not isinstance(item.get("token"), str):
        return None
    logprob = item.get("logprob")
    if isinstance(logprob, bool) or not isinstance(logprob, (int, float)):
        return None
    raw_bytes = item.get("bytes")
    exact = (
        tuple(b for b in raw_bytes if isinstance(b, int) and not isinstance(b, bool))
        if isinstance(raw_bytes, list)
        else None
    )
    top = item.get("top_logprobs") if not nested else None
    alternatives = tuple(
        t for t in (_token(alt, nested=True) for alt in top or ()) if t is not None
    )
    return TokenLogprob(item["token"], float(logprob), exact, alternatives)


def _index(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
