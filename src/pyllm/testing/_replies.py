"""Scripted replies for the fake servers (pure values).

A :class:`Reply` describes one response: text (streamed in ``chunks`` pieces when the request
streams), reasoning, tool calls, usage, or an error status, a mid-stream error, a raw body, a
delay, a stall or a dropped connection. How it looks on the wire is the job of the API the
server speaks (:mod:`pyllm.testing._chat_completions` for the fake OpenRouter,
:mod:`pyllm.testing._messages` for the fake Anthropic).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from ._checks import (
    check_reply_fields,
    check_tool_call_fields,
    mappings_tuple,
    tool_calls_tuple,
    urls_tuple,
)

__all__ = [
    "Reply",
    "ToolCallSpec",
    "drop",
    "error",
    "raw",
    "stream_error",
    "text",
    "tool_call",
    "url_citation",
]


@dataclass(frozen=True, slots=True)
class ToolCallSpec:
    """A tool call the fake model makes: ``ToolCallSpec("weather", {"city": "Oslo"})``.

    ``arguments`` is a dict (sent as JSON) or the exact string to send; ``id`` defaults to a
    fresh one per reply.
    """

    name: str
    arguments: Mapping[str, Any] | str = field(default_factory=dict)
    id: str | None = None

    def __post_init__(self) -> None:
        check_tool_call_fields(self.name, self.arguments, self.id)

    def arguments_json(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(dict(self.arguments))


@dataclass(frozen=True, slots=True)
class Reply:
    """One scripted response. Every field has a sensible default; see the factory functions.

    ``text=None`` echoes the last user message. ``chunks`` splits streamed text into that many
    pieces (default: one per word). ``drop`` resets the connection: ``"before_headers"`` or after
    that many SSE data events. ``stall`` seconds of silence come after ``stall_after`` events.
    ``write_size`` sends the body in pieces of that many bytes (chunked), to exercise decoders;
    with ``chunk_delay`` the pieces come that many seconds apart (a body that trickles in).
    ``upstream`` is who the reply says served it (``"pyllm.testing"`` unless you script one).
    ``error`` (``message``, ``code``, ``metadata``) is an error answer the server writes in its
    API's envelope (what :func:`error` makes).
    ``annotations`` (e.g. :func:`url_citation` values) go on the answer; a stream sends each in
    a chunk of its own before the text, as OpenRouter's web search does (the fake Anthropic
    makes them the sources of the search a request with its web search tool runs). A request
    asking for ``logprobs`` gets one per streamed piece of text (or word).
    Fields are checked when the reply is made: a wrong type is a ``TypeError`` right there.
    """

    text: str | None = None
    reasoning: str | None = None
    tool_calls: tuple[ToolCallSpec, ...] = ()
    images: tuple[str, ...] = ()
    finish_reason: str | None = None
    usage: Mapping[str, Any] | None = None
    model: str | None = None
    upstream: str = "pyllm.testing"
    chunks: int | None = None
    keepalives: int = 1
    whitespace: bool = True
    usage_chunk: str = "repeat"
    done: bool = True
    status: int = 200
    body: bytes | str | Mapping[str, Any] | None = None
    content_type: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunk_delay: float = 0.0
    stream_error: Mapping[str, Any] | None = None
    error_after: int = 0
    drop: str | int | None = None
    stall: float = 0.0
    stall_after: int = 0
    repeat: int = 1
    write_size: int | None = None
    error: Mapping[str, Any] | None = None
    annotations: tuple[Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "tool_calls", tool_calls_tuple(self.tool_calls, ToolCallSpec))
        object.__setattr__(self, "images", urls_tuple(self.images))
        object.__setattr__(self, "annotations", mappings_tuple("annotations", self.annotations))
        check_reply_fields({f.name: getattr(self, f.name) for f in fields(self)})

    def but(self, **changes: Any) -> Reply:
        """A copy with some fields changed."""
        return replace(self, **changes)


def text(content: str, **options: Any) -> Reply:
    """A plain answer. ``text("Hi", chunks=3)`` streams it in three pieces."""
    return Reply(text=content, **options)


def tool_call(name: str, arguments: Mapping[str, Any] | str | None = None, **options: Any) -> Reply:
    """An answer that calls one tool (``options`` may add more via ``tool_calls=``)."""
    spec = ToolCallSpec(name, arguments if arguments is not None else {}, options.pop("id", None))
    extra = tuple(options.pop("tool_calls", ()))
    return Reply(text=options.pop("text", ""), tool_calls=(spec, *extra), **options)


def url_citation(
    url: str,
    title: str = "",
    *,
    content: str | None = None,
    start: int = 0,
    end: int = 0,
) -> dict[str, Any]:
    """A web search's ``url_citation`` annotation, for ``Reply(annotations=...)``.

    >>> url_citation("https://example.com", "Example")["url_citation"]["title"]
    'Example'
    """
    cited: dict[str, Any] = {"url": url, "title": title, "start_index": start, "end_index": end}
    if content is not None:
        cited["content"] = content
    return {"type": "url_citation", "url_citation": cited}


def error(
    status: int,
    message: str = "",
    *,
    code: int | str | None = None,
    metadata: Mapping[str, Any] | None = None,
    retry_after: float | str | None = None,
    **options: Any,
) -> Reply:
    """An error answer with ``status`` (``Retry-After`` when given), in the envelope of the API
    the server speaks: OpenRouter's ``{"error": {"message", "code", "metadata"}}``, Anthropic's
    ``{"type": "error", "error": {"type", "message"}}`` (its type from the status, or ``code``
    when that is a string such as ``"overloaded_error"``)."""
    headers = dict(options.pop("headers", {}))
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    envelope: dict[str, Any] = {
        "message": message or f"fake error {status}",
        "code": code if code is not None else status,
    }
    if metadata is not None:
        envelope["metadata"] = dict(metadata)
    return Reply(status=status, error=envelope, headers=headers, **options)


def stream_error(code: int | str, message: str = "", *, after: int = 1, **options: Any) -> Reply:
    """A 200 stream that sends ``after`` content chunks, then an in-band ``error`` chunk."""
    return Reply(
        stream_error={"code": code, "message": message or f"fake stream error {code}"},
        error_after=after,
        **options,
    )


def raw(body: bytes | str | Mapping[str, Any], status: int = 200, **options: Any) -> Reply:
    """Exactly this body (bytes are sent as they are)."""
    return Reply(status=status, body=body, **options)


def drop(after: str | int = "before_headers", **options: Any) -> Reply:
    """Reset the connection: ``"before_headers"`` or after ``after`` SSE data events."""
    return Reply(drop=after, **options)


def body_bytes(body: bytes | str | Mapping[str, Any]) -> bytes:
    """A scripted body as bytes (a mapping as JSON)."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()
