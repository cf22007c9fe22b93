"""The values a conversation is made of: :class:`Message`, :class:`Usage`, :class:`ToolCall`.

>>> m = Message.user("Hi")
>>> m.role, m.content
('user', 'Hi')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .content import Attachment

__all__ = ["Message", "ToolCall", "Usage"]

INCOMPLETE = "incomplete"
"""``finish_reason`` of a streamed message the caller stopped reading before it ended."""
ERROR = "error"
"""``finish_reason`` of a partial message cut short by an error."""


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens and cost of one response (or, summed with ``+``, of many).

    ``cost`` is in USD: OpenRouter's own ``usage.cost`` when reported (``cost_source ==
    "provider"``), else computed from registry prices (``"registry"``), else ``None``.

    >>> total = Usage(input_tokens=3, output_tokens=4, cost=0.5) + Usage(input_tokens=1, cost=0.25)
    >>> total.input_tokens, total.total_tokens, total.cost
    (4, 8, 0.75)
    """

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    cost: float | None = None
    cost_source: str | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.total_tokens and (self.input_tokens or self.output_tokens):
            object.__setattr__(self, "total_tokens", self.input_tokens + self.output_tokens)

    def __add__(self, other: Usage) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        costs = [c for c in (self.cost, other.cost) if c is not None]
        sources = {s for s in (self.cost_source, other.cost_source) if s}
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
            cost=math.fsum(costs) if costs else None,
            cost_source=sources.pop() if len(sources) == 1 else ("mixed" if sources else None),
        )


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One function call the model asked for.

    ``arguments`` is the parsed JSON object; ``raw_arguments`` the exact string the model sent.
    When the string is not a JSON object, ``arguments`` is empty and ``arguments_error`` says why.
    """

    id: str
    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    raw_arguments: str = ""
    arguments_error: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a conversation: ``system``, ``user``, ``assistant`` or ``tool``.

    Assistant messages from a server also carry ``model`` (the id the server reports),
    ``provider`` (pyllm's provider name), ``upstream`` (who served it, e.g. "Amazon Bedrock"),
    ``id`` (generation id), ``finish_reason``, ``usage`` and ``raw`` (the parsed body).
    """

    role: str
    content: str = ""
    attachments: tuple[Attachment, ...] = ()
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    is_error: bool = False
    reasoning: str | None = None
    reasoning_details: tuple[Mapping[str, Any], ...] = ()
    model: str | None = None
    provider: str | None = None
    upstream: str | None = None
    id: str | None = None
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    usage: Usage | None = None
    refusal: str | None = None
    images: tuple[Attachment, ...] = ()
    annotations: tuple[Mapping[str, Any], ...] = ()
    parsed: Any = field(default=None, compare=False)
    raw: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def system(cls, content: str) -> Message:
        return cls("system", content)

    @classmethod
    def user(cls, content: str = "", attachments: tuple[Attachment, ...] = ()) -> Message:
        return cls("user", content, attachments=attachments)

    @classmethod
    def tool(cls, tool_call_id: str, content: str, *, is_error: bool = False) -> Message:
        return cls("tool", content, tool_call_id=tool_call_id, is_error=is_error)

    @property
    def partial(self) -> bool:
        """True when the message was cut short (the stream stopped or broke before its end)."""
        return self.finish_reason in (INCOMPLETE, ERROR)

    @property
    def cost(self) -> float | None:
        """Shortcut for ``usage.cost``."""
        return self.usage.cost if self.usage else None

    def replace(self, **changes: Any) -> Message:
        """A copy with some fields changed (messages are immutable)."""
        return replace(self, **changes)

    def __str__(self) -> str:
        return self.content

    def __repr__(self) -> str:
        text = self.content if len(self.content) <= 60 else self.content[:57] + "..."
        parts = [f"role={self.role!r}", f"content={text!r}"]
        if self.tool_calls:
            parts.append(f"tool_calls=[{', '.join(c.name for c in self.tool_calls)}]")
        if self.tool_call_id:
            parts.append(f"tool_call_id={self.tool_call_id!r}")
        if self.model:
            parts.append(f"model={self.model!r}")
        if self.finish_reason:
            parts.append(f"finish_reason={self.finish_reason!r}")
        if self.usage:
            parts.append(f"tokens={self.usage.input_tokens}+{self.usage.output_tokens}")
            if self.usage.cost is not None:
                parts.append(f"cost={self.usage.cost:g}")
        return f"Message({', '.join(parts)})"
