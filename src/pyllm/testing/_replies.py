"""Scripted replies for the fake OpenRouter, and how they look on the wire (pure).

A :class:`Reply` describes one response: text (streamed in ``chunks`` pieces when the request
streams), reasoning, tool calls, usage, or an error status, a mid-stream error, a raw body, a
delay, a stall or a dropped connection.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from ._checks import check_reply_fields, check_tool_call_fields, tool_calls_tuple, urls_tuple

__all__ = [
    "Reply",
    "ToolCallSpec",
    "drop",
    "error",
    "raw",
    "stream_error",
    "text",
    "tool_call",
]

_counter = iter(range(1, 1 << 62))


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "tool_calls", tool_calls_tuple(self.tool_calls, ToolCallSpec))
        object.__setattr__(self, "images", urls_tuple(self.images))
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


def error(
    status: int,
    message: str = "",
    *,
    code: int | str | None = None,
    metadata: Mapping[str, Any] | None = None,
    retry_after: float | str | None = None,
    **options: Any,
) -> Reply:
    """An OpenRouter error envelope with ``status`` (``Retry-After`` when given)."""
    headers = dict(options.pop("headers", {}))
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    envelope: dict[str, Any] = {
        "message": message or f"fake error {status}",
        "code": code if code is not None else status,
    }
    if metadata is not None:
        envelope["metadata"] = dict(metadata)
    return Reply(status=status, body={"error": envelope}, headers=headers, **options)


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


# ---- rendering -----------------------------------------------------------------------------


def _words(content: str) -> int:
    return max(1, len(content.split())) if content else 0


def echo_text(request: Mapping[str, Any]) -> str:
    """The default answer: what the last user message said."""
    for message in reversed(request.get("messages") or []):
        if isinstance(message, Mapping) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                content = " ".join(
                    p.get("text", "") for p in content if isinstance(p, Mapping) and "text" in p
                )
            return f"You said: {content}" if content else "Hello from the fake OpenRouter!"
    return "Hello from the fake OpenRouter!"


def usage_for(reply: Reply, request: Mapping[str, Any], answer: str) -> dict[str, Any]:
    if reply.usage is not None:
        return dict(reply.usage)
    prompt = 0
    for message in request.get("messages") or []:
        if isinstance(message, Mapping):
            content = message.get("content")
            prompt += _words(content if isinstance(content, str) else json.dumps(content))
    reasoning = _words(reply.reasoning or "")
    completion = _words(answer) + reasoning + 5 * len(reply.tool_calls)
    prompt_cost, completion_cost = prompt * 1e-6, completion * 2e-6
    cost = round(prompt_cost + completion_cost, 12)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "cost": cost,
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0, "audio_tokens": 0},
        "cost_details": {
            "upstream_inference_cost": cost,
            "upstream_inference_prompt_cost": round(prompt_cost, 12),
            "upstream_inference_completions_cost": round(completion_cost, 12),
        },
        "completion_tokens_details": {"reasoning_tokens": reasoning, "image_tokens": 0},
    }


class Rendered:
    """What the server writes for one reply to one request."""

    def __init__(self, reply: Reply, request: Mapping[str, Any]) -> None:
        self.reply = reply
        self.request = request
        self.answer = reply.text if reply.text is not None else echo_text(request)
        self.generation_id = f"gen-{int(time.time())}-fake{next(_counter):08d}"
        self.model = reply.model or str(request.get("model") or "openrouter/fake")
        self.finish_reason = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")

    def _calls(self) -> list[dict[str, Any]]:
        return [
            {
                "type": "function",
                "index": i,
                "id": spec.id or f"call_fake_{i}_{self.generation_id[-8:]}",
                "function": {"name": spec.name, "arguments": spec.arguments_json()},
            }
            for i, spec in enumerate(self.reply.tool_calls)
        ]

    def _envelope(self, obj: str) -> dict[str, Any]:
        return {
            "id": self.generation_id,
            "object": obj,
            "created": int(time.time()),
            "model": self.model,
            "provider": self.reply.upstream,
        }

    def json_body(self) -> bytes:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": self.answer if (self.answer or not self.reply.tool_calls) else None,
            "refusal": None,
            "reasoning": self.reply.reasoning,
        }
        if self.reply.tool_calls:
            message["tool_calls"] = self._calls()
        if self.reply.images:
            message["images"] = [
                {"type": "image_url", "image_url": {"url": u}} for u in self.reply.images
            ]
        body = {
            **self._envelope("chat.completion"),
            "choices": [
                {
                    "index": 0,
                    "logprobs": None,
                    "finish_reason": self.finish_reason,
                    "native_finish_reason": self.finish_reason,
                    "message": message,
                }
            ],
            "usage": usage_for(self.reply, self.request, self.answer),
        }
        prefix = b"\n         \n\n" if self.reply.whitespace else b""
        return prefix + json.dumps(body).encode()

    def _pieces(self) -> list[str]:
        answer = self.answer
        if not answer:
            return []
        count = self.reply.chunks
        if count is None:
            pieces, word = [], ""
            for char in answer:
                word += char
                if char == " ":
                    pieces.append(word)
                    word = ""
            return [*pieces, word] if word else pieces
        count = max(1, min(count, len(answer)))
        size, extra = divmod(len(answer), count)
        pieces, start = [], 0
        for i in range(count):
            end = start + size + (1 if i < extra else 0)
            pieces.append(answer[start:end])
            start = end
        return pieces

    def _chunk(self, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        chunk = {
            **self._envelope("chat.completion.chunk"),
            "choices": [
                {
                    "index": 0,
                    "delta": {"role": "assistant", **delta},
                    "finish_reason": finish,
                    "native_finish_reason": finish,
                }
            ],
            **extra,
        }
        return b"data: " + json.dumps(chunk).encode() + b"\n\n"

    def sse_events(self) -> Iterator[bytes]:
        """Data events (without keep-alives), the last one ``[DONE]`` unless disabled."""
        reply = self.reply
        if reply.reasoning:
            for word in reply.reasoning.split(" "):
                yield self._chunk({"content": "", "reasoning": word + " "})
        for sent, piece in enumerate(self._pieces()):
            if reply.stream_error is not None and sent >= reply.error_after:
                break
            yield self._chunk({"content": piece})
        if reply.stream_error is not None:
            yield self._chunk({"content": ""}, "error", error=dict(reply.stream_error))
            return
        for i, call in enumerate(self._calls()):
            arguments = call["function"]["arguments"]
            head = {**call, "function": {"name": call["function"]["name"], "arguments": ""}}
            yield self._chunk({"content": None, "tool_calls": [head]})
            half = len(arguments) // 2
            for part in (arguments[:half], arguments[half:]):
                yield self._chunk(
                    {"content": None, "tool_calls": [{"index": i, "function": {"arguments": part}}]}
                )
        if reply.images:
            images = [{"type": "image_url", "image_url": {"url": u}} for u in reply.images]
            yield self._chunk({"content": "", "images": images})
        usage = usage_for(reply, self.request, self.answer)
        if reply.usage_chunk == "repeat":
            yield self._chunk({"content": ""}, self.finish_reason)
            yield self._chunk({"content": ""}, self.finish_reason, usage=usage)
        elif reply.usage_chunk == "separate":
            yield self._chunk({"content": ""}, self.finish_reason)
            yield (
                b"data: "
                + json.dumps(
                    {**self._envelope("chat.completion.chunk"), "choices": [], "usage": usage}
                ).encode()
                + b"\n\n"
            )
        else:
            yield self._chunk({"content": ""}, self.finish_reason)
        if reply.done:
            yield b"data: [DONE]\n\n"


def body_bytes(body: bytes | str | Mapping[str, Any]) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()
