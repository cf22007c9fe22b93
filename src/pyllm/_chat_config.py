"""The configuration half of :class:`pyllm.Chat`: every ``with_*`` and ``on_*`` method.

Each returns the same chat, so calls chain. Nothing here talks to a server.

One rule for mistakes, checked when the method is called: an argument of the wrong type raises
``TypeError``; a value out of range or not among the allowed words raises
:class:`~pyllm.ConfigurationError` (a ``ValueError`` too), naming the argument and what it
accepts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ._engine.exchange import Exchange, Hooks
from ._engine.retry import RetryPolicy
from ._engine.toolbox import Toolbox
from ._headers import check_headers
from ._routes import Route
from .errors import ConfigurationError
from .message import Message, Usage
from .protocols.base import deep_merge
from .request import ResponseSchema, Thinking

if TYPE_CHECKING:
    from .client import Client
    from .openrouter import Routing
    from .tools import ToolResult

__all__ = ["EFFORTS", "ChatConfig"]

_C = TypeVar("_C", bound="ChatConfig")

EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
"""The reasoning efforts ``with_thinking`` accepts (OpenRouter's ``reasoning.effort`` values)."""


def _number(argument: str, value: Any) -> float:
    """``value`` as a finite float, or ``TypeError`` naming ``argument``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{argument} must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ConfigurationError(f"{argument} must be a finite number, got {value!r}")
    return float(value)


def _whole(argument: str, value: Any, what: str = "a positive whole number") -> int:
    """``value`` if a positive int, else ``TypeError`` / ``ConfigurationError`` naming it."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{argument} must be {what}, got {type(value).__name__}")
    if value < 1:
        raise ConfigurationError(f"{argument} must be {what}, got {value!r}")
    return value


class ChatConfig:
    """A conversation's state and settings: history, model, tools, hooks, routing."""

    def __init__(self, client: Client, model: str, provider: str) -> None:
        self._client = client
        self.model = model
        self.provider = provider
        self.messages: list[Message] = []
        self.hooks = Hooks()
        self.toolbox = Toolbox()
        self._temperature: float | None = None
        self._params: dict[str, Any] = {}
        self._headers: dict[str, str] = {}
        self._thinking: Thinking | None = None
        self._schema: ResponseSchema | None = None
        self._parse: Callable[[str], Any] | None = None
        self._fallbacks: list[Route] = []
        self._routing: Routing | None = None
        self._policy: RetryPolicy | None = None
        self._total_timeout: float | None = None
        self._active: Exchange | None = None

    def __repr__(self) -> str:
        return (
            f"Chat(model={self.model!r}, provider={self.provider!r}, messages={len(self.messages)})"
        )

    # ---- configuration --------------------------------------------------------------------

    def with_instructions(self: _C, text: str, *, append: bool = False) -> _C:
        """Set the system prompt. A second call replaces it; ``append=True`` adds another."""
        if not isinstance(text, str):
            raise TypeError(f"instructions must be a string, got {type(text).__name__}")
        systems = [m for m in self.messages if m.role == "system"] if append else []
        rest = [m for m in self.messages if m.role != "system"]
        self.messages[:] = [*systems, Message.system(text), *rest]
        return self

    def with_temperature(self: _C, temperature: float | None) -> _C:
        """Sampling temperature (0 to 2); ``None`` leaves it to the provider."""
        if temperature is not None and not 0 <= _number("temperature", temperature) <= 2:
            raise ConfigurationError(f"temperature must be between 0 and 2, got {temperature!r}")
        self._temperature = None if temperature is None else float(temperature)
        return self

    def with_params(self: _C, **params: Any) -> _C:
        """Extra payload fields, deep-merged into the request last: the escape hatch.

        >>> import pyllm
        >>> pyllm.chat("openai/gpt-4.1-mini").with_params(top_k=5, provider={"sort": "price"})
        Chat(model='openai/gpt-4.1-mini', provider='openrouter', messages=0)
        """
        self._params = deep_merge(self._params, params)
        return self

    def with_headers(self: _C, **headers: str) -> _C:
        """Extra HTTP headers for this chat's requests (e.g. ``x_session_id="abc"``). Names and
        values are checked now: a line break or a non-ASCII value raises ConfigurationError."""
        named = {name.replace("_", "-"): str(value) for name, value in headers.items()}
        self._headers.update(check_headers(named, "with_headers"))
        return self

    def with_model(self: _C, model: str, provider: str | None = None) -> _C:
        """Switch model (and maybe provider) mid-conversation; the history is kept."""
        self.model, self.provider = self._client.resolve(model, provider)
        return self

    def with_tools(
        self: _C,
        *tools: Any,
        choice: str | None = None,
        parallel: bool | None = None,
        max_tool_rounds: int | None = None,
        raise_tool_errors: bool | None = None,
        tool_timeout: float | None = None,
        max_result_chars: int | None = None,
        allow_files: Any = None,
    ) -> _C:
        """Add tools: ``@pyllm.tool`` functions, ``pyllm.Tool`` instances or subclasses.

        ``choice`` is ``"auto"``, ``"none"``, ``"required"`` or a tool name (a forced choice
        applies to the first request of each call); ``parallel=False`` asks for one call at a
        time. ``max_tool_rounds`` (default 25) stops runaway loops with a ``ToolError``;
        ``raise_tool_errors=True`` re-raises a tool's exception instead of telling the model.
        ``tool_timeout`` (default 60 s; ``math.inf`` for none) is how long a tool without its own
        ``timeout`` may run; ``max_result_chars`` (default 100,000) caps the text of each result;
        ``allow_files`` (folders or files, or ``True``) lets tools send local files they name by
        path in ``pyllm.Content``.
        """
        self.toolbox.add(tools)
        self.toolbox.set_limits(
            timeout=tool_timeout, max_result_chars=max_result_chars, allow_files=allow_files
        )
        if choice is not None:
            self.toolbox.set_choice(choice)
        if parallel is not None:
            self.toolbox.parallel = bool(parallel)
        if max_tool_rounds is not None:
            self.toolbox.max_rounds = _whole("max_tool_rounds", max_tool_rounds)
        if raise_tool_errors is not None:
            self.toolbox.raise_errors = bool(raise_tool_errors)
        return self

    def with_tool(self: _C, tool: Any) -> _C:
        """Add one tool."""
        return self.with_tools(tool)

    def without_tools(self: _C) -> _C:
        """Remove every tool (mid-conversation is fine)."""
        self.toolbox.clear()
        return self

    def with_thinking(
        self: _C, effort: str | None = None, *, budget: int | None = None, exclude: bool = False
    ) -> _C:
        """Ask the model to reason: an ``effort`` (one of :data:`EFFORTS`: "minimal", "low",
        "medium", "high"...) or a token ``budget``; ``exclude=True`` keeps the reasoning text out
        of the answer."""
        if effort is not None and budget is not None:
            raise ConfigurationError("give an effort or a budget for thinking, not both")
        if effort is not None:
            if not isinstance(effort, str):
                raise TypeError(f"effort must be a word like 'high', got {effort!r}")
            effort = effort.strip().lower()
            if effort not in EFFORTS:
                raise ConfigurationError(
                    f"effort must be one of {', '.join(map(repr, EFFORTS))}, got {effort!r}"
                )
        if budget is not None:
            _whole("budget", budget, "a positive number of tokens")
        self._thinking = Thinking(effort=effort, budget=budget, exclude=exclude)
        return self

    def without_thinking(self: _C) -> _C:
        self._thinking = None
        return self

    def with_schema(self: _C, schema: Any, *, name: str | None = None, strict: bool = True) -> _C:
        """Structured output: answers follow ``schema`` (a pydantic model, dataclass, TypedDict
        or JSON Schema dict) and ``reply.parsed`` holds the value. ``None`` removes it."""
        if schema is None:
            self._schema, self._parse = None, None
            return self
        from ._structured import response_format

        self._schema, self._parse = response_format(schema, name=name, strict=strict)
        return self

    def with_fallbacks(self: _C, *routes: str | tuple[str, str] | Route) -> _C:
        """Models (or ``(model, provider)`` / ``pyllm.Route``) to use when the chat's model fails
        with a rate limit, server error, timeout or "no endpoints". On OpenRouter they also go in
        the request's ``models`` list so OpenRouter falls back within one request.

        >>> import pyllm
        >>> chat = pyllm.chat("anthropic/claude-haiku-4.5").with_fallbacks("openai/gpt-4.1-mini")
        >>> [str(r) for r in chat.fallbacks]
        ['openai/gpt-4.1-mini via openrouter']
        """
        resolved = []
        for item in routes:
            if isinstance(item, Route):
                model, provider = item.model, item.provider
            elif isinstance(item, tuple) and len(item) == 2:
                model, provider = item
            elif isinstance(item, str):
                model, provider = item, None
            else:
                raise TypeError(
                    f"a fallback is a model id, (model, provider) or pyllm.Route; got {item!r}"
                )
            resolved.append(Route(*self._client.resolve(model, provider)))
        self._fallbacks = resolved
        return self

    @property
    def fallbacks(self) -> tuple[Route, ...]:
        return tuple(self._fallbacks)

    def with_routing(self: _C, routing: Routing | None = None, **preferences: Any) -> _C:
        """OpenRouter provider routing: a ``pyllm.openrouter.Routing`` or its fields as keywords.

        >>> import pyllm
        >>> _ = pyllm.chat("openai/gpt-4.1-mini").with_routing(sort="price", data_collection="deny")
        """
        from .openrouter import Routing

        if routing is not None and preferences:
            raise TypeError("pass a Routing or keyword preferences, not both")
        self._routing = (
            routing if routing is not None else (Routing(**preferences) if preferences else None)
        )
        return self

    def with_retries(
        self: _C,
        max_retries: int | None = None,
        *,
        retry_budget_s: float | None = None,
        max_retry_wait: float | None = None,
    ) -> _C:
        """This chat's retry policy (unset values come from the client); ``0`` disables."""
        checked = self._client.settings.updated(
            {
                "max_retries": max_retries,
                "retry_budget_s": retry_budget_s,
                "max_retry_wait": max_retry_wait,
            }
        )
        self._policy = RetryPolicy(
            max_retries=checked.max_retries,
            base_delay=checked.retry_backoff,
            budget_s=checked.retry_budget_s,
            max_retry_wait=checked.max_retry_wait,
        )
        return self

    def with_timeout(self: _C, total: float | None) -> _C:
        """A total time limit in seconds for each answer (retries and streaming included)."""
        if total is not None and _number("the total timeout", total) <= 0:
            raise ConfigurationError(
                f"the total timeout must be a positive number of seconds, got {total!r}"
            )
        self._total_timeout = None if total is None else float(total)
        return self

    def on_fallback(self: _C, callback: Callable[[Exception, Route, Route], Any]) -> _C:
        """Call ``callback(error, from_route, to_route)`` when a fallback route takes over."""
        self.hooks.fallback.append(callback)
        return self

    def on_new_message(self: _C, callback: Callable[[], Any]) -> _C:
        """Call ``callback()`` when an assistant message starts."""
        self.hooks.new_message.append(callback)
        return self

    def on_end_message(self: _C, callback: Callable[[Message], Any]) -> _C:
        """Call ``callback(message)`` for every assistant message that lands in ``messages``."""
        self.hooks.end_message.append(callback)
        return self

    def on_tool_call(self: _C, callback: Callable[[Any], Any]) -> _C:
        """Call ``callback(tool_call)`` before each tool runs."""
        self.hooks.tool_call.append(callback)
        return self

    def on_tool_result(self: _C, callback: Callable[[ToolResult], Any]) -> _C:
        """Call ``callback(result)`` after each tool ran (``result.content``, ``.is_error``)."""
        self.hooks.tool_result.append(callback)
        return self

    # ---- totals ---------------------------------------------------------------------------

    @property
    def usage(self) -> Usage:
        """Tokens and cost of every answer in this conversation, summed (costs exactly)."""
        return Usage.sum(m.usage for m in self.messages if m.usage is not None)

    @property
    def cost(self) -> float | None:
        """USD spent on this conversation (``None`` if no answer reported a cost)."""
        return self.usage.cost
