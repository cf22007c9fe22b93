"""``Chat``: a conversation with one model. Configure it with ``with_*`` (each returns the same
chat), talk to it with ``ask`` / ``stream`` and their async twins ``aask`` / ``astream``.

>>> import pyllm
>>> chat = pyllm.chat("anthropic/claude-haiku-4.5", provider="openrouter")
>>> chat.with_instructions("Be terse.").with_temperature(0.2) is chat
True
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ._chat_config import ChatConfig
from ._engine.exchange import Exchange
from ._engine.retry import Deadline
from ._engine.routing import Turn
from ._routes import Route
from ._turns import (
    acomplete,
    afetch_attachments,
    astream_message,
    complete,
    fetch_attachments,
    stream_message,
)
from .chunk import Chunk
from .errors import AttachmentError
from .message import Message
from .request import ChatRequest
from .streams import AsyncChatStream, ChatStream

if TYPE_CHECKING:
    from .content import Attachment
    from .providers.base import Provider

__all__ = ["Chat"]


class Chat(ChatConfig):
    """A conversation: its history (``messages``), model, settings, tools and hooks.

    Configure it with the ``with_*`` methods (see :class:`~pyllm._chat_config.ChatConfig`).
    Every request sends the whole history. A failed request leaves ``messages`` exactly as it
    was (or, in a tool loop, ending at the last whole tool round), so you can call ``ask`` again.
    """

    # ---- talking --------------------------------------------------------------------------

    def ask(
        self, content: str | None = None, *, attachments: Sequence[Any] | None = None
    ) -> Message:
        """Send ``content`` (or, with no argument, the history as it is) and return the answer,
        running tools in between until the model answers."""
        exchange = self._open(content, attachments)
        with exchange.guard():
            fetch_attachments(self, exchange)
            while True:
                exchange.begin_message()
                if exchange.accept(self._finish(complete(self, exchange))):
                    return self._result(exchange)
                for call in list(exchange.pending):
                    exchange.record(
                        self.toolbox.run(call, self.hooks, raise_errors=self._raise_errors())
                    )
                if exchange.finished:
                    return self._result(exchange)

    async def aask(
        self, content: str | None = None, *, attachments: Sequence[Any] | None = None
    ) -> Message:
        """Async twin of :meth:`ask`."""
        exchange = self._open(content, attachments)
        with exchange.guard():
            await afetch_attachments(self, exchange)
            while True:
                exchange.begin_message()
                if exchange.accept(self._finish(await acomplete(self, exchange))):
                    return self._result(exchange)
                for call in list(exchange.pending):
                    exchange.record(
                        await self.toolbox.arun(call, self.hooks, raise_errors=self._raise_errors())
                    )
                if exchange.finished:
                    return self._result(exchange)

    def stream(
        self, content: str | None = None, *, attachments: Sequence[Any] | None = None
    ) -> ChatStream:
        """Stream the answer as :class:`~pyllm.Chunk` values, across tool rounds."""
        exchange = self._open(content, attachments)
        return ChatStream(self._stream_chunks(exchange), exchange)

    def astream(
        self, content: str | None = None, *, attachments: Sequence[Any] | None = None
    ) -> AsyncChatStream:
        """Async twin of :meth:`stream`: ``async for chunk in chat.astream(...)``."""
        exchange = self._open(content, attachments)
        return AsyncChatStream(self._astream_chunks(exchange), exchange)

    def _stream_chunks(self, exchange: Exchange) -> Iterator[Chunk]:
        with exchange.guard():
            fetch_attachments(self, exchange)
            while True:
                exchange.begin_message()
                yield from stream_message(self, exchange)
                if exchange.accept(self._finish(exchange.streamed_message())):
                    return
                for call in list(exchange.pending):
                    yield Chunk(tool_call=call)
                    result = self.toolbox.run(call, self.hooks, raise_errors=self._raise_errors())
                    exchange.record(result)
                    yield Chunk(tool_result=result)
                if exchange.finished:
                    return

    async def _astream_chunks(self, exchange: Exchange) -> AsyncIterator[Chunk]:
        with exchange.guard():
            await afetch_attachments(self, exchange)
            while True:
                exchange.begin_message()
                async for chunk in astream_message(self, exchange):
                    yield chunk
                if exchange.accept(self._finish(exchange.streamed_message())):
                    return
                for call in list(exchange.pending):
                    yield Chunk(tool_call=call)
                    result = await self.toolbox.arun(
                        call, self.hooks, raise_errors=self._raise_errors()
                    )
                    exchange.record(result)
                    yield Chunk(tool_result=result)
                if exchange.finished:
                    return

    # ---- internals ------------------------------------------------------------------------

    def _raise_errors(self) -> bool:
        if self.toolbox.raise_errors is not None:
            return self.toolbox.raise_errors
        return self._client.settings.raise_tool_errors

    def _open(self, content: str | None, attachments: Sequence[Any] | None) -> Exchange:
        first = self._user_message(content, attachments)
        if first is None and not any(m.role != "system" for m in self.messages):
            raise ValueError("nothing to send: pass a message, e.g. chat.ask('Hello')")
        if self._active is not None and not self._active.finished:
            self._active.abandon(superseded=True)  # a stream left open is superseded
        max_rounds = self.toolbox.max_rounds or self._client.settings.max_tool_rounds
        self._active = Exchange(self.messages, self.hooks, first, max_rounds=max_rounds)
        return self._active

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

    def _check_files(self, exchange: Exchange) -> None:
        """Refuse, before any request, what the registry says the model cannot take: images
        without vision, audio without audio input, text beyond the context window."""
        files = exchange.new_files()
        if not files:
            return
        kinds = {a.kind for a in files}
        for kind, capability in (("image", "vision"), ("audio", "audio_input")):
            if kind in kinds:
                self._client.check_capability(self.model, self.provider, capability)
        known = self._client.models.get(self.model, self.provider)
        window = known.context_window if known is not None else None
        tokens = sum(len(a.data or b"") // 4 for a in files if a.kind == "text")
        if window and tokens > window:
            raise AttachmentError(
                f"the text attachments are about {tokens:,} tokens; {self.model} reads at most "
                f"{window:,}. Send less, or pick a model with a larger context window"
            )

    def _finish(self, message: Message) -> Message:
        """Every assistant message before it is accepted: its cost from registry prices when
        the provider reported none; structured output parsed into ``message.parsed``."""
        message = self._priced(message)
        if self._parse is None or message.tool_calls or not message.content:
            return message
        try:
            return message.replace(parsed=self._parse(message.content))
        except (ValueError, TypeError):
            return message  # not valid JSON for the schema: ``parsed`` stays None

    def _priced(self, message: Message) -> Message:
        usage = message.usage
        if usage is None or usage.cost is not None:
            return message
        from .registry import price_usage

        models = self._client.models
        model = None
        if message.provider is not None and message.model is not None:
            model = models.get(message.model, message.provider)  # who answered (fallbacks)
        if model is None and message.provider in (None, self.provider):
            model = models.get(self.model, self.provider)
        priced = price_usage(model, usage)
        return message if priced is usage else message.replace(usage=priced)

    @staticmethod
    def _result(exchange: Exchange) -> Message:
        assert exchange.result is not None
        return exchange.result

    def _turn(self) -> Turn:
        """How the next assistant message is obtained: routes, retries, deadline."""
        policy = self._policy or self._client._http.policy
        deadline = Deadline(self._total_timeout or self._client.settings.total_timeout)
        routes = [Route(self.model, self.provider), *self._fallbacks]
        return Turn(routes, policy, deadline, self.hooks.fallback)

    def _route_payload(
        self, turn: Turn, exchange: Exchange, *, stream: bool
    ) -> tuple[Provider, dict[str, Any]]:
        route = turn.route
        assert route.provider is not None
        provider = self._client.provider(route.provider)
        toolbox = self.toolbox
        choice = toolbox.choice
        if choice is not None and toolbox.forced_choice() and exchange.rounds > 0:
            choice = None
        request = ChatRequest(
            model=route.model,
            messages=exchange.messages(),
            stream=stream,
            temperature=self._temperature,
            tools=toolbox.definitions() if toolbox.tools else (),
            tool_choice=choice,
            parallel_tool_calls=toolbox.parallel,
            schema=self._schema,
            thinking=self._thinking,
            fallback_models=turn.server_models(),
            routing=self._routing_for(route.provider),
            params=self._params,
        )
        return provider, provider.protocol.render_chat(request)

    def _routing_for(self, provider: str) -> dict[str, Any] | None:
        """OpenRouter routing, with ``require_parameters`` on when tools or a schema are used."""
        if provider != "openrouter":
            return None
        routing = self._routing.render() if self._routing is not None else {}
        if (self.toolbox.tools or self._schema is not None) and "require_parameters" not in routing:
            routing["require_parameters"] = True
        return routing or None
