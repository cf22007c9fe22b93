"""One piece of a streamed answer.

>>> Chunk(content="Hel").content + Chunk(content="lo").content
'Hello'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .citation import Citation
    from .content import Attachment
    from .logprobs import TokenLogprob
    from .message import ToolCall, Usage

__all__ = ["CHUNK_DEFAULTS", "Chunk", "ToolCallDelta", "new_chunk"]


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A fragment of a tool call: ``id`` and ``name`` usually arrive only on the first one."""

    index: int | None = None
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(frozen=True)  # no slots: unset fields fall back to class defaults (see new_chunk)
class Chunk:
    """A streamed delta. ``content`` is ``""`` when the delta had no text.

    The last chunk of a response carries ``usage`` and ``finish_reason``. While the model writes
    a tool call, its pieces arrive as ``kind == "tool_call_delta"`` chunks (the fragments are in
    ``tool_call_deltas``). Once the call is complete and about to run, the stream yields a chunk
    whose ``tool_call`` is the whole call (``kind == "tool_call"``: ``tool_call`` is never
    ``None`` then), and after it one with its ``tool_result`` (``kind == "tool_result"``).
    A web search's sources arrive as ``citations`` (often before the text), and the tokens'
    log probabilities, when asked for, as ``logprobs``.

    >>> Chunk(tool_call_deltas=(ToolCallDelta(0, arguments='{"ci'),)).kind
    'tool_call_delta'
    """

    content: str = ""
    reasoning: str = ""
    reasoning_details: tuple[Mapping[str, Any], ...] = ()
    tool_call_deltas: tuple[ToolCallDelta, ...] = ()
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    usage: Usage | None = None
    model: str | None = None
    id: str | None = None
    upstream: str | None = None
    refusal: str = ""
    images: tuple[Attachment, ...] = ()
    annotations: tuple[Mapping[str, Any], ...] = ()
    tool_call: ToolCall | None = None
    tool_result: Any = None
    raw: Any = field(default=None, compare=False, repr=False)
    citations: tuple[Citation, ...] = ()
    logprobs: tuple[TokenLogprob, ...] = ()

    @property
    def kind(self) -> str:
        """``text``, ``reasoning``, ``tool_call_delta``, ``tool_call``, ``tool_result``, ``usage``
        or ``other``. A ``tool_call`` chunk always carries the complete ``chunk.tool_call``."""
        if self.tool_result is not None:
            return "tool_result"
        if self.tool_call is not None:
            return "tool_call"
        if self.tool_call_deltas:
            return "tool_call_delta"
        if self.content:
            return "text"
        if self.reasoning or self.reasoning_details:
            return "reasoning"
        if self.usage is not None:
            return "usage"
        return "other"

    def __str__(self) -> str:
        return self.content


CHUNK_DEFAULTS: MappingProxyType[str, Any] = MappingProxyType(
    {f.name: f.default for f in fields(Chunk)}
)
"""Every field of :class:`Chunk` at its default: ``CHUNK_DEFAULTS.copy()``, filled in, is what
:func:`new_chunk` wants."""

_new_object = object.__new__
_set_attribute = object.__setattr__


def new_chunk(values: dict[str, Any]) -> Chunk:
    """A :class:`Chunk` made from ``values`` (field name -> value) without ``__init__``.

    The stream parser makes one per streamed delta, and a frozen dataclass's ``__init__`` sets
    all 18 fields one ``object.__setattr__`` at a time (2.6 us); this takes 0.4 us. ``values``
    must be a fresh dict, ideally ``CHUNK_DEFAULTS.copy()`` filled in: it becomes the chunk's
    ``__dict__`` (a field it lacks falls back to the class default, at a slower read).

    >>> new_chunk({**CHUNK_DEFAULTS, "content": "Hi"}) == Chunk(content="Hi")
    True
    """
    chunk: Chunk = _new_object(Chunk)
    _set_attribute(chunk, "__dict__", values)
    return chunk
