"""A :class:`~pyllm.request.ChatRequest` as an Anthropic Messages payload (``POST /messages``).
Pure; :class:`pyllm.protocols.anthropic.AnthropicMessages` renders with it.

System messages become the top-level ``system`` blocks; consecutive messages of one side (the
results of a tool round, the files a tool returned) share one turn, as Anthropic requires; every
text is a block, so prompt-cache breakpoints (``cache_control``) can go on any of them.

>>> from pyllm.message import Message
>>> from pyllm.request import ChatRequest
>>> render_chat(ChatRequest("claude-haiku-4-5", (Message.system("Be terse."), Message.user("Hi"))))
... # doctest: +NORMALIZE_WHITESPACE
{'model': 'claude-haiku-4-5', 'messages': [{'role': 'user', 'content': [{'type': 'text',
'text': 'Hi'}]}], 'stream': False, 'max_tokens': 4096, 'system': [{'type': 'text',
'text': 'Be terse.'}]}
"""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError, UnsupportedError
from ._anthropic_blocks import STRUCTURED_TOOL, render_thinking
from ._anthropic_options import render_options
from .base import deep_merge
from .caching import cache_points

if TYPE_CHECKING:
    from ..content import Attachment
    from ..message import Message
    from ..request import ChatRequest, ResponseSchema, Thinking, ToolDefinition
    from .caching import CachePoints

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "EFFORT_BUDGETS",
    "MAX_CACHE_POINTS",
    "native_schema",
    "render_chat",
    "thinking_budget",
]

DEFAULT_MAX_TOKENS = 4096
"""``max_tokens`` for a model the registry does not know (every Claude model writes this many)."""

MAX_CACHE_POINTS = 4
"""Anthropic takes at most four ``cache_control`` breakpoints per request."""

MIN_THINKING_BUDGET = 1024

EFFORT_BUDGETS = {
    "minimal": 1024,
    "low": 2048,
    "medium": 8192,
    "high": 16384,
    "xhigh": 32768,
    "max": 64000,
}
"""``with_thinking(effort)`` -> ``budget_tokens`` (kept below ``max_tokens``); no effort and
no budget means ``medium``; ``"none"`` turns thinking off."""

_LEGACY_SCHEMA = re.compile(r"claude-(instant|2|3|sonnet-4-0|sonnet-4-2025|opus-4-0|opus-4-2025)")
_TOOL_ID = re.compile(r"[A-Za-z0-9_-]+")
_NOT_TOOL_ID = re.compile(r"[^A-Za-z0-9_-]")
_THINKING_BLOCKS = frozenset({"thinking", "redacted_thinking"})


def native_schema(model: str) -> bool:
    """Whether ``model`` takes ``output_config.format`` (Claude 4.1 and later); older models
    are made to answer through a tool instead.

    >>> native_schema("claude-haiku-4-5"), native_schema("claude-3-5-haiku-20241022")
    (True, False)
    """
    return _LEGACY_SCHEMA.match(model) is None


def render_chat(request: ChatRequest, provider: str = "anthropic") -> dict[str, Any]:
    """The whole payload; :class:`~pyllm.ConfigurationError` before anything is sent for more
    than four cache breakpoints or a thinking budget that cannot fit, and
    :class:`~pyllm.UnsupportedError` for an option Anthropic has no field for
    (:mod:`._anthropic_options`)."""
    points = cache_points(request, limit=MAX_CACHE_POINTS)
    control = _cache_control(points)
    max_tokens = request.max_tokens or DEFAULT_MAX_TOKENS
    payload: dict[str, Any] = {
        "model": request.model,
        "messages": _messages(request.messages, points, control),
        "stream": request.stream,
        "max_tokens": max_tokens,
    }
    system = _system(request.messages, control if points.system else None)
    if system:
        payload["system"] = system
    if request.temperature is not None:
        payload["temperature"] = request.temperature
    _tools(request, payload, control if points.tools else None)
    render_options(request, payload, provider)
    if request.thinking is not None:
        payload["thinking"] = thinking_config(request.thinking, max_tokens)
    return deep_merge(payload, request.params) if request.params else payload


def _cache_control(points: CachePoints) -> dict[str, str]:
    control = {"type": "ephemeral"}
    if points.ttl is not None:
        control["ttl"] = points.ttl
    return control


# ---- tools, structured output, thinking ------------------------------------------------------


def _tools(request: ChatRequest, payload: dict[str, Any], control: dict[str, str] | None) -> None:
    tools = [_tool(t) for t in request.tools]
    if control is not None and tools:
        tools[-1]["cache_control"] = control
    choice = _tool_choice(request.tool_choice, request.parallel_tool_calls) if tools else None
    schema = request.schema
    if schema is not None and native_schema(request.model):
        payload["output_config"] = {
            "format": {"type": "json_schema", "schema": dict(schema.schema)}
        }
    elif schema is not None:  # an older model answers by calling a tool with the answer
        tools.append(_structured_tool(schema))
        choice = {"type": "any"} if request.tools else {"type": "tool", "name": STRUCTURED_TOOL}
    if tools:
        payload["tools"] = tools
        if choice is not None:
            payload["tool_choice"] = choice


def _tool(tool: ToolDefinition) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "name": tool.name,
        "description": tool.description,
        "input_schema": dict(tool.parameters),
    }
    if tool.strict is not None:
        rendered["strict"] = tool.strict
    return rendered


def _structured_tool(schema: ResponseSchema) -> dict[str, Any]:
    return {
        "name": STRUCTURED_TOOL,
        "description": f"Give your final answer ({schema.name}) as this tool's input.",
        "input_schema": dict(schema.schema),
    }


def _tool_choice(choice: str | None, parallel: bool | None) -> dict[str, Any] | None:
    """``auto`` / ``none`` / ``required`` (Anthropic's ``any``) / a tool name; one call at a
    time (``parallel=False``) is ``disable_parallel_tool_use``."""
    if choice is None and parallel is not False:
        return None
    if choice in (None, "auto"):
        rendered: dict[str, Any] = {"type": "auto"}
    elif choice == "none":
        return {"type": "none"}
    elif choice == "required":
        rendered = {"type": "any"}
    else:
        rendered = {"type": "tool", "name": choice}
    if parallel is False:
        rendered["disable_parallel_tool_use"] = True
    return rendered


def thinking_budget(thinking: Thinking, max_tokens: int) -> int:
    """The ``budget_tokens`` of ``thinking``: its own budget, or its effort's (kept below
    ``max_tokens``). :class:`~pyllm.ConfigurationError` when it cannot fit Anthropic's rules
    (at least 1,024 tokens, fewer than ``max_tokens``).

    >>> from pyllm.request import Thinking
    >>> thinking_budget(Thinking(effort="high"), 64000)
    16384
    >>> thinking_budget(Thinking(effort="max"), 8000)   # below max_tokens
    7999
    """
    if thinking.budget is not None:
        budget = thinking.budget
    else:
        budget = min(EFFORT_BUDGETS.get(thinking.effort or "medium", 8192), max_tokens - 1)
    if budget < MIN_THINKING_BUDGET or budget >= max_tokens:
        raise ConfigurationError(
            f"Anthropic needs a thinking budget of at least {MIN_THINKING_BUDGET:,} tokens and "
            f"below max_tokens ({max_tokens:,}); got {budget:,}. Change "
            "chat.with_thinking(budget=...) or chat.with_max_tokens(...)"
        )
    return budget


def thinking_config(thinking: Thinking, max_tokens: int) -> dict[str, Any]:
    if thinking.effort == "none" and thinking.budget is None:
        return {"type": "disabled"}
    return {"type": "enabled", "budget_tokens": thinking_budget(thinking, max_tokens)}


# ---- messages ----------------------------------------------------------------------------


def _system(messages: tuple[Message, ...], control: dict[str, str] | None) -> list[Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "text", "text": m.content} for m in messages if m.role == "system" and m.content
    ]
    if control is not None and blocks:
        blocks[-1]["cache_control"] = control
    return blocks


def _messages(
    messages: tuple[Message, ...], points: CachePoints, control: dict[str, str]
) -> list[dict[str, Any]]:
    turns: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        role = message.role
        if role == "system":
            continue
        blocks = _assistant_blocks(message) if role == "assistant" else _user_blocks(message)
        if not blocks:
            continue  # Anthropic refuses empty turns and empty text blocks
        if index in points.messages:
            _mark(blocks, control)
        side = "assistant" if role == "assistant" else "user"
        if turns and turns[-1]["role"] == side:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": side, "content": blocks})
    return turns


def _mark(blocks: list[dict[str, Any]], control: dict[str, str]) -> None:
    """A breakpoint on the message's last block that may carry one (not a thinking block)."""
    for block in reversed(blocks):
        if block.get("type") not in _THINKING_BLOCKS:
            block["cache_control"] = control
            return


def _user_blocks(message: Message) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = []
    if message.content:
        content.append({"type": "text", "text": message.content})
    content.extend(_attachment(a) for a in message.attachments)
    if message.role != "tool":
        return content
    result: dict[str, Any] = {"type": "tool_result", "tool_use_id": tool_id(message.tool_call_id)}
    if content:
        result["content"] = content
    if message.is_error:
        result["is_error"] = True
    return [result]


def _assistant_blocks(message: Message) -> list[dict[str, Any]]:
    blocks = [b for b in map(render_thinking, message.reasoning_details) if b is not None]
    if message.content:
        blocks.append({"type": "text", "text": message.content})
    blocks.extend(
        {"type": "tool_use", "id": tool_id(c.id), "name": c.name, "input": dict(c.arguments)}
        for c in message.tool_calls
    )
    return blocks


def tool_id(value: str | None) -> str:
    """A tool call id as Anthropic accepts it (letters, digits, ``_`` and ``-``): another
    provider's ids (``functions.get_weather:0``) are made to fit, the same way in the call and
    its result.

    >>> tool_id("toolu_01A"), tool_id("functions.weather:0")
    ('toolu_01A', 'functions_weather_0')
    """
    if value and _TOOL_ID.fullmatch(value):
        return value
    return _NOT_TOOL_ID.sub("_", value or "") or "call"


def _attachment(attachment: Attachment) -> dict[str, Any]:
    kind = attachment.kind
    if kind == "text" and attachment.data is not None:
        opening = f"<file name='{attachment.name}' mime_type='{attachment.mime_type}'>"
        return {"type": "text", "text": f"{opening}{attachment.text}</file>"}
    if kind in ("image", "pdf"):
        url = attachment.url or ""
        if url[:8].lower().startswith(("http://", "https://")):
            source: dict[str, Any] = {"type": "url", "url": url}
        else:
            data = base64.b64encode(attachment.data or b"").decode("ascii")
            source = {"type": "base64", "media_type": attachment.mime_type, "data": data}
        return {"type": "image" if kind == "image" else "document", "source": source}
    raise UnsupportedError(
        f"Anthropic's Messages API takes images, PDFs and text files; {attachment.name} is "
        f"{attachment.mime_type or 'of an unknown type'}. Send it to a model that takes it, or "
        "leave it out"
    )
