"""An incremental Server-Sent Events decoder: bytes in, events out. Pure; no I/O.

Follows the WHATWG rules that matter on the wire: lines end in LF, CRLF or CR (also when a
CRLF is split across reads); lines starting with ``:`` are comments (OpenRouter's
``: OPENROUTER PROCESSING`` keep-alives) and are dropped; several ``data:`` lines join with
``\\n``; an event ends at a blank line. Long lines split over many reads cost linear time; a
line or an event larger than :data:`MAX_EVENT_BYTES` raises :class:`SSELimitError` instead of
growing without bound. A byte order mark is dropped even when it arrives split across reads.

>>> decoder = SSEDecoder()
>>> decoder.feed(b": OPENROUTER PROCESSING\\n\\ndata: {\\"a\\"")
[]
>>> [event.data for event in decoder.feed(b": 1}\\n\\ndata: [DONE]\\n\\n")]
['{"a": 1}', '[DONE]']
"""

from __future__ import annotations

from ..protocols.base import ServerSentEvent

__all__ = ["MAX_EVENT_BYTES", "SSEDecodeError", "SSEDecoder", "SSELimitError", "ServerSentEvent"]

MAX_EVENT_BYTES = 32 * 1024 * 1024
"""The largest SSE line or event pyllm buffers (32 MB): past it the stream is refused."""

_BOM = b"\xef\xbb\xbf"
_CR, _LF = 13, 10


_new_event = tuple.__new__


class SSEDecodeError(ValueError):
    """An event's data is not valid UTF-8; ``events`` holds the good events before it."""

    def __init__(self, reason: str, events: list[ServerSentEvent]) -> None:
        super().__init__(f"an event is not valid UTF-8 ({reason})")
        self.reason = reason
        self.events = events


class SSELimitError(ValueError):
    """A line or an event grew past the decoder's limit (``limit`` bytes) without ending."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"a stream {what} is larger than {limit:,} bytes")
        self.limit = limit


class SSEDecoder:
    """Feed it bytes as they arrive; it returns the events those bytes completed.

    Raises :class:`SSEDecodeError` (with the good events before it) when an event's data is
    not valid UTF-8, and :class:`SSELimitError` when a line or an event outgrows ``limit``.
    """

    __slots__ = (
        "_counted",
        "_data",
        "_event",
        "_event_size",
        "_id",
        "_open",
        "_parts",
        "_pending",
        "_started",
        "limit",
    )

    def __init__(self, limit: int = MAX_EVENT_BYTES) -> None:
        self.limit = limit
        self._parts: list[bytes] = []
        self._pending = 0  # bytes in _parts: an unfinished line
        self._data: list[str] = []
        self._open: list[str] | None = None  # the _data list whose size is being counted
        self._counted = 0
        self._event_size = 0
        self._event: str | None = None
        self._id: str | None = None
        self._started = False

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        if not self._started:
            chunk = self._skip_bom(chunk)
            if not chunk:
                return []
        has_cr = _CR in chunk  # an int operand makes `in` a memchr: 5x faster than b"\r"
        if not has_cr and _LF not in chunk:
            if chunk:
                self._hold(chunk)
            return []
        if self._parts:
            self._parts.append(chunk)
            chunk = b"".join(self._parts)
            self._parts = []
            self._pending = 0
            has_cr = _CR in chunk
        held_cr = b""
        if has_cr:
            if chunk.endswith(b"\r"):  # maybe the first half of a CRLF: decide on the next read
                chunk, held_cr = chunk[:-1], b"\r"
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        cut = chunk.rfind(b"\n")
        rest = chunk[cut + 1 :] + held_cr
        if rest:
            self._hold(rest)
        if cut < 0:
            return []
        events = self._decode(chunk[:cut])
        if self._data:  # an event still open across reads: bound its size too
            self._count_open_event()
        return events

    def _skip_bom(self, chunk: bytes) -> bytes:
        """The first bytes, minus a byte order mark (held back while they may be part of one)."""
        head = b"".join(self._parts) + chunk if self._parts else chunk
        if len(head) < len(_BOM) and _BOM.startswith(head):
            self._parts = [head] if head else []
            return b""
        self._parts = []
        self._started = True
        return head[len(_BOM) :] if head.startswith(_BOM) else head

    def _hold(self, part: bytes) -> None:
        """Keep the start of an unfinished line, up to the limit."""
        self._pending += len(part)
        if self._pending > self.limit:
            self._parts = []
            raise SSELimitError("line", self.limit)
        self._parts.append(part)

    def _count_open_event(self) -> None:
        data = self._data
        if data is not self._open:  # a new event since the last count
            self._open, self._counted, self._event_size = data, 0, 0
        self._event_size += sum(len(line) + 1 for line in data[self._counted :])
        self._counted = len(data)
        if self._event_size > self.limit:
            self._data = []
            raise SSELimitError("event", self.limit)

    def flush(self) -> list[ServerSentEvent]:
        """End of stream: a last event without its blank line still counts."""
        if not self._started:  # nothing but (part of) a byte order mark arrived
            self._parts = []
        tail = b"".join(self._parts).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        self._parts = []
        self._pending = 0
        events = self._decode(tail + b"\n") if tail else []
        if self._data:
            events.extend(self._process([""]))
        return events

    def _decode(self, complete: bytes) -> list[ServerSentEvent]:
        """Events from whole lines: decoded at once (UTF-8 never puts a newline byte inside a
        character), or line by line to keep the good events before invalid bytes."""
        try:
            return self._process(complete.decode().split("\n"))
        except UnicodeDecodeError:
            pass
        lines: list[str] = []
        for raw in complete.split(b"\n"):
            try:
                lines.append(raw.decode())
            except UnicodeDecodeError as exc:
                if raw[:1] == b":":
                    continue  # a comment is never read
                if not raw.startswith(b"data"):
                    lines.append(raw.decode("utf-8", "replace"))
                    continue
                raise SSEDecodeError(exc.reason, self._process(lines)) from None
        return self._process(lines)

    def _process(self, lines: list[str]) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        data = self._data
        for line in lines:
            if not line:
                if data:  # dispatch (inlined: this runs once per streamed chunk)
                    text = data[0] if len(data) == 1 else "\n".join(data)
                    events.append(_new_event(ServerSentEvent, (text, self._event, self._id)))
                    data = self._data = []
                self._event = None
            elif line.startswith("data: "):  # nearly every line: test it first, slice once
                data.append(line[6:])
            elif line[0] == ":":  # a comment
                continue
            elif line.startswith("data:"):
                data.append(line[5:])
            else:
                name, _, value = line.partition(":")
                if value[:1] == " ":
                    value = value[1:]
                if name == "event":
                    self._event = value
                elif name == "id" and "\x00" not in value:
                    self._id = value
        return events
