"""Anthropic Messages content blocks as pyllm values, and back: what the blocking parser, the
stream reader and the renderer of :mod:`pyllm.protocols.anthropic` share. Pure.

Thinking blocks become ``reasoning_details`` entries in OpenRouter's shape (``reasoning.text``
with its ``signature``, ``reasoning.encrypted`` for ``redacted_thinking``), marked with the
``format`` OpenRouter gives Claude's reasoning. So a conversation can move between Anthropic and
OpenRouter (which passes them on to Claude) with its signatures intact, and every other
provider leaves them out.

>>> detail = thinking_detail({"type": "thinking", "thinking": "5 + 3 = 8", "signature": "Eq"}, 0)
>>> detail["type"], detail["format"], detail["signature"]
('reasoning.text', 'anthropic-claude-v1', 'Eq')
>>> render_thinking(detail)
{'type': 'thinking', 'thinking': '5 + 3 = 8', 'signature': 'Eq'}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..citation import Citation
from ..message import Usage
from .base import as_int

__all__ = [
    "STOP_REASONS",
    "STRUCTURED_TOOL",
    "THINKING_FORMAT",
    "citation",
    "finish_reason",
    "parse_usage",
    "raw_arguments",
    "render_thinking",
    "thinking_detail",
]

THINKING_FORMAT = "anthropic-claude-v1"
"""The ``format`` of Claude's reasoning details (OpenRouter's name for it)."""

STRUCTURED_TOOL = "pyllm_structured_output"
"""The tool a model without native structured output is made to call with its answer."""

STOP_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}
"""Anthropic's ``stop_reason`` -> pyllm's ``finish_reason``; any other (``pause_turn``,
``model_context_window_exceeded``...) is kept as is."""


def finish_reason(stop_reason: Any, *, structured_only: bool = False) -> str | None:
    """``finish_reason`` for a ``stop_reason``; a ``tool_use`` stop whose only call was the
    structured-output tool is an answer (``"stop"``).

    >>> finish_reason("end_turn"), finish_reason("pause_turn"), finish_reason(None)
    ('stop', 'pause_turn', None)
    """
    if not isinstance(stop_reason, str):
        return None
    if structured_only and stop_reason == "tool_use":
        return "stop"
    return STOP_REASONS.get(stop_reason, stop_reason)


def raw_arguments(arguments: Any) -> str:
    """A tool call's input as the JSON text a stream of it would spell (``{}`` when empty)."""
    if not isinstance(arguments, Mapping):
        return "{}"
    return json.dumps(dict(arguments), ensure_ascii=False)


def thinking_detail(block: Mapping[str, Any], index: int) -> dict[str, Any] | None:
    """A ``thinking`` / ``redacted_thinking`` block as a reasoning detail (``None`` for any
    other block)."""
    kind = block.get("type")
    if kind == "thinking":
        text = block.get("thinking")
        detail: dict[str, Any] = {
            "type": "reasoning.text",
            "text": text if isinstance(text, str) else "",
            "format": THINKING_FORMAT,
            "index": index,
        }
        signature = block.get("signature")
        if isinstance(signature, str) and signature:
            detail["signature"] = signature
        return detail
    if kind == "redacted_thinking":
        data = block.get("data")
        return {
            "type": "reasoning.encrypted",
            "data": data if isinstance(data, str) else "",
            "format": THINKING_FORMAT,
            "index": index,
        }
    return None


def render_thinking(detail: Mapping[str, Any]) -> dict[str, Any] | None:
    """A reasoning detail as the block Anthropic accepts back, or ``None`` when it cannot go:
    another provider's format, or thinking without its signature (Anthropic refuses both)."""
    if detail.get("format") != THINKING_FORMAT:
        return None
    kind = detail.get("type")
    if kind == "reasoning.text":
        signature, text = detail.get("signature"), detail.get("text")
        if not isinstance(signature, str) or not signature:
            return None
        return {
            "type": "thinking",
            "thinking": text if isinstance(text, str) else "",
            "signature": signature,
        }
    if kind == "reasoning.encrypted" and isinstance(detail.get("data"), str):
        return {"type": "redacted_thinking", "data": detail["data"]}
    return None


def parse_usage(data: Any) -> Usage | None:
    """Anthropic's ``usage`` (cache writes and reads are part of the prompt; thinking tokens
    are part of the output; ``server_tool_use.web_search_requests`` counts the searches).

    >>> u = parse_usage({"input_tokens": 10, "cache_creation_input_tokens": 7351,
    ...                  "output_tokens": 4})
    >>> u.input_tokens, u.cache_write_tokens, u.cached_tokens, u.output_tokens
    (7361, 7351, 0, 4)
    """
    if not isinstance(data, Mapping):
        return None
    written = as_int(data.get("cache_creation_input_tokens"))
    read = as_int(data.get("cache_read_input_tokens"))
    details = data.get("output_tokens_details")
    thinking = details.get("thinking_tokens") if isinstance(details, Mapping) else None
    server_tools = data.get("server_tool_use")
    searches = server_tools.get("web_search_requests") if isinstance(server_tools, Mapping) else 0
    return Usage(
        input_tokens=as_int(data.get("input_tokens")) + written + read,
        output_tokens=as_int(data.get("output_tokens")),
        cached_tokens=read,
        cache_write_tokens=written,
        reasoning_tokens=as_int(thinking),
        web_search_requests=as_int(searches),
        raw=data,
    )


def citation(cited: Any, start: int, end: int) -> Citation | None:
    """A text block's ``web_search_result_location`` citation as a :class:`~pyllm.Citation`
    of the span ``start``-``end`` of the answer (the block's text); the words of the page it
    quotes (``cited_text``) are its ``content``. Other citations (of documents) are ``None``.

    >>> citation({"type": "web_search_result_location", "url": "https://ruby-lang.org",
    ...           "title": "Ruby", "cited_text": "4.0.6 is current."}, 0, 12).url
    'https://ruby-lang.org'
    """
    if not isinstance(cited, Mapping) or cited.get("type") != "web_search_result_location":
        return None
    url, title, quoted = cited.get("url"), cited.get("title"), cited.get("cited_text")
    if not isinstance(url, str) or not url:
        return None
    return Citation(
        url=url,
        title=title if isinstance(title, str) else None,
        content=quoted if isinstance(quoted, str) else None,
        start=start,
        end=end,
    )
