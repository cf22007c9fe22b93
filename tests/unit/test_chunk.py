"""``new_chunk`` (the stream parser's fast constructor) builds the same Chunk as ``Chunk(...)``."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from pyllm.chunk import Chunk, ToolCallDelta, new_chunk
from pyllm.citation import Citation
from pyllm.logprobs import TokenLogprob
from pyllm.message import ToolCall, Usage


def test_every_field_has_a_plain_default_for_new_chunk_to_fall_back_on() -> None:
    for field in dataclasses.fields(Chunk):
        assert field.default is not dataclasses.MISSING, (
            f"Chunk.{field.name} needs a plain default (no default_factory): new_chunk relies "
            "on class-level defaults for the fields it does not set"
        )


def test_new_chunk_equals_the_constructor_for_any_subset_of_fields() -> None:
    everything = {
        "content": "a",
        "reasoning": "r",
        "reasoning_details": ({"type": "x"},),
        "tool_call_deltas": (ToolCallDelta(index=0, id="c", name="f", arguments="{}"),),
        "finish_reason": "stop",
        "native_finish_reason": "end_turn",
        "usage": Usage(input_tokens=1),
        "model": "m",
        "id": "gen",
        "upstream": "Acme",
        "refusal": "no",
        "images": (),
        "annotations": ({"type": "url_citation"},),
        "tool_call": ToolCall(id="c", name="f"),
        "tool_result": "42",
        "raw": {"any": "thing"},
        "citations": (Citation("https://a.example", "A"),),
        "logprobs": (TokenLogprob("a", -0.1),),
    }
    assert set(everything) == {f.name for f in dataclasses.fields(Chunk)}
    for name, value in everything.items():
        assert new_chunk({name: value}) == Chunk(**{name: value})  # type: ignore[arg-type]
    full = new_chunk(dict(everything))
    assert full == Chunk(**everything)  # type: ignore[arg-type]
    assert repr(full) == repr(Chunk(**everything))  # type: ignore[arg-type]
    assert full.raw == {"any": "thing"}
    assert new_chunk({}) == Chunk()


def test_a_fast_chunk_is_a_normal_frozen_chunk() -> None:
    chunk = new_chunk({"content": "Hi", "model": "m"})
    assert (chunk.content, chunk.reasoning, chunk.usage, chunk.kind) == ("Hi", "", None, "text")
    with pytest.raises(dataclasses.FrozenInstanceError):
        chunk.content = "changed"  # type: ignore[misc]
    assert dataclasses.replace(chunk, content="x") == Chunk(content="x", model="m")
    assert pickle.loads(pickle.dumps(chunk)) == chunk
    assert str(chunk) == "Hi"
