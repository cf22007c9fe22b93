"""Prompt-cache breakpoints for Chat Completions through OpenRouter: ``cache_control`` on the
last text part of the system prompt and of each message :func:`~pyllm.protocols.caching.
cache_points` picks, for the models that cache only where told (Anthropic's and Google's
Gemini). Other models cache on their own and get nothing. Pure.

OpenRouter puts the tool definitions before the system prompt, so a breakpoint there (or on the
history) caches them too: no breakpoint goes on the tools themselves.

>>> from pyllm.message import Message
>>> from pyllm.request import Caching, ChatRequest
>>> request = ChatRequest("anthropic/claude-haiku-4.5", (Message.user("Hi"),), caching=Caching())
>>> payload = {"messages": [{"role": "user", "content": "Hi"}]}
>>> mark_cache_points(request, payload)
>>> payload["messages"][0]["content"]
[{'type': 'text', 'text': 'Hi', 'cache_control': {'type': 'ephemeral'}}]
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

from .._frozen import copy_with
from .caching import cache_points

if TYPE_CHECKING:
    from ..request import ChatRequest

__all__ = ["BREAKPOINT_LIMIT", "mark_cache_points", "needs_breakpoints"]

BREAKPOINT_LIMIT = 4
"""The most ``cache_control`` breakpoints one request may carry (Anthropic's limit)."""

_BREAKPOINT_MODELS = ("anthropic/", "google/gemini")


def needs_breakpoints(model: str) -> bool:
    """Whether ``model`` (an OpenRouter id) caches only where ``cache_control`` says.

    >>> needs_breakpoints("anthropic/claude-sonnet-4.5"), needs_breakpoints("openai/gpt-4.1")
    (True, False)
    """
    return model.lstrip("~").lower().startswith(_BREAKPOINT_MODELS)


def mark_cache_points(request: ChatRequest, payload: MutableMapping[str, Any]) -> None:
    """Put the breakpoints ``request`` asks for into ``payload["messages"]`` (rendered from
    ``request.messages``, one for one). More than :data:`BREAKPOINT_LIMIT` raise
    :class:`~pyllm.ConfigurationError` before anything is sent."""
    if not needs_breakpoints(request.model):
        return
    policy = request.caching
    if policy is not None and policy.tools:
        request = copy_with(request, {"caching": copy_with(policy, {"tools": False})})
    points = cache_points(request, limit=BREAKPOINT_LIMIT)
    if not points.count:
        return
    control: dict[str, Any] = {"type": "ephemeral"}
    if points.ttl:
        control["ttl"] = points.ttl
    marked = set(points.messages)
    if points.system:
        marked.add(max(i for i, m in enumerate(request.messages) if m.role == "system"))
    rendered = payload["messages"]
    for index in sorted(marked):
        _mark(rendered[index], control)


def _mark(message: MutableMapping[str, Any], control: dict[str, Any]) -> None:
    """``cache_control`` on the message's last text part (its text becomes a part if it was a
    string); a message without text (only tool calls) gets none."""
    content = message.get("content")
    if isinstance(content, str):
        if content:
            message["content"] = [{"type": "text", "text": content, "cache_control": control}]
        return
    if isinstance(content, list):
        for part in reversed(content):
            if isinstance(part, MutableMapping) and part.get("type") == "text":
                part["cache_control"] = dict(control)
                return
