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

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._chat_settings import ChatSettings
from ._engine.exchange import Exchange, open_calls
from ._engine.flow import ChatPlan, chat_flow
from ._engine.steps import Call
from ._http.drive import adrive, drive
from ._routes import Route
from .message import Message, Usage
from .streams import AsyncChatStream, ChatStream

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._engine.steps import ChatStore, Flow, Listener, Saver
    from ._session import Session
    from .content import Attachment
    from .message import ToolCall
    from .providers.base import Provider
    from .rendered import RenderedRequest

__all__ = ["Chat"]


class Chat(ChatSettings):
    """A conversation: its history (``messages``), model, settings, tools and hooks.

    Every request sends the whole history. A failed request leaves ``messages`` exactly as it
    was (or, in a tool loop, ending at the last whole tool round), so you can call ``ask`` again.
    Argument mistakes in ``with_*`` raise at once: a wrong type ``TypeError``, a value out of
    range :class:`~pyllm.ConfigurationError`, naming the argument and what it accepts.
    """

    _saver: Saver | None = None  # a stored chat's store (pyllm.SQLStore): written at commits
    id: str | None = None
    """The chat's key in its store (``chat.with_store``, ``store.chat``), else ``None``."""

    def __init__(self, session: Session, model: str, provider: str) -> None:
        super().__init__(session)
        self.model = model
        self.provider = provider
        self.messages: list[Message] = []
        self._active: Exchange | None = None
        self.hooks.end_message.append(self._remember)  # for reply.generation()

    def __repr__(self) -> str:
        return (
            f"Chat(model={self.model!r}, provider={self.provider!r}, messages={len(self.messages)})"
        )

    # ---- talking --------------------------------------------------------------------------

    def ask(
        self,
        content: str | None = None,
        *,
        attachments: Sequence[Any] | None = None,
        cache: bool = False,
    ) -> Message:
        """Send ``content`` (or, with no argument, the history as it is) and return the answer,
        running tools in between until the model answers. ``cache=True`` marks a prompt-cache
        breakpoint after this message (see :meth:`with_caching`)."""
        exchange, flow, listeners, call = self._call(content, attachments, cache, stream=False)
        for _ in drive(flow, self._session, listeners, None, call):  # nobody reads the chunks
            pass
        return exchange.outcome()

    async def aask(
        self,
        content: str | None = None,
        *,
        attachments: Sequence[Any] | None = None,
        cache: bool = False,
    ) -> Message:
        """Async twin of :meth:`ask`."""
        exchange, flow, listeners, call = self._call(content, attachments, cache, stream=False)
        async for _ in adrive(flow, self._session, listeners, None, call):
            pass
        return exchange.outcome()

    def stream(
        self,
        content: str | None = None,
        *,
        attachments: Sequence[Any] | None = None,
        cache: bool = False,
    ) -> ChatStream:
        """Stream the answer as :class:`~pyllm.Chunk` values, across tool rounds."""
        exchange, flow, listeners, call = self._call(content, attachments, cache, stream=True)
        chunks = drive(flow, self._session, listeners, None, call)
        return ChatStream(chunks, exchange, self._options.partial)

    def astream(
        self,
        content: str | None = None,
        *,
        attachments: Sequence[Any] | None = None,
        cache: bool = False,
    ) -> AsyncChatStream:
        """Async twin of :meth:`stream`: ``async for chunk in chat.astream(...)``."""
        exchange, flow, listeners, call = self._call(content, attachments, cache, stream=True)
        chunks = adrive(flow, self._session, listeners, None, call)
        return AsyncChatStream(chunks, exchange, self._options.partial)

    def render(
        self,
        content: str | None = None,
        *,
        attachments: Sequence[Any] | None = None,
        cache: bool = False,
        stream: bool = False,
    ) -> RenderedRequest:
        """The exact HTTP request ``ask(content, ...)`` would send first (``stream=True``: what
        ``stream`` would), built by the same code, without sending anything: ``method``,
        ``url``, ``headers`` (credentials masked) and the ``json`` payload (``body``: its bytes).
        The history is unchanged and no hook runs. Remote attachments that ``ask`` would
        download first raise :class:`~pyllm.AttachmentError`.

        >>> import pyllm
        >>> chat = pyllm.Client(openrouter_api_key="sk-or-test").chat("openai/gpt-4.1-mini")
        >>> request = chat.with_temperature(0.2).render("Hi")
        >>> request.method, request.url, request.headers["Authorization"]
        ('POST', 'https://openrouter.ai/api/v1/chat/completions', '********')
        >>> request.json["messages"], request.json["temperature"]
        ([{'role': 'user', 'content': 'Hi'}], 0.2)
        """
        from ._render import render_request

        first = self._first_message(content, attachments, cache)
        exchange = self._exchange(list(self.messages), first)  # a copy: nothing can reach it
        return render_request(self._plan(stream), exchange)

    # ---- tool calls left open (issue 15: with_tools(execute=False)) ------------------------

    @property
    def pending_tool_calls(self) -> tuple[ToolCall, ...]:
        """The tool calls of the last answer still waiting for a result (see
        :meth:`add_tool_result`); empty when there are none."""
        return tuple(open_calls(self.messages))

    def add_tool_result(self, call_id: str, value: Any, *, is_error: bool = False) -> Message:
        """Answer the open tool call ``call_id`` with ``value`` (text, a JSON value, or
        ``pyllm.Content`` / ``pyllm.Attachment`` for files), as if its tool had returned it;
        ``is_error=True`` marks it failed. Once every call has a result, ``ask()`` carries on.

        A value with no JSON form raises ``TypeError`` here (nothing is added). Returns the
        tool message added to ``messages``.
        """
        if self._active is not None and not self._active.finished:
            raise RuntimeError(
                "a call on this chat is still running: finish it (or close it) first"
            )
        call = next((c for c in open_calls(self.messages) if c.id == call_id), None)
        if call is None:
            waiting = ", ".join(repr(c.id) for c in open_calls(self.messages)) or "none"
            raise ValueError(
                f"no tool call {call_id!r} is waiting for a result (waiting: {waiting})"
            )
        message = self.toolbox.answered(call, value, self.hooks, is_error=is_error)
        self.messages.append(message)
        return message

    # ---- history and model ----------------------------------------------------------------

    def with_instructions(self, text: str, *, append: bool = False) -> Chat:
        """Set the system prompt. A second call replaces it; ``append=True`` adds another."""
        if not isinstance(text, str):
            raise TypeError(f"instructions must be a string, got {type(text).__name__}")
        systems = [m for m in self.messages if m.role == "system"] if append else []
        rest = [m for m in self.messages if m.role != "system"]
        self.messages[:] = [*systems, Message.system(text), *rest]
        return self

    def with_model(self, model: str, provider: str | None = None) -> Chat:
        """Switch model (and maybe provider) mid-conversation; the history is kept."""
        self.model, self.provider = self._session.resolve(model, provider)
        return self

    # ---- counting (issue 13) ----------------------------------------------------------------

    def count_tokens(
        self, content: str | None = None, *, attachments: Sequence[Any] | None = None
    ) -> int:
        """The input tokens of the next request, counted by the provider: the history (plus
        ``content`` and ``attachments`` when given), instructions, tools and thinking settings.
        Nothing is added to ``messages``. Anthropic counts for free (``POST
        /messages/count_tokens``); a provider without such an endpoint raises
        :class:`~pyllm.UnsupportedError`."""
        provider, path, payload = self._counting(content, attachments)
        body = self._session.request(provider, path, payload)
        return provider.parse_token_count(body)

    async def acount_tokens(
        self, content: str | None = None, *, attachments: Sequence[Any] | None = None
    ) -> int:
        """Async twin of :meth:`count_tokens`."""
        provider, path, payload = self._counting(content, attachments)
        body = await self._session.arequest(provider, path, payload)
        return provider.parse_token_count(body)

    def _counting(
        self, content: str | None, attachments: Sequence[Any] | None
    ) -> tuple[Provider, str, dict[str, Any]]:
        from ._render import counting_request

        first = self._user_message(content, attachments)
        messages = (*self.messages, first) if first is not None else tuple(self.messages)
        template = self._options.request(self.model, self.toolbox, stream=False)
        return counting_request(self._session, template, self.provider, messages)

    # ---- saving ---------------------------------------------------------------------------

    def to_dict(
        self, *, attachments: Callable[[Attachment], str] | None = None, messages: bool = True
    ) -> dict[str, Any]:
        """The conversation as JSON-safe data: model, provider, settings, tool names and every
        message (see the persistence guide for the format). ``client.chat_from(data,
        tools=[...])`` or ``pyllm.chat_from(...)`` rebuilds it; attachments are inline unless
        ``attachments`` saves each one and returns a key; ``messages=False`` leaves the
        messages out (the settings alone).

        >>> import json, pyllm
        >>> data = pyllm.chat("openai/gpt-4.1-mini").with_temperature(0.2).to_dict()
        >>> data["model"], data["settings"]["temperature"], json.loads(json.dumps(data)) == data
        ('openai/gpt-4.1-mini', 0.2, True)
        """
        from ._chat_codec import chat_dict, options_to_json

        settings = options_to_json(self._options, self.toolbox, self._meter)
        history = self.messages if messages else ()
        return chat_dict(self.model, self.provider, settings, history, attachments)

    def with_store(self, store: ChatStore, *, id: str | None = None) -> Chat:
        """Keep this chat in ``store`` (a :class:`pyllm.SQLStore`): its messages are written
        at the moments they reach ``messages`` (an answer, a whole tool round), before anything
        else is sent, with its settings; ``chat.id`` is its key. ``id`` continues a chat
        already in the store (``store.load`` does this). ``store.chat(model)`` is
        ``client.chat(model).with_store(store)``."""
        self._saver = store.keeper(self, id)
        self.id = self._saver.id
        return self

    def save(self) -> None:
        """Write what the store does not have yet (a stream you stopped keeps its partial
        answer in ``messages``; it is written with the next answer, or now)."""
        self._stored().save()

    async def asave(self) -> None:
        """Async twin of :meth:`save`."""
        await self._stored().asave()

    def _stored(self) -> Saver:
        if self._saver is None:
            raise ValueError("this chat is not kept in a store: see chat.with_store(store)")
        return self._saver

    def restore(
        self,
        data: Mapping[str, Any],
        *,
        tools: Iterable[Any] = (),
        missing_tools: str = "raise",
        attachments: Callable[[str], bytes] | None = None,
    ) -> Chat:
        """Take a saved chat's model, provider, settings, tools and messages (``data`` from
        :meth:`to_dict`); ``client.chat_from(data)`` does this on a new chat. Tools are saved
        by name: give them again in ``tools``; one that is not given raises
        :class:`~pyllm.ToolError` unless ``missing_tools="drop"``. Data pyllm cannot read
        raises :class:`~pyllm.FormatError` and leaves the chat as it was."""
        from ._chat_codec import messages_from_json, options_from_json, read_chat_header

        model, provider = read_chat_header(data)
        self._session.provider(provider)  # an unknown provider fails now, naming the known ones
        messages = messages_from_json(data, attachments)
        options, meter = options_from_json(data, self.toolbox, tools, missing_tools)
        self.model, self.provider = model, provider
        self._options, self._meter = options, meter
        self.messages[:] = messages
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

    def _remember(self, message: Message) -> None:
        if message.id is not None:
            from ._openrouter_account import remember

            remember(message, self._session)

    # ---- one call -------------------------------------------------------------------------

    def _call(
        self,
        content: str | None,
        attachments: Sequence[Any] | None,
        cache: bool,
        *,
        stream: bool,
    ) -> tuple[Exchange, Flow[Message], Sequence[Listener], Call | None]:
        """A call's history transaction, its flow (not started yet), and who listens to it."""
        first = self._first_message(content, attachments, cache)
        if self._active is not None and not self._active.finished:
            self._active.abandon(superseded=True)  # a stream left open is superseded
        exchange = self._exchange(self.messages, first)
        self._active = exchange
        plan = self._plan(stream)
        listeners = self._session.observers(self.listeners)
        call = Call(plan) if listeners else None
        return exchange, chat_flow(plan, exchange), listeners, call

    def _first_message(
        self, content: str | None, attachments: Sequence[Any] | None, cache: bool
    ) -> Message | None:
        """The message a call adds (``None``: it sends the history as it is), checked."""
        first = self._user_message(content, attachments)
        if cache:
            if first is None:
                raise ValueError("cache=True marks the message you send: pass one")
            first = first.replace(cache=True)
        if first is None and not any(m.role != "system" for m in self.messages):
            raise ValueError("nothing to send: pass a message, e.g. chat.ask('Hello')")
        return first

    def _exchange(self, history: list[Message], first: Message | None) -> Exchange:
        max_rounds = self.toolbox.max_rounds or self._session.settings.max_tool_rounds
        saver = self._saver
        on_commit = saver.committed if saver is not None else None
        return Exchange(history, self.hooks, first, max_rounds=max_rounds, on_commit=on_commit)

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
            download_attachments=settings.download_attachments,
            schema_retries=options.schema_retries,
            execute=toolbox.execute,
            guards=self._guards(),
            saver=self._saver,
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
