"""An incremental Server-Sent Events decoder: bytes in, events out. Pure; no I/O.

Follows the WHATWG rules that matter on the wire: lines end in LF, CRLF or CR (also when a
CRLF is split across reads); lines starting with ``:`` are comments (OpenRouter's
``: OPENROUTER PROCESSING`` keep-alives) and are dropped; several ``data:`` lines join with
``\\n``; an event ends at a blank line. Long lines split over many reads cost linear time.

>>> decoder = SSEDecoder()
>>> decoder.feed(b": OPENROUTER PROCESSING\\n\\ndata: {\\"a\\"")
[]
>>> [event.data for event in decoder.feed(b": 1}\\n\\ndata: [DONE]\\n\\n")]
['{"a": 1}', '[DONE]']
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SSEDecodeError", "SSEDecoder", "ServerSentEvent"]

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    data: str
    event: str | None = None
    id: str | None = None


class SSEDecodeError(ValueError):
    """An event's data is not valid UTF-8; ``events`` holds the good events before it."""

    def __init__(self, reason: str, events: list[ServerSentEvent]) -> None:
        super().__init__(f"an event is not valid UTF-8 ({reason})")
        self.reason = reason
        self.events = events


class SSEDecoder:
    """Feed it bytes as they arrive; it returns the events those bytes completed.

    Raises :class:`SSEDecodeError` (with the good events before it) when an event's data is
    not valid UTF-8.
    """

    __slots__ = ("_data", "_event", "_id", "_parts", "_started")

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._data: list[bytes] = []
        self._event: bytes | None = None
        self._id: bytes | None = None
        self._started = False

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        if not self._started:
            if not chunk:
                return []
            self._started = True
            if chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
        if b"\n" not in chunk and b"\r" not in chunk:
            if chunk:
                self._parts.append(chunk)
            return []
        if self._parts:
            self._parts.append(chunk)
            chunk = b"".join(self._parts)
            self._parts = []
        held_cr = b""
        if b"\r" in chunk:
            if chunk.endswith(b"\r"):  # maybe the first half of a CRLF: decide on the next read
                chunk, held_cr = chunk[:-1], b"\r"
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = chunk.split(b"\n")
        rest = lines.pop() + held_cr
        if rest:
            self._parts.append(rest)
        return self._process(lines)

    def flush(self) -> list[ServerSentEvent]:
        """End of stream: a last event without its blank line still counts."""
        tail = b"".join(self._parts).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        self._parts = []
        events = self._process([*tail.split(b"\n"), b""]) if tail else []
        if self._data:
            events.extend(self._process([b""]))
        return events

    def _process(self, lines: list[bytes]) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        data = self._data
        for line in lines:
            if not line:
                if data:
                    try:
                        events.append(self._dispatch())
                    except UnicodeDecodeError as exc:
                        raise SSEDecodeError(exc.reason, events) from None
                    data = self._data
                else:
                    self._event = None
                continue
            if line[0] == 58:  # ":" starts a comment
                continue
            if line.startswith(b"data:"):
                value = line[5:]
                data.append(value[1:] if value[:1] == b" " else value)
                continue
            name, _, value = line.partition(b":")
            if value[:1] == b" ":
                value = value[1:]
            if name == b"event":
                self._event = value
            elif name == b"id" and b"\x00" not in value:
                self._id = value
        return events

    def _dispatch(self) -> ServerSentEvent:
        payload = self._data[0] if len(self._data) == 1 else b"\n".join(self._data)
        event = ServerSentEvent(
            payload.decode("utf-8"),
            self._event.decode("utf-8", "replace") if self._event is not None else None,
            self._id.decode("utf-8", "replace") if self._id is not None else None,
        )
        self._data = []
        self._event = None
        return event
