"""Self-correcting structured output and partial objects while the JSON streams (issue 15)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel

import pyllm
from pyllm.testing import FakeOpenRouter, text, tool_call

from .test_tools_e2e import MODES, run, weather


class Person(BaseModel):
    name: str
    born: int
    known_for: list[str] = []


@dataclass
class City:
    city: str
    population: int


ADA = '{"name": "Ada Lovelace", "born": 1815, "known_for": ["the first program"]}'


def user_messages(server: FakeOpenRouter) -> list[str]:
    return [m["content"] for m in server.requests[-1].json["messages"] if m["role"] == "user"]


@pytest.mark.parametrize("mode", MODES)
def test_a_misfit_answer_is_sent_back_with_what_is_wrong(server: FakeOpenRouter, mode: str) -> None:
    server.reply(text('{"name": "Ada Lovelace", "born": "long ago"}'), text(ADA))
    chat = server.chat().with_schema(Person, retries=2)
    reply, _ = run(chat, mode, "Who wrote the first program?")
    assert reply.parsed == Person(name="Ada Lovelace", born=1815, known_for=["the first program"])
    assert len(server.requests) == 2
    correction = user_messages(server)[-1]
    assert "does not match the JSON schema 'Person'" in correction
    assert "- born: Input should be a valid integer" in correction
    assert [m.role for m in chat.messages] == ["user", "assistant", "user", "assistant"]
    assert reply.turn_usage is not None and reply.turn_usage.output_tokens == sum(
        m.usage.output_tokens for m in chat.messages if m.usage is not None
    )


@pytest.mark.parametrize("mode", MODES)
def test_when_retries_run_out_a_typed_error_says_why(server: FakeOpenRouter, mode: str) -> None:
    server.reply(text("Sorry, I cannot."), text('{"city": "Atlantis"}'))
    chat = server.chat().with_schema(City, retries=1)
    chat.messages.append(pyllm.Message.user("earlier"))
    before = list(chat.messages)
    with pytest.raises(pyllm.StructuredOutputError) as caught:
        run(chat, mode, "Tell me about Atlantis")
    error = caught.value
    assert error.text == '{"city": "Atlantis"}' and error.answers == 2
    assert error.errors == ("missing required field 'population'",)
    assert str(error).startswith("no answer matched the schema 'City' (2 tried); the last: ")
    assert "not valid JSON" in user_messages(server)[-1]  # the first answer's problem
    assert chat.messages == before  # a failed call leaves the history as it was


@pytest.mark.parametrize("mode", MODES)
def test_retries_zero_raises_at_once(server: FakeOpenRouter, mode: str) -> None:
    server.reply(text("not json"))
    chat = server.chat().with_schema(City, retries=0)
    with pytest.raises(pyllm.StructuredOutputError, match="not valid JSON") as caught:
        run(chat, mode)
    assert caught.value.answers == 1 and len(server.requests) == 1
    assert str(caught.value).startswith("the answer did not match the schema 'City': the answer")


@pytest.mark.parametrize("mode", MODES)
def test_without_retries_a_misfit_answer_keeps_parsed_none(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(text('{"city": "Atlantis"}'))
    reply, _ = run(server.chat().with_schema(City), mode)
    assert reply.parsed is None and reply.content == '{"city": "Atlantis"}'


@pytest.mark.parametrize("mode", MODES)
def test_json_schema_dicts_are_checked_too(server: FakeOpenRouter, mode: str) -> None:
    schema = {
        "title": "Mood",
        "type": "object",
        "properties": {"mood": {"type": "string", "enum": ["happy", "sad"]}},
        "required": ["mood"],
    }
    server.reply(text('{"mood": "meh"}'), text('{"mood": "happy"}'))
    reply, _ = run(server.chat().with_schema(schema, retries=1), mode)
    assert reply.parsed == {"mood": "happy"}
    assert "- field 'mood' must be one of 'happy', 'sad', got 'meh'" in user_messages(server)[-1]


@pytest.mark.parametrize("mode", MODES)
def test_tool_rounds_and_retries_work_together(server: FakeOpenRouter, mode: str) -> None:
    server.reply(
        tool_call("weather", {"city": "Paris"}),
        text('{"city": "Paris"}'),
        text('{"city": "Paris", "population": 2100000}'),
    )
    chat = server.chat().with_tools(weather).with_schema(City, retries=1)
    reply, _ = run(chat, mode)
    assert reply.parsed == City("Paris", 2100000)
    roles = [m.role for m in chat.messages]
    assert roles == ["user", "assistant", "tool", "assistant", "user", "assistant"]


def test_retries_are_checked(server: FakeOpenRouter) -> None:
    with pytest.raises(pyllm.ConfigurationError, match="retries must be 0 or more"):
        server.chat().with_schema(City, retries=-1)
    with pytest.raises(TypeError, match="retries must be a whole number"):
        server.chat().with_schema(City, retries=True)


# ---- stream.partial -----------------------------------------------------------------------


def _partials_sync(chat: pyllm.Chat) -> tuple[list[Any], Any]:
    seen: list[Any] = []
    stream = chat.stream("Who?")
    assert stream.partial is None  # nothing arrived yet
    for chunk in stream:
        if chunk.content:
            seen.append(stream.partial)
    return seen, stream.partial


def _partials_async(chat: pyllm.Chat) -> tuple[list[Any], Any]:
    async def consume() -> tuple[list[Any], Any]:
        seen: list[Any] = []
        async with chat.astream("Who?") as stream:
            async for chunk in stream:
                if chunk.content:
                    seen.append(stream.partial)
        return seen, stream.partial

    return asyncio.run(consume())


PARTIAL_MODES = {"stream": _partials_sync, "astream": _partials_async}


@pytest.mark.parametrize("mode", list(PARTIAL_MODES))
def test_stream_partial_is_a_typed_object_growing_with_the_json(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(text(ADA, chunks=12))
    seen, final = PARTIAL_MODES[mode](server.chat().with_schema(Person))
    assert len(seen) == 12
    assert all(isinstance(p, Person) for p in seen if p is not None)
    names = [p.name for p in seen if p is not None and p.name]
    assert names == sorted(names, key=len) and names[-1] == "Ada Lovelace"
    assert any(p is not None and p.name and p.born is None for p in seen)  # born not there yet
    assert final == Person(name="Ada Lovelace", born=1815, known_for=["the first program"])


@pytest.mark.parametrize("mode", list(PARTIAL_MODES))
def test_stream_partial_of_other_schemas_is_the_json_so_far(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(text('{"city": "Lisbon", "population": 545000}', chunks=5))
    seen, final = PARTIAL_MODES[mode](server.chat().with_schema(City))
    assert {"city": "Lisbon"} in seen and seen[-1] == {"city": "Lisbon", "population": 545000}
    assert final == City("Lisbon", 545000)


@pytest.mark.parametrize("mode", list(PARTIAL_MODES))
def test_stream_partial_starts_again_with_each_attempt(server: FakeOpenRouter, mode: str) -> None:
    server.reply(text('{"name": "Wrong", "born": "x"}', chunks=4), text(ADA, chunks=4))
    seen, final = PARTIAL_MODES[mode](server.chat().with_schema(Person, retries=1))
    assert seen[3] is not None and seen[3].name == "Wrong"
    assert seen[4] is None or seen[4].name != "Wrong"  # the second attempt, from scratch
    assert final.name == "Ada Lovelace"


def test_stream_partial_is_none_without_a_schema(server: FakeOpenRouter) -> None:
    server.reply(text('{"a": 1}'))
    stream = server.chat().stream("hi")
    stream.text()
    assert stream.partial is None
