"""Stream events -> Chunks -> Message, beyond test_protocol.py: every delta field compared
whole, odd types, whitespace around the JSON, and StreamParser's partial messages. These pin
the hot path's behaviour so that speed work cannot change it."""

from __future__ import annotations

import json
from typing import Any

import pytest

import pyllm
from pyllm._engine.parser import StreamParser
from pyllm._engine.sse import ServerSentEvent
from pyllm.chunk import Chunk, ToolCallDelta
from pyllm.message import Usage
from pyllm.protocols.openrouter import OpenRouterDialect

PROTOCOL = OpenRouterDialect("openrouter")
HEAD = {"id": "gen-1", "model": "m/x", "provider": "Acme", "object": "chat.completion.chunk"}


def event(data: Any) -> ServerSentEvent:
    return ServerSentEvent(data if isinstance(data, str) else json.dumps(data))


def chunk_of(choice: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    body: dict[str, Any] = {**HEAD, **top}
    if choice is not None:
        body["choices"] = [{"index": 0, **choice}]
    return body


def parse(data: Any) -> Chunk | None:
    return PROTOCOL.parse_event(event(data))


def test_every_delta_field() -> None:
    delta = {
        "content": "",
        "reasoning": "thinking",
        "reasoning_details": [{"type": "reasoning.text", "text": "t", "index": 0}, "junk"],
        "tool_calls": [
            {"index": 0, "id": "c1", "function": {"name": "f", "arguments": '{"a"'}},
            {"index": True, "function": {"arguments": {"b": 1}}},
            "junk",
        ],
        "refusal": [{"text": "no"}, {"text": "pe"}],
        "images": [{"image_url": {"url": "https://x/y.png"}}, {"url": ""}],
        "annotations": [{"type": "url_citation"}],
    }
    parsed = parse(chunk_of({"delta": delta, "finish_reason": "", "native_finish_reason": "x"}))
    assert parsed == Chunk(
        reasoning="thinking",
        reasoning_details=({"type": "reasoning.text", "text": "t", "index": 0},),
        tool_call_deltas=(
            ToolCallDelta(index=0, id="c1", name="f", arguments='{"a"'),
            ToolCallDelta(index=None, arguments='{"b": 1}'),
        ),
        finish_reason="",
        native_finish_reason="x",
        model="m/x",
        id="gen-1",
        upstream="Acme",
        refusal="nope",
        images=(pyllm.Attachment(url="https://x/y.png"),),
        annotations=({"type": "url_citation"},),
    )


def test_reasoning_content_and_odd_types_are_lenient() -> None:
    delta = {"content": 5, "reasoning": None, "reasoning_content": "r", "refusal": 3}
    parsed = parse(chunk_of({"delta": delta, "finish_reason": 7, "native_finish_reason": 8}))
    assert parsed == Chunk(reasoning="r", model="m/x", id="gen-1", upstream="Acme")
    odd = parse({"model": 1, "id": ["x"], "choices": [{"delta": None}]})
    assert odd == Chunk(model=1, id=["x"])  # type: ignore[arg-type]


def test_the_usage_chunk_with_and_without_a_choice() -> None:
    usage = {"prompt_tokens": 3, "completion_tokens": 4, "cost": 0.5}
    expected_usage = Usage(input_tokens=3, output_tokens=4, cost=0.5, cost_source="provider")
    bare = parse(chunk_of(choices=[], usage=usage))
    assert bare == Chunk(usage=expected_usage, model="m/x", id="gen-1", upstream="Acme")
    assert bare is not None
    assert bare.kind == "usage"
    with_choice = parse(chunk_of({"delta": {"content": ""}, "finish_reason": "stop"}, usage=usage))
    assert with_choice == Chunk(
        finish_reason="stop", usage=expected_usage, model="m/x", id="gen-1", upstream="Acme"
    )
    assert parse({"choices": ["junk"]}) == Chunk()
    assert parse({"usage": 0, "choices": None}) == Chunk()


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_events_are_skipped(text: str) -> None:
    assert parse(text) is None


def test_whitespace_around_the_json_is_fine() -> None:
    data = chunk_of({"delta": {"content": "x"}})
    assert parse("  " + json.dumps(data) + "  ") == parse(data)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "a stream event is not valid JSON: '{not json'"),
        ('{"a": 1} extra', "a stream event is not valid JSON"),
        ("[1, 2]", "a stream event is a JSON list"),
        ('"text"', "a stream event is a JSON str"),
        ("x" * 200, "..."),
    ],
)
def test_bad_events_raise_invalid_response(text: str, reason: str) -> None:
    with pytest.raises(pyllm.InvalidResponseError) as caught:
        parse(text)
    assert reason in caught.value.message
    assert caught.value.status == 200


def sse(*datas: Any) -> bytes:
    return b"".join(
        b"data: " + (d if isinstance(d, str) else json.dumps(d)).encode() + b"\n\n" for d in datas
    )


def test_stream_parser_assembles_the_message_and_stops_at_done() -> None:
    parser = StreamParser(PROTOCOL)
    body = b": OPENROUTER PROCESSING\n\n" + sse(
        chunk_of({"delta": {"content": "a"}}),
        chunk_of({"delta": {"content": "b"}, "finish_reason": "stop"}),
        chunk_of(choices=[], usage={"prompt_tokens": 1, "completion_tokens": 2}),
        "[DONE]",
        chunk_of({"delta": {"content": "ignored"}}),
    )
    chunks = parser.feed(body[:40]) + parser.feed(body[40:]) + parser.finish()
    assert [c.content for c in chunks] == ["a", "b", ""]
    assert parser.done
    message = parser.message()
    assert (message.content, message.finish_reason, message.model) == ("ab", "stop", "m/x")
    assert message.usage == Usage(input_tokens=1, output_tokens=2)


def test_an_in_band_error_mid_stream_carries_the_partial_message() -> None:
    parser = StreamParser(PROTOCOL)
    assert parser.feed(sse(chunk_of({"delta": {"content": "par"}})))
    with pytest.raises(pyllm.ServiceUnavailableError) as caught:
        parser.feed(sse({"error": {"code": 503, "message": "down"}}))
    assert caught.value.partial is not None
    assert caught.value.partial.content == "par"
    assert caught.value.partial.finish_reason == "error"
    assert caught.value.provider == "openrouter"


def test_invalid_utf8_in_a_stream_is_a_typed_error() -> None:
    parser = StreamParser(PROTOCOL)
    parser.feed(sse(chunk_of({"delta": {"content": "ok"}})))
    with pytest.raises(pyllm.InvalidResponseError, match="not valid UTF-8") as caught:
        parser.feed(b"data: \xff\n\n")
    assert caught.value.partial is not None
    assert caught.value.partial.content == "ok"


def test_a_stream_cut_short_is_a_connection_error_with_the_partial() -> None:
    parser = StreamParser(PROTOCOL)
    parser.feed(sse(chunk_of({"delta": {"content": "half"}})))
    with pytest.raises(pyllm.APIConnectionError, match="ended before") as caught:
        parser.finish()
    assert caught.value.partial is not None
    assert caught.value.partial.content == "half"


def test_a_last_event_without_its_blank_line_still_counts() -> None:
    parser = StreamParser(PROTOCOL)
    body = sse(chunk_of({"delta": {"content": "x"}, "finish_reason": "stop"}))[:-2]
    assert parser.feed(body) == []
    [last] = parser.finish()
    assert last.finish_reason == "stop"


# ---- per-stream state: protocol.new_stream() (issue 12) -----------------------------------


class _Counting:
    """A reader with state: it numbers the text events of its own stream."""

    def __init__(self) -> None:
        self.seen = 0

    def is_end(self, event: ServerSentEvent) -> bool:
        return event.data == "[DONE]"

    def parse_event(self, event: ServerSentEvent) -> Chunk | None:
        self.seen += 1
        return Chunk(content=f"{self.seen}:{event.data} ")


class _StatefulProtocol(OpenRouterDialect):
    def new_stream(self) -> Any:
        return _Counting()


def _sse(*datas: str) -> bytes:
    return "".join(f"data: {d}\n\n" for d in datas).encode()


def test_each_stream_gets_its_own_reader_from_new_stream() -> None:
    protocol = _StatefulProtocol("x")
    first, second = StreamParser(protocol), StreamParser(protocol)
    first.expect("text/event-stream")
    second.expect("text/event-stream")
    assert [c.content for c in first.feed(_sse("a", "b"))] == ["1:a ", "2:b "]
    assert [c.content for c in second.feed(_sse("c"))] == ["1:c "]  # not "3:c": its own state
    assert [c.content for c in first.feed(_sse("d", "[DONE]"))] == ["3:d "]
    assert first.done and first.message().content == "1:a 2:b 3:d "


def test_chat_completions_shares_one_stateless_reader() -> None:
    assert PROTOCOL.new_stream() is PROTOCOL


def test_a_protocol_without_new_stream_reads_its_streams_itself() -> None:
    class Older:  # written against the protocol before new_stream() existed
        provider = "old"
        is_end = staticmethod(PROTOCOL.is_end)
        parse_event = staticmethod(PROTOCOL.parse_event)

    parser = StreamParser(Older())  # type: ignore[arg-type]
    parser.expect("text/event-stream")
    chunks = parser.feed(_sse(json.dumps(chunk_of({"delta": {"content": "hi"}})), "[DONE]"))
    assert [c.content for c in chunks] == ["hi"] and parser.done
