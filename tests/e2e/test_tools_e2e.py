"""The tool loop end to end through pyllm.testing: sync and async, blocking and streaming."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, ToolCallSpec, error, text, tool_call

MODES = ["sync", "async", "stream", "astream"]


def run(
    chat: pyllm.Chat, mode: str, content: str | None = "go"
) -> tuple[pyllm.Message, list[pyllm.Chunk]]:
    """Ask in one of four ways; returns the final message and any chunks seen."""
    chunks: list[pyllm.Chunk] = []
    if mode == "sync":
        return chat.ask(content), chunks
    if mode == "async":
        return asyncio.run(chat.aask(content)), chunks
    if mode == "stream":
        stream = chat.stream(content)
        chunks.extend(stream)
        assert stream.message is not None
        return stream.message, chunks

    async def consume() -> pyllm.Message:
        async with chat.astream(content) as stream:
            chunks.extend([c async for c in stream])
        assert stream.message is not None
        return stream.message

    return asyncio.run(consume()), chunks


CALLS: list[tuple[str, Any]] = []


@pyllm.tool
def weather(city: str, days: int = 1) -> str:
    """Current weather for a city."""
    CALLS.append(("weather", (city, days)))
    return f"{city}: 15°C for {days} day(s)"


@pyllm.tool
async def slow_time(zone: str) -> dict[str, str]:
    """The time in a zone (async)."""
    await asyncio.sleep(0.01)
    CALLS.append(("slow_time", zone))
    return {"zone": zone, "time": "12:00"}


@pyllm.tool
def explode(reason: str) -> str:
    """Always fails."""
    CALLS.append(("explode", reason))
    raise ValueError(f"boom: {reason}")


@pyllm.tool
def finish(answer: str) -> pyllm.Halt:
    """Stop with an answer."""
    return pyllm.Halt({"answer": answer}, content=f"final: {answer}")


@pytest.fixture(autouse=True)
def _clear_calls() -> None:
    CALLS.clear()


@pytest.mark.parametrize("mode", MODES)
def test_the_loop_runs_tools_until_the_model_answers(server: FakeOpenRouter, mode: str) -> None:
    server.reply(tool_call("weather", {"city": "Berlin", "days": 2}), text("It is 15°C in Berlin."))
    chat = server.chat().with_tools(weather)
    reply, chunks = run(chat, mode, "Weather in Berlin?")
    assert reply.content == "It is 15°C in Berlin."
    assert CALLS == [("weather", ("Berlin", 2))]
    assert [m.role for m in chat.messages] == ["user", "assistant", "tool", "assistant"]
    call = chat.messages[1].tool_calls[0]
    assert (call.name, dict(call.arguments)) == ("weather", {"city": "Berlin", "days": 2})
    assert chat.messages[2].tool_call_id == call.id
    assert chat.messages[2].content == "Berlin: 15°C for 2 day(s)"
    second = server.requests[1].json
    assert second["messages"][1]["tool_calls"][0]["function"]["name"] == "weather"
    assert second["messages"][2] == {
        "role": "tool",
        "tool_call_id": call.id,
        "content": "Berlin: 15°C for 2 day(s)",
    }
    assert [t["function"]["name"] for t in second["tools"]] == ["weather"]
    if mode in ("stream", "astream"):
        kinds = [c.kind for c in chunks]
        assert kinds.index("tool_call") < kinds.index("tool_result") < len(kinds) - 1
        result = next(c.tool_result for c in chunks if c.kind == "tool_result")
        assert result.content == "Berlin: 15°C for 2 day(s)" and not result.is_error
        assert "".join(c.content for c in chunks) == "It is 15°C in Berlin."


@pytest.mark.parametrize("mode", MODES)
def test_parallel_calls_all_run_and_answer_in_call_order(server: FakeOpenRouter, mode: str) -> None:
    server.reply(
        tool_call(
            "slow_time",
            {"zone": "UTC"},
            tool_calls=[
                ToolCallSpec("weather", {"city": "Paris"}),
                ToolCallSpec("slow_time", {"zone": "CET"}),
            ],
        ),
        text("Done."),
    )
    chat = server.chat().with_tools(weather, slow_time)  # an async tool in every loop
    reply, _ = run(chat, mode)
    assert reply.content == "Done."
    calls = chat.messages[1].tool_calls
    results = [m for m in chat.messages if m.role == "tool"]
    assert [r.tool_call_id for r in results] == [c.id for c in calls]
    assert results[0].content == '{"zone": "UTC", "time": "12:00"}'
    assert results[1].content == "Paris: 15°C for 1 day(s)"
    assert sorted(name for name, _ in CALLS) == ["slow_time", "slow_time", "weather"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ('{"city": "Berl', "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON: nested too deeply"),  # issue 11, item 10
        ({"days": 2}, "missing required parameter 'city'"),
        ({"city": ["Berlin"]}, "parameter 'city' must be a string"),
        ({"city": "Berlin", "unit": "K"}, "unknown parameter 'unit'"),
    ],
)
def test_bad_arguments_are_explained_to_the_model_and_the_tool_does_not_run(
    server: FakeOpenRouter, mode: str, arguments: Any, problem: str
) -> None:
    server.reply(
        tool_call("weather", arguments), tool_call("weather", {"city": "Berlin"}), text("ok")
    )
    chat = server.chat().with_tools(weather)
    reply, _ = run(chat, mode)
    assert reply.content == "ok"
    assert CALLS == [("weather", ("Berlin", 1))]  # only the corrected call ran
    first_result = chat.messages[2]
    assert first_result.role == "tool" and first_result.is_error
    assert problem in first_result.content
    assert problem in server.requests[1].json["messages"][2]["content"]


@pytest.mark.parametrize("mode", MODES)
def test_a_failing_tool_tells_the_model_and_the_loop_goes_on(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(tool_call("explode", {"reason": "test"}), text("Sorry, that failed."))
    results: list[pyllm.ToolResult] = []
    chat = server.chat().with_tools(explode).on_tool_result(results.append)
    reply, _ = run(chat, mode)
    assert reply.content == "Sorry, that failed."
    assert chat.messages[2].is_error
    assert chat.messages[2].content == "Error: ValueError: boom: test"
    assert results[0].is_error and isinstance(results[0].error, ValueError)


@pytest.mark.parametrize("mode", MODES)
def test_raise_tool_errors_reraises_and_keeps_history_consistent(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(tool_call("explode", {"reason": "strict"}))
    chat = server.chat().with_tools(explode, raise_tool_errors=True)
    with pytest.raises(ValueError, match="boom: strict"):
        run(chat, mode)
    assert chat.messages == []  # the round never completed: nothing committed


@pytest.mark.parametrize("mode", MODES)
def test_an_unknown_tool_is_told_which_tools_exist(server: FakeOpenRouter, mode: str) -> None:
    server.reply(tool_call("wether", {"city": "x"}), text("fine"))
    chat = server.chat().with_tools(weather, explode)
    run(chat, mode)
    assert chat.messages[2].is_error
    assert (
        chat.messages[2].content
        == "Error: there is no tool named 'wether'. Available tools: weather, explode."
    )


@pytest.mark.parametrize("mode", MODES)
def test_runaway_loops_stop_with_a_tool_error(server: FakeOpenRouter, mode: str) -> None:
    server.reply(tool_call("weather", {"city": "Rome"}, repeat=10))
    chat = server.chat().with_tools(weather, max_tool_rounds=3)
    with pytest.raises(pyllm.ToolError, match="max_tool_rounds=3"):
        run(chat, mode)
    assert len(server.requests) == 4
    calls = {c.id for m in chat.messages for c in m.tool_calls}
    answered = {m.tool_call_id for m in chat.messages if m.role == "tool"}
    assert calls == answered and len(calls) == 3  # three whole rounds, each call answered


@pytest.mark.parametrize("mode", MODES)
def test_an_error_mid_loop_leaves_a_resumable_history(server: FakeOpenRouter, mode: str) -> None:
    server.reply(tool_call("weather", {"city": "Oslo"}), error(500, "upstream exploded"))
    chat = server.chat(max_retries=0).with_tools(weather)
    with pytest.raises(pyllm.ServerError):
        run(chat, mode, "Weather in Oslo?")
    assert [m.role for m in chat.messages] == ["user", "assistant", "tool"]
    server.reply(text("Oslo is 15°C."))
    reply, _ = run(chat, mode, None)  # resume: no new message
    assert reply.content == "Oslo is 15°C."
    assert len(server.requests[-1].json["messages"]) == 3


@pytest.mark.parametrize("mode", MODES)
def test_halt_ends_the_loop_with_the_value(server: FakeOpenRouter, mode: str) -> None:
    server.reply(tool_call("finish", {"answer": "42"}))
    chat = server.chat().with_tools(finish)
    reply, _ = run(chat, mode)
    assert (
        reply.role == "tool" and reply.parsed == {"answer": "42"} and reply.content == "final: 42"
    )
    assert len(server.requests) == 1
    assert chat.messages[-1] == reply


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_hooks_see_every_call_result_and_message(server: FakeOpenRouter, mode: str) -> None:
    events: list[str] = []
    server.reply(tool_call("weather", {"city": "Lima"}), text("warm"))
    chat = (
        server.chat()
        .with_tools(weather)
        .on_new_message(lambda: events.append("new"))
        .on_end_message(lambda m: events.append(f"end:{m.content or m.tool_calls[0].name}"))
        .on_tool_call(lambda c: events.append(f"call:{c.name}:{CALLS}"))
        .on_tool_result(lambda r: events.append(f"result:{r.content}"))
    )
    run(chat, mode)
    assert events == [
        "new",
        "end:weather",
        "call:weather:[]",
        "result:Lima: 15°C for 1 day(s)",
        "new",
        "end:warm",
    ]


def test_sync_tools_run_off_the_event_loop_in_async_chats(server: FakeOpenRouter) -> None:
    threads: list[str] = []

    @pyllm.tool
    def where() -> str:
        """Which thread runs me."""
        threads.append(threading.current_thread().name)
        return "here"

    server.reply(tool_call("where"), text("ok"))
    asyncio.run(server.chat().with_tools(where).aask("go"))
    assert threads and threads[0] != threading.main_thread().name


def test_tool_choice_and_parallel_reach_the_wire(server: FakeOpenRouter) -> None:
    server.reply(tool_call("weather", {"city": "x"}), text("ok"))
    chat = server.chat().with_tools(weather, choice="weather", parallel=False)
    chat.ask("go")
    first, second = (r.json for r in server.requests)
    assert first["tool_choice"] == {"type": "function", "function": {"name": "weather"}}
    assert "tool_choice" not in second  # a forced choice applies to the first request only
    assert first["parallel_tool_calls"] is False and second["parallel_tool_calls"] is False
    chat.with_tools(choice="none")
    chat.ask("again")
    assert server.requests[-1].json["tool_choice"] == "none"
    with pytest.raises(ValueError, match="not one of"):
        chat.with_tools(choice="nope")


def test_without_tools_mid_conversation(server: FakeOpenRouter) -> None:
    chat = server.chat().with_tools(weather)
    chat.ask("one")
    assert "tools" in server.requests[-1].json
    chat.without_tools().ask("two")
    assert "tools" not in server.requests[-1].json


def test_plain_functions_and_tool_classes_are_accepted(server: FakeOpenRouter) -> None:
    class Counter(pyllm.Tool):
        """Counts."""

        def __init__(self) -> None:
            self.n = 0

        def execute(self) -> int:
            self.n += 1
            return self.n

    def shout(word: str) -> str:
        """Shout a word."""
        return word.upper()

    server.reply(tool_call("counter"), tool_call("shout", {"word": "hi"}), text("ok"))
    chat = server.chat().with_tools(Counter, shout)
    chat.ask("go")
    assert [m.content for m in chat.messages if m.role == "tool"] == ["1", "HI"]
    with pytest.raises(pyllm.ToolError, match="not a tool"):
        chat.with_tools(42)
