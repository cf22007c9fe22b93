"""Anthropic's Messages API (``POST /messages``), pure: the protocol of the ``anthropic`` provider.

Rendering lives in :mod:`._anthropic_render`, a stream's reader (which keeps track of the
content blocks of one answer) in :mod:`._anthropic_stream`, what both sides share in
:mod:`._anthropic_blocks`. Usage counts input as Chat Completions does: ``input_tokens`` is
the whole prompt (Anthropic's ``input_tokens`` plus cache writes plus cache reads), of which
``cached_tokens`` were read from the cache and ``cache_write_tokens`` written to it.

>>> proto = AnthropicMessages()
>>> body = {"id": "msg_1", "model": "claude-haiku-4-5", "type": "message", "role": "assistant",
...         "content": [{"type": "text", "text": "4"}], "stop_reason": "end_turn",
...         "usage": {"input_tokens": 10, "cache_read_input_tokens": 90, "output_tokens": 2}}
>>> reply = proto.parse_chat(body)
>>> reply.content, reply.finish_reason, reply.usage.input_tokens, reply.usage.cached_tokens
('4', 'stop', 100, 90)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._json import parse_tool_arguments
from .._status_codes import api_error
from ..errors import ErrorDetails, InvalidResponseError
from ..message import Message, ToolCall
from . import _anthropic_render
from ._anthropic_blocks import (
    STRUCTURED_TOOL,
    citation,
    finish_reason,
    parse_usage,
    raw_arguments,
    thinking_detail,
)
from ._anthropic_stream import AnthropicStream

if TYPE_CHECKING:
    from ..chunk import Chunk
    from ..citation import Citation
    from ..message import Usage
    from ..request import ChatRequest
    from .base import ServerSentEvent

__all__ = ["API_VERSION", "AnthropicMessages", "parse_usage"]

API_VERSION = "2023-06-01"
"""The ``anthropic-version`` header every request carries."""


class AnthropicMessages:
    """Render and parse Anthropic Messages; :meth:`new_stream` reads one streamed answer."""

    tool_result_attachments = True
    """Files a tool returned go inside its ``tool_result`` block, as Anthropic takes them."""

    def __init__(self, provider: str = "anthropic") -> None:
        self.provider = provider

    def render_chat(self, request: ChatRequest) -> dict[str, Any]:
        return _anthropic_render.render_chat(request, self.provider)

    def parse_chat(self, body: Any) -> Message:
        if not isinstance(body, Mapping):
            raise self._invalid(f"expected a JSON object, got {type(body).__name__}", body)
        if body.get("type") == "error" or (body.get("error") and "content" not in body):
            raise api_error(None, self.parse_error(body), provider=self.provider)
        blocks = body.get("content")
        if not isinstance(blocks, list):
            raise self._invalid('the response has no "content" list', body)
        texts: list[str] = []
        thoughts: list[str] = []
        details: list[dict[str, Any]] = []
        calls: list[ToolCall] = []
        sources: dict[Citation, None] = {}  # in order, each once
        length = 0  # of the answer so far: where the next text block starts
        structured = False
        for index, block in enumerate(blocks):
            if not isinstance(block, Mapping):
                continue
            kind = block.get("type")
            if kind == "text" and isinstance(block.get("text"), str):
                text = block["text"]
                texts.append(text)
                for cited in block.get("citations") or ():
                    if (source := citation(cited, length, length + len(text))) is not None:
                        sources[source] = None
                length += len(text)
            elif kind == "tool_use" and block.get("name") == STRUCTURED_TOOL:
                texts.append(raw_arguments(block.get("input")))
                length += len(texts[-1])
                structured = True
            elif kind == "tool_use":
                calls.append(_tool_call(block, len(calls)))
            elif (detail := thinking_detail(block, index)) is not None:
                details.append(detail)
                thoughts.append(detail.get("text", ""))
        stop = body.get("stop_reason")
        return Message(
            role="assistant",
            content="".join(texts),
            tool_calls=tuple(calls),
            reasoning="".join(thoughts) or None,
            reasoning_details=tuple(details),
            model=_text(body.get("model")),
            provider=self.provider,
            id=_text(body.get("id")),
            finish_reason=finish_reason(stop, structured_only=structured and not calls),
            native_finish_reason=_text(stop),
            usage=parse_usage(body.get("usage")),
            raw=body,
            citations=tuple(sources),
        )

    def parse_usage(self, data: Any) -> Usage | None:
        return parse_usage(data)

    def new_stream(self) -> AnthropicStream:
        """The reader of one streamed answer (it keeps which block each delta belongs to)."""
        return AnthropicStream(self.provider, self.parse_error)

    def is_end(self, event: ServerSentEvent) -> bool:
        return self.new_stream().is_end(event)

    def parse_event(self, event: ServerSentEvent) -> Chunk | None:
        """One event read out of context (a stream is read by :meth:`new_stream`'s reader)."""
        return self.new_stream().parse_event(event)

    def parse_error(self, body: Any) -> ErrorDetails:
        """Anthropic's ``{"type": "error", "error": {"type", "message"}, "request_id"}`` (or
        anything else) as :class:`~pyllm.errors.ErrorDetails`; the error's ``type`` is its
        ``code`` and ``error_type`` (``overloaded_error`` stands for 529)."""
        if isinstance(body, (bytes, str)):
            text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
            return ErrorDetails(message=text.strip(), raw=body)
        if not isinstance(body, Mapping):
            return ErrorDetails(raw=body)
        error = body.get("error")
        if isinstance(error, str):
            return ErrorDetails(message=error, raw=body)
        error = error if isinstance(error, Mapping) else body
        kind = _text(error.get("type"))
        request_id = _text(body.get("request_id"))
        return ErrorDetails(
            message=_text(error.get("message")) or "",
            code=kind,
            metadata={"request_id": request_id} if request_id else {},
            error_type=kind,
            raw=body,
        )

    def _invalid(self, reason: str, raw: Any) -> InvalidResponseError:
        return InvalidResponseError(reason, status=200, provider=self.provider, raw=raw)


def _tool_call(block: Mapping[str, Any], position: int) -> ToolCall:
    raw = raw_arguments(block.get("input"))
    arguments, error = parse_tool_arguments(raw)
    return ToolCall(
        id=_text(block.get("id")) or f"call_{position}",
        name=_text(block.get("name")) or "",
        arguments=arguments,
        raw_arguments=raw,
        arguments_error=error,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
