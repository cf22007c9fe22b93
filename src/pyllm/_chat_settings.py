"""How a :class:`~pyllm.Chat` asks: :class:`ChatSettings`, the ``with_*`` and ``on_*`` methods.

Every method here checks its arguments and changes one of three things the chat keeps: its
:class:`~pyllm._chat_options.ChatOptions` (a frozen value: sampling, length, reasoning, schema,
caching, fallbacks, routing, retries, time limit), its toolbox, or its hooks. Each returns the
same chat, so calls chain. Nothing here talks to a server; ``Chat`` (conversation.py) holds the
history and the calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ._chat_options import ChatOptions, fallback_targets
from ._engine.exchange import Hooks
from ._engine.toolbox import Toolbox
from ._request_settings import RequestSettings
from ._routes import Route
from .errors import ConfigurationError

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._engine.meter import Guard, Meter
    from ._engine.steps import Listener
    from ._limits import Limits
    from ._session import Session
    from .events import RequestEvent
    from .message import Message, ToolCall
    from .openrouter import Routing
    from .tools import ToolResult

__all__ = ["ChatSettings"]

NO_OPTIONS = ChatOptions()  # a frozen value: every new chat can share it


class ChatSettings(RequestSettings):
    """The ``with_*`` and ``on_*`` methods of :class:`~pyllm.Chat` (issue 14's are in
    :class:`~pyllm._request_settings.RequestSettings`). Argument mistakes raise at once: a
    wrong type ``TypeError``, a value out of range :class:`~pyllm.ConfigurationError`, naming
    the argument and what it accepts."""

    model: str
    """The model of the chat's requests (see :class:`~pyllm.Chat`)."""
    provider: str
    """The provider it is asked on."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._options = NO_OPTIONS
        self.hooks = Hooks()
        self.toolbox = Toolbox()
        self.listeners: list[Listener] = []  # this chat's own (issue 18: on_request)
        self._meter: Meter | None = None  # what the chat used, once it has limits

    def with_temperature(self, temperature: float | None) -> Self:
        """Sampling temperature (0 to 2); ``None`` leaves it to the provider."""
        self._options = self._options.with_temperature(temperature)
        return self

    def with_max_tokens(self, max_tokens: int | None) -> Self:
        """The most tokens each answer may have (``max_tokens``); ``None`` leaves it to the
        provider. An answer cut there ends with ``finish_reason == "length"``.

        >>> import pyllm
        >>> pyllm.chat("openai/gpt-4.1-mini").with_max_tokens(200)
        Chat(model='openai/gpt-4.1-mini', provider='openrouter', messages=0)
        """
        self._options = self._options.with_max_tokens(max_tokens)
        return self

    def with_params(self, **params: Any) -> Self:
        """Extra payload fields, deep-merged into the request last: the escape hatch.

        >>> import pyllm
        >>> pyllm.chat("openai/gpt-4.1-mini").with_params(top_k=5, provider={"sort": "price"})
        Chat(model='openai/gpt-4.1-mini', provider='openrouter', messages=0)
        """
        self._options = self._options.with_params(params)
        return self

    def with_headers(self, **headers: str) -> Self:
        """Extra HTTP headers for this chat's requests (e.g. ``x_session_id="abc"``). Names and
        values are checked now: a line break or a non-ASCII value raises ConfigurationError."""
        self._options = self._options.with_headers(headers)
        return self

    def with_tools(
        self,
        *tools: Any,
        choice: str | None = None,
        parallel: bool | None = None,
        max_tool_rounds: int | None = None,
        raise_tool_errors: bool | None = None,
        tool_timeout: float | None = None,
        max_result_chars: int | None = None,
        allow_files: Any = None,
        concurrency: int | None = None,
        confirm: Callable[[ToolCall], Any] | None = None,
        execute: bool | None = None,
    ) -> Self:
        """Add tools: ``@pyllm.tool`` functions, ``pyllm.Tool`` instances or subclasses, and
        server-side tools the provider runs itself (``pyllm.openrouter.web_search()``...).

        ``choice`` is ``"auto"``, ``"none"``, ``"required"`` or a tool name (a forced choice
        applies to the first request of each call); ``parallel=False`` asks for one call at a
        time. ``max_tool_rounds`` (default 25) stops runaway loops with a ``ToolError``;
        ``raise_tool_errors=True`` re-raises a tool's exception instead of telling the model.
        ``tool_timeout`` (default 60 s; ``math.inf`` for none) is how long a tool without its own
        ``timeout`` may run; ``max_result_chars`` (default 100,000) caps the text of each result;
        ``allow_files`` (folders or files, or ``True``) lets tools send local files they name by
        path in ``pyllm.Content``.

        The calls of one answer run at once, at most ``concurrency`` (default 8) at a time;
        results go back in call order. ``confirm(call)`` (a function, or an async one) is asked
        before each call runs: ``True`` runs it, ``False`` refuses, a string refuses and tells
        the model why. ``execute=False`` runs nothing: ``ask`` returns the answer with its
        ``tool_calls`` open, you give results with :meth:`add_tool_result`, and ``ask()``
        carries on. Any argument left ``None`` keeps its current setting.
        """
        self.toolbox.configure(
            tools,
            choice=choice,
            parallel=parallel,
            max_rounds=max_tool_rounds,
            raise_errors=raise_tool_errors,
            timeout=tool_timeout,
            max_result_chars=max_result_chars,
            allow_files=allow_files,
            concurrency=concurrency,
            confirm=confirm,
            execute=execute,
        )
        return self

    def with_tool(self, tool: Any) -> Self:
        """Add one tool."""
        return self.with_tools(tool)

    def without_tools(self) -> Self:
        """Remove every tool (mid-conversation is fine)."""
        self.toolbox.clear()
        return self

    def with_thinking(
        self, effort: str | None = None, *, budget: int | None = None, exclude: bool = False
    ) -> Self:
        """Ask the model to reason: an ``effort`` (one of :data:`~pyllm._chat_options.EFFORTS`:
        "minimal", "low", "medium", "high"...) or a token ``budget``; ``exclude=True`` keeps the
        reasoning text out of the answer."""
        self._options = self._options.with_thinking(effort, budget, exclude)
        return self

    def without_thinking(self) -> Self:
        self._options = self._options.without_thinking()
        return self

    def with_schema(
        self,
        schema: Any,
        *,
        name: str | None = None,
        strict: bool = True,
        retries: int | None = None,
    ) -> Self:
        """Structured output: answers follow ``schema`` (a pydantic model, dataclass, TypedDict
        or JSON Schema dict) and ``reply.parsed`` holds the value. ``None`` removes it.

        Without ``retries`` an answer that does not fit leaves ``reply.parsed`` as ``None``.
        With ``retries=N`` such an answer is sent back with what is wrong, up to N times, and
        then :class:`~pyllm.StructuredOutputError` is raised (``retries=0``: at once).
        """
        self._options = self._options.with_schema(schema, name, strict, retries)
        return self

    def with_caching(
        self,
        *,
        system: bool = True,
        tools: bool = True,
        history: bool = True,
        ttl: str | None = None,
    ) -> Self:
        """Prompt caching for providers that cache only where told (Anthropic, and Anthropic or
        Gemini models through OpenRouter): breakpoints after the system prompt, the tool
        definitions and the conversation so far, so each request reads what came before from
        the cache (``usage.cached_tokens``) at a discount. ``ttl`` is ``"5m"`` (the default)
        or ``"1h"``. ``ask(text, cache=True)`` marks one message. Providers that cache on their
        own (OpenAI and most others) ignore it. At most 4 breakpoints per request (checked
        before sending).

        >>> import pyllm
        >>> pyllm.chat("anthropic/claude-haiku-4.5").with_caching(ttl="1h")
        Chat(model='anthropic/claude-haiku-4.5', provider='openrouter', messages=0)
        """
        self._options = self._options.with_caching(system, tools, history, ttl)
        return self

    def without_caching(self) -> Self:
        """No automatic cache breakpoints (messages marked ``cache=True`` keep theirs)."""
        self._options = self._options.without_caching()
        return self

    def with_fallbacks(
        self, *routes: str | tuple[str, str] | Route, via: str | Sequence[str] | None = None
    ) -> Self:
        """Models (or ``(model, provider)`` / ``pyllm.Route``) to use when the chat's model fails
        with a rate limit, server error, timeout or "no endpoints". On OpenRouter they also go in
        the request's ``models`` list so OpenRouter falls back within one request.

        ``via="openrouter"`` (or several providers) means the chat's own model through those
        providers, tried first, without repeating its id: each provider's own id for it.

        >>> import pyllm
        >>> chat = pyllm.chat("anthropic/claude-haiku-4.5").with_fallbacks("openai/gpt-4.1-mini")
        >>> [str(r) for r in chat.fallbacks]
        ['openai/gpt-4.1-mini via openrouter']
        """
        targets = fallback_targets(routes)
        if via is not None:
            targets[:0] = [(self.model, provider) for provider in self._via(via)]
        resolved = [Route(*self._session.resolve(*target)) for target in targets]
        self._options = self._options.with_fallbacks(tuple(resolved))
        return self

    def _via(self, via: str | Sequence[str]) -> tuple[str, ...]:
        providers = (via,) if isinstance(via, str) else tuple(via)
        for provider in providers:
            if not isinstance(provider, str):
                raise TypeError(f"via names providers, e.g. via='openrouter'; got {provider!r}")
            if provider == self.provider:
                raise ConfigurationError(
                    f"this chat already uses {provider}; via= names other providers to reach "
                    f"{self.model} through"
                )
        return providers

    @property
    def fallbacks(self) -> tuple[Route, ...]:
        return self._options.fallbacks

    def with_routing(self, routing: Routing | None = None, **preferences: Any) -> Self:
        """OpenRouter provider routing: a ``pyllm.openrouter.Routing`` or its fields as keywords.

        >>> import pyllm
        >>> _ = pyllm.chat("openai/gpt-4.1-mini").with_routing(sort="price", data_collection="deny")
        """
        self._options = self._options.with_routing(routing, preferences)
        return self

    def with_retries(
        self,
        max_retries: int | None = None,
        *,
        retry_budget_s: float | None = None,
        max_retry_wait: float | None = None,
    ) -> Self:
        """This chat's retry policy (unset values come from the client); ``0`` disables."""
        settings = self._session.settings
        self._options = self._options.with_retries(
            settings, max_retries, retry_budget_s, max_retry_wait
        )
        return self

    def with_timeout(self, total: float | None) -> Self:
        """A total time limit in seconds for each answer (retries and streaming included)."""
        self._options = self._options.with_timeout(total)
        return self

    def on_fallback(self, callback: Callable[[Exception, Route, Route], Any]) -> Self:
        """Call ``callback(error, from_route, to_route)`` when a fallback route takes over."""
        self.hooks.fallback.append(callback)
        return self

    def on_new_message(self, callback: Callable[[], Any]) -> Self:
        """Call ``callback()`` when an assistant message starts."""
        self.hooks.new_message.append(callback)
        return self

    def on_end_message(self, callback: Callable[[Message], Any]) -> Self:
        """Call ``callback(message)`` for every assistant message that lands in ``messages``."""
        self.hooks.end_message.append(callback)
        return self

    def on_tool_call(self, callback: Callable[[Any], Any]) -> Self:
        """Call ``callback(tool_call)`` before each tool runs."""
        self.hooks.tool_call.append(callback)
        return self

    def on_tool_result(self, callback: Callable[[ToolResult], Any]) -> Self:
        """Call ``callback(result)`` after each tool ran (``result.content``, ``.is_error``)."""
        self.hooks.tool_result.append(callback)
        return self

    # ---- issue 18: observing ---------------------------------------------------------------

    def on_request(self, callback: Callable[[RequestEvent], Any]) -> Self:
        """Call ``callback(event)`` with a :class:`~pyllm.RequestEvent` after every HTTP
        attempt this chat makes (retries and fallbacks too): model, provider, upstream, attempt,
        status, duration, usage, cost, error. ``client.on_request`` sees every chat's.

        >>> import pyllm
        >>> seen = []
        >>> pyllm.chat("openai/gpt-4.1-mini").on_request(seen.append)
        Chat(model='openai/gpt-4.1-mini', provider='openrouter', messages=0)
        """
        from ._observers import add_request_callback

        add_request_callback(self.listeners, callback)
        return self

    # ---- spend and usage limits (issue 16) ----------------------------------------------

    def with_budget(self, usd: float, *, allow_unknown_prices: bool | None = None) -> Self:
        """Spend at most ``usd`` US dollars from now on. Before each request pyllm works out
        the worst it could cost (estimated input tokens and ``max_tokens``, or the model's
        longest answer, at registry prices); one that could cross the budget raises
        :class:`~pyllm.BudgetExceededError` and is not sent. Models with unknown prices are
        refused unless ``allow_unknown_prices=True`` (then they count what they report).

        >>> import pyllm
        >>> pyllm.chat("openai/gpt-4.1-mini").with_budget(0.50).budget
        0.5
        """
        self._options = self._options.with_limits(
            usd=usd, allow_unknown_prices=allow_unknown_prices
        )
        return self._metered()

    def with_limits(
        self,
        *,
        requests: int | None = None,
        tool_calls: int | None = None,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
    ) -> Self:
        """The most requests, tool calls, input and output tokens this chat may use from now
        on (``None`` keeps a limit as it is). Crossing one raises
        :class:`~pyllm.UsageLimitError` before anything more is sent: requests and input
        tokens are checked before each request, tool calls before each tool round, and an
        output-token limit lowers each request's ``max_tokens`` to what it leaves.

        >>> import pyllm
        >>> pyllm.chat("openai/gpt-4.1-mini").with_limits(requests=5, tool_calls=10).limits.requests
        5
        """
        self._options = self._options.with_limits(
            requests=requests,
            tool_calls=tool_calls,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
        )
        return self._metered()

    def _metered(self) -> Self:
        if self._meter is None:
            from ._engine.meter import Meter

            self._meter = Meter()
        return self

    @property
    def budget(self) -> float | None:
        """The budget in USD (``with_budget``), or ``None``."""
        return self._options.limits.usd if self._options.limits else None

    @property
    def limits(self) -> Limits:
        """The limits set with ``with_budget`` and ``with_limits`` (all ``None``: no limit)."""
        from ._limits import Limits

        return self._options.limits or Limits()

    def _guards(self) -> tuple[Guard, ...]:
        """The limits each request of this chat is checked against: its own, its client's."""
        from ._engine.meter import Guard

        own = self._options.limits
        client = self._session.guard()
        if own is None or self._meter is None:
            return (client,)
        how, how_limits = "chat.with_budget(...)", "chat.with_limits({kind}=...)"
        return (Guard(self._meter, own, "this chat", how, how_limits), client)

    @property
    def used(self) -> Meter | None:
        """What the chat used since its first limit was set: ``requests``, ``tool_calls``,
        ``input_tokens``, ``output_tokens`` and ``spent`` (USD), or ``None`` without limits."""
        return self._meter
