"""How a scripted :class:`~pyllm.testing.Reply` looks on Anthropic's Messages wire (pure): a
``message`` body, or the events ``message_start``, ``content_block_start`` / ``_delta`` /
``_stop`` (``thinking_delta``, ``signature_delta``, ``text_delta``, ``input_json_delta``), ``ping``,
``message_delta`` and ``message_stop``; errors as ``{"type": "error", "error": {...}}``.

The shapes are those of the real API's recorded traffic (``../shared/fixtures/anthropic``).
Unscripted text echoes the last user message; usage is counted in words, prompt cache included
(:mod:`pyllm.testing._prompt_cache`).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._anthropic_search import SEARCH_USAGE, search_blocks, search_deltas, searches
from ._anthropic_search import started as search_started
from ._chat_completions import _words, text_pieces

if TYPE_CHECKING:
    from ._prompt_cache import CacheUse
    from ._replies import Reply

__all__ = [
    "ERROR_TYPES",
    "MessageRendering",
    "echo_text",
    "error_body",
    "error_type",
    "event",
    "signature",
]

_counter = itertools.count(1)

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
"""Anthropic's error type for each HTTP status it documents."""

_DELTA_USAGE = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


def error_type(code: int | str) -> str:
    """The error type for a status (``529`` -> ``"overloaded_error"``); a name passes through."""
    if isinstance(code, str) and not code.isdigit():
        return code
    status = int(code)
    return ERROR_TYPES.get(status) or ("api_error" if status >= 500 else "invalid_request_error")


def error_body(code: int | str, message: str, request_id: str | None = None) -> dict[str, Any]:
    """Anthropic's error envelope (with the ``request_id`` the real API adds to it)."""
    body: dict[str, Any] = {
        "type": "error",
        "error": {"type": error_type(code), "message": message},
    }
    if request_id is not None:
        body["request_id"] = request_id
    return body


def event(name: str, data: Mapping[str, Any]) -> bytes:
    """One server-sent event as Anthropic writes it: ``event: NAME`` and its JSON ``data``."""
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


PING = event("ping", {"type": "ping"})


def signature(thinking: str) -> str:
    """The signature the fake gives a thinking block (and checks when it comes back)."""
    digest = hashlib.sha256(b"pyllm.testing thinking\0" + thinking.encode()).digest()
    return base64.b64encode(b"pyllm-fake-signature:" + digest).decode()


def echo_text(request: Mapping[str, Any]) -> str:
    """The default answer: what the last user message said (tool results are not said)."""
    said = last_user_text(request)
    return f"You said: {said}" if said else "Hello from the fake Anthropic!"


def last_user_text(request: Mapping[str, Any]) -> str:
    """The text of the last user message that has some ("" when none has)."""
    for message in reversed(request.get("messages") or []):
        if not isinstance(message, Mapping) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, list):
            content = " ".join(
                str(block.get("text", ""))
                for block in content
                if isinstance(block, Mapping) and block.get("type") == "text"
            )
        if isinstance(content, str) and content:
            return content
    return ""


def _tool_input(arguments: Mapping[str, Any] | str) -> Any:
    """A call's ``input`` object; a string that is not a JSON object is sent as it is."""
    if not isinstance(arguments, str):
        return dict(arguments)
    try:
        parsed = json.loads(arguments)
    except ValueError:
        return arguments
    return parsed if isinstance(parsed, dict) else arguments


class MessageRendering:
    """What the fake Anthropic writes for one reply to one request."""

    def __init__(self, reply: Reply, request: Mapping[str, Any], cache: CacheUse) -> None:
        self.reply = reply
        self.answer = reply.text if reply.text is not None else echo_text(request)
        self.message_id = f"msg_fake{next(_counter):016d}"
        self.model = reply.model or str(request.get("model") or "claude-fake")
        self.stop_reason = reply.finish_reason or ("tool_use" if reply.tool_calls else "end_turn")
        self.stop_sequence = _first_stop(self.answer, request.get("stop_sequences"))
        if self.stop_sequence is not None and not reply.tool_calls:  # the model stops there
            self.answer = self.answer[: self.answer.index(self.stop_sequence)]
            self.stop_reason = "stop_sequence"
        self.call_ids = [
            call.id or f"toolu_fake{self.message_id[-8:]}{i:02d}"
            for i, call in enumerate(reply.tool_calls)
        ]
        self.usage = dict(reply.usage) if reply.usage is not None else self._counted(cache)
        self.query = last_user_text(request) if searches(request) else None
        if self.query is not None and reply.usage is None:
            self.usage["server_tool_use"] = dict(SEARCH_USAGE)
        self.headers: dict[str, str] = {}  # the dialect adds the request-id to every answer

    def _counted(self, cache: CacheUse) -> dict[str, Any]:
        thinking = _words(self.reply.reasoning or "")
        output = _words(self.answer) + thinking + 5 * len(self.reply.tool_calls)
        one_hour = cache.ttl == "1h"
        usage: dict[str, Any] = {
            "input_tokens": cache.plain,
            "cache_creation_input_tokens": cache.written,
            "cache_read_input_tokens": cache.read,
            "cache_creation": {
                "ephemeral_5m_input_tokens": 0 if one_hour else cache.written,
                "ephemeral_1h_input_tokens": cache.written if one_hour else 0,
            },
            "output_tokens": output,
        }
        if thinking:
            usage["output_tokens_details"] = {"thinking_tokens": thinking}
        return {**usage, "service_tier": "standard", "inference_geo": "not_available"}

    def blocks(self) -> list[dict[str, Any]]:
        """The content blocks: thinking (signed), text, then one ``tool_use`` per call."""
        blocks: list[dict[str, Any]] = []
        if self.reply.reasoning:
            thought = self.reply.reasoning
            blocks.append(
                {"type": "thinking", "thinking": thought, "signature": signature(thought)}
            )
        if self.query is not None:  # the model searches (once), then answers citing it
            search_id = f"srvtoolu_fake{self.message_id[-8:]}"
            blocks.extend(search_blocks(self.answer, self.reply.annotations, self.query, search_id))
        elif self.answer or not self.reply.tool_calls:
            blocks.append({"type": "text", "text": self.answer})
        for call_id, call in zip(self.call_ids, self.reply.tool_calls, strict=True):
            blocks.append(
                {
                    "type": "tool_use",
                    "id": call_id,
                    "name": call.name,
                    "input": _tool_input(call.arguments),
                    "caller": {"type": "direct"},
                }
            )
        return blocks

    def _message(self, content: list[Any], stop_reason: str | None) -> dict[str, Any]:
        return {
            "model": self.model,
            "id": self.message_id,
            "type": "message",
            "role": "assistant",
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": self.stop_sequence if stop_reason else None,
            "stop_details": None,
        }

    def json_body(self) -> bytes:
        body = {**self._message(self.blocks(), self.stop_reason), "usage": self.usage}
        return json.dumps(body).encode()

    def sse_events(self) -> Iterator[bytes]:
        """The events; ``reply.keepalives`` pings after the first block starts (as the real API
        sends one), ``reply.stream_error`` after that many text deltas, no ``message_stop``
        when ``reply.done`` is false."""
        output = self.usage.get("output_tokens", 0)
        later = ("output_tokens_details", "server_tool_use")  # the end of the stream says these
        started = {k: v for k, v in self.usage.items() if k not in later}
        started["output_tokens"] = min(1, output) if isinstance(output, int) else 0
        message = {**self._message([], None), "usage": started}
        yield event("message_start", {"type": "message_start", "message": message})
        pings = [PING] * self.reply.keepalives
        failure = self.reply.stream_error
        for index, block in enumerate(self.blocks()):
            if failure is not None and block["type"] != "thinking":
                yield from self._text_until_error(index, failure, pings)
                return
            yield _block_start(index, _started(block))
            yield from pings
            pings = []
            for delta in _deltas(block, self.reply.chunks):
                yield _block_delta(index, delta)
            yield event("content_block_stop", {"type": "content_block_stop", "index": index})
        if failure is not None:  # nothing but thinking came before it
            yield from pings
            yield _error_event(failure)
            return
        stop = {
            "stop_reason": self.stop_reason,
            "stop_sequence": self.stop_sequence,
            "stop_details": None,
        }
        delta = {"type": "message_delta", "delta": stop, "usage": self._delta_usage()}
        yield event("message_delta", delta)
        if self.reply.done:
            yield event("message_stop", {"type": "message_stop"})

    def _text_until_error(
        self, index: int, failure: Mapping[str, Any], pings: list[bytes]
    ) -> Iterator[bytes]:
        """``reply.error_after`` text deltas (in a text block started for them), the error."""
        pieces = text_pieces(self.answer, self.reply.chunks)[: self.reply.error_after]
        if pieces:
            yield _block_start(index, {"type": "text", "text": ""})
        yield from pings
        for piece in pieces:
            yield _block_delta(index, {"type": "text_delta", "text": piece})
        yield _error_event(failure)

    def _delta_usage(self) -> dict[str, Any]:
        usage = {k: self.usage[k] for k in _DELTA_USAGE if k in self.usage}
        usage["output_tokens"] = self.usage.get("output_tokens", 0)
        for extra in ("output_tokens_details", "server_tool_use"):
            if extra in self.usage:
                usage[extra] = self.usage[extra]
        return usage


def _first_stop(answer: str, sequences: Any) -> str | None:
    """The stop sequence that comes first in ``answer`` (``None``: none of them is in it)."""
    found = [(answer.find(s), s) for s in sequences or () if isinstance(s, str) and s in answer]
    return min(found)[1] if found else None


def _block_start(index: int, block: Mapping[str, Any]) -> bytes:
    start = {"type": "content_block_start", "index": index, "content_block": block}
    return event("content_block_start", start)


def _block_delta(index: int, delta: Mapping[str, Any]) -> bytes:
    return event(
        "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
    )


def _error_event(failure: Mapping[str, Any]) -> bytes:
    message = str(failure.get("message") or "")
    return event("error", error_body(failure.get("code", 500), message))


def _started(block: Mapping[str, Any]) -> dict[str, Any]:
    """A block as ``content_block_start`` announces it: empty, its content still to come."""
    searched = search_started(block)
    if searched is not None:
        return searched
    if block["type"] == "thinking":
        return {"type": "thinking", "thinking": "", "signature": ""}
    if block["type"] == "tool_use":
        return {**block, "input": {}}
    return {"type": "text", "text": ""}


def _deltas(block: Mapping[str, Any], chunks: int | None) -> Iterator[dict[str, Any]]:
    yield from search_deltas(block)
    if block["type"] in ("server_tool_use", "web_search_tool_result"):
        return
    if block["type"] == "thinking":
        for piece in text_pieces(block["thinking"], None):
            yield {"type": "thinking_delta", "thinking": piece}
        yield {"type": "signature_delta", "signature": block["signature"]}
    elif block["type"] == "tool_use":
        arguments = block["input"]
        partial = arguments if isinstance(arguments, str) else json.dumps(arguments)
        yield {"type": "input_json_delta", "partial_json": ""}
        for piece in text_pieces(partial, 3):
            yield {"type": "input_json_delta", "partial_json": piece}
    else:
        for piece in text_pieces(block["text"], chunks):
            yield {"type": "text_delta", "text": piece}
