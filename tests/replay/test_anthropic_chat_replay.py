"""Replay real Anthropic traffic: pyllm must send exactly what was recorded (the whole request
body) and read what came back. Expected values come from the recorded bodies through the small
independent reader in ``_anthropic.py``, never from pyllm's parser.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import pytest

import pyllm
from pyllm.providers import OpenAICompatible

from ._anthropic import (
    anthropic_calls,
    anthropic_chat,
    anthropic_client,
    blocks_text,
    expected_answer,
    recorded,
    registry_cost,
    serve_anthropic,
)

if TYPE_CHECKING:
    from pyllm.testing import FakeOpenRouter

    from ._cassettes import Interaction

BASIC_CHAT = [
    "chat_basic_chat_functionality_anthropic_claude-haiku-4-5_can_have_a_basic_conversation.yml",
    "chat_basic_chat_functionality_anthropic_claude-haiku-4-5_can_handle_multi-turn_conversations.yml",
    "chat_basic_chat_functionality_anthropic_claude-haiku-4-5_replaces_previous_system_messages_by_default.yml",
    "chat_basic_chat_functionality_anthropic_claude-haiku-4-5_returns_raw_responses.yml",
    "chat_basic_chat_functionality_anthropic_claude-haiku-4-5_successfully_uses_the_system_prompt.yml",
    "chat_streaming_responses_anthropic_claude-haiku-4-5_supports_streaming_responses.yml",
    "chat_streaming_responses_anthropic_claude-haiku-4-5_reports_consistent_token_counts_compared_to_non-streaming.yml",
    "chat_with_params_anthropic_claude-haiku-4-5_supports_service_tier_param.yml",
]
STOPS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
}
_DRIVEN = {"model", "messages", "stream", "max_tokens", "system", "temperature"}


def drive(chat: pyllm.Chat, spec: dict[str, Any], mode: str) -> pyllm.Message:
    """Configure ``chat`` as the recorded request implies, then ask or stream."""
    if spec.get("system"):
        chat.with_instructions(blocks_text(spec["system"]))
    if "temperature" in spec:
        chat.with_temperature(spec["temperature"])
    extra = {k: v for k, v in spec.items() if k not in _DRIVEN}
    if extra:
        chat.with_params(**extra)
    messages = spec["messages"]
    prompt = blocks_text(messages[-1]["content"]) if messages[-1]["role"] == "user" else None
    if not any(m.role != "system" for m in chat.messages):  # seed the recorded history
        for m in messages[:-1] if prompt is not None else messages:
            chat.messages.append(pyllm.Message(m["role"], blocks_text(m["content"])))
    if spec.get("stream"):
        if mode == "sync":
            for _ in chat.stream(prompt):
                pass
        else:

            async def consume() -> None:
                async for _ in chat.astream(prompt):
                    pass

            asyncio.run(consume())
        return chat.messages[-1]
    return chat.ask(prompt) if mode == "sync" else asyncio.run(chat.aask(prompt))


def history(chat: pyllm.Chat) -> list[dict[str, Any]]:
    return [
        {"role": m.role, "content": [{"type": "text", "text": m.content}]}
        for m in chat.messages
        if m.role != "system"
    ]


def check_reply(reply: pyllm.Message, item: Interaction, server: FakeOpenRouter) -> None:
    expected = expected_answer(item)
    usage = expected["usage"]
    assert reply.role == "assistant"
    assert reply.content == expected["text"]
    assert (reply.model, reply.id, reply.provider) == (
        expected["model"],
        expected["id"],
        "anthropic",
    )
    assert reply.upstream is None
    assert reply.finish_reason == STOPS[expected["stop_reason"]]
    assert reply.native_finish_reason == expected["stop_reason"]
    assert reply.usage is not None
    cached = usage.get("cache_read_input_tokens", 0)
    written = usage.get("cache_creation_input_tokens", 0)
    assert reply.usage.input_tokens == usage["input_tokens"] + cached + written
    assert reply.usage.output_tokens == usage["output_tokens"]
    assert (reply.usage.cached_tokens, reply.usage.cache_write_tokens) == (cached, written)
    cost = registry_cost(server, expected["model"], usage)
    assert reply.usage.cost == pytest.approx(cost, rel=1e-9)
    assert reply.usage.cost_source == "registry"


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    "name", BASIC_CHAT, ids=lambda n: n.split("anthropic_claude-haiku-4-5_")[-1][:-4]
)
def test_replayed_chat_matches_the_recording(server: FakeOpenRouter, name: str, mode: str) -> None:
    interactions = anthropic_calls(recorded(name))
    serve_anthropic(server, interactions, write_size=17)  # SSE events split across reads
    chat = anthropic_chat(server, interactions[0].request_body["model"])
    for index, item in enumerate(interactions):
        spec = item.request_body
        if spec["messages"][: len(history(chat))] != history(chat):  # a new conversation
            chat = anthropic_chat(server, spec["model"])
        reply = drive(chat, spec, mode)
        sent = server.requests[index]
        assert sent.json == spec  # the whole body, key for key
        assert sent.path == "/api/v1/messages"
        assert sent.headers["x-api-key"] == "sk-ant-test"
        assert sent.headers["anthropic-version"] == "2023-06-01"
        assert "authorization" not in sent.headers and "anthropic-beta" not in sent.headers
        check_reply(reply, item, server)
        if not spec["stream"]:
            assert reply.raw == json.loads(item.body)
    assert len(server.requests) == len(interactions)
    assert server.pending("/messages") == 0


def test_streamed_and_blocking_answers_agree_on_the_recorded_exchange(
    server: FakeOpenRouter,
) -> None:
    name = "chat_streaming_responses_anthropic_claude-haiku-4-5_reports_consistent_token_counts_compared_to_non-streaming.yml"
    streamed_item = anthropic_calls(recorded(name))[0]
    blocking = json.loads(streamed_item.body.decode().split("data: ", 2)[1].split("\n")[0])
    serve_anthropic(server, [streamed_item])
    streamed_chat = anthropic_chat(server, "claude-haiku-4-5-20251001").with_temperature(0.0)
    chunks = list(streamed_chat.stream("Count from 1 to 3"))
    streamed = streamed_chat.messages[-1]
    # the same answer as one JSON body: the stream's message with its content and stop filled in
    message = blocking["message"]
    message.update(
        content=[{"type": "text", "text": streamed.content}],
        stop_reason="end_turn",
        usage={**message["usage"], "output_tokens": streamed.usage.output_tokens},  # type: ignore[union-attr]
    )
    server.reply(pyllm.testing.Reply(body=message), path="/messages")
    asked = (
        anthropic_chat(server, "claude-haiku-4-5-20251001")
        .with_temperature(0.0)
        .ask("Count from 1 to 3")
    )
    assert "".join(c.content for c in chunks) == streamed.content == asked.content
    assert streamed == asked  # every compared field: usage, finish reasons, model, id...
    assert streamed.cost == asked.cost
    sent = [r.json for r in server.requests]
    assert {k: v for k, v in sent[0].items() if k != "stream"} == {
        k: v for k, v in sent[1].items() if k != "stream"
    }


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_recorded_auth_error_is_an_authentication_error(server: FakeOpenRouter, mode: str) -> None:
    interactions = anthropic_calls(
        recorded(
            "chat_error_handling_with_anthropic_claude-haiku-4-5_raises_appropriate_auth_error.yml"
        )
    )
    serve_anthropic(server, interactions)
    chat = anthropic_chat(server, "claude-haiku-4-5-20251001")
    with pytest.raises(pyllm.AuthenticationError) as caught:
        chat.ask("Hello") if mode == "sync" else asyncio.run(chat.aask("Hello"))
    body = interactions[0].response_json
    error = caught.value
    assert error.status == 401 == interactions[0].status
    assert error.message == body["error"]["message"]
    assert error.error_type == error.code == "authentication_error"
    assert error.request_id == body["request_id"]  # the body's own; else the header's
    assert error.provider == "anthropic"
    assert error.raw == body
    assert chat.messages == []
    assert len(server.requests) == 1  # 401 is never retried
    assert server.requests[0].json == interactions[0].request_body


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_recorded_context_length_error(server: FakeOpenRouter, mode: str) -> None:
    interactions = anthropic_calls(
        recorded(
            "chat_real_error_scenarios_anthropic_claude-haiku-4-5_handles_context_length_exceeded_errors.yml"
        )
    )
    serve_anthropic(server, interactions)
    spec = interactions[0].request_body
    chat = anthropic_chat(server, spec["model"])
    for m in spec["messages"][:-1]:
        chat.messages.append(pyllm.Message(m["role"], blocks_text(m["content"])))
    before = list(chat.messages)
    with pytest.raises(pyllm.ContextLengthExceededError) as caught:
        chat.ask("Hi") if mode == "sync" else asyncio.run(chat.aask("Hi"))
    body = interactions[0].response_json
    assert caught.value.status == 400
    assert caught.value.message == body["error"]["message"]
    assert caught.value.error_type == "invalid_request_error"
    assert caught.value.request_id == body["request_id"]
    assert chat.messages == before
    assert server.requests[0].json == spec
    assert len(server.requests) == 1


def test_the_conversation_moves_from_anthropic_to_an_openai_compatible_host(
    server: FakeOpenRouter,
) -> None:
    """The recorded switch mid-conversation from Claude to a Chat Completions host (Azure AI
    Foundry's endpoint, registered as an OpenAI-compatible provider): the history Anthropic
    answered is sent on in the other format."""
    interactions = recorded(
        "chat_change_model_on_the_fly_between_anthropic_claude-haiku-4-5_and_azure_grok-4-1-fast-non-reasoning.yml"
    )
    first, second = interactions
    serve_anthropic(server, [first])
    server.reply(second.reply(), path="/models/chat/completions")
    client = anthropic_client(server)
    client.register_provider(  # the recorded host, served by the same fake server
        OpenAICompatible("azure", base_url=server.url.rsplit("/api/v1", 1)[0] + "/models")
    )
    chat = client.chat(first.request_body["model"], provider="anthropic").with_temperature(0.0)
    assert chat.ask("Reply with exactly: FOUR").content == "FOUR"
    reply = chat.with_model(second.request_body["model"], provider="azure").ask(
        "Reply with exactly: EIGHT"
    )
    assert server.requests[0].json == first.request_body
    assert server.requests[1].json == second.request_body
    assert (reply.content, reply.provider) == ("EIGHT", "azure")
