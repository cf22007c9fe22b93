"""What ``chat.stream(...)`` and ``chat.astream(...)`` return: iterators of chunks that are
also context managers, and say which message the stream ended with.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import TracebackType

    from ._engine.exchange import Exchange
    from .chunk import Chunk
    from .message import Message

__all__ = ["AsyncChatStream", "ChatStream"]


def _partial(exchange: Exchange, read: Callable[[str], Any] | None) -> Any:
    """The structured answer so far (see ``ChatStream.partial``)."""
    if read is None:
        return None
    parser = exchange.parser
    if parser is not None:  # an answer is arriving
        return read(parser.accumulator.content)
    result = exchange.result  # the stream is done (or between attempts: None)
    if result is None or result.role != "assistant":
        return None
    return result.parsed if result.parsed is not None else read(result.content)


class ChatStream:
    """What ``chat.stream(...)`` returns: an iterator of :class:`~pyllm.Chunk` and a context
    manager. Leaving the ``with`` block (or breaking out of the loop) closes the connection and
    keeps what arrived in ``chat.messages`` as a message with ``finish_reason="incomplete"``.

    After the loop, ``stream.message`` is the final assistant message (also ``chat.messages[-1]``).
    With a schema (``chat.with_schema(...)``), ``stream.partial`` is the answer so far.
    """

    def __init__(
        self,
        chunks: Iterator[Chunk],
        exchange: Exchange,
        partial: Callable[[str], Any] | None = None,
    ) -> None:
        self._chunks = chunks
        self._exchange = exchange
        self._read_partial = partial

    @property
    def partial(self) -> Any:
        """With a schema: the structured answer as far as its JSON has arrived, read anew on
        each access; ``None`` without a schema or before any of it arrived. For a pydantic
        model, an instance built without validation: fields not arrived yet hold their default
        (``None`` if they have none), and a string field grows as its text arrives (a number
        shows once complete). Each attempt of a re-ask (``retries``) starts again. Once the
        stream is done, the parsed answer (``message.parsed``)."""
        return _partial(self._exchange, self._read_partial)

    @property
    def message(self) -> Message | None:
        """The final assistant message once the stream is done (``None`` before); after an early
        stop, the partial message."""
        return self._exchange.result

    def __iter__(self) -> Iterator[Chunk]:
        return self._chunks  # the generator itself: no extra frame per chunk

    def __next__(self) -> Chunk:
        return next(self._chunks)

    def __enter__(self) -> ChatStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop reading now: closes the connection, keeps the partial message."""
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()

    def text(self) -> str:
        """Read the whole stream and return the final answer's text."""
        for _ in self:
            pass
        return self.message.content if self.message else ""


class AsyncChatStream:
    """The async twin of :class:`ChatStream`: ``async for`` and ``async with``.

    Prefer ``async with chat.astream(...) as stream:`` when you may stop early: it closes the
    connection at once instead of when the event loop gets round to finalizing the iterator.
    """

    def __init__(
        self,
        chunks: AsyncIterator[Chunk],
        exchange: Exchange,
        partial: Callable[[str], Any] | None = None,
    ) -> None:
        self._chunks = chunks
        self._exchange = exchange
        self._read_partial = partial

    @property
    def message(self) -> Message | None:
        return self._exchange.result

    @property
    def partial(self) -> Any:
        """The structured answer so far: see :attr:`ChatStream.partial`."""
        return _partial(self._exchange, self._read_partial)

    def __aiter__(self) -> AsyncIterator[Chunk]:
        return self._chunks

    async def __anext__(self) -> Chunk:
        return await self._chunks.__anext__()

    async def __aenter__(self) -> AsyncChatStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        aclose = getattr(self._chunks, "aclose", None)
        if aclose is not None:
            await aclose()

    async def text(self) -> str:
        async for _ in self:
            pass
        return self.message.content if self.message else ""
