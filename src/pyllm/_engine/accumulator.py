"""Chunks in, one :class:`Message` out. Pure; the same code assembles sync and async streams.

>>> from pyllm.chunk import Chunk
>>> acc = Accumulator(provider="openrouter")
>>> for piece in ("1\\n", "2\\n", "3"):
...     acc.add(Chunk(content=piece))
>>> acc.add(Chunk(finish_reason="stop"))
>>> acc.message().content, acc.message().finish_reason
('1\\n2\\n3', 'stop')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._json import parse_tool_arguments
from ..message import Message, ToolCall

if TYPE_CHECKING:
    from ..chunk import Chunk, ToolCallDelta
    from ..citation import Citation
    from ..content import Attachment
    from ..logprobs import TokenLogprob
    from ..message import Usage

__all__ = ["Accumulator"]

_JOINED_DETAIL_FIELDS = ("text", "summary", "data")


class _ToolCallBuilder:
    __slots__ = ("arguments", "id", "name")

    def __init__(self, call_id: str | None, name: str | None) -> None:
        self.id = call_id
        self.name = name
        self.arguments: list[str] = []

    def build(self, position: int) -> ToolCall:
        raw = "".join(self.arguments)
        arguments, error = parse_tool_arguments(raw)
        return ToolCall(
            id=self.id or f"call_{position}",
            name=self.name or "",
            arguments=arguments,
            raw_arguments=raw,
            arguments_error=error,
        )


class Accumulator:
    """Collects streamed chunks. ``message()`` may be called at any time (e.g. for a partial)."""

    __slots__ = (
        "_annotations",
        "_by_index",
        "_calls",
        "_citations",
        "_content",
        "_details",
        "_images",
        "_logprobs",
        "_reasoning",
        "_refusal",
        "finish_reason",
        "id",
        "last_raw",
        "model",
        "native_finish_reason",
        "provider",
        "received",
        "upstream",
        "usage",
    )

    def __init__(self, provider: str | None = None) -> None:
        self.provider = provider
        self._content: list[str] = []
        self._reasoning: list[str] = []
        self._refusal: list[str] = []
        self._details: list[dict[str, Any]] = []
        self._calls: list[_ToolCallBuilder] = []
        self._by_index: dict[int, _ToolCallBuilder] = {}
        self._images: list[Attachment] = []
        self._annotations: list[Mapping[str, Any]] = []
        self._citations: dict[Citation, None] = {}  # in order, each once
        self._logprobs: list[TokenLogprob] = []
        self.finish_reason: str | None = None
        self.native_finish_reason: str | None = None
        self.usage: Usage | None = None
        self.model: str | None = None
        self.id: str | None = None
        self.upstream: str | None = None
        self.last_raw: Any = None
        self.received = False

    def add(self, chunk: Chunk) -> None:
        self.received = True
        if chunk.content:
            self._content.append(chunk.content)
        if chunk.reasoning:
            self._reasoning.append(chunk.reasoning)
        if chunk.refusal:
            self._refusal.append(chunk.refusal)
        if chunk.reasoning_details:
            for detail in chunk.reasoning_details:
                self._merge_detail(detail)
        if chunk.tool_call_deltas:
            for delta in chunk.tool_call_deltas:
                self._add_tool_delta(delta)
        if chunk.images:
            self._images.extend(chunk.images)
        if chunk.annotations:
            self._annotations.extend(chunk.annotations)
        if chunk.citations:
            self._citations.update(dict.fromkeys(chunk.citations))
        if chunk.logprobs:
            self._logprobs.extend(chunk.logprobs)
        if chunk.finish_reason:
            self.finish_reason = chunk.finish_reason
        if chunk.native_finish_reason:
            self.native_finish_reason = chunk.native_finish_reason
        if chunk.usage is not None:  # a stream may report usage in parts: they merge
            self.usage = chunk.usage if self.usage is None else self.usage.merge(chunk.usage)
        if self.model is None:
            self.model = chunk.model
        if self.id is None:
            self.id = chunk.id
        if self.upstream is None:
            self.upstream = chunk.upstream
        if chunk.raw is not None:
            self.last_raw = chunk.raw

    @property
    def content(self) -> str:
        return "".join(self._content)

    def message(self, *, finish_reason: str | None = None) -> Message:
        """The message so far; ``finish_reason`` overrides the received one (for partials)."""
        return Message(
            role="assistant",
            content=self.content,
            tool_calls=tuple(b.build(i) for i, b in enumerate(self._calls)),
            reasoning="".join(self._reasoning) or None,
            reasoning_details=tuple(dict(d) for d in self._details),
            model=self.model,
            provider=self.provider,
            upstream=self.upstream,
            id=self.id,
            finish_reason=finish_reason or self.finish_reason,
            native_finish_reason=self.native_finish_reason,
            usage=self.usage,
            refusal="".join(self._refusal) or None,
            images=tuple(self._images),
            annotations=tuple(self._annotations),
            raw=self.last_raw,
            citations=tuple(self._citations),
            logprobs=tuple(self._logprobs),
        )

    def _add_tool_delta(self, delta: ToolCallDelta) -> None:
        builder: _ToolCallBuilder | None
        if delta.index is not None:
            builder = self._by_index.get(delta.index)
            if builder is not None and delta.id and builder.id and delta.id != builder.id:
                builder = None  # the index was reused for a new call
        else:
            builder = self._calls[-1] if self._calls else None
            if builder is not None and delta.id and builder.id and delta.id != builder.id:
                builder = None
        if builder is None:
            builder = _ToolCallBuilder(delta.id, delta.name)
            self._calls.append(builder)
            if delta.index is not None:
                self._by_index[delta.index] = builder
        else:
            builder.id = builder.id or delta.id
            builder.name = builder.name or delta.name
        if delta.arguments:
            builder.arguments.append(delta.arguments)

    def _merge_detail(self, detail: Mapping[str, Any]) -> None:
        index, kind = detail.get("index"), detail.get("type")
        if index is not None:
            for existing in reversed(self._details):
                if existing.get("index") == index and existing.get("type") == kind:
                    for key, value in detail.items():
                        if key in _JOINED_DETAIL_FIELDS and isinstance(value, str):
                            existing[key] = str(existing.get(key) or "") + value
                        elif value is not None and value != "":
                            existing[key] = value
                    return
        self._details.append(dict(detail))
