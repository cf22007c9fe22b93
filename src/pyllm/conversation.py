"""``Chat``: a conversation with one model. Configure it with ``with_*`` (each returns the same
chat), talk to it with ``ask`` / ``stream`` and their async twins ``aask`` / ``astream``.

>>> import pyllm
>>> chat = pyllm.chat("anthropic/claude-haiku-4.5", provider="openrouter")
>>> chat.with_instructions("Be terse.").with_temperature(0.2) is chat
True
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ._loop import Exchange, Hooks
from ._stream import AsyncChatStream, ChatStream
from .errors import Error
from .message import Message, Usage
from .protocols.base import deep_merge
from .request import ChatRequest

if TYPE_CHECKING:
    from .chunk import Chunk
    from .client import Client
    from .content import Attachment
    from .providers.base import Provider

__all__ = ["Chat"]


class Chat:
    """A conversation: its history (``messages``), model, settings and hooks.

    Every request sends the whole history. A failed request leaves ``messages`` exactly as it
    was, so you can simply call ``ask`` again.
    """

    def __init__(self, client: Client, model: str, provider: str) -> None:
        self._client = client
        self.model = model
        self.provider = provider
        self.messages: list[Message] = []
        self.hooks = Hooks()
        self._temperature: float | None = None
        self._params: dict[str, Any] = {}
        self._headers: dict[str, str] = {}
        self._active: Exchange | None = None

    def __repr__(self) -> str:
        return (
            f"Chat(model={self.model!r}, provider={self.provider!r}, messages={len(self.messages)})"
        )

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
        if temperature is not None:
            if isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
                raise TypeError(f"temperature must be a number, got {type(temperature).__name__}")
            if not math.isfinite(temperature) or not 0 <= temperature <= 2:
                raise ValueError(f"temperature must be between 0 and 2, got {temperature}")
        self._temperature = None if temperature is None else float(temperature)
        return self

    def with_params(self, **params: Any) -> Chat:
        """Extra payload fields, deep-merged into the request last: the escape hatch.

        >>> import pyllm
        >>> pyllm.chat("openai/gpt-4.1-mini").with_params(top_k=5, provider={"sort": "price"})
        Chat(model='openai/gpt-4.1-mini', provider='openrouter', messages=0)
        """
        self._params = deep_merge(self._params, params)
        return self

    def with_headers(self, **headers: str) -> Chat:
        """Extra HTTP headers for this chat's requests (e.g. ``x_session_id="abc"``)."""
        for name, value in headers.items():
            self._headers[name.replace("_", "-")] = str(value)
        return self

    def with_model(self, model: str, provider: str | None = None) -> Chat:
        """Switch model (and maybe provider) mid-conversation; the history is kept."""
        self.model, self.provider = self._client.resolve(model, provider)
        return self

    def on_new_message(self, callback: Callable[[], Any]) -> Chat:
        """Call ``callback()`` when an assistant message starts."""
        self.hooks.new_message.append(callback)
        return self

    def on_end_message(self, callback: Callable[[Message], Any]) -> Chat:
        """Call ``callback(message)`` for every assistant message that lands in ``messages``."""
        self.hooks.end_message.append(callback)
        return self

    # ---- totals ---------------------------------------------------------------------------

    @property
    def usage(self) -> Usage:
        """Tokens and cost of every answer in this conversation, summed."""
        total = Usage()
        for message in self.messages:
            if message.usage is not None:
                total = total + message.usage
        return total

    @property
    def cost(self) -> float | None:
        """USD spent on this conversation (``None`` if no answer reported a cost)."""
        return self.usage.cost

    # ---- talking --------------------------------------------------------------------------

    def ask(
        self, content: str | None = None, *, attachments: Sequence[Any] | None = None
    ) -> Message:
        """Send ``content`` (or, with no argument, the history as it is) and return the answer."""
        exchange = self._open(content, attachments)
        provider = self._provider()
        with exchange.guard():
            while True:
                exchange.begin_message()
                body = self._client._http.request_json(
                    provider,
                    "POST",
                    provider.chat_path,
                    self._payload(provider, exchange, False),
                    headers=self._headers,
                )
                if exchange.accept(provider.protocol.parse_chat(body)):
                    assert exchange.result is not None
                    return exchange.result

    async def aask(
        self, content: str | None = None, *, attachments: Sequence[Any] | None = None
    ) -> Message:
        """Async twin of :meth:`ask`."""
        exchange = self._open(content, attachments)
        provider = self._provider()
        http = self._client._async_http()
        with exchange.guard():
            while True:
                exchange.begin_message()
                body = await http.request_json(
                    provider,
                    "POST",
                    provider.chat_path,
                    self._payload(provider, exchange, False),
                    headers=self._headers,
                )
                if exchange.accept(provider.protocol.parse_chat(body)):
                    assert exchange.result is not None
                    return exchange.result

    def stream(
        self, content: str | None = None, *, attachments: Sequence[Any] | None = None
    ) -> ChatStream:
        """Stream the answer as :class:`~pyllm.Chunk` values.

        >>> import pyllm
        >>> with pyllm.testing.FakeOpenRouter() as server:  # doctest: +SKIP
        ...     for chunk in server.chat().stream("Hi"):
        ...         print(chunk.content, end="")
        """
        exchange = self._open(content, attachments)
        return ChatStream(self._stream_chunks(exchange), exchange)

    def astream(
        self, content: str | None = None, *, attachments: Sequence[Any] | None = None
    ) -> AsyncChatStream:
        """Async twin of :meth:`stream`: ``async for chunk in chat.astream(...)``."""
        exchange = self._open(content, attachments)
        return AsyncChatStream(self._astream_chunks(exchange), exchange)

    def _stream_chunks(self, exchange: Exchange) -> Iterator[Chunk]:
        provider = self._provider()
        with exchange.guard():
            while True:
                parser = exchange.begin_message(provider.protocol)
                assert parser is not None
                payload = self._payload(provider, exchange, True)
                with self._client._http.stream(
                    provider, provider.chat_path, payload, headers=self._headers
                ) as pieces:
                    try:
                        for piece in pieces:
                            yield from parser.feed(piece)
                            if parser.done:
                                break
                        yield from parser.finish()
                    except Error as exc:
                        raise parser.attach(exc) from None
                if exchange.accept(parser.message()):
                    return

    async def _astream_chunks(self, exchange: Exchange) -> AsyncIterator[Chunk]:
        provider = self._provider()
        http = self._client._async_http()
        with exchange.guard():
            while True:
                parser = exchange.begin_message(provider.protocol)
                assert parser is not None
                payload = self._payload(provider, exchange, True)
                async with http.stream(
                    provider, provider.chat_path, payload, headers=self._headers
                ) as pieces:
                    try:
                        async for piece in pieces:
                            for chunk in parser.feed(piece):
                                yield chunk
                            if parser.done:
                                break
                        for chunk in parser.finish():
                            yield chunk
                    except Error as exc:
                        raise parser.attach(exc) from None
                if exchange.accept(parser.message()):
                    return

    # ---- internals ------------------------------------------------------------------------

    def _provider(self) -> Provider:
        return self._client.provider(self.provider)

    def _open(self, content: str | None, attachments: Sequence[Any] | None) -> Exchange:
        first = self._user_message(content, attachments)
        if first is None and not any(m.role != "system" for m in self.messages):
            raise ValueError("nothing to send: pass a message, e.g. chat.ask('Hello')")
        if self._active is not None and not self._active.finished:
            self._active.abandon()  # a stream left open is superseded by this request
        self._active = Exchange(self.messages, self.hooks, first)
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
        return Message.user(content or "", files)

    def _request(self, exchange: Exchange, stream: bool) -> ChatRequest:
        return ChatRequest(
            model=self.model,
            messages=exchange.messages(),
            stream=stream,
            temperature=self._temperature,
            params=self._params,
        )

    def _payload(self, provider: Provider, exchange: Exchange, stream: bool) -> dict[str, Any]:
        return provider.protocol.render_chat(self._request(exchange, stream))
