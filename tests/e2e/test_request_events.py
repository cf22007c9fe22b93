"""client.on_request / chat.on_request: a typed pyllm.RequestEvent after every HTTP attempt,
without OpenTelemetry, over real sockets to pyllm.testing."""

from __future__ import annotations

import asyncio
import gc

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, drop, error, text, tool_call
from tests._modes import MODES, talk

MODEL = "openai/gpt-4.1-mini"


@pyllm.tool
def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@pytest.mark.parametrize("mode", MODES)
def test_each_attempt_is_an_event(server: FakeOpenRouter, mode: str) -> None:
    events: list[pyllm.RequestEvent] = []
    server.reply(error(503, "busy", retry_after=0), text("Fine now."))
    reply = talk(server.chat(MODEL).on_request(events.append), mode, "Hi")
    failed, answered = events
    assert isinstance(failed.error, pyllm.ServiceUnavailableError)
    assert (failed.status, failed.attempt, failed.ok, failed.usage) == (503, 1, False, None)
    assert answered.error is None and answered.ok
    assert (answered.model, answered.provider, answered.upstream) == (
        MODEL,
        "openrouter",
        "pyllm.testing",
    )
    assert (answered.status, answered.attempt, answered.route) == (200, 2, 0)
    assert answered.usage == reply.usage and answered.cost == reply.usage.cost  # type: ignore[union-attr]
    assert answered.message is not None and answered.message.id == reply.id
    assert answered.stream is (mode in ("stream", "astream"))
    assert answered.url == f"{server.url}/chat/completions"
    assert answered.duration > 0 and not answered.stopped


def test_a_tool_loop_has_one_event_per_request(server: FakeOpenRouter) -> None:
    events: list[pyllm.RequestEvent] = []
    server.reply(tool_call("weather", {"city": "Lima"}), text("Sunny."))
    reply = server.chat(MODEL).with_tools(weather).on_request(events.append).ask("Weather?")
    assert [e.message.finish_reason for e in events if e.message] == ["tool_calls", "stop"]
    assert reply.turn_usage is not None
    assert sum(e.cost or 0 for e in events) == pytest.approx(reply.turn_usage.cost)


def test_a_fallback_route_is_numbered(server: FakeOpenRouter) -> None:
    events: list[pyllm.RequestEvent] = []
    fallback = "anthropic/claude-haiku-4.5"
    chat = server.chat(MODEL).with_fallbacks(fallback).with_retries(0).on_request(events.append)
    server.reply(error(429, "rate limited"), text("From the fallback."))
    chat.ask("Hi")
    assert [(e.model, e.route, e.attempt, e.status) for e in events] == [
        (MODEL, 0, 1, 429),
        (fallback, 1, 1, 200),
    ]


def test_a_dropped_connection_has_no_status(server: FakeOpenRouter) -> None:
    events: list[pyllm.RequestEvent] = []
    server.reply(drop())
    chat = server.chat(MODEL).with_retries(0).on_request(events.append)
    with pytest.raises(pyllm.APIConnectionError):
        chat.ask("Hi")
    (event,) = events
    assert event.status is None and isinstance(event.error, pyllm.APIConnectionError)


def test_a_stream_closed_early_is_a_stopped_attempt(server: FakeOpenRouter) -> None:
    events: list[pyllm.RequestEvent] = []
    server.reply(text("one two three four five", chunks=5))
    with server.chat(MODEL).on_request(events.append).stream("Count") as stream:
        next(iter(stream))
    (event,) = events
    assert event.stopped and not event.ok and event.status is None and event.error is None


def test_a_dropped_async_stream_is_a_stopped_attempt(server: FakeOpenRouter) -> None:
    events: list[pyllm.RequestEvent] = []
    server.reply(text("one two three four five", chunks=5))

    async def read_one() -> None:
        stream = server.chat(MODEL).on_request(events.append).astream("Count")
        await stream.__anext__()

    asyncio.run(read_one())
    gc.collect()
    assert [e.stopped for e in events] == [True]


def test_client_on_request_sees_every_chat_and_plain_requests(server: FakeOpenRouter) -> None:
    events: list[pyllm.RequestEvent] = []
    client = server.client().on_request(events.append)
    client.chat(MODEL).ask("Hi")
    client.chat("anthropic/claude-haiku-4.5").ask("Hello")
    client.embed("hello", model="openai/text-embedding-3-small")
    assert [e.model for e in events] == [
        MODEL,
        "anthropic/claude-haiku-4.5",
        "openai/text-embedding-3-small",
    ]
    assert events[2].url.endswith("/embeddings") and events[2].message is None


def test_client_and_chat_callbacks_both_hear_and_chats_stay_apart(server: FakeOpenRouter) -> None:
    heard: list[str] = []
    client = server.client().on_request(lambda e: heard.append("client"))
    watched = client.chat(MODEL).on_request(lambda e: heard.append("chat"))
    client.chat(MODEL).ask("not watched")
    watched.ask("watched")
    assert heard == ["client", "client", "chat"]


def test_a_callback_that_raises_fails_the_call_and_keeps_history(server: FakeOpenRouter) -> None:
    def refuse(event: pyllm.RequestEvent) -> None:
        raise RuntimeError("budget exceeded")

    chat = server.chat(MODEL).on_request(refuse)
    with pytest.raises(RuntimeError, match="budget exceeded"):
        chat.ask("Hi")
    assert chat.messages == []


def test_a_chat_without_callbacks_tells_no_listener(server: FakeOpenRouter) -> None:
    chat = server.chat(MODEL)
    assert chat.listeners == []
    assert chat._session.observers(chat.listeners) == ()  # the drivers skip every notification
