"""Replay real OpenRouter traffic: pyllm must send what was recorded and read what came back.

Expected values come from the recorded bodies through a small independent reader below, never
from pyllm's own parser.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import pytest

import pyllm

from ._cassettes import Interaction, api_calls, client_for, load, normalize_messages, serve

if TYPE_CHECKING:
    from pyllm.testing import FakeOpenRouter

BASIC_CHAT = [
    "chat_basic_chat_functionality_openrouter_claude-haiku-4-5_can_have_a_basic_conversation.yml",
    "chat_basic_chat_functionality_openrouter_claude-haiku-4-5_can_handle_multi-turn_conversations.yml",
    "chat_basic_chat_functionality_openrouter_claude-haiku-4-5_replaces_previous_system_messages_by_default.yml",
    "chat_basic_chat_functionality_openrouter_claude-haiku-4-5_returns_raw_responses.yml",
    "chat_basic_chat_functionality_openrouter_claude-haiku-4-5_successfully_uses_the_system_prompt.yml",
    "chat_streaming_responses_openrouter_claude-haiku-4-5_supports_streaming_responses.yml",
    "chat_streaming_responses_openrouter_claude-haiku-4-5_reports_consistent_token_counts_compared_to_non-streaming.yml",
    "chat_with_params_openrouter_claude-haiku-4-5_supports_top_k_param.yml",
]

_DRIVEN_KEYS = {"model", "messages", "stream", "stream_options", "temperature"}


def expected_from(item: Interaction) -> dict[str, Any]:
    """What the recorded response says, read independently of pyllm."""
    text = item.body.decode("utf-8")
    if item.request_body.get("stream"):
        content, usage, first = "", None, None
        finish = None
        for line in text.splitlines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            data = json.loads(line[6:])
            first = first or data
            for choice in data.get("choices") or []:
                content += (choice.get("delta") or {}).get("content") or ""
                finish = choice.get("finish_reason") or finish
            usage = data.get("usage") or usage
        return {
            "content": content,
            "usage": usage,
            "model": first["model"],
            "id": first["id"],
            "provider": first["provider"],
            "finish_reason": finish,
        }
    body = json.loads(text)
    choice = body["choices"][0]
    return {
        "content": choice["message"]["content"],
        "usage": body["usage"],
        "model": body["model"],
        "id": body["id"],
        "provider": body["provider"],
        "finish_reason": choice["finish_reason"],
        "raw": body,
    }


def drive(chat: pyllm.Chat, spec: dict[str, Any], mode: str) -> pyllm.Message:
    """Configure ``chat`` as the recorded request implies, then ask or stream."""
    messages = spec["messages"]
    systems = [m for m in messages if m["role"] in ("system", "developer")]
    if systems:
        chat.with_instructions(systems[0]["content"])
    if "temperature" in spec:
        chat.with_temperature(spec["temperature"])
    extra = {k: v for k, v in spec.items() if k not in _DRIVEN_KEYS}
    if extra:
        chat.with_params(**extra)
    rest = [m for m in messages if m["role"] not in ("system", "developer")]
    prompt = rest[-1]["content"] if rest[-1]["role"] == "user" else None
    if not any(m.role != "system" for m in chat.messages):  # seed recorded history
        for m in rest[:-1] if prompt is not None else rest:
            chat.messages.append(pyllm.Message(m["role"], m["content"]))
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
    if mode == "sync":
        return chat.ask(prompt)
    return asyncio.run(chat.aask(prompt))


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    "name", BASIC_CHAT, ids=lambda n: n.split("openrouter_claude-haiku-4-5_")[-1][:-4]
)
def test_replayed_chat_matches_the_recording(server: FakeOpenRouter, name: str, mode: str) -> None:
    interactions = api_calls(load(name))
    serve(server, interactions, write_size=17)  # small pieces: SSE events split across reads
    chat = server.chat(interactions[0].request_body["model"])
    for index, item in enumerate(interactions):
        spec = item.request_body
        history = [
            {"role": m.role, "content": m.content} for m in chat.messages if m.role != "system"
        ]
        recorded = [m for m in spec["messages"] if m["role"] not in ("system", "developer")]
        if recorded[: len(history)] != history:  # the recording started a new conversation
            chat = server.chat(spec["model"])
        reply = drive(chat, spec, mode)

        sent = server.requests[index].json
        assert sent["model"] == spec["model"]
        assert sent["stream"] == spec["stream"]
        assert normalize_messages(sent["messages"]) == normalize_messages(spec["messages"])
        for key in ("temperature", "top_k", "stream_options"):
            assert sent.get(key) == spec.get(key)

        expected = expected_from(item)
        assert reply.role == "assistant"
        assert reply.content == expected["content"]
        assert reply.model == expected["model"]
        assert reply.upstream == expected["provider"]
        assert reply.provider == "openrouter"
        assert reply.id == expected["id"]
        assert reply.finish_reason == expected["finish_reason"]
        usage = expected["usage"]
        assert reply.usage is not None
        assert reply.usage.input_tokens == usage["prompt_tokens"]
        assert reply.usage.output_tokens == usage["completion_tokens"]
        assert reply.usage.total_tokens == usage["total_tokens"]
        assert reply.usage.cached_tokens == usage["prompt_tokens_details"]["cached_tokens"]
        assert (
            reply.usage.reasoning_tokens == usage["completion_tokens_details"]["reasoning_tokens"]
        )
        assert reply.usage.cost == usage["cost"]
        assert reply.usage.cost_source == "provider"
        if "raw" in expected:
            assert reply.raw == expected["raw"]
    assert len(server.requests) == len(interactions)
    assert server.pending() == 0


def test_streamed_and_blocking_answers_agree_on_the_recorded_exchange(
    server: FakeOpenRouter,
) -> None:
    name = "chat_streaming_responses_openrouter_claude-haiku-4-5_reports_consistent_token_counts_compared_to_non-streaming.yml"
    interactions = api_calls(load(name))
    serve(server, interactions)
    streamed_chat = server.chat("anthropic/claude-haiku-4.5").with_temperature(0.0)
    chunks = list(streamed_chat.stream("Count from 1 to 3"))
    streamed = streamed_chat.messages[-1]
    asked = server.chat("anthropic/claude-haiku-4.5").with_temperature(0.0).ask("Count from 1 to 3")
    assert "".join(c.content for c in chunks) == streamed.content
    assert streamed.content == asked.content
    assert streamed.usage == asked.usage
    assert streamed.cost == asked.cost
    assert streamed.model == asked.model
    assert streamed.upstream == asked.upstream


AUTH_ERRORS = [
    (
        "openrouter",
        "chat_error_handling_with_openrouter_claude-haiku-4-5_raises_appropriate_auth_error.yml",
    ),
    # recorded at OpenAI's /responses: every OpenAI endpoint answers with this one envelope
    ("openai", "chat_error_handling_with_openai_gpt-5-nano_raises_appropriate_auth_error.yml"),
]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("provider", "name"), AUTH_ERRORS, ids=[p for p, _ in AUTH_ERRORS])
def test_recorded_auth_error_is_an_authentication_error(
    server: FakeOpenRouter, provider: str, name: str, mode: str
) -> None:
    interactions = api_calls(load(name, provider))
    serve(server, interactions, at="/chat/completions")
    spec = interactions[0].request_body
    chat = client_for(server, provider).chat(spec["model"], provider=provider)
    with pytest.raises(pyllm.AuthenticationError) as caught:
        chat.ask("Hello") if mode == "sync" else asyncio.run(chat.aask("Hello"))
    recorded = interactions[0].response_json["error"]
    assert caught.value.status == 401 == interactions[0].status
    assert caught.value.message == recorded["message"]
    assert caught.value.code == recorded["code"]
    assert caught.value.error_type == recorded.get("type")
    assert caught.value.provider == provider
    assert caught.value.raw == interactions[0].response_json
    assert chat.messages == []  # nothing half-committed
    assert len(server.requests) == 1  # 401 is never retried
    sent = server.requests[0].json
    assert sent["messages"] == spec.get("messages", spec.get("input"))


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_recorded_context_length_error(server: FakeOpenRouter, mode: str) -> None:
    interactions = api_calls(
        load(
            "chat_real_error_scenarios_openrouter_claude-haiku-4-5_handles_context_length_exceeded_errors.yml"
        )
    )
    serve(server, interactions)
    spec = interactions[0].request_body
    chat = server.chat(spec["model"])
    for m in spec["messages"][:-1]:
        chat.messages.append(pyllm.Message(m["role"], m["content"]))
    before = list(chat.messages)
    with pytest.raises(pyllm.ContextLengthExceededError) as caught:
        chat.ask("Hi") if mode == "sync" else asyncio.run(chat.aask("Hi"))
    error = caught.value
    recorded = interactions[0].response_json
    assert isinstance(error, pyllm.BadRequestError)
    assert error.status == 400
    assert error.message == recorded["error"]["message"]
    assert error.metadata["previous_errors"] == recorded["error"]["metadata"]["previous_errors"]
    assert error.upstream is None  # metadata.provider_name was null
    assert chat.messages == before
    assert server.requests[0].json["messages"] == spec["messages"]
    assert len(server.requests) == 1
