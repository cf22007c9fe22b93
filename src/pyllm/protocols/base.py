"""What a wire protocol provides, and small pure helpers every protocol shares.

A protocol turns frozen requests into JSON payloads (``render_*``) and JSON back into
values (``parse_*``). It does no I/O and imports no HTTP library. A streamed answer is read
by the object ``new_stream()`` returns, one per stream, so a protocol can keep state across
the events of one stream (Chat Completions needs none and shares one object).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from .._json import loads
from ..errors import ErrorDetails, InvalidResponseError

if TYPE_CHECKING:
    from ..chunk import Chunk
    from ..message import Message, Usage
    from ..request import ChatRequest

__all__ = [
    "ChatProtocol",
    "ServerSentEvent",
    "StreamReader",
    "as_int",
    "decode_json",
    "deep_merge",
    "describe_body",
    "loads",
]


class ServerSentEvent(NamedTuple):
    """One event: a named tuple, built per streamed chunk at a quarter of a dataclass's cost."""

    data: str
    event: str | None = None
    id: str | None = None


class StreamReader(Protocol):
    """Reads the events of one streamed answer: what ``ChatProtocol.new_stream()`` returns.

    It may keep state from one event to the next (Anthropic's stream says which block a delta
    belongs to once, at the block's start); a new stream gets a new reader.
    """

    def is_end(self, event: ServerSentEvent) -> bool: ...

    def parse_event(self, event: ServerSentEvent) -> Chunk | None: ...


class ChatProtocol(Protocol):
    """The chat half of a wire format.

    ``tool_result_attachments`` says whether files a tool returned (``Message.attachments``
    on a ``tool`` message) can go inside the tool result (``True``: ``render_chat`` renders
    them there) or not (``False``: ``render_chat`` moves them after the round's results, with
    :func:`pyllm.protocols.tool_results.lift_files`).
    """

    provider: str
    tool_result_attachments: bool

    def render_chat(self, request: ChatRequest) -> dict[str, Any]: ...

    def parse_chat(self, body: Any) -> Message: ...

    def parse_usage(self, data: Any) -> Usage | None: ...

    def new_stream(self) -> StreamReader: ...

    def is_end(self, event: ServerSentEvent) -> bool: ...

    def parse_event(self, event: ServerSentEvent) -> Chunk | None: ...

    def parse_error(self, body: Any) -> ErrorDetails: ...


def stream_reader(protocol: ChatProtocol) -> StreamReader:
    """``protocol.new_stream()``; a protocol written before ``new_stream`` existed reads its
    streams itself (its ``is_end`` / ``parse_event``, without per-stream state)."""
    new_stream = getattr(protocol, "new_stream", None)
    return protocol if new_stream is None else new_stream()


def describe_body(body: bytes, limit: int = 200) -> str:
    """A short, printable excerpt of a body for error messages."""
    text = body.decode("utf-8", "replace").strip()
    if text.lower().startswith(("<!doctype", "<html")):
        import re

        title = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        text = f"HTML page: {title.group(1).strip()}" if title else "an HTML page"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def decode_json(body: bytes, *, provider: str, status: int = 200) -> Any:
    """Parse a JSON body (leading whitespace is fine) or raise :class:`InvalidResponseError`."""
    try:
        return loads(body)
    except UnicodeDecodeError as exc:
        reason = f"the body is not valid UTF-8 (byte {exc.start})"
    except ValueError as exc:
        if not body.strip():
            reason = "the body is empty"
        else:
            reason = (
                f"the body is not valid JSON ({getattr(exc, 'msg', exc)}): {describe_body(body)}"
            )
    raise InvalidResponseError(reason, status=status, provider=provider, raw=body)


def as_int(value: Any) -> int:
    """A token count (or an index): a whole number, not negative, given as a number or digits.
    Anything else (negative, NaN, infinite, a boolean, other text) counts as absent: 0.

    >>> as_int(12), as_int("12"), as_int(3.0), as_int(-5), as_int(float("nan")), as_int(True)
    (12, 12, 3, 0, 0, 0)
    """
    if type(value) is int:  # the usual case, first
        return value if value >= 0 else 0
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return int(value) if value >= 0 else 0
    if isinstance(value, float) and value.is_integer() and value >= 0:  # False for NaN, inf
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    return 0


def as_float(value: Any) -> float | None:
    """A cost or a wait: a finite number, not negative, given as a number or as text.
    Anything else (negative, NaN, infinite, a boolean, other text) counts as absent: ``None``.

    >>> as_float(0.25), as_float("0.25"), as_float(-1), as_float("NaN"), as_float(float("inf"))
    (0.25, 0.25, None, None, None)
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):  # text that is no number; an int too big for a float
        return None
    return number if 0 <= number < math.inf else None  # NaN fails both comparisons


def deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``extra`` merged into a copy of ``base``; nested mappings merge, anything else replaces.

    >>> deep_merge({"provider": {"sort": "price"}, "a": 1}, {"provider": {"only": ["x"]}})
    {'provider': {'sort': 'price', 'only': ['x']}, 'a': 1}
    """
    merged = dict(base)
    for key, value in extra.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(dict(current), value)
        else:
            merged[key] = value
    return merged
