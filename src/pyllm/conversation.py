"""``Chat``: a conversation with one model. Configure it with ``with_*`` (each returns the same
chat), talk to it with ``ask`` / ``stream`` and their async twins ``aask`` / ``astream``.

(``Chat`` lives here, not in a ``chat`` module: ``pyllm.chat`` is a function, and importing a
submodule of that name would replace it on the package.)

>>> import pyllm
>>> chat = pyllm.chat("anthropic/claude-haiku-4.5", provider="openrouter")
>>> chat.with_instructions("Be terse.").with_temperature(0.2) is chat
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ._chat_options import ChatOptions, fallback_targets
from ._engine.exchange import Exchange, Hooks
from ._engine.flow import ChatPlan, chat_flow
from ._engine.toolbox import Toolbox
from ._http.drive import adrive, drive
from ._routes import Route
from .message import Message, Usage
from .streams import AsyncChatStream, ChatStream

if TYPE_CHECKING:
    from ._engine.steps import Flow
    from ._session import Session
    from .content import Attachment
    from .openrouter import Routing
    from .tools import ToolResult

__all__ = ["Chat"]

NO_OPTIONS = ChatOptions()  # a frozen value: every new chat can share it


class Chat:
    """A conversation: its history (``messages``), model, settings, tools and hooks.

    Every request sends the whole history. A failed request leaves ``messages`` exactly as it
    was (or, in a tool loop, ending at the last whole tool round), so you can call ``ask`` again.
    Argument mistakes in ``with_*`` raise at once: a wrong type ``TypeError``, a value out of
    range :class:`~pyllm.ConfigurationError`, naming the argument and what it accepts.
    """

    def __init__(self, session: Session, model: str, provider: str) -> None:
        self._session = session
        self.model = model
        self.provider = provider
        self.messages: list[Message] = []
        self.hooks = Hooks()
        self.toolbox = Toolbox()
        self._options = NO_OPTIONS
        self._active: Exchange | None = None

    def __repr__(self) -> str:
        return (
            f"Chat(model={self.model!r}, provider={self.provider!r}, messages={len(self.messages)})"
        )

    # ---- talking --------------------------------------------------------------------------

    def ask(
        self, content: str | None = None, *, attachments: Sequence[Any] | None = None
    ) -> Message:
        """Send ``content`` (or, with no argument, the history as it is) and return the answer,
        running tools in between until the model answers."""
        exchange, flow = self._call(content, attachments, stream=False)
        for _ in drive(flow, self._session, self._session.listeners):  # nobody reads the chunks
            pass
        return exchange.outcome()

    async def aask(
        self, content: str | None = None, *, attachments: Sequence[Any] | None = None
    ) -> Message:
        """Async twin of :meth:`ask`."""
        exchange, flow = self._call(content, attachments, stream=False)
        async for _ in adrive(flow, self._session, self._session.listeners):
            pass
        return exchange.outcome()

    def stream(
        self, content: str | None = None, *, attachments: Sequence[Any] | None = None
    ) -> ChatStream:
        """Stream the answer as :class:`~pyllm.Chunk` values, across tool rounds."""
        exchange, flow = self._call(content, attachments, stream=True)
        return ChatStream(drive(flow, self._session, self._session.listeners), exchange)

    def astream(
        self, content: str | None = None, *, attachments: Sequence[Any] | None = None
    ) -> AsyncChatStream:
        """Async twin of :meth:`stream`: ``async for chunk in chat.astream(...)``."""
        exchange, flow = self._call(content, attachments, stream=True)
        return AsyncChatStream(adrive(flow, self._session, self._session.listeners), exchange)

    # ---- configuration --------------------------------------------------------------------

    def with_instructions(self, text: str, *, append: bool = False) -> Chat:
        """Set the system prompt. A second call replaces it; ``append=True`` adds another."""
        if not isinstance(text, str):
            raise TypeError(f"instructions must be a string, got {type(text).__name__}")
        systems = [m for m in self.messages if m.role == "system"] if append else []
        rest = [m for m in self.messages if m.role != "system"]
        self.messages[:] = [*systems, Message.system(text), *rest]
        return self

    def with_temperature(self, temperature: float | None) -> Chat:
        """Sampling temperature (0 to 2); ``None`` leaves it to the provider."""
        self._options = self._options.with_temperature(temperature)
        return self

    def with_max_tokens(self, max_tokens: int | None) -> Chat:
        """The most tokens each answer may have (``max_tokens``); ``None`` leaves it to the
        provider. An answer cut there ends with ``finish_reason == "length"``.

        >>> import pyllm
        >>> pyllm.chat("openai/gpt-4.1-mini").with_max_tokens(200)
        Chat(model='openai/gpt-4.1-mini', provider='openrouter', messages=0)
        """
        self._options = self._options.with_max_tokens(max_tokens)
        return self

    def with_params(self, **params: Any) -> Chat:
        """Extra payload fields, deep-merged into the request last: the escape hatch.

        >>> import pyllm
        >>> pyllm.chat("openai/gpt-4.1-mini").with_params(top_k=5, provider={"sort": "price"})
        Chat(model='openai/gpt-4.1-mini', provider='openrouter', messages=0)
        """
        self._options = self._options.with_params(params)
        return self

    def with_headers(self, **headers: str) -> Chat:
        """Extra HTTP headers for this chat's requests (e.g. ``x_session_id="abc"``). Names and
        values are checked now: a line break or a non-ASCII value raises ConfigurationError."""
        self._options = self._options.with_headers(headers)
        return self

    def with_model(self, model: str, provider: str | None = None) -> Chat:
        """Switch model (and maybe provider) mid-conversation; the history is kept."""
        self.model, self.provider = self._session.resolve(model, provider)
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
    ) -> Chat:
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
        self.toolbox.configure(
            tools,
            choice=choice,
            parallel=parallel,
            max_rounds=max_tool_rounds,
            raise_errors=raise_tool_errors,
            timeout=tool_timeout,
            max_result_chars=max_result_chars,
            allow_files=allow_files,
        )
        return self

    def with_tool(self, tool: Any) -> Chat:
        """Add one tool."""
        return self.with_tools(tool)

    def without_tools(self) -> Chat:
        """Remove every tool (mid-conversation is fine)."""
        self.toolbox.clear()
        return self

    def with_thinking(
        self, effort: str | None = None, *, budget: int | None = None, exclude: bool = False
    ) -> Chat:
        """Ask the model to reason: an ``effort`` (one of :data:`~pyllm._chat_options.EFFORTS`:
        "minimal", "low", "medium", "high"...) or a token ``budget``; ``exclude=True`` keeps the
        reasoning text out of the answer."""
        self._options = self._options.with_thinking(effort, budget, exclude)
        return self

    def without_thinking(self) -> Chat:
        self._options = self._options.without_thinking()
        return self

    def with_schema(self, schema: Any, *, name: str | None = None, strict: bool = True) -> Chat:
        """Structured output: answers follow ``schema`` (a pydantic model, dataclass, TypedDict
        or JSON Schema dict) and ``reply.parsed`` holds the value. ``None`` removes it."""
        self._options = self._options.with_schema(schema, name, strict)
        return self

    def with_fallbacks(self, *routes: str | tuple[str, str] | Route) -> Chat:
        """Models (or ``(model, provider)`` / ``pyllm.Route``) to use when the chat's model fails
        with a rate limit, server error, timeout or "no endpoints". On OpenRouter they also go in
        the request's ``models`` list so OpenRouter falls back within one request.

        >>> import pyllm
        >>> chat = pyllm.chat("anthropic/claude-haiku-4.5").with_fallbacks("openai/gpt-4.1-mini")
        >>> [str(r) for r in chat.fallbacks]
        ['openai/gpt-4.1-mini via openrouter']
        """
        resolved = [Route(*self._session.resolve(*target)) for target in fallback_targets(routes)]
        self._options = self._options.with_fallbacks(tuple(resolved))
        return self

    @property
    def fallbacks(self) -> tuple[Route, ...]:
        return self._options.fallbacks

    def with_routing(self, routing: Routing | None = None, **preferences: Any) -> Chat:
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
    ) -> Chat:
        """This chat's retry policy (unset values come from the client); ``0`` disables."""
        settings = self._session.settings
        self._options = self._options.with_retries(
            settings, max_retries, retry_budget_s, max_retry_wait
        )
        return self

    def with_timeout(self, total: float | None) -> Chat:
        """A total time limit in seconds for each answer (retries and streaming included)."""
        self._options = self._options.with_timeout(total)
        return self

    def on_fallback(self, callback: Callable[[Exception, Route, Route], Any]) -> Chat:
        """Call ``callback(error, from_route, to_route)`` when a fallback route takes over."""
        self.hooks.fallback.append(callback)
        return self

    def on_new_message(self, callback: Callable[[], Any]) -> Chat:
        """Call ``callback()`` when an assistant message starts."""
        self.hooks.new_message.append(callback)
        return self

    def on_end_message(self, callback: Callable[[Message], Any]) -> Chat:
        """Call ``callback(message)`` for every assistant message that lands in ``messages``."""
        self.hooks.end_message.append(callback)
        return self

    def on_tool_call(self, callback: Callable[[Any], Any]) -> Chat:
        """Call ``callback(tool_call)`` before each tool runs."""
        self.hooks.tool_call.append(callback)
        return self

    def on_tool_result(self, callback: Callable[[ToolResult], Any]) -> Chat:
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

    # ---- one call -------------------------------------------------------------------------

    def _call(
        self, content: str | None, attachments: Sequence[Any] | None, *, stream: bool
    ) -> tuple[Exchange, Flow[Message]]:
        """A call's history transaction and its flow (not started yet)."""
        first = self._user_message(content, attachments)
        if first is None and not any(m.role != "system" for m in self.messages):
            raise ValueError("nothing to send: pass a message, e.g. chat.ask('Hello')")
        if self._active is not None and not self._active.finished:
            self._active.abandon(superseded=True)  # a stream left open is superseded
        settings = self._session.settings
        max_rounds = self.toolbox.max_rounds or settings.max_tool_rounds
        exchange = Exchange(self.messages, self.hooks, first, max_rounds=max_rounds)
        self._active = exchange
        return exchange, chat_flow(self._plan(stream), exchange)

    def _plan(self, stream: bool) -> ChatPlan:
        session, options, toolbox = self._session, self._options, self.toolbox
        settings = session.settings
        raise_errors = toolbox.raise_errors
        return ChatPlan(
            request=options.request(self.model, toolbox, stream=stream),
            routes=(Route(self.model, self.provider), *options.fallbacks),
            policy=options.retry or session.policy,
            total_timeout=options.total_timeout or settings.total_timeout,
            download_timeout=settings.download_timeout,
            toolbox=toolbox,
            raise_tool_errors=settings.raise_tool_errors if raise_errors is None else raise_errors,
            services=session,
            parse=options.parse,
        )

    def _user_message(
        self, content: str | None, attachments: Sequence[Any] | None
    ) -> Message | None:
        if content is not None and not isinstance(content, str):
            raise TypeError(f"the message must be a string, got {type(content).__name__}")
        files: tuple[Attachment, ...] = ()
        if attachments:
            from .content import to_attachments

            files = to_attachments(attachments)
        if content is None and not files:
            return None
        if not files and not (content or "").strip():
            raise ValueError(
                "the message is empty: pass some text (or attachments), or call ask() with no "
                "argument to send the history as it is"
            )
        return Message.user(content or "", files)
