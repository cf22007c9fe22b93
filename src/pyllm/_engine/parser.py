"""Streaming: bytes -> SSE events -> chunks -> one message (:class:`StreamParser`, pure).

A server (or proxy) that ignores ``stream: true`` and answers with a plain JSON body is read as
such: its message arrives as one chunk, or its in-band error is raised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..chunk import Chunk, ToolCallDelta
from ..errors import APIConnectionError, APIError, Error, InvalidResponseError
from ..message import ERROR, INCOMPLETE
from ..protocols.base import decode_json, stream_reader
from .accumulator import Accumulator
from .sse import _BOM, SSEDecodeError, SSEDecoder, SSELimitError

if TYPE_CHECKING:
    from ..message import Message
    from ..protocols.base import ChatProtocol

__all__ = ["StreamParser", "message_chunk", "superseded_error"]


class StreamParser:
    """One streamed response: feed it bytes, get chunks; ask it for the message at any time."""

    __slots__ = (
        "_add",
        "_body",
        "_body_size",
        "_decoder",
        "_is_end",
        "_json",
        "_parse_event",
        "accumulator",
        "done",
        "protocol",
        "superseded",
    )

    def __init__(self, protocol: ChatProtocol) -> None:
        self.protocol = protocol
        self.accumulator = Accumulator(provider=protocol.provider)
        self._decoder = SSEDecoder()
        self.done = False
        self.superseded = False  # a newer request on the same chat took over: stop reading
        self._body: list[bytes] | None = None  # a body that may not be SSE, held until its end
        self._body_size = 0
        self._json = False
        reader = stream_reader(protocol)  # this stream's own (a protocol may keep state)
        self._is_end, self._parse_event = reader.is_end, reader.parse_event  # bound once
        self._add = self.accumulator.add

    def expect(self, content_type: str | None) -> None:
        """The response's ``Content-Type``: anything but ``text/event-stream`` may be a plain
        JSON answer from a server that ignored ``stream: true`` (its first byte decides)."""
        if "text/event-stream" not in (content_type or "").lower():
            self._body = []

    def feed(self, data: bytes) -> list[Chunk]:
        """Chunks completed by ``data``. Raises the typed error of an in-band error event."""
        if self._body is not None:
            return self._hold_body(data)
        try:
            events = self._decoder.feed(data)
        except SSEDecodeError as exc:
            self._parse(exc.events)  # keep the good events before the bad bytes
            raise self.attach(self._bad_bytes(exc)) from None
        except SSELimitError as exc:
            raise self.attach(self._too_large(str(exc))) from None
        return self._parse(events) if events else []

    def finish(self) -> list[Chunk]:
        """End of the byte stream: the last chunks, or an error if the answer was cut short."""
        if self._body is not None:
            return self._finish_body()
        chunks: list[Chunk] = []
        if not self.done:
            try:
                chunks = self._parse(self._decoder.flush())
            except SSEDecodeError as exc:
                self._parse(exc.events)
                raise self.attach(self._bad_bytes(exc)) from None
        if not self.done and self.accumulator.finish_reason is None:
            raise self.attach(
                APIConnectionError("the stream ended before the response was complete")
            )
        return chunks

    def _parse(self, events: list[Any]) -> list[Chunk]:
        is_end, parse, add = self._is_end, self._parse_event, self._add
        chunks: list[Chunk] = []
        for event in events:
            if is_end(event):
                self.done = True
                break
            try:
                chunk = parse(event)
            except Error as exc:
                raise self.attach(exc) from None
            if chunk is not None:
                add(chunk)
                chunks.append(chunk)
        return chunks

    def _hold_body(self, data: bytes) -> list[Chunk]:
        """Collect a non-SSE body; if its first byte shows SSE after all, decode it as SSE."""
        assert self._body is not None
        self._body.append(data)
        self._body_size += len(data)
        if self._body_size > self._decoder.limit:
            raise self.attach(
                self._too_large(f"the response body is larger than {self._decoder.limit:,} bytes")
            )
        if self._json:
            return []
        head = b"".join(self._body)
        start = head.removeprefix(_BOM).lstrip()
        if not start:
            return []
        if start[:1] in (b"{", b"["):
            self._json, self._body = True, [head]
            return []
        self._body = None  # a mislabelled event stream
        return self.feed(head)

    def _finish_body(self) -> list[Chunk]:
        """A whole JSON answer: its message as one chunk, or its in-band error."""
        assert self._body is not None
        body, self._body = b"".join(self._body), None
        provider = self.protocol.provider
        try:
            message = self.protocol.parse_chat(decode_json(body, provider=provider))
        except Error as exc:
            raise self.attach(exc) from None
        chunk = message_chunk(message)
        self._add(chunk)
        self.done = True
        return [chunk]

    def _too_large(self, what: str) -> InvalidResponseError:
        return InvalidResponseError(
            f"{what}; pyllm stopped reading it (a misbehaving server or proxy?)",
            status=200,
            provider=self.protocol.provider,
        )

    def _bad_bytes(self, exc: SSEDecodeError) -> InvalidResponseError:
        return InvalidResponseError(
            f"the stream sent bytes that are not valid UTF-8 ({exc.reason})",
            status=200,
            provider=self.protocol.provider,
        )

    def message(self, *, finish_reason: str | None = None) -> Message:
        return self.accumulator.message(finish_reason=finish_reason)

    def attach(self, error: Error) -> Error:
        """``error`` with what arrived so far as its ``partial`` message (if anything did)."""
        if isinstance(error, (APIError, APIConnectionError)) and error.partial is None:
            if self.accumulator.received:
                error.partial = self.message(finish_reason=ERROR)
            if isinstance(error, APIError) and error.provider is None:
                error.provider = self.protocol.provider
        return error

    def partial(self) -> Message | None:
        """What arrived, marked ``incomplete``, or ``None`` if nothing did."""
        return self.message(finish_reason=INCOMPLETE) if self.accumulator.received else None


def message_chunk(message: Message) -> Chunk:
    """A whole message as one chunk: the accumulator rebuilds the same message from it."""
    deltas = tuple(
        ToolCallDelta(index=i, id=call.id, name=call.name, arguments=call.raw_arguments)
        for i, call in enumerate(message.tool_calls)
    )
    return Chunk(
        content=message.content,
        reasoning=message.reasoning or "",
        reasoning_details=message.reasoning_details,
        tool_call_deltas=deltas,
        finish_reason=message.finish_reason,
        native_finish_reason=message.native_finish_reason,
        usage=message.usage,
        model=message.model,
        id=message.id,
        upstream=message.upstream,
        refusal=message.refusal or "",
        images=message.images,
        annotations=message.annotations,
        raw=message.raw,
    )


def superseded_error() -> RuntimeError:
    """What reading on from a stream a newer request superseded raises."""
    return RuntimeError(
        "this stream was superseded by a newer request on the same chat; its partial answer is "
        "in chat.messages (finish_reason='incomplete')"
    )
