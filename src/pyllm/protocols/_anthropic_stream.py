"""The reader of one streamed Anthropic answer: server-sent events in, :class:`~pyllm.Chunk`
values out. Pure, with the state of one stream: which content block each delta belongs to (a
block says its type once, when it starts) and the usage reported so far.

Events: ``message_start`` (model, id and input usage, carried by the first chunk with something
in it, so a stream that fails before any content has delivered nothing and may be retried),
``content_block_start`` / ``_delta`` / ``_stop`` (``text_delta``, ``input_json_delta``,
``thinking_delta``, ``signature_delta``, ``citations_delta``: a web search's sources, given
with the span of the answer they support when their text block ends; server tools' own blocks
are skipped), ``message_delta`` (stop reason, final usage, searches run), ``message_stop`` (the
end), ``ping``, and ``error`` (raised as the class for its type).

>>> from pyllm.protocols.base import ServerSentEvent
>>> reader = AnthropicStream("anthropic", lambda body: None)
>>> start = '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'
>>> delta = '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}'
>>> reader.parse_event(ServerSentEvent(start)) is None
True
>>> reader.parse_event(ServerSentEvent(delta)).content
'Hi'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .._status_codes import api_error
from ..chunk import CHUNK_DEFAULTS, ToolCallDelta, new_chunk
from ..errors import ErrorDetails, InvalidResponseError
from ._anthropic_blocks import (
    STRUCTURED_TOOL,
    THINKING_FORMAT,
    citation,
    finish_reason,
    parse_usage,
    thinking_detail,
)
from .base import loads

if TYPE_CHECKING:
    from ..chunk import Chunk
    from ..message import Usage
    from .base import ServerSentEvent

__all__ = ["AnthropicStream"]

_TOOL, _STRUCTURED = "tool_use", "structured"


class AnthropicStream:
    """Reads the events of one stream; a new stream needs a new reader."""

    __slots__ = (
        "_blocks",
        "_calls",
        "_cited",
        "_length",
        "_parse_error",
        "_pending",
        "_usage",
        "_with_json",
        "provider",
    )

    def __init__(self, provider: str, parse_error: Callable[[Any], ErrorDetails]) -> None:
        self.provider = provider
        self._parse_error = parse_error
        self._blocks: dict[int, str] = {}  # block index -> its type ("structured": our tool)
        self._with_json: set[int] = set()  # tool blocks whose input arrived in pieces
        self._calls = 0  # real tool calls seen (not the structured-output tool)
        self._length = 0  # of the answer so far
        self._cited: dict[int, tuple[int, list[Any]]] = {}  # text block -> its start, sources
        self._usage: dict[str, Any] = {}
        self._pending: dict[str, Any] | None = None  # message_start's model, id and usage

    def is_end(self, event: ServerSentEvent) -> bool:
        name = event[1]
        if name is not None:
            return name == "message_stop"
        return '"message_stop"' in event[0] and self._json(event[0]).get("type") == "message_stop"

    def parse_event(self, event: ServerSentEvent) -> Chunk | None:
        text = event[0]
        if not text or text.isspace():
            return None
        data = self._json(text)
        kind = data.get("type")
        if kind == "content_block_delta":
            return self._delta(data)
        if kind == "content_block_start":
            return self._start(data)
        if kind == "content_block_stop":
            return self._stop(data)
        if kind == "message_start":
            self._message_start(data)
            return None
        if kind == "message_delta":
            return self._message_delta(data)
        if kind == "error":
            raise api_error(None, self._parse_error(data), provider=self.provider)
        return None  # ping, message_stop, and events added later

    # ---- events ---------------------------------------------------------------------------

    def _message_start(self, data: Mapping[str, Any]) -> None:
        """Kept for the first chunk with something in it: a stream that fails before any
        content has sent the caller nothing, so it may be retried."""
        message = data.get("message")
        message = message if isinstance(message, Mapping) else {}
        model, message_id = message.get("model"), message.get("id")
        self._pending = {
            "model": model if isinstance(model, str) else None,
            "id": message_id if isinstance(message_id, str) else None,
            "usage": self._add_usage(message.get("usage")),
        }

    def _start(self, data: Mapping[str, Any]) -> Chunk | None:
        index, block = _index(data), data.get("content_block")
        if not isinstance(block, Mapping):
            return None
        kind = block.get("type")
        values = self._values(data)
        if kind == "tool_use":
            name, call_id = block.get("name"), block.get("id")
            if name == STRUCTURED_TOOL:
                self._blocks[index] = _STRUCTURED
                return None
            self._blocks[index] = _TOOL
            self._calls += 1
            values["tool_call_deltas"] = (
                ToolCallDelta(
                    index=index,
                    id=call_id if isinstance(call_id, str) else None,
                    name=name if isinstance(name, str) else None,
                ),
            )
            return self._chunk(values)
        self._blocks[index] = kind if isinstance(kind, str) else "other"
        if kind == "text":
            self._cited[index] = (self._length, list(block.get("citations") or ()))
            if isinstance(block.get("text"), str) and block["text"]:
                values["content"] = block["text"]
                self._length += len(block["text"])
                return self._chunk(values)
            return None
        detail = thinking_detail(block, index)
        if detail is None:
            return None  # server tools' blocks, and blocks added later
        values["reasoning_details"] = (detail,)
        values["reasoning"] = detail.get("text", "")
        return self._chunk(values)

    def _delta(self, data: Mapping[str, Any]) -> Chunk | None:
        index, delta = _index(data), data.get("delta")
        if not isinstance(delta, Mapping):
            return None
        kind = delta.get("type")
        values = self._values(data)
        if kind == "text_delta":
            values["content"] = _text(delta.get("text"))
            self._length += len(values["content"])
        elif kind == "input_json_delta":
            piece, block = _text(delta.get("partial_json")), self._blocks.get(index)
            if not piece or block not in (_TOOL, _STRUCTURED):
                return None  # a server tool's input (the search query) is not the answer's
            self._with_json.add(index)
            if block == _STRUCTURED:
                values["content"] = piece
                self._length += len(piece)
            else:
                values["tool_call_deltas"] = (ToolCallDelta(index=index, arguments=piece),)
        elif kind == "citations_delta":
            if index in self._cited:
                self._cited[index][1].append(delta.get("citation"))
            return None
        elif kind == "thinking_delta":
            thought = _text(delta.get("thinking"))
            values["reasoning"] = thought
            values["reasoning_details"] = (_detail(index, text=thought),)
        elif kind == "signature_delta":
            values["reasoning_details"] = (_detail(index, signature=_text(delta.get("signature"))),)
        else:
            return None  # deltas added later
        return self._chunk(values)

    def _stop(self, data: Mapping[str, Any]) -> Chunk | None:
        """A tool call whose input never arrived in pieces has the input ``{}`` (as a blocking
        answer spells it)."""
        index = _index(data)
        kind = self._blocks.get(index)
        if index in self._cited:
            return self._sources(data, *self._cited.pop(index))
        if kind not in (_TOOL, _STRUCTURED) or index in self._with_json:
            return None
        values = self._values(data)
        if kind == _STRUCTURED:
            values["content"] = "{}"
            self._length += 2
        else:
            values["tool_call_deltas"] = (ToolCallDelta(index=index, arguments="{}"),)
        return self._chunk(values)

    def _sources(self, data: Mapping[str, Any], start: int, cited: list[Any]) -> Chunk | None:
        """The sources a text block cited, once it has ended (its span is known then)."""
        found = (citation(c, start, self._length) for c in cited)
        sources = tuple(dict.fromkeys(c for c in found if c is not None))
        if not sources:
            return None
        values = self._values(data)
        values["citations"] = sources
        return self._chunk(values)

    def _message_delta(self, data: Mapping[str, Any]) -> Chunk:
        delta = data.get("delta")
        stop = delta.get("stop_reason") if isinstance(delta, Mapping) else None
        values = self._values(data)
        structured_only = _STRUCTURED in self._blocks.values() and not self._calls
        values["finish_reason"] = finish_reason(stop, structured_only=structured_only)
        values["native_finish_reason"] = stop if isinstance(stop, str) else None
        if data.get("usage") is not None:
            values["usage"] = self._add_usage(data.get("usage"))
        return self._chunk(values)

    # ---- helpers --------------------------------------------------------------------------

    def _add_usage(self, usage: Any) -> Usage | None:
        """The usage so far: a later report's counts update the earlier ones (the end of a
        stream may leave out what its start said)."""
        if isinstance(usage, Mapping):
            self._usage.update({k: v for k, v in usage.items() if v is not None})
        return parse_usage(dict(self._usage)) if self._usage else None

    def _chunk(self, values: dict[str, Any]) -> Chunk:
        """A chunk, with what ``message_start`` said when it is the stream's first."""
        pending = self._pending
        if pending is not None:
            self._pending = None
            for key, value in pending.items():
                if values[key] is None:
                    values[key] = value
        return new_chunk(values)

    def _values(self, data: Mapping[str, Any]) -> dict[str, Any]:
        values = dict(CHUNK_DEFAULTS)
        values["raw"] = data
        return values

    def _json(self, text: str) -> dict[str, Any]:
        try:
            data = loads(text)
        except ValueError:
            snippet = text if len(text) <= 120 else text[:117] + "..."
            raise self._invalid(f"a stream event is not valid JSON: {snippet!r}", text) from None
        if type(data) is not dict:
            raise self._invalid(f"a stream event is a JSON {type(data).__name__}", data)
        return data

    def _invalid(self, reason: str, raw: Any) -> InvalidResponseError:
        return InvalidResponseError(reason, status=200, provider=self.provider, raw=raw)


def _index(data: Mapping[str, Any]) -> int:
    index = data.get("index")
    return index if isinstance(index, int) and not isinstance(index, bool) else 0


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _detail(index: int, **fields: str) -> dict[str, Any]:
    """A piece of the reasoning detail of block ``index`` (the accumulator joins the pieces)."""
    return {"type": "reasoning.text", **fields, "format": THINKING_FORMAT, "index": index}
