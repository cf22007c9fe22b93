"""Approving tool calls and running them by hand (issue 15), in every mode.

``with_tools(confirm=fn)`` asks before each call; ``with_tools(execute=False)`` leaves the
calls to the caller (``chat.add_tool_result``), and ``ask()`` carries on. The history stays a
valid conversation at every step: what is sent never has a call without its result.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, ToolCallSpec, text, tool_call

from .test_tools_e2e import CALLS, MODES, run, weather

TINY_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\xdac\xfc\xcf\xc0P\x0f\x00\x04\x85\x01\x80\x84\xa9\x8c!\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _clear_calls() -> None:
    CALLS.clear()


def two_cities() -> pyllm.testing.Reply:
    return tool_call(
        "weather", {"city": "Paris"}, tool_calls=[ToolCallSpec("weather", {"city": "Rome"})]
    )


def sent_results(server: FakeOpenRouter) -> list[tuple[str, str]]:
    return [
        (m["tool_call_id"], m["content"])
        for m in server.requests[-1].json["messages"]
        if m["role"] == "tool"
    ]


# ---- confirm ------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_confirm_runs_refuses_or_refuses_with_a_reason(server: FakeOpenRouter, mode: str) -> None:
    decisions: dict[str, Any] = {"Paris": True, "Rome": False, "Oslo": "it is too cold there"}
    asked: list[str] = []

    def confirm(call: pyllm.ToolCall) -> Any:
        asked.append(call.arguments["city"])
        return decisions[call.arguments["city"]]

    server.reply(
        tool_call(
            "weather",
            {"city": "Paris"},
            tool_calls=[
                ToolCallSpec("weather", {"city": "Rome"}),
                ToolCallSpec("weather", {"city": "Oslo"}),
            ],
        ),
        text("Only Paris."),
    )
    chat = server.chat().with_tools(weather, confirm=confirm)
    reply, _ = run(chat, mode)
    assert reply.content == "Only Paris."
    assert asked == ["Paris", "Rome", "Oslo"] and CALLS == [("weather", ("Paris", 1))]
    results = [m for m in chat.messages if m.role == "tool"]
    assert [r.is_error for r in results] == [False, True, True]
    assert results[0].content == "Paris: 15°C for 1 day(s)"
    assert results[1].content == (
        "Error: the user did not allow this call to 'weather', so it did not run."
    )
    assert results[2].content == (
        "Error: the user did not allow this call to 'weather', so it did not run: "
        "it is too cold there"
    )
    assert [content for _, content in sent_results(server)] == [r.content for r in results]


@pytest.mark.parametrize("mode", MODES)
def test_an_async_confirm_is_awaited(server: FakeOpenRouter, mode: str) -> None:
    async def confirm(call: pyllm.ToolCall) -> bool | str:
        await asyncio.sleep(0)
        return call.arguments["city"] == "Paris" or "not that one"

    server.reply(two_cities(), text("ok"))
    chat = server.chat().with_tools(weather, confirm=confirm)
    run(chat, mode)
    assert CALLS == [("weather", ("Paris", 1))]
    assert [m.is_error for m in chat.messages if m.role == "tool"] == [False, True]


@pytest.mark.parametrize("mode", MODES)
def test_confirm_is_not_asked_about_calls_that_cannot_run(
    server: FakeOpenRouter, mode: str
) -> None:
    asked: list[str] = []
    server.reply(
        tool_call("weather", {"days": 2}, tool_calls=[ToolCallSpec("nope", {})]), text("ok")
    )
    chat = server.chat().with_tools(weather, confirm=lambda call: asked.append(call.name) or True)
    run(chat, mode)
    assert asked == []  # bad arguments and unknown tools are answered without asking
    assert all(m.is_error for m in chat.messages if m.role == "tool")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("decision", [None, 1, "", ["yes"]])
def test_a_confirm_that_returns_something_else_is_a_clear_error(
    server: FakeOpenRouter, mode: str, decision: Any
) -> None:
    server.reply(tool_call("weather", {"city": "Paris"}))
    chat = server.chat().with_tools(weather, confirm=lambda call: decision)
    if decision == "":  # an empty reason still refuses
        server.reply(text("ok"))
        run(chat, mode)
        assert chat.messages[2].is_error and CALLS == []
        return
    with pytest.raises(TypeError, match="confirm must return True"):
        run(chat, mode)
    assert chat.messages == [] and CALLS == []  # nothing ran, nothing committed


@pytest.mark.parametrize("mode", MODES)
def test_a_confirm_that_raises_fails_the_call_and_keeps_history(
    server: FakeOpenRouter, mode: str
) -> None:
    def confirm(call: pyllm.ToolCall) -> bool:
        raise RuntimeError("the approval service is down")

    server.reply(tool_call("weather", {"city": "Paris"}))
    chat = server.chat().with_tools(weather, confirm=confirm)
    with pytest.raises(RuntimeError, match="approval service"):
        run(chat, mode)
    assert chat.messages == [] and CALLS == []


def test_confirm_must_be_callable(server: FakeOpenRouter) -> None:
    with pytest.raises(TypeError, match="confirm must be a function"):
        server.chat().with_tools(weather, confirm=True)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="execute must be True or False"):
        server.chat().with_tools(weather, execute="no")  # type: ignore[arg-type]


# ---- execute=False: the caller runs the calls ---------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_manual_mode_returns_the_calls_then_carries_on_with_the_results(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(two_cities())
    chat = server.chat().with_tools(weather, execute=False)
    reply, chunks = run(chat, mode, "Weather in Paris and Rome?")
    assert reply.role == "assistant" and [c.arguments["city"] for c in reply.tool_calls] == [
        "Paris",
        "Rome",
    ]
    assert CALLS == [] and len(server.requests) == 1  # nothing ran
    assert chat.messages[-1] == reply and chat.pending_tool_calls == reply.tool_calls
    if mode in ("stream", "astream"):  # the stream shows the open calls, and no result
        assert [c.tool_call for c in chunks if c.kind == "tool_call"] == list(reply.tool_calls)
        assert not any(c.kind == "tool_result" for c in chunks)

    paris, rome = reply.tool_calls
    added = chat.add_tool_result(paris.id, {"temperature": 21})
    assert added.role == "tool" and added.content == '{"temperature": 21}'
    assert chat.pending_tool_calls == (rome,)
    chat.add_tool_result(rome.id, "storm warning", is_error=True)
    assert chat.pending_tool_calls == ()

    server.reply(text("Paris is warm; Rome has a storm."))
    final, _ = run(chat, mode, None)
    assert final.content == "Paris is warm; Rome has a storm."
    assert sent_results(server) == [(paris.id, '{"temperature": 21}'), (rome.id, "storm warning")]
    assert [m.role for m in chat.messages] == ["user", "assistant", "tool", "tool", "assistant"]
    assert chat.messages[3].is_error and CALLS == []


@pytest.mark.parametrize("mode", MODES)
def test_asking_on_while_calls_wait_for_results_is_a_clear_error(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(two_cities())
    chat = server.chat().with_tools(weather, execute=False)
    reply, _ = run(chat, mode)
    chat.add_tool_result(reply.tool_calls[0].id, "sunny")
    before = list(chat.messages)
    with pytest.raises(pyllm.ToolError, match=r"1 tool call\(s\) are waiting.*add_tool_result"):
        run(chat, mode, None)
    assert chat.messages == before and len(server.requests) == 1  # nothing sent


@pytest.mark.parametrize("mode", MODES)
def test_a_new_message_answers_the_open_calls_as_not_run(server: FakeOpenRouter, mode: str) -> None:
    server.reply(two_cities())
    chat = server.chat().with_tools(weather, execute=False)
    reply, _ = run(chat, mode, "Weather in Paris and Rome?")
    chat.add_tool_result(reply.tool_calls[0].id, "sunny")
    server.reply(text("Sure, let us talk about Lisbon."))
    run(chat, mode, "Never mind, tell me about Lisbon.")
    sent = server.requests[-1].json["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "tool", "user"]
    assert sent[3]["tool_call_id"] == reply.tool_calls[1].id
    assert sent[3]["content"].startswith("Error: this call did not run")
    assert chat.messages[3].is_error and chat.pending_tool_calls == ()
    assert [m.role for m in chat.messages] == [
        "user",
        "assistant",
        "tool",
        "tool",
        "user",
        "assistant",
    ]


@pytest.mark.parametrize("mode", MODES)
def test_switching_execute_back_on_runs_the_calls_still_open(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(two_cities())
    chat = server.chat().with_tools(weather, execute=False)
    reply, _ = run(chat, mode)
    chat.add_tool_result(reply.tool_calls[0].id, "given by hand")
    chat.with_tools(execute=True)
    server.reply(text("done"))
    final, _ = run(chat, mode, None)
    assert final.content == "done" and CALLS == [("weather", ("Rome", 1))]  # only the open one
    assert sent_results(server) == [
        (reply.tool_calls[0].id, "given by hand"),
        (reply.tool_calls[1].id, "Rome: 15°C for 1 day(s)"),
    ]


@pytest.mark.parametrize("mode", MODES)
def test_a_failed_request_after_manual_results_keeps_them(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(tool_call("weather", {"city": "Paris"}))
    chat = server.chat(max_retries=0).with_tools(weather, execute=False)
    reply, _ = run(chat, mode)
    chat.add_tool_result(reply.tool_calls[0].id, "sunny")
    server.reply(pyllm.testing.error(500, "down"))
    with pytest.raises(pyllm.ServerError):
        run(chat, mode, None)
    assert [m.role for m in chat.messages] == ["user", "assistant", "tool"]  # resumable
    server.reply(text("It is sunny in Paris."))
    assert run(chat, mode, None)[0].content == "It is sunny in Paris."


def test_add_tool_result_checks_what_it_is_given(server: FakeOpenRouter, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    server.reply(tool_call("weather", {"city": "Paris"}))
    chat = server.chat().with_tools(weather, execute=False)
    call = chat.ask("go").tool_calls[0]
    with pytest.raises(ValueError, match=r"no tool call 'nope' is waiting .*'call_"):
        chat.add_tool_result("nope", "x")
    with pytest.raises(TypeError, match=r"has no JSON form.*return a str"):
        chat.add_tool_result(call.id, object())
    with pytest.raises(TypeError, match="Halt"):
        chat.add_tool_result(call.id, pyllm.Halt("x"))
    with pytest.raises(pyllm.ToolError, match="allow_files"):
        chat.add_tool_result(call.id, pyllm.Content("a file", [str(secret)]))
    assert chat.pending_tool_calls == (call,) and len(chat.messages) == 2  # nothing added
    chat.add_tool_result(call.id, "sunny")
    with pytest.raises(ValueError, match="waiting: none"):
        chat.add_tool_result(call.id, "again")


def test_manual_results_may_carry_files_and_hooks_see_them(server: FakeOpenRouter) -> None:
    seen: list[pyllm.ToolResult] = []
    server.reply(tool_call("weather", {"city": "Paris"}))
    chat = server.chat().with_tools(weather, execute=False).on_tool_result(seen.append)
    call = chat.ask("go").tool_calls[0]
    chat.add_tool_result(call.id, pyllm.Content("A chart.", [pyllm.Attachment(data=TINY_PNG)]))
    assert seen[0].content == "A chart." and seen[0].attachments[0].kind == "image"
    server.reply(text("Nice chart."))
    chat.ask()
    sent = server.requests[-1].json["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "user"]
    assert sent[3]["content"][-1]["type"] == "image_url"
