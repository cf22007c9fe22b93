"""Replay recorded Anthropic structured output, extended thinking and prompt caching: the
request bodies key for key, and what came back read into ``parsed``, ``reasoning``,
``reasoning_details`` (signatures kept) and the cache counts of ``usage``."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import pytest

import pyllm

from ._anthropic import (
    anthropic_calls,
    anthropic_chat,
    blocks_text,
    expected_answer,
    recorded,
    registry_cost,
    serve_anthropic,
    without_strict,
)
from .test_features_replay import PERSON, PersonSchemaClass

if TYPE_CHECKING:
    from pyllm.testing import FakeOpenRouter

MODEL = "claude-haiku-4-5-20251001"

SCHEMA_CASSETTES = [
    (
        "chat_with_schema_with_anthropic_claude-haiku-4-5_accepts_a_json_schema_and_returns_structured_output.yml",
        PERSON,
        {"name": "John", "age": 30},
    ),
    (
        "chat_with_schema_with_anthropic_claude-haiku-4-5_accepts_schematist_schema_class_instances_and_returns_structured_output.yml",
        PersonSchemaClass,
        PersonSchemaClass("Alice", 28.0),
    ),
]


@pytest.mark.parametrize(
    ("name", "schema", "parsed"), SCHEMA_CASSETTES, ids=["json-schema-dict", "dataclass"]
)
def test_schema_gives_parsed_output(
    server: FakeOpenRouter, name: str, schema: object, parsed: object
) -> None:
    interactions = anthropic_calls(recorded(name))
    serve_anthropic(server, interactions)
    spec = interactions[0].request_body
    reply = (
        anthropic_chat(server, MODEL)
        .with_schema(schema)
        .ask(blocks_text(spec["messages"][0]["content"]))
    )
    assert server.requests[0].json == spec  # output_config.format carries the schema
    assert reply.parsed == parsed
    assert reply.content == expected_answer(interactions[0])["text"]


def test_pydantic_schema(server: FakeOpenRouter) -> None:
    pydantic = pytest.importorskip("pydantic")

    class Person(pydantic.BaseModel):
        name: str
        age: int

    interactions = anthropic_calls(recorded(SCHEMA_CASSETTES[0][0]))
    serve_anthropic(server, interactions)
    reply = (
        anthropic_chat(server, MODEL)
        .with_schema(Person)
        .ask("Generate a person named John who is 30 years old")
    )
    sent = server.requests[0].json["output_config"]["format"]
    assert sent["type"] == "json_schema"
    assert sent["schema"]["properties"] == {
        "name": {"title": "Name", "type": "string"},
        "age": {"title": "Age", "type": "integer"},
    }
    assert reply.parsed == Person(name="John", age=30)


def test_schema_can_be_removed_mid_conversation(server: FakeOpenRouter) -> None:
    interactions = anthropic_calls(
        recorded(
            "chat_with_schema_with_anthropic_claude-haiku-4-5_allows_removing_schema_mid-conversation.yml"
        )
    )
    serve_anthropic(server, interactions)
    chat = anthropic_chat(server, MODEL).with_schema(PERSON)
    assert chat.ask("Generate a person named Bob").parsed == {"name": "Bob", "age": 30}
    reply = chat.with_schema(None).ask("Now just tell me about Ruby")
    for sent, item in zip(server.requests, interactions, strict=True):
        assert sent.json == item.request_body
    assert reply.parsed is None and reply.content.startswith("# Ruby")


def test_thinking_returns_reasoning_and_replays_signatures(server: FakeOpenRouter) -> None:
    interactions = anthropic_calls(
        recorded(
            "chat_with_extended_thinking_anthropic_claude-haiku-4-5_preserves_thinking_signatures_between_turns_when_provided.yml"
        )
    )
    serve_anthropic(server, interactions)
    chat = anthropic_chat(server, MODEL).with_thinking(budget=1024)
    first = chat.ask("What is 5 + 3?")
    expected = expected_answer(interactions[0])
    assert first.reasoning == expected["thinking"]
    assert [d["signature"] for d in first.reasoning_details] == expected["signatures"]
    assert first.content == expected["text"]
    assert first.usage is not None
    assert (
        first.usage.reasoning_tokens
        == expected["usage"]["output_tokens_details"]["thinking_tokens"]
    )
    chat.ask("Now multiply that by 2")
    for sent, item in zip(server.requests, interactions, strict=True):
        assert sent.json == item.request_body  # the thinking block went back, signature and all


@pytest.mark.parametrize("streamed", [False, True])
def test_reasoning_text_and_tokens(server: FakeOpenRouter, streamed: bool) -> None:
    name = (
        "chat_with_extended_thinking_anthropic_claude-haiku-4-5_streams_thinking_content_when_available.yml"
        if streamed
        else "chat_with_extended_thinking_anthropic_claude-haiku-4-5_returns_thinking_when_available.yml"
    )
    interactions = anthropic_calls(recorded(name))
    serve_anthropic(server, interactions, write_size=512)
    spec = interactions[0].request_body
    chat = anthropic_chat(server, MODEL).with_thinking(budget=1024)
    prompt = blocks_text(spec["messages"][0]["content"])
    if streamed:
        chunks = list(chat.stream(prompt))
        reply = chat.messages[-1]
        assert "".join(c.reasoning for c in chunks) == reply.reasoning
        assert "".join(c.content for c in chunks) == reply.content
    else:
        reply = chat.ask(prompt)
    expected = expected_answer(interactions[0])
    assert server.requests[0].json == spec
    assert reply.reasoning == expected["thinking"] and len(reply.reasoning) > 100
    assert reply.content == expected["text"]
    assert [dict(d) for d in reply.reasoning_details] == [
        {
            "type": "reasoning.text",
            "text": expected["thinking"],
            "signature": expected["signatures"][0],
            "format": "anthropic-claude-v1",
            "index": 0,
        }
    ]
    assert reply.usage is not None
    assert (
        reply.usage.reasoning_tokens
        == expected["usage"]["output_tokens_details"]["thinking_tokens"]
    )


def test_prompt_cache_is_written_then_read_and_priced(server: FakeOpenRouter) -> None:
    interactions = anthropic_calls(
        recorded(
            "chat_prompt_cache_round-trip_anthropic_claude-haiku-4-5_writes_then_reads_the_prompt_cache.yml"
        )
    )
    serve_anthropic(server, interactions)
    spec = interactions[0].request_body
    chat = anthropic_chat(server, MODEL).with_caching(history=False)
    chat.with_instructions(blocks_text(spec["system"]))
    written = chat.ask("Reply with exactly: OK")
    chat.messages.clear()
    chat.with_instructions(blocks_text(spec["system"]))
    read = chat.ask("Reply with exactly: OK")
    for sent, item in zip(server.requests, interactions, strict=True):
        assert sent.json == item.request_body  # cache_control on the system prompt
    first, second = (expected_answer(i)["usage"] for i in interactions)
    assert written.usage is not None and read.usage is not None
    assert written.usage.cache_write_tokens == first["cache_creation_input_tokens"] == 7351
    assert written.usage.cached_tokens == 0
    assert read.usage.cached_tokens == second["cache_read_input_tokens"] == 7351
    assert read.usage.input_tokens == second["input_tokens"] + 7351
    assert written.usage.cost == pytest.approx(registry_cost(server, MODEL, first), rel=1e-9)
    assert read.usage.cost == pytest.approx(registry_cost(server, MODEL, second), rel=1e-9)
    assert read.usage.cost < written.usage.cost  # reads cost a tenth, writes a quarter more


def test_a_thinking_budget_that_cannot_fit_is_refused_before_sending(
    server: FakeOpenRouter,
) -> None:
    chat = anthropic_chat(server, MODEL).with_thinking(budget=2000).with_max_tokens(1500)
    with pytest.raises(pyllm.ConfigurationError, match="below max_tokens"):
        chat.ask("Hi")
    assert server.requests == [] and chat.messages == []


# ---- counting tokens ahead of a request ------------------------------------------------------

COUNT = "chat_count_tokens_with_anthropic_claude-haiku-4-5_"


@pyllm.tool
def counting_weather(city: Annotated[str, "City name"]) -> str:
    """Gets current weather for a city"""
    return f"15°C in {city}"


def test_counting_a_message_leaves_the_chat_as_it_was(server: FakeOpenRouter) -> None:
    interactions = anthropic_calls(
        recorded(COUNT + "counts_a_staged_message_without_mutating_the_chat.yml")
    )
    serve_anthropic(server, interactions)
    chat = anthropic_chat(server, MODEL)
    assert (
        chat.count_tokens("What is the capital of France?")
        == interactions[0].response_json["input_tokens"]
    )
    assert chat.messages == []
    assert server.requests[0].path == "/api/v1/messages/count_tokens"
    assert server.requests[0].json == interactions[0].request_body  # no max_tokens, no stream


def test_counting_follows_the_chats_configuration(server: FakeOpenRouter) -> None:
    interactions = anthropic_calls(recorded(COUNT + "counts_the_next_request_as_configured.yml"))
    serve_anthropic(server, interactions)
    chat = anthropic_chat(server, MODEL)
    counts = [chat.count_tokens("What is the capital of France?")]
    chat.with_instructions("Be terse.").with_tools(counting_weather)
    counts.append(asyncio.run(chat.acount_tokens("What is the capital of France?")))
    assert counts == [i.response_json["input_tokens"] for i in interactions] == [14, 588]
    for sent, item in zip(server.requests, interactions, strict=True):
        assert sent.json == without_strict(item.request_body)


def test_counting_with_thinking(server: FakeOpenRouter) -> None:
    interactions = anthropic_calls(recorded(COUNT + "counts_requests_with_thinking_enabled.yml"))
    serve_anthropic(server, interactions)
    chat = anthropic_chat(server, MODEL).with_thinking(budget=2048)
    assert chat.count_tokens("What is the capital of France?") == 43
    assert server.requests[0].json == interactions[0].request_body


def test_counting_where_the_provider_cannot(server: FakeOpenRouter) -> None:
    chat = server.chat("anthropic/claude-haiku-4.5")
    with pytest.raises(pyllm.UnsupportedError, match="OpenRouter cannot count tokens"):
        chat.count_tokens("Hi")
    with pytest.raises(ValueError, match="nothing to count"):
        anthropic_chat(server, MODEL).count_tokens()
    assert server.requests == []
