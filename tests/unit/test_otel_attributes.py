"""The GenAI attributes pyllm derives from its values (pure; no OpenTelemetry needed)."""

from __future__ import annotations

import json

from pyllm._otel.attributes import (
    error_type,
    input_messages,
    output_messages,
    provider_name,
    request_attributes,
    response_attributes,
    server_attributes,
    tool_arguments,
    usage_attributes,
)
from pyllm.content import Attachment
from pyllm.errors import RateLimitError
from pyllm.message import Message, ToolCall, Usage
from pyllm.request import ChatRequest, ResponseSchema


def test_request_parameters_keep_only_well_typed_values() -> None:
    request = ChatRequest(
        "a/b",
        (),
        stream=True,
        params={"top_p": 0.5, "top_k": True, "seed": "7", "stop": "END", "n": 3},
        schema=ResponseSchema("answer", {"type": "object"}),
        fallback_models=("c/d",),
    )
    assert request_attributes(request) == {
        "gen_ai.request.model": "a/b",
        "gen_ai.request.top_p": 0.5,
        "gen_ai.request.stop_sequences": ["END"],
        "gen_ai.request.choice.count": 3,
        "gen_ai.request.stream": True,
        "gen_ai.output.type": "json",
        "pyllm.request.fallback_models": ["c/d"],
    }


def test_usage_includes_cache_and_reasoning_tokens_only_when_present() -> None:
    usage = Usage(input_tokens=100, output_tokens=20, cache_write_tokens=50, reasoning_tokens=8)
    assert usage_attributes(usage) == {
        "gen_ai.usage.input_tokens": 100,
        "gen_ai.usage.output_tokens": 20,
        "gen_ai.usage.cache_creation.input_tokens": 50,
        "gen_ai.usage.reasoning.output_tokens": 8,
    }
    assert usage_attributes(None) == {}


def test_response_attributes_of_an_answer() -> None:
    answer = Message("assistant", "Hi", model="x/y-1", id="gen-1", finish_reason="length")
    assert response_attributes(answer.replace(upstream="Groq"), None) == {
        "gen_ai.response.model": "x/y-1",
        "gen_ai.response.id": "gen-1",
        "gen_ai.response.finish_reasons": ["length"],
        "pyllm.upstream": "Groq",
    }


def test_names_addresses_and_error_types() -> None:
    assert provider_name("xai") == "x_ai" and provider_name("anthropic") == "anthropic"
    assert server_attributes("http://127.0.0.1:8080/v1") == (
        ("server.address", "127.0.0.1"),
        ("server.port", 8080),
    )
    assert server_attributes("http://gateway/v1")[1] == ("server.port", 80)
    assert error_type(RateLimitError("slow", status=429)) == "RateLimitError"


def test_messages_follow_the_conventions_parts() -> None:
    call = ToolCall("call_1", "weather", {"city": "Lima"})
    unreadable = ToolCall("call_2", "weather", raw_arguments="{oops", arguments_error="bad JSON")
    photo = Attachment(url="https://example.com/cat.jpg")
    history = [
        Message.user("Look", (photo,)),
        Message("assistant", "", reasoning="Hmm.", tool_calls=(call, unreadable)),
        Message.tool("call_1", "sunny"),
    ]
    assert json.loads(input_messages(history)) == [
        {
            "role": "user",
            "parts": [
                {"type": "text", "content": "Look"},
                {
                    "type": "uri",
                    "modality": "image",
                    "mime_type": "image/jpeg",
                    "uri": "https://example.com/cat.jpg",
                },
            ],
        },
        {
            "role": "assistant",
            "parts": [
                {"type": "reasoning", "content": "Hmm."},
                {
                    "type": "tool_call",
                    "id": "call_1",
                    "name": "weather",
                    "arguments": {"city": "Lima"},
                },
                {"type": "tool_call", "id": "call_2", "name": "weather", "arguments": "{oops"},
            ],
        },
        {
            "role": "tool",
            "parts": [{"type": "tool_call_response", "id": "call_1", "response": "sunny"}],
        },
    ]
    assert tool_arguments(unreadable) == '"{oops"'
    answer = Message("assistant", tool_calls=(call,), finish_reason="tool_calls")
    assert json.loads(output_messages(answer))[0]["finish_reason"] == "tool_call"
