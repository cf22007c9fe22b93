"""Where a request's prompt-cache breakpoints go: one pure decision every protocol that renders
``cache_control`` shares (Anthropic Messages; Chat Completions through OpenRouter).

>>> from pyllm.message import Message
>>> from pyllm.request import Caching, ChatRequest
>>> marked = Message.user("Hi").replace(cache=True)
>>> history = (Message.system("Be terse."), marked, Message.user("?"))
>>> points = cache_points(ChatRequest("m", history, caching=Caching()), limit=4)
>>> points.system, points.tools, sorted(points.messages)   # no tools in this request
(True, False, [1, 2])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ConfigurationError

if TYPE_CHECKING:
    from ..request import ChatRequest

__all__ = ["CachePoints", "cache_points"]


@dataclass(frozen=True, slots=True)
class CachePoints:
    """The breakpoints of one request: after the (last) system message, after the last tool
    definition, and after each message whose index is in ``messages``; ``ttl`` as asked."""

    system: bool = False
    tools: bool = False
    messages: frozenset[int] = frozenset()
    ttl: str | None = None

    @property
    def count(self) -> int:
        return int(self.system) + int(self.tools) + len(self.messages)


NONE = CachePoints()


def cache_points(request: ChatRequest, *, limit: int) -> CachePoints:
    """The breakpoints ``request`` asks for: its ``caching`` policy plus the messages marked
    ``cache=True``. More than ``limit`` (Anthropic allows 4) raises
    :class:`~pyllm.ConfigurationError` before anything is sent."""
    policy = request.caching
    messages = request.messages
    marked = {i for i, m in enumerate(messages) if m.cache and m.role != "system"}
    has_system = any(m.role == "system" for m in messages)
    system = has_system and (
        (policy is not None and policy.system)
        or any(m.cache for m in messages if m.role == "system")
    )
    tools = bool(policy is not None and policy.tools and request.tools)
    if policy is not None and policy.history and messages and messages[-1].role != "system":
        marked.add(len(messages) - 1)
    if not (system or tools or marked):
        return NONE
    points = CachePoints(system, tools, frozenset(marked), policy.ttl if policy else None)
    if points.count > limit:
        raise ConfigurationError(
            f"this request asks for {points.count} prompt-cache breakpoints (system prompt: "
            f"{int(system)}, tools: {int(tools)}, messages: {len(marked)}); the provider allows "
            f"at most {limit}. Mark fewer messages with cache=True, or turn parts off with "
            "chat.with_caching(system=..., tools=..., history=...)"
        )
    return points
