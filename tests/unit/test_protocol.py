"""Chat Completions + the OpenRouter dialect: rendering and lenient, strict-on-errors parsing."""

from __future__ import annotations

import json

import pytest

import pyllm
from pyllm._engine.sse import ServerSentEvent
from pyllm.message import Message, ToolCall
from pyllm.protocols.chat_completions import ChatCompletions
from pyllm.protocols.openrouter import OpenRouterDialect
from pyllm.request import ChatRequest, ResponseSchema, Thinking, ToolDefinition
from tests._codes import STREAM_ERROR_CODES

OR = OpenRouterDialect("openrouter")


def event(data: object) -> ServerSentEvent:
    return ServerSentEvent(data if isinstance(data, str) else json.dumps(data))


def body(**message: object) -> dict[str, object]:
    return {
        "id": "gen-1",
        "model": "anthropic/claude-4.5-haiku-20251001",
        "provider": "Amazon Bedrock",
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", **message}}
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7, "cost": 0.5},
    }


# ---- render ---------------------------------------------------------------------------------


def test_render_minimal_request() -> None:
    request = ChatRequest("a/b", (Message.system("Be terse."), Message.user("Hi")))
    assert OR.render_chat(request) == {
        "model": "a/b",
        "messages": [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "Hi"}],
        "stream": False,
    }


def test_render_stream_asks_for_usage() -> None:
    payload = OR.render_chat(ChatRequest("a/b", (Message.user("Hi"),), stream=True))
    assert payload["stream"] is True
    assert payload["stream_options"] == {"include_usage": True}


def test_params_are_deep_merged_last() -> None:
    request = ChatRequest(
        "a/b",
        (Message.user("Hi"),),
        temperature=0.1,
        routing={"sort": "price"},
        params={"temperature": 0.9, "provider": {"only": ["openai"]}, "top_k": 5},
    )
    payload = OR.render_chat(request)
    assert payload["temperature"] == 0.9
    assert payload["provider"] == {"sort": "price", "only": ["openai"]}
    assert payload["top_k"] == 5


def test_render_tools_choice_schema_and_reasoning() -> None:
    tool = ToolDefinition("weather", "Weather", {"type": "object", "properties": {}})
    request = ChatRequest(
        "a/b",
        (Message.user("Hi"),),
        tools=(tool,),
        tool_choice="weather",
        parallel_tool_calls=False,
        schema=ResponseSchema("person", {"type": "object"}),
        thinking=Thinking(budget=2000),
        fallback_models=("c/d",),
    )
    payload = OR.render_chat(request)
    assert payload["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "weather",
                "description": "Weather",
                "parameters": {"type": "object", "properties": {}},
            },
        }
    ]
    assert payload["tool_choice"] == {"type": "function", "function": {"name": "weather"}}
    assert payload["parallel_tool_calls"] is False
    assert payload["response_format"]["json_schema"]["name"] == "person"
    assert payload["reasoning"] == {"max_tokens": 2000}
    assert payload["models"] == ["a/b", "c/d"]
    effort = OR.render_chat(
        ChatRequest("a/b", (Message.user("x"),), thinking=Thinking(effort="high"))
    )
    assert effort["reasoning"] == {"effort": "high"}
    plain = ChatCompletions("openai").render_chat(
        ChatRequest("a", (Message.user("x"),), thinking=Thinking(effort="low"))
    )
    assert plain["reasoning_effort"] == "low" and "reasoning" not in plain


def test_render_assistant_tool_round_trip_keeps_reasoning_details_and_raw_arguments() -> None:
    details = ({"type": "reasoning.text", "text": "hmm", "signature": "sig", "index": 0},)
    call = ToolCall("toolu_1", "weather", {"city": "Berlin"}, '{"city": "Berlin"}')
    assistant = Message("assistant", "", tool_calls=(call,), reasoning_details=details)
    result = Message.tool("toolu_1", "15°C")
    messages = OR.render_chat(ChatRequest("a/b", (assistant, result)))["messages"]
    assert messages[0] == {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "toolu_1",
                "type": "function",
                "function": {"name": "weather", "arguments": '{"city": "Berlin"}'},
            }
        ],
        "reasoning_details": [dict(details[0])],
    }
    assert messages[1] == {"role": "tool", "tool_call_id": "toolu_1", "content": "15°C"}
    # a plain Chat Completions host never gets reasoning_details
    assert "reasoning_details" not in ChatCompletions("x").render_message(assistant)


# ---- parse (non-stream) ---------------------------------------------------------------------


def test_parse_reads_every_field() -> None:
    raw = body(content="2 + 2 = 4", reasoning="easy", refusal=None)
    raw["choices"][0]["native_finish_reason"] = "end_turn"  # type: ignore[index]
    raw["usage"]["prompt_tokens_details"] = {"cached_tokens": 2, "cache_write_tokens": 1}  # type: ignore[index]
    raw["usage"]["completion_tokens_details"] = {"reasoning_tokens": 3}  # type: ignore[index]
    message = OR.parse_chat(raw)
    assert (message.role, message.content, message.reasoning) == ("assistant", "2 + 2 = 4", "easy")
    assert (message.model, message.upstream, message.id) == (
        "anthropic/claude-4.5-haiku-20251001",
        "Amazon Bedrock",
        "gen-1",
    )
    assert (message.finish_reason, message.native_finish_reason, message.provider) == (
        "stop",
        "end_turn",
        "openrouter",
    )
    assert message.usage == pyllm.Usage(
        3,
        4,
        7,
        cached_tokens=2,
        cache_write_tokens=1,
        reasoning_tokens=3,
        cost=0.5,
        cost_source="provider",
    )
    assert message.raw is raw


def test_parse_is_lenient_with_nulls_strings_and_unknown_fields() -> None:
    raw = body(
        content=None,
        tool_calls=[
            {
                "id": "c1",
                "index": 0,
                "type": "function",
                "function": {"name": "f", "arguments": '{"a": 1}'},
            }
        ],
    )
    raw["usage"] = {
        "prompt_tokens": "12",
        "completion_tokens": None,
        "cost": "0.25",
        "new_thing": {},
    }
    raw["choices"][0]["finish_reason"] = "brand_new_reason"  # type: ignore[index]
    raw["surprise"] = [1, 2, 3]
    message = OR.parse_chat(raw)
    assert message.content == ""
    assert message.tool_calls == (ToolCall("c1", "f", {"a": 1}, '{"a": 1}'),)
    assert message.usage is not None
    assert (message.usage.input_tokens, message.usage.output_tokens, message.usage.cost) == (
        12,
        0,
        0.25,
    )
    assert message.finish_reason == "brand_new_reason"


def test_bad_tool_arguments_are_kept_with_an_error_not_raised() -> None:
    raw = body(
        content=None, tool_calls=[{"id": "c1", "function": {"name": "f", "arguments": "{oops"}}]
    )
    call = OR.parse_chat(raw).tool_calls[0]
    assert call.arguments == {} and call.raw_arguments == "{oops"
    assert call.arguments_error is not None and "not valid JSON" in call.arguments_error


@pytest.mark.parametrize(
    ("raw", "cls", "message"),
    [
        ({"error": {"code": 429, "message": "slow"}}, pyllm.RateLimitError, "slow"),
        ({"error": "plain string error"}, pyllm.APIError, "plain string error"),
        (
            {
                "error": {
                    "code": "502",
                    "message": "Provider returned error",
                    "metadata": {"provider_name": "Google", "raw": '{"error":{"message":"boom"}}'},
                }
            },
            pyllm.ServiceUnavailableError,
            "Provider returned error - boom",
        ),
        (
            {
                "error": {
                    "code": 403,
                    "message": "Input flagged",
                    "metadata": '{"reasons":["violence"]}',
                }
            },
            pyllm.ModerationError,
            "Input flagged",
        ),
    ],
)
def test_200_bodies_that_are_only_an_error_raise_typed_errors(
    raw: dict[str, object], cls: type, message: str
) -> None:
    with pytest.raises(cls) as caught:
        OR.parse_chat(raw)
    assert caught.value.message == message
    assert caught.value.provider == "openrouter"


def test_choice_level_error_keeps_the_partial_answer() -> None:
    raw = body(content="partial...")
    raw["choices"][0]["finish_reason"] = "error"  # type: ignore[index]
    raw["choices"][0]["error"] = {"code": 502, "message": "Provider disconnected"}  # type: ignore[index]
    with pytest.raises(pyllm.ServiceUnavailableError) as caught:
        OR.parse_chat(raw)
    assert caught.value.partial is not None
    assert caught.value.partial.content == "partial..."
    assert caught.value.partial.finish_reason == "error"


@pytest.mark.parametrize("raw", [[], "text", 3, {"choices": []}, {"choices": ["x"]}, {"id": "gen"}])
def test_malformed_bodies_raise_invalid_response(raw: object) -> None:
    with pytest.raises(pyllm.InvalidResponseError):
        OR.parse_chat(raw)


# ---- parse (stream) -------------------------------------------------------------------------


def test_parse_event_text_reasoning_and_usage() -> None:
    chunk = OR.parse_event(
        event(
            {
                "id": "g",
                "model": "m",
                "provider": "P",
                "choices": [
                    {
                        "index": 0,
                        "delta": {"content": "Hi", "reasoning": "think"},
                        "finish_reason": None,
                    }
                ],
            }
        )
    )
    assert chunk is not None
    assert (chunk.content, chunk.reasoning, chunk.model, chunk.upstream, chunk.id) == (
        "Hi",
        "think",
        "m",
        "P",
        "g",
    )
    last = OR.parse_event(
        event({"choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2, "cost": 0.1}})
    )
    assert (
        last is not None
        and last.usage is not None
        and last.usage.cost == 0.1
        and last.content == ""
    )


def test_done_and_blank_events() -> None:
    assert OR.is_end(ServerSentEvent("[DONE]"))
    assert OR.parse_event(ServerSentEvent("")) is None


@pytest.mark.parametrize(
    ("code", "cls"), [*STREAM_ERROR_CODES, ("timeout", pyllm.RequestTimeoutError)]
)
def test_error_chunk_raises_by_code_whatever_the_finish_reason(code: object, cls: type) -> None:
    for finish in (None, "error"):
        data = {
            "error": {"code": code, "message": "x"},
            "choices": [{"delta": {"content": ""}, "finish_reason": finish}],
        }
        with pytest.raises(cls):
            OR.parse_event(event(data))


def test_finish_reason_error_without_error_object_raises() -> None:
    data = {
        "choices": [
            {
                "delta": {},
                "finish_reason": "error",
                "native_finish_reason": "MALFORMED_FUNCTION_CALL",
            }
        ]
    }
    with pytest.raises(pyllm.APIError, match="MALFORMED_FUNCTION_CALL"):
        OR.parse_event(event(data))


@pytest.mark.parametrize("data", ["{not json", "[1, 2]", '"a string"'])
def test_malformed_events_raise_invalid_response(data: str) -> None:
    with pytest.raises(pyllm.InvalidResponseError):
        OR.parse_event(ServerSentEvent(data))


def test_tool_call_deltas_are_read_leniently() -> None:
    chunk = OR.parse_event(
        event(
            {
                "choices": [
                    {
                        "delta": {
                            "content": None,
                            "tool_calls": [
                                {
                                    "index": 0,
                                    "id": "t1",
                                    "type": "function",
                                    "function": {"name": "w", "arguments": ""},
                                },
                                {"function": {"arguments": {"already": "an object"}}},
                                "garbage",
                            ],
                        }
                    }
                ]
            }
        )
    )
    assert chunk is not None
    assert [(d.index, d.id, d.name, d.arguments) for d in chunk.tool_call_deltas] == [
        (0, "t1", "w", ""),
        (None, None, None, '{"already": "an object"}'),
    ]


# ---- error bodies ---------------------------------------------------------------------------


def test_error_details_from_openrouter_metadata() -> None:
    details = OR.parse_error(
        {
            "error": {
                "code": 429,
                "message": "All providers are at capacity",
                "error_type": "rate_limit_exceeded",
                "availability": {"retry_after": 40, "retryable": True},
                "metadata": {
                    "provider_name": "Anthropic",
                    "raw": {"error": {"message": "overloaded"}},
                },
            }
        }
    )
    assert details.upstream == "Anthropic"
    assert details.upstream_message == "overloaded"
    assert details.retry_after == 40
    assert details.error_type == "rate_limit_exceeded"


@pytest.mark.parametrize(
    "raw",
    [None, 42, [], [{"error": {"message": "first"}}], b"<html>oops</html>", {"message": "top"}],
)
def test_parse_error_never_raises(raw: object) -> None:
    details = OR.parse_error(raw)
    assert isinstance(details.message, str)
