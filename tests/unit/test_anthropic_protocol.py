"""The Anthropic Messages protocol on its own: rendering, blocking and streamed answers (which
must give equal messages), errors, stop reasons, usage. Pure: no sockets.

``anthropic_events(body)`` spells a blocking answer as the event stream Anthropic sends for it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import pyllm
from pyllm._engine.parser import StreamParser
from pyllm.content import Attachment
from pyllm.message import Message, ToolCall
from pyllm.protocols.anthropic import AnthropicMessages
from pyllm.request import Caching, ChatRequest, ResponseSchema, Thinking, ToolDefinition

PROTOCOL = AnthropicMessages()
HI = (Message.user("Hi"),)
SIGNED = {"type": "thinking", "thinking": "8 it is.", "signature": "EqSig=="}
WEATHER = ToolDefinition("weather", "Weather for a city", {"type": "object", "properties": {}})


def event(kind: str, **fields: Any) -> bytes:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **fields})}\n\n".encode()


def anthropic_events(body: dict[str, Any]) -> bytes:
    """The event stream of the blocking answer ``body``: each block in pieces, the input usage
    first and the output tokens last (as Anthropic streams them)."""
    usage = body["usage"]
    start = {**body, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}
    out = [event("message_start", message=start), event("ping")]
    for index, block in enumerate(body["content"]):
        kind, pieces = block["type"], []
        opening = dict(block)
        if kind == "text":
            opening["text"], text = "", block["text"]
            pieces = [
                {"type": "text_delta", "text": text[:3]},
                {"type": "text_delta", "text": text[3:]},
            ]
        elif kind == "thinking":
            opening.update(thinking="", signature="")
            text = block["thinking"]
            pieces = [
                {"type": "thinking_delta", "thinking": text[:2]},
                {"type": "thinking_delta", "thinking": text[2:]},
                {"type": "signature_delta", "signature": block["signature"]},
            ]
        elif kind == "tool_use":
            opening["input"] = {}
            spelled = json.dumps(block["input"]) if block["input"] else ""
            pieces = [{"type": "input_json_delta", "partial_json": ""}]
            pieces += [
                {"type": "input_json_delta", "partial_json": p}
                for p in (spelled[:5], spelled[5:])
                if p
            ]
        out.append(event("content_block_start", index=index, content_block=opening))
        out += [event("content_block_delta", index=index, delta=p) for p in pieces]
        out.append(event("content_block_stop", index=index))
    delta = {"stop_reason": body["stop_reason"], "stop_sequence": None}
    out.append(event("message_delta", delta=delta, usage={"output_tokens": usage["output_tokens"]}))
    out.append(event("message_stop"))
    return b"".join(out)


def answer(*content: dict[str, Any], stop: str = "end_turn", **usage: int) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-haiku-4-5-20251001",
        "content": list(content),
        "stop_reason": stop,
        "usage": {"input_tokens": 12, "output_tokens": 30, **usage},
    }


def streamed(data: bytes, *, size: int = 7) -> Message:
    parser = StreamParser(PROTOCOL)
    parser.expect("text/event-stream")
    for at in range(0, len(data), size):
        parser.feed(data[at : at + size])
    parser.finish()
    return parser.message()


# ---- streamed and blocking answers are the same message ----------------------------------

ANSWERS = {
    "text": answer({"type": "text", "text": "1\n2\n3"}),
    "thinking then text": answer(SIGNED, {"type": "text", "text": "5 + 3 = 8"}),
    "redacted thinking": answer(
        {"type": "redacted_thinking", "data": "EnCrypted"}, {"type": "text", "text": "ok"}
    ),
    "parallel tool calls": answer(
        {"type": "text", "text": "Checking."},
        {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Paris"}},
        {"type": "tool_use", "id": "toolu_2", "name": "best_language", "input": {}},
        stop="tool_use",
    ),
    "structured output through a tool": answer(
        {
            "type": "tool_use",
            "id": "toolu_9",
            "name": "pyllm_structured_output",
            "input": {"name": "Ada", "age": 36},
        },
        stop="tool_use",
    ),
    "cache counts": answer(
        {"type": "text", "text": "OK"}, cache_creation_input_tokens=7351, cache_read_input_tokens=5
    ),
    "cut at max_tokens": answer({"type": "text", "text": "Once upon"}, stop="max_tokens"),
}


@pytest.mark.parametrize("body", ANSWERS.values(), ids=ANSWERS.keys())
def test_streamed_and_blocking_answers_are_equal_messages(body: dict[str, Any]) -> None:
    blocking = PROTOCOL.parse_chat(body)
    assert streamed(anthropic_events(body)) == blocking
    assert blocking.provider == "anthropic" and blocking.id == "msg_1"


def test_what_an_answer_holds() -> None:
    message = PROTOCOL.parse_chat(ANSWERS["thinking then text"])
    assert (message.content, message.reasoning, message.finish_reason) == (
        "5 + 3 = 8",
        "8 it is.",
        "stop",
    )
    assert message.reasoning_details == (
        {
            "type": "reasoning.text",
            "text": "8 it is.",
            "signature": "EqSig==",
            "format": "anthropic-claude-v1",
            "index": 0,
        },
    )
    calls = PROTOCOL.parse_chat(ANSWERS["parallel tool calls"])
    assert calls.finish_reason == "tool_calls" and calls.content == "Checking."
    assert [(c.id, c.name, dict(c.arguments), c.raw_arguments) for c in calls.tool_calls] == [
        ("toolu_1", "weather", {"city": "Paris"}, '{"city": "Paris"}'),
        ("toolu_2", "best_language", {}, "{}"),
    ]
    structured = PROTOCOL.parse_chat(ANSWERS["structured output through a tool"])
    assert structured.tool_calls == () and structured.finish_reason == "stop"
    assert json.loads(structured.content) == {"name": "Ada", "age": 36}
    usage = PROTOCOL.parse_chat(ANSWERS["cache counts"]).usage
    assert usage is not None
    assert (usage.input_tokens, usage.cached_tokens, usage.cache_write_tokens) == (
        12 + 7351 + 5,
        5,
        7351,
    )


@pytest.mark.parametrize(
    ("stop", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
        ("pause_turn", "pause_turn"),
        ("model_context_window_exceeded", "model_context_window_exceeded"),
    ],
)
def test_stop_reasons(stop: str, finish: str) -> None:
    message = PROTOCOL.parse_chat(answer({"type": "text", "text": "x"}, stop=stop))
    assert (message.finish_reason, message.native_finish_reason) == (finish, stop)


def test_an_error_event_mid_stream_is_typed_and_keeps_the_partial_answer() -> None:
    body = answer({"type": "text", "text": "Half an ans"})
    events = anthropic_events(body).split(b"event: message_delta")[0]
    overloaded = {"type": "overloaded_error", "message": "Overloaded"}
    parser = StreamParser(PROTOCOL)
    parser.expect("text/event-stream")
    with pytest.raises(pyllm.OverloadedError) as caught:
        parser.feed(events + event("error", error=overloaded))
    error = caught.value
    assert error.status == 529 and error.message == "Overloaded" and error.provider == "anthropic"
    assert error.partial is not None and error.partial.content == "Half an ans"
    assert error.partial.finish_reason == "error"


def test_a_stream_cut_before_message_stop_is_a_connection_error() -> None:
    body = answer({"type": "text", "text": "Hello there"})
    parser = StreamParser(PROTOCOL)
    parser.expect("text/event-stream")
    parser.feed(anthropic_events(body).split(b"event: content_block_stop")[0])
    with pytest.raises(pyllm.APIConnectionError) as caught:
        parser.finish()
    assert caught.value.partial is not None and caught.value.partial.content == "Hello there"


def test_usage_reported_in_parts_merges() -> None:
    body = answer({"type": "text", "text": "OK"}, cache_read_input_tokens=900)
    usage = streamed(anthropic_events(body)).usage  # message_delta says output tokens only
    assert usage is not None
    assert (usage.input_tokens, usage.cached_tokens, usage.output_tokens) == (912, 900, 30)


def test_errors_read_from_anthropic_bodies() -> None:
    body = {
        "type": "error",
        "error": {"type": "rate_limit_error", "message": "Slow down"},
        "request_id": "req_1",
    }
    details = PROTOCOL.parse_error(body)
    assert (details.message, details.error_type, details.code) == (
        "Slow down",
        "rate_limit_error",
        "rate_limit_error",
    )
    assert details.metadata == {"request_id": "req_1"}
    with pytest.raises(pyllm.RateLimitError):  # an error body where an answer was expected
        PROTOCOL.parse_chat(body)
    with pytest.raises(pyllm.InvalidResponseError, match='no "content" list'):
        PROTOCOL.parse_chat({"id": "msg_1", "type": "message"})


# ---- rendering -------------------------------------------------------------------------


def render(*messages: Message, **fields: Any) -> dict[str, Any]:
    return PROTOCOL.render_chat(ChatRequest("claude-haiku-4-5", messages or HI, **fields))


def test_instructions_become_system_blocks_and_turns_of_one_side_merge() -> None:
    payload = render(
        Message.system("Be terse."),
        Message.system("Answer in French."),
        Message.user("Hi"),
        Message("assistant", ""),  # an empty answer: left out, as Anthropic refuses it
        Message.user("Still there?"),
        temperature=0.2,
        max_tokens=300,
    )
    assert payload["system"] == [
        {"type": "text", "text": "Be terse."},
        {"type": "text", "text": "Answer in French."},
    ]
    assert payload["messages"] == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "Still there?"}],
        }
    ]
    assert (payload["temperature"], payload["max_tokens"]) == (0.2, 300)


def test_a_tool_round_goes_back_as_tool_use_and_one_user_turn_of_results() -> None:
    call_a = ToolCall("toolu_a", "weather", {"city": "Paris"})
    call_b = ToolCall("functions.lookup:1", "lookup", {})  # another provider's id
    payload = render(
        Message.user("Go"),
        Message("assistant", "", tool_calls=(call_a, call_b)),
        Message.tool("toolu_a", "15°C"),
        Message.tool("functions.lookup:1", "boom", is_error=True),
    )
    assistant, results = payload["messages"][1:]
    assert assistant["content"] == [
        {"type": "tool_use", "id": "toolu_a", "name": "weather", "input": {"city": "Paris"}},
        {"type": "tool_use", "id": "functions_lookup_1", "name": "lookup", "input": {}},
    ]
    assert results == {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": "toolu_a",
                "content": [{"type": "text", "text": "15°C"}],
            },
            {
                "type": "tool_result",
                "tool_use_id": "functions_lookup_1",
                "content": [{"type": "text", "text": "boom"}],
                "is_error": True,
            },
        ],
    }


@pytest.mark.parametrize(
    ("choice", "parallel", "rendered"),
    [
        (None, None, None),
        ("auto", None, {"type": "auto"}),
        ("none", None, {"type": "none"}),
        ("required", None, {"type": "any"}),
        ("weather", None, {"type": "tool", "name": "weather"}),
        (None, False, {"type": "auto", "disable_parallel_tool_use": True}),
        ("required", False, {"type": "any", "disable_parallel_tool_use": True}),
        (None, True, None),
    ],
)
def test_tool_choice(choice: str | None, parallel: bool | None, rendered: Any) -> None:
    payload = render(tools=(WEATHER,), tool_choice=choice, parallel_tool_calls=parallel)
    assert payload["tools"] == [
        {"name": "weather", "description": "Weather for a city", "input_schema": WEATHER.parameters}
    ]
    assert payload.get("tool_choice") == rendered


def test_reasoning_goes_back_only_in_claude_s_format_and_signed() -> None:
    details = (
        {
            "type": "reasoning.text",
            "text": "mine",
            "signature": "S1",
            "format": "anthropic-claude-v1",
        },
        {"type": "reasoning.text", "text": "unsigned", "format": "anthropic-claude-v1"},
        {"type": "reasoning.encrypted", "data": "R1", "format": "anthropic-claude-v1"},
        {"type": "reasoning.encrypted", "data": "gAAA", "format": "openai-responses-v1"},
        {"type": "reasoning.summary", "summary": "...", "format": "anthropic-claude-v1"},
    )
    payload = render(
        Message.user("Q"), Message("assistant", "A", reasoning_details=details), Message.user("Q2")
    )
    assert payload["messages"][1]["content"] == [
        {"type": "thinking", "thinking": "mine", "signature": "S1"},
        {"type": "redacted_thinking", "data": "R1"},
        {"type": "text", "text": "A"},
    ]


@pytest.mark.parametrize(
    ("thinking", "max_tokens", "rendered"),
    [
        (Thinking(budget=1024), None, {"type": "enabled", "budget_tokens": 1024}),
        (Thinking(effort="low"), None, {"type": "enabled", "budget_tokens": 2048}),
        (Thinking(effort="high"), 64000, {"type": "enabled", "budget_tokens": 16384}),
        (Thinking(), 64000, {"type": "enabled", "budget_tokens": 8192}),  # medium by default
        (Thinking(effort="max"), 20000, {"type": "enabled", "budget_tokens": 19999}),
        (Thinking(effort="none"), None, {"type": "disabled"}),
    ],
)
def test_thinking_budgets(thinking: Thinking, max_tokens: int | None, rendered: Any) -> None:
    assert render(thinking=thinking, max_tokens=max_tokens)["thinking"] == rendered


@pytest.mark.parametrize(("budget", "max_tokens"), [(512, 64000), (8000, 8000), (None, 1000)])
def test_a_thinking_budget_anthropic_would_refuse_is_refused_first(
    budget: int | None, max_tokens: int
) -> None:
    thinking = Thinking(budget=budget) if budget else Thinking(effort="low")
    with pytest.raises(
        pyllm.ConfigurationError, match="at least 1,024 tokens and below max_tokens"
    ):
        render(thinking=thinking, max_tokens=max_tokens)


def test_structured_output_natively_or_through_a_forced_tool() -> None:
    schema = ResponseSchema(
        "person", {"type": "object", "properties": {"name": {"type": "string"}}}
    )
    native = render(schema=schema)
    assert native["output_config"] == {
        "format": {"type": "json_schema", "schema": dict(schema.schema)}
    }
    assert "tools" not in native
    legacy = PROTOCOL.render_chat(ChatRequest("claude-3-5-haiku-20241022", HI, schema=schema))
    assert "output_config" not in legacy
    assert legacy["tools"][-1]["name"] == "pyllm_structured_output"
    assert legacy["tools"][-1]["input_schema"] == dict(schema.schema)
    assert legacy["tool_choice"] == {"type": "tool", "name": "pyllm_structured_output"}
    with_tools = PROTOCOL.render_chat(
        ChatRequest("claude-sonnet-4-20250514", HI, schema=schema, tools=(WEATHER,))
    )
    assert [t["name"] for t in with_tools["tools"]] == ["weather", "pyllm_structured_output"]
    assert with_tools["tool_choice"] == {"type": "any"}  # a real tool, or the answer


def test_cache_breakpoints() -> None:
    marked = Message.user("Long document").replace(cache=True)
    payload = render(
        Message.system("Rules"),
        marked,
        Message(
            "assistant",
            "Noted",
            reasoning_details=(
                {
                    "type": "reasoning.text",
                    "text": "t",
                    "signature": "S",
                    "format": "anthropic-claude-v1",
                },
            ),
        ),
        Message.user("Question"),
        tools=(WEATHER,),
        caching=Caching(ttl="1h"),
    )
    control = {"type": "ephemeral", "ttl": "1h"}
    assert payload["system"][-1]["cache_control"] == control
    assert payload["tools"][-1]["cache_control"] == control
    turns = payload["messages"]
    assert turns[0]["content"][-1]["cache_control"] == control  # the marked message
    assert "cache_control" not in turns[1]["content"][0]  # never on a thinking block
    assert turns[2]["content"][-1]["cache_control"] == control  # the history so far
    assert json.dumps(payload).count("cache_control") == 4


def test_more_than_four_breakpoints_are_refused_before_sending() -> None:
    marked = [Message.user(f"part {i}").replace(cache=True) for i in range(3)]
    with pytest.raises(pyllm.ConfigurationError, match="at most 4"):
        render(Message.system("Rules"), *marked, Message.user("?"), caching=Caching())
    assert render(*marked, caching=Caching(history=False))  # three marks: fine


def test_attachments() -> None:
    png = Attachment(data=b"\x89PNG\r\n\x1a\n....")
    pdf_by_url = Attachment(data=b"%PDF-1.7 ...", url="https://example.com/a.pdf")
    notes = Attachment(data=b"Ruby is the best.", filename="notes.txt")
    content = render(Message.user("Look", (png, pdf_by_url, notes)))["messages"][0]["content"]
    assert content == [
        {"type": "text", "text": "Look"},
        {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgouLi4u"},
        },
        {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}},
        {
            "type": "text",
            "text": "<file name='notes.txt' mime_type='text/plain'>Ruby is the best.</file>",
        },
    ]
    audio = Attachment(data=b"RIFF\x00\x00\x00\x00WAVEfmt ", filename="hi.wav")
    with pytest.raises(pyllm.UnsupportedError, match="images, PDFs and text files"):
        render(Message.user("Listen", (audio,)))


def test_params_are_merged_last_stop_sequences_included() -> None:
    payload = render(params={"stop_sequences": ["END"], "top_k": 5, "metadata": {"user_id": "u1"}})
    assert (payload["stop_sequences"], payload["top_k"], payload["metadata"]) == (
        ["END"],
        5,
        {"user_id": "u1"},
    )


def test_nothing_reaches_the_caller_before_content() -> None:
    """``message_start`` is held for the first chunk with something in it, so an error event
    right after it finds nothing delivered (the driver may retry) and no partial answer."""
    start = anthropic_events(answer({"type": "text", "text": "x"})).split(b"event: ping")[0]
    parser = StreamParser(PROTOCOL)
    parser.expect("text/event-stream")
    assert parser.feed(start) == []
    with pytest.raises(pyllm.OverloadedError) as caught:
        parser.feed(event("error", error={"type": "overloaded_error", "message": "Overloaded"}))
    assert caught.value.partial is None
    first = StreamParser(PROTOCOL)
    first.expect("text/event-stream")
    chunks = first.feed(anthropic_events(answer({"type": "text", "text": "Hello"})))
    assert chunks[0].content == "Hel" and chunks[0].id == "msg_1"
    assert chunks[0].model == "claude-haiku-4-5-20251001" and chunks[0].usage is not None
