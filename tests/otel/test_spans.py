"""pyllm.instrument(): the spans of a chat call, with the OpenTelemetry SDK's in-memory exporter,
against pyllm.testing over real sockets. One ``invoke_agent`` span per call; under it a
``chat {model}`` span per HTTP attempt and an ``execute_tool {name}`` span per tool call."""

from __future__ import annotations

import asyncio
import gc
from typing import TYPE_CHECKING, Any

import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

import pyllm
from pyllm.testing import FakeOpenRouter, error, text, tool_call
from tests._modes import MODES, talk

if TYPE_CHECKING:
    from .conftest import Recorded

MODEL = "openai/gpt-4.1-mini"


@pyllm.tool
def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@pytest.mark.parametrize("mode", MODES)
def test_a_call_is_an_invoke_agent_span_with_a_chat_span_per_attempt(
    server: FakeOpenRouter, otel: Recorded, mode: str
) -> None:
    server.reply(text("Hello there", chunks=3))
    reply = talk(server.chat(MODEL), mode, "Hi")
    assert [s.name for s in otel.spans()] == ["invoke_agent", f"chat {MODEL}"]
    call, attempt = otel.one("invoke_agent"), otel.one(f"chat {MODEL}")
    assert otel.children(call) == [attempt]
    assert call.kind is SpanKind.INTERNAL and attempt.kind is SpanKind.CLIENT
    assert reply.usage is not None and reply.usage.cost is not None
    expected = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openrouter",
        "gen_ai.request.model": MODEL,
        "gen_ai.response.model": reply.model,
        "gen_ai.response.id": reply.id,
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": reply.usage.input_tokens,
        "gen_ai.usage.output_tokens": reply.usage.output_tokens,
        "server.address": "127.0.0.1",
        "server.port": int(server.url.split(":")[2].split("/")[0]),
        "pyllm.cost": reply.usage.cost,
        "pyllm.cost_source": "provider",
        "pyllm.upstream": "pyllm.testing",
        "pyllm.attempt": 1,
        "pyllm.route": 0,
    }
    if mode in ("stream", "astream"):
        expected["gen_ai.request.stream"] = True
    assert dict(attempt.attributes or {}) == expected
    assert attempt.status.status_code is StatusCode.UNSET
    assert call.attributes is not None
    assert call.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert call.attributes["gen_ai.request.model"] == MODEL
    assert call.attributes["gen_ai.usage.output_tokens"] == reply.usage.output_tokens
    assert call.attributes["pyllm.cost"] == reply.usage.cost


def test_the_call_span_nests_under_the_applications_current_span(
    server: FakeOpenRouter, otel: Recorded
) -> None:
    tracer = otel.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("handle request") as outer:
        server.chat(MODEL).ask("Hi")
    call = otel.one("invoke_agent")
    assert call.parent is not None
    assert call.parent.span_id == outer.get_span_context().span_id


def test_request_parameters_are_recorded(server: FakeOpenRouter, otel: Recorded) -> None:
    chat = server.chat(MODEL).with_temperature(0.3).with_max_tokens(50)
    chat.with_params(top_p=0.9, top_k=40, stop=["END"], seed=7, frequency_penalty=0.5)
    chat.ask("Hi")
    attributes = otel.one(f"chat {MODEL}").attributes or {}
    assert attributes["gen_ai.request.temperature"] == 0.3
    assert attributes["gen_ai.request.max_tokens"] == 50
    assert attributes["gen_ai.request.top_p"] == 0.9
    assert attributes["gen_ai.request.top_k"] == 40
    assert attributes["gen_ai.request.stop_sequences"] == ("END",)
    assert attributes["gen_ai.request.seed"] == 7
    assert attributes["gen_ai.request.frequency_penalty"] == 0.5


@pytest.mark.parametrize("mode", MODES)
def test_a_tool_loop_has_an_execute_tool_span_between_the_chat_spans(
    server: FakeOpenRouter, otel: Recorded, mode: str
) -> None:
    server.reply(tool_call("weather", {"city": "Lima"}), text("Sunny in Lima."))
    reply = talk(server.chat(MODEL).with_tools(weather), mode, "Weather in Lima?")
    call = otel.one("invoke_agent")
    names = [s.name for s in otel.children(call)]
    assert names == [f"chat {MODEL}", "execute_tool weather", f"chat {MODEL}"]
    tool = otel.one("execute_tool weather")
    (asked,) = [m for m in server.requests[0].json["messages"] if m["role"] == "user"]
    assert asked["content"] == "Weather in Lima?"
    call_id = server.requests[1].json["messages"][-1]["tool_call_id"]
    assert dict(tool.attributes or {}) == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "weather",
        "gen_ai.tool.call.id": call_id,
        "gen_ai.tool.type": "function",
        "gen_ai.tool.description": "The weather in a city.",
    }
    first, second = otel.named(f"chat {MODEL}")
    assert (first.attributes or {})["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert reply.turn_usage is not None
    totals = call.attributes or {}
    assert totals["gen_ai.usage.input_tokens"] == reply.turn_usage.input_tokens
    assert totals["pyllm.cost"] == reply.turn_usage.cost
    assert (
        totals["gen_ai.response.id"] == reply.id == (second.attributes or {})["gen_ai.response.id"]
    )


def test_spans_a_tool_makes_nest_under_its_execute_tool_span(
    server: FakeOpenRouter, otel: Recorded
) -> None:
    tracer = otel.tracer_provider.get_tracer("app")

    @pyllm.tool
    def lookup(city: str) -> str:
        """Look a city up."""
        with tracer.start_as_current_span("database query"):
            return city.upper()

    server.reply(tool_call("lookup", {"city": "Lima"}), text("Done."))
    server.chat(MODEL).with_tools(lookup).ask("Look up Lima")
    query, tool = otel.one("database query"), otel.one("execute_tool lookup")
    assert query.parent is not None and tool.context is not None
    assert query.parent.span_id == tool.context.span_id
    assert trace.get_current_span() is trace.INVALID_SPAN  # nothing left current


@pytest.mark.parametrize("mode", MODES)
def test_a_retry_then_success_is_two_chat_spans(
    server: FakeOpenRouter, otel: Recorded, mode: str
) -> None:
    server.reply(error(503, "busy", retry_after=0), text("Fine now."))
    talk(server.chat(MODEL), mode, "Hi")
    failed, succeeded = otel.named(f"chat {MODEL}")
    assert failed.status.status_code is StatusCode.ERROR
    assert (failed.attributes or {})["error.type"] == "ServiceUnavailableError"
    assert (failed.attributes or {})["http.response.status_code"] == 503
    assert (failed.attributes or {})["pyllm.attempt"] == 1
    assert [e.name for e in failed.events] == ["exception"]
    assert (succeeded.attributes or {})["pyllm.attempt"] == 2
    assert succeeded.status.status_code is StatusCode.UNSET
    call = otel.one("invoke_agent")
    assert call.status.status_code is StatusCode.UNSET
    assert otel.children(call) == [failed, succeeded]


def test_a_fallback_is_a_chat_span_on_the_fallback_route(
    server: FakeOpenRouter, otel: Recorded
) -> None:
    fallback = "anthropic/claude-haiku-4.5"
    chat = server.chat(MODEL).with_fallbacks(fallback).with_retries(0)
    server.reply(error(429, "rate limited"), text("From the fallback."))
    chat.ask("Hi")
    first, second = otel.named(f"chat {MODEL}") + otel.named(f"chat {fallback}")
    assert (first.attributes or {})["error.type"] == "RateLimitError"
    assert (first.attributes or {})["pyllm.request.fallback_models"] == (fallback,)
    assert (first.attributes or {})["pyllm.route"] == 0
    assert (second.attributes or {})["gen_ai.request.model"] == fallback
    assert (second.attributes or {})["pyllm.route"] == 1
    assert (second.attributes or {})["pyllm.attempt"] == 1
    assert second.status.status_code is StatusCode.UNSET
    call = otel.one("invoke_agent")
    assert (call.attributes or {})["pyllm.fallbacks"] == (f"{fallback} via openrouter",)
    assert call.status.status_code is StatusCode.UNSET


@pytest.mark.parametrize("mode", MODES)
def test_a_failed_call_records_the_error_class(
    server: FakeOpenRouter, otel: Recorded, mode: str
) -> None:
    server.reply(error(401, "bad key"))
    chat = server.chat(MODEL)
    with pytest.raises(pyllm.AuthenticationError):
        talk(chat, mode, "Hi")
    assert chat.messages == []
    attempt, call = otel.one(f"chat {MODEL}"), otel.one("invoke_agent")
    for span in (attempt, call):
        assert span.status.status_code is StatusCode.ERROR
        assert (span.attributes or {})["error.type"] == "AuthenticationError"
        (event,) = span.events
        assert event.name == "exception"
        assert (event.attributes or {})["exception.type"].endswith("AuthenticationError")
    assert "bad key" in (call.status.description or "")


def test_a_tool_that_raises_ends_its_span_with_the_error(
    server: FakeOpenRouter, otel: Recorded
) -> None:
    @pyllm.tool
    def broken() -> str:
        """Always fails."""
        raise LookupError("no such thing")

    server.reply(tool_call("broken", {}), tool_call("broken", {}), text("Gave up."))
    chat = server.chat(MODEL).with_tools(broken)
    chat.ask("go")  # the model is told, and answers
    first, _ = otel.named("execute_tool broken")
    assert first.status.status_code is StatusCode.ERROR
    assert (first.attributes or {})["error.type"] == "LookupError"
    server.reply(tool_call("broken", {}))
    with pytest.raises(LookupError):
        chat.with_tools(raise_tool_errors=True).ask("again")
    raised = otel.named("execute_tool broken")[-1]
    assert (raised.attributes or {})["error.type"] == "LookupError"
    assert (otel.named("invoke_agent")[-1].attributes or {})["error.type"] == "LookupError"


def test_a_stream_closed_early_ends_its_spans(server: FakeOpenRouter, otel: Recorded) -> None:
    server.reply(text("one two three four five", chunks=5))
    with server.chat(MODEL).stream("Count") as stream:
        next(iter(stream))
        assert otel.spans() == []  # still open while the stream is read
    attempt, call = otel.one(f"chat {MODEL}"), otel.one("invoke_agent")
    for span in (attempt, call):
        assert (span.attributes or {})["pyllm.stopped"] is True
        assert span.status.status_code is StatusCode.UNSET


def test_a_stream_dropped_unfinished_ends_its_spans(server: FakeOpenRouter, otel: Recorded) -> None:
    server.reply(text("one two three four five", chunks=5))
    stream = server.chat(MODEL).stream("Count")
    next(iter(stream))
    del stream
    gc.collect()
    assert [s.name for s in otel.spans()] == ["invoke_agent", f"chat {MODEL}"]
    assert (otel.one("invoke_agent").attributes or {})["pyllm.stopped"] is True


def test_an_async_stream_closed_early_ends_its_spans(
    server: FakeOpenRouter, otel: Recorded
) -> None:
    server.reply(text("one two three four five", chunks=5))

    async def read_one() -> None:
        async with server.chat(MODEL).astream("Count") as stream:
            async for _ in stream:
                break

    asyncio.run(read_one())
    assert (otel.one("invoke_agent").attributes or {})["pyllm.stopped"] is True
    assert (otel.one(f"chat {MODEL}").attributes or {})["pyllm.stopped"] is True


def test_an_async_stream_abandoned_ends_its_spans_when_the_loop_closes(
    server: FakeOpenRouter, otel: Recorded
) -> None:
    server.reply(text("one two three four five", chunks=5))

    async def read_one() -> None:
        stream = server.chat(MODEL).astream("Count")
        await stream.__anext__()  # then dropped: the loop finalizes it at shutdown

    asyncio.run(read_one())
    assert (otel.one("invoke_agent").attributes or {})["pyllm.stopped"] is True


def test_plain_requests_make_no_genai_spans(server: FakeOpenRouter, otel: Recorded) -> None:
    client = server.client()
    client.embed("hello", model="openai/text-embedding-3-small")
    assert otel.spans() == []


def test_uninstrument_stops_recording_and_instrument_again_replaces(
    server: FakeOpenRouter, otel: Recorded
) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    other = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(other))
    with pyllm.instrument(provider) as replaced:
        assert replaced.active
        server.chat(MODEL).ask("Hi")
    assert not replaced.active
    server.chat(MODEL).ask("Hi again")
    assert len(other.get_finished_spans()) == 2  # one call, recorded once
    assert otel.spans() == []  # the first instrument() was replaced, then stopped


def test_a_recording_failure_never_breaks_the_call(
    server: FakeOpenRouter, otel: Recorded, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    from pyllm._otel.telemetry import Telemetry

    def broken(*args: Any) -> None:
        raise RuntimeError("exporter trouble")

    monkeypatch.setattr(Telemetry, "_record_attempt", broken)
    assert server.chat(MODEL).ask("Hi").content
    assert "could not record attempt_ended" in caplog.text
    assert [s.name for s in otel.spans()] == ["invoke_agent", f"chat {MODEL}"]  # still ended
