"""Replay recorded structured output and extended thinking exchanges."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

import pyllm

from ._cassettes import api_calls, load, serve

if TYPE_CHECKING:
    from pyllm.testing import FakeOpenRouter


@dataclass
class PersonSchemaClass:
    name: str
    age: float


PERSON = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


SCHEMA_CASSETTES = [
    (
        "chat_with_schema_with_openrouter_claude-haiku-4-5_accepts_a_json_schema_and_returns_structured_output.yml",
        PERSON,
        "Generate a person named John who is 30 years old",
        {"name": "John", "age": 30},
    ),
    (
        "chat_with_schema_with_openrouter_claude-haiku-4-5_accepts_schematist_schema_class_instances_and_returns_structured_output.yml",
        PersonSchemaClass,
        "Generate a person named Alice who is 28 years old",
        PersonSchemaClass("Alice", 28.0),
    ),
]


@pytest.mark.parametrize(
    ("name", "schema", "prompt", "parsed"), SCHEMA_CASSETTES, ids=["json-schema-dict", "dataclass"]
)
def test_schema_gives_parsed_output(
    server: FakeOpenRouter, name: str, schema: object, prompt: str, parsed: object
) -> None:
    interactions = api_calls(load(name))
    serve(server, interactions)
    reply = server.chat("anthropic/claude-haiku-4.5").with_schema(schema).ask(prompt)
    assert (
        server.requests[0].json["response_format"]
        == interactions[0].request_body["response_format"]
    )
    assert reply.parsed == parsed
    if isinstance(schema, dict):
        assert reply.parsed == json.loads(reply.content)


def test_pydantic_schema(server: FakeOpenRouter) -> None:
    pydantic = pytest.importorskip("pydantic")

    class Person(pydantic.BaseModel):
        name: str
        age: int

    interactions = api_calls(
        load(
            "chat_with_schema_with_openrouter_claude-haiku-4-5_accepts_a_json_schema_and_returns_structured_output.yml"
        )
    )
    serve(server, interactions)
    reply = (
        server.chat("anthropic/claude-haiku-4.5")
        .with_schema(Person, name="response")
        .ask("Generate a person named John who is 30 years old")
    )
    sent = server.requests[0].json["response_format"]["json_schema"]
    assert sent["name"] == "response" and sent["strict"] is True
    assert sent["schema"]["properties"] == {
        "name": {"title": "Name", "type": "string"},
        "age": {"title": "Age", "type": "integer"},
    }
    assert sent["schema"]["additionalProperties"] is False
    assert reply.parsed == Person(name="John", age=30)


def test_schema_can_be_removed_mid_conversation(server: FakeOpenRouter) -> None:
    interactions = api_calls(
        load(
            "chat_with_schema_with_openrouter_claude-haiku-4-5_allows_removing_schema_mid-conversation.yml"
        )
    )
    serve(server, interactions)
    chat = server.chat("anthropic/claude-haiku-4.5").with_schema(PERSON)
    assert chat.ask("Generate a person named Bob").parsed == {"name": "Bob", "age": 30}
    reply = chat.with_schema(None).ask("Now just tell me about Ruby")
    assert "response_format" not in server.requests[1].json
    assert server.requests[1].json["messages"] == interactions[1].request_body["messages"]
    assert reply.parsed is None and reply.content.startswith("# Ruby")


def test_thinking_returns_reasoning_and_replays_signatures(server: FakeOpenRouter) -> None:
    interactions = api_calls(
        load(
            "chat_with_extended_thinking_openrouter_claude-haiku-4-5_preserves_thinking_signatures_between_turns_when_provided.yml"
        )
    )
    serve(server, interactions)
    chat = server.chat("anthropic/claude-haiku-4.5").with_thinking("medium")
    first = chat.ask("What is 5 + 3?")
    recorded = interactions[0].response_json["choices"][0]["message"]
    assert first.reasoning == recorded["reasoning"]
    assert list(first.reasoning_details) == recorded["reasoning_details"]
    chat.ask("Now multiply that by 2")
    sent = server.requests[1].json
    assert sent["reasoning"] == {"effort": "medium"}
    sent_details = sent["messages"][1]["reasoning_details"]
    recorded_details = interactions[1].request_body["messages"][1]["reasoning_details"]
    assert sent_details == recorded["reasoning_details"]  # sent back unchanged
    assert [
        {k: d[k] for k in r} for d, r in zip(sent_details, recorded_details, strict=True)
    ] == recorded_details


@pytest.mark.parametrize("streamed", [False, True])
def test_reasoning_tokens_and_text(server: FakeOpenRouter, streamed: bool) -> None:
    name = (
        "chat_with_extended_thinking_openrouter_claude-haiku-4-5_streams_thinking_content_when_available.yml"
        if streamed
        else "chat_with_extended_thinking_openrouter_claude-haiku-4-5_returns_thinking_when_available.yml"
    )
    interactions = api_calls(load(name))
    serve(server, interactions, write_size=512)
    chat = server.chat("anthropic/claude-haiku-4.5").with_thinking("medium")
    prompt = interactions[0].request_body["messages"][-1]["content"]
    if streamed:
        chunks = list(chat.stream(prompt))
        reply = chat.messages[-1]
        assert "".join(c.reasoning for c in chunks) == reply.reasoning
        assert reply.reasoning_details[0]["signature"]  # the trailing signature detail merged in
    else:
        reply = chat.ask(prompt)
    assert reply.reasoning and len(reply.reasoning) > 100
    assert reply.usage is not None and reply.usage.reasoning_tokens > 0
    assert server.requests[0].json["reasoning"] == {"effort": "medium"}


def test_bad_schema_and_thinking_arguments() -> None:
    chat = pyllm.Client(openrouter_api_key="sk-or-x").chat("a/b")
    with pytest.raises(TypeError, match="pydantic model, a dataclass"):
        chat.with_schema(42)
    with pytest.raises(TypeError, match="must describe an object"):
        chat.with_schema({"type": "string"})
    with pytest.raises(ValueError, match="not both"):
        chat.with_thinking("high", budget=100)
    with pytest.raises(ValueError, match="positive number of tokens"):
        chat.with_thinking(budget=0)
