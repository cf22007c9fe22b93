"""The values a conversation is made of: :class:`Message`, :class:`Usage`, :class:`ToolCall`.

>>> m = Message.user("Hi")
>>> m.role, m.content
('user', 'Hi')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._frozen import copy_with

if TYPE_CHECKING:
    from ._account import GenerationStats
    from .citation import Citation
    from .content import Attachment
    from .logprobs import TokenLogprob

__all__ = ["Message", "ToolCall", "Usage"]

INCOMPLETE = "incomplete"
"""``finish_reason`` of a streamed message the caller stopped reading before it ended."""
ERROR = "error"
"""``finish_reason`` of a partial message cut short by an error."""


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens and cost of one response (or, summed with ``+`` or :meth:`sum`, of many).

    ``cost`` is in USD: OpenRouter's own ``usage.cost`` when reported (``cost_source ==
    "provider"``), else computed from registry prices (``"registry"``), else ``None``. Costs
    are summed exactly, as the decimal figures reported, so no float noise creeps in.

    >>> total = Usage(input_tokens=3, output_tokens=4, cost=0.5) + Usage(input_tokens=1, cost=0.25)
    >>> total.input_tokens, total.total_tokens, total.cost
    (4, 8, 0.75)
    >>> (Usage(cost=0.0001) + Usage(cost=0.0002)).cost   # not 0.00030000000000000003
    0.0003
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
    web_search_requests: int = 0
    """Web searches the provider ran for the answer (OpenRouter's server tool), billed apart."""

    def __post_init__(self) -> None:
        if not self.total_tokens and (self.input_tokens or self.output_tokens):
            object.__setattr__(self, "total_tokens", self.input_tokens + self.output_tokens)

    def __add__(self, other: Usage) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        return Usage.sum((self, other))

    def merge(self, later: Usage) -> Usage:
        """This report updated by a ``later`` one *of the same answer*: a count the later
        report gives (non-zero) replaces this one's, a count it leaves at zero keeps this one's,
        and so do the cost and ``raw``. Anthropic streams input tokens first and output tokens
        last; a stream's usage chunks merge into the whole (unlike :meth:`sum`, which adds up
        different answers).

        >>> first = Usage(input_tokens=10, output_tokens=1)
        >>> whole = first.merge(Usage(output_tokens=25, cost=0.5))
        >>> whole.input_tokens, whole.output_tokens, whole.total_tokens, whole.cost
        (10, 25, 35, 0.5)
        """
        input_tokens = later.input_tokens or self.input_tokens
        output_tokens = later.output_tokens or self.output_tokens
        known_cost = later.cost is not None
        return Usage(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            total_tokens=max(later.total_tokens or self.total_tokens, input_tokens + output_tokens),
            cached_tokens=later.cached_tokens or self.cached_tokens,
            cache_write_tokens=later.cache_write_tokens or self.cache_write_tokens,
            reasoning_tokens=later.reasoning_tokens or self.reasoning_tokens,
            cost=later.cost if known_cost else self.cost,
            cost_source=later.cost_source if known_cost else self.cost_source,
            raw=later.raw if later.raw is not None else self.raw,
            web_search_requests=later.web_search_requests or self.web_search_requests,
        )

    @staticmethod
    def sum(usages: Iterable[Usage]) -> Usage:
        """Every count added up, and the costs summed exactly (``None`` when none was known).

        >>> Usage.sum([Usage(cost=0.1), Usage(cost=0.2), Usage(output_tokens=5)])
        Usage(input_tokens=0, output_tokens=5, total_tokens=5, cached_tokens=0, \
cache_write_tokens=0, reasoning_tokens=0, cost=0.3, cost_source=None, web_search_requests=0)
        """
        items = list(usages)
        if len(items) == 1:  # the usual ask: one answer (a copy without ``raw``, like a sum)
            one = items[0]
            return Usage(
                one.input_tokens,
                one.output_tokens,
                one.total_tokens,
                one.cached_tokens,
                one.cache_write_tokens,
                one.reasoning_tokens,
                None if one.cost is None else float(one.cost),
                one.cost_source or None,
                web_search_requests=one.web_search_requests,
            )
        costs = [u.cost for u in items if u.cost is not None]
        sources = {u.cost_source for u in items if u.cost_source}
        return Usage(
            input_tokens=sum(u.input_tokens for u in items),
            output_tokens=sum(u.output_tokens for u in items),
            total_tokens=sum(u.total_tokens for u in items),
            cached_tokens=sum(u.cached_tokens for u in items),
            cache_write_tokens=sum(u.cache_write_tokens for u in items),
            reasoning_tokens=sum(u.reasoning_tokens for u in items),
            cost=_exact_sum(costs) if costs else None,
            cost_source=sources.pop() if len(sources) == 1 else ("mixed" if sources else None),
            web_search_requests=sum(u.web_search_requests for u in items),
        )


def _exact_sum(costs: list[float]) -> float:
    """The sum of the decimal figures the costs were reported as (``repr`` round-trips them)."""
    if len(costs) == 1 or not all(map(math.isfinite, costs)):
        return float(sum(costs))  # nothing to add up exactly (or nothing finite to add)
    from decimal import Decimal  # only when there is something to add: keeps imports light

    return float(sum((Decimal(repr(cost)) for cost in costs), Decimal(0)))


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
    ``usage`` is this message's request alone; the message an ``ask``/``stream`` call returns
    also carries ``turn_usage``, the sum over every request that call made (tool rounds too).
    ``cache=True`` marks a prompt-cache breakpoint after this message, for providers that cache
    only where told (Anthropic, Gemini): ``chat.ask(text, cache=True)`` sets it.
    ``citations`` are the sources a web search found (:class:`~pyllm.Citation`), ``logprobs``
    the tokens' log probabilities when the chat asked for them (``with_logprobs``).
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
    turn_usage: Usage | None = field(default=None, compare=False, repr=False)
    cache: bool = False
    citations: tuple[Citation, ...] = ()
    logprobs: tuple[TokenLogprob, ...] = ()

    @classmethod
    def system(cls, content: str) -> Message:
        return cls("system", content)

    @classmethod
    def user(cls, content: str = "", attachments: tuple[Attachment, ...] = ()) -> Message:
        return cls("user", content, attachments=attachments)

    @classmethod
    def tool(
        cls,
        tool_call_id: str,
        content: str,
        *,
        is_error: bool = False,
        attachments: tuple[Attachment, ...] = (),
    ) -> Message:
        """A tool's result; ``attachments`` are files it returned (images, PDFs...), sent
        inside the result where the protocol allows it, else right after the round's results."""
        return cls(
            "tool", content, attachments=attachments, tool_call_id=tool_call_id, is_error=is_error
        )

    @property
    def partial(self) -> bool:
        """True when the message was cut short (the stream stopped or broke before its end)."""
        return self.finish_reason in (INCOMPLETE, ERROR)

    @property
    def cost(self) -> float | None:
        """Shortcut for ``usage.cost``: this message's own request only."""
        return self.usage.cost if self.usage else None

    @property
    def turn_cost(self) -> float | None:
        """Shortcut for ``turn_usage.cost``: USD for the whole ``ask``/``stream`` call that
        returned this message, every request of its tool rounds included."""
        return self.turn_usage.cost if self.turn_usage else None

    def generation(self, client: Any = None, *, wait: float = 5.0) -> GenerationStats:
        """OpenRouter's record of this answer (``GET /generation``): cost, upstream, latency,
        native token counts... asked of ``client`` (default: the client that made the answer,
        else the default client). A fresh answer's record takes a moment to appear: pyllm asks
        again for up to ``wait`` seconds. Same as ``client.openrouter.generation(reply.id)``."""
        from ._openrouter_account import account_for  # the face: asked lazily, when called

        return account_for(self, client).generation(self._generation_id(), wait=wait)

    async def ageneration(self, client: Any = None, *, wait: float = 5.0) -> GenerationStats:
        """Async twin of :meth:`generation`."""
        from ._openrouter_account import account_for

        return await account_for(self, client).ageneration(self._generation_id(), wait=wait)

    def _generation_id(self) -> str:
        if self.role != "assistant" or not self.id:
            raise ValueError("only an answer from a server has a generation id (message.id)")
        return self.id

    def replace(self, **changes: Any) -> Message:
        """A copy with some fields changed (messages are immutable)."""
        return copy_with(self, changes)

    def to_dict(self, *, attachments: Callable[[Attachment], str] | None = None) -> dict[str, Any]:
        """This message as JSON-safe data, every field kept (those at their default left out);
        :meth:`from_dict` reads it back. Attachments are inline (base64) unless ``attachments``
        saves each one and returns a key for it. See the persistence guide for the format.

        >>> Message.user("Hi").to_dict()
        {'role': 'user', 'content': 'Hi'}
        """
        from ._serial import Blobs, to_json

        data: dict[str, Any] = to_json(self, Blobs(save=attachments))
        return data

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, attachments: Callable[[str], bytes] | None = None
    ) -> Message:
        """The message :meth:`to_dict` wrote (``attachments`` reads the bytes of attachments
        saved by key). Data that does not fit raises :class:`~pyllm.FormatError`.

        >>> Message.from_dict({"role": "user", "content": "Hi"}) == Message.user("Hi")
        True
        """
        from ._serial import Blobs, from_json

        message: Message = from_json(data, cls, Blobs(load=attachments))
        return message

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
