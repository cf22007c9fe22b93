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
from ._toolbox import Toolbox
from .chunk import Chunk
from .errors import Error
from .message import Message, Usage
from .protocols.base import deep_merge
from .request import ChatRequest, ResponseSchema, Thinking

if TYPE_CHECKING:
    from .client import Client
    from .content import Attachment
    from .providers.base import Provider
    from .tools import ToolResult

__all__ = ["Chat"]


class Chat:
    """A conversation: its history (``messages``), model, settings, tools and hooks.

    Every request sends the whole history. A failed request leaves ``messages`` exactly as it
    was (or, in a tool loop, ending at the last whole tool round), so you can call ``ask`` again.
    """

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

    def with_tools(
        self,
        *tools: Any,
        choice: str | None = None,
        parallel: bool | None = None,
        max_tool_rounds: int | None = None,
        raise_tool_errors: bool | None = None,
    ) -> Chat:
        """Add tools: ``@pyllm.tool`` functions, ``pyllm.Tool`` instances or subclasses.

        ``choice`` is ``"auto"``, ``"none"``, ``"required"`` or a tool name (a forced choice
        applies to the first request of each call); ``parallel=False`` asks for one call at a
        time. ``max_tool_rounds`` (default 25) stops runaway loops with a ``ToolError``;
        ``raise_tool_errors=True`` re-raises a tool's exception instead of telling the model.
        """
        self.toolbox.add(tools)
        if choice is not None:
            self.toolbox.set_choice(choice)
        if parallel is not None:
            self.toolbox.parallel = bool(parallel)
        if max_tool_rounds is not None:
            if (
                isinstance(max_tool_rounds, bool)
                or not isinstance(max_tool_rounds, int)
                or max_tool_rounds < 1
            ):
                raise ValueError(
                    f"max_tool_rounds must be a positive whole number, got {max_tool_rounds!r}"
                )
            self.toolbox.max_rounds = max_tool_rounds
        if raise_tool_errors is not None:
            self.toolbox.raise_errors = bool(raise_tool_errors)
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
        """Ask the model to reason: an ``effort`` ("low", "medium", "high"...) or a token
        ``budget``; ``exclude=True`` keeps the reasoning text out of the answer."""
        if effort is not None and budget is not None:
            raise ValueError("give an effort or a budget for thinking, not both")
        if effort is not None and (not isinstance(effort, str) or not effort.strip()):
            raise TypeError(f"effort must be a word like 'high', got {effort!r}")
        if budget is not None and (
            isinstance(budget, bool) or not isinstance(budget, int) or budget < 1
        ):
            raise ValueError(f"budget must be a positive number of tokens, got {budget!r}")
        self._thinking = Thinking(effort=effort, budget=budget, exclude=exclude)
        return self

    def without_thinking(self) -> Chat:
        self._thinking = None
        return self

    def with_schema(self, schema: Any, *, name: str | None = None, strict: bool = True) -> Chat:
        """Structured output: answers follow ``schema`` (a pydantic model, dataclass, TypedDict
        or JSON Schema dict) and ``reply.parsed`` holds the value. ``None`` removes it."""
        if schema is None:
            self._schema, self._parse = None, None
            return self
        from ._structured import response_format

        self._schema, self._parse = response_format(schema, name=name, strict=strict)
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
        """Send ``content`` (or, with no argument, the history as it is) and return the answer,
        running tools in between until the model answers."""
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
                if exchange.accept(self._finish(provider.protocol.parse_chat(body))):
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
                if exchange.accept(self._finish(provider.protocol.parse_chat(body))):
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
                if exchange.accept(self._finish(parser.message())):
                    return
                for call in list(exchange.pending):
                    yield Chunk(tool_call=call)
                    result = self.toolbox.run(call, self.hooks, raise_errors=self._raise_errors())
                    exchange.record(result)
                    yield Chunk(tool_result=result)
                if exchange.finished:
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
                if exchange.accept(self._finish(parser.message())):
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

    def _provider(self) -> Provider:
        return self._client.provider(self.provider)

    def _raise_errors(self) -> bool:
        if self.toolbox.raise_errors is not None:
            return self.toolbox.raise_errors
        return self._client.settings.raise_tool_errors

    def _open(self, content: str | None, attachments: Sequence[Any] | None) -> Exchange:
        first = self._user_message(content, attachments)
        if first is None and not any(m.role != "system" for m in self.messages):
            raise ValueError("nothing to send: pass a message, e.g. chat.ask('Hello')")
        if self._active is not None and not self._active.finished:
            self._active.abandon()  # a stream left open is superseded by this request
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
        return Message.user(content or "", files)

    def _finish(self, message: Message) -> Message:
        """Parse structured output into ``message.parsed`` when a schema is set."""
        if self._parse is None or message.tool_calls or not message.content:
            return message
        try:
            return message.replace(parsed=self._parse(message.content))
        except (ValueError, TypeError):
            return message  # not valid JSON for the schema: ``parsed`` stays None

    @staticmethod
    def _result(exchange: Exchange) -> Message:
        assert exchange.result is not None
        return exchange.result

    def _request(self, exchange: Exchange, stream: bool) -> ChatRequest:
        toolbox = self.toolbox
        choice = toolbox.choice
        if choice is not None and toolbox.forced_choice() and exchange.rounds > 0:
            choice = None
        return ChatRequest(
            model=self.model,
            messages=exchange.messages(),
            stream=stream,
            temperature=self._temperature,
            tools=toolbox.definitions() if toolbox.tools else (),
            tool_choice=choice,
            parallel_tool_calls=toolbox.parallel,
            schema=self._schema,
            thinking=self._thinking,
            params=self._params,
        )

    def _payload(self, provider: Provider, exchange: Exchange, stream: bool) -> dict[str, Any]:
        return provider.protocol.render_chat(self._request(exchange, stream))
