"""The tool loop's issue-15 paths driven by hand: calls left open (``execute=False``), open
calls resumed or closed by a new message, schema re-asks, and files kept with tool results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pyllm import StructuredOutputError, ToolError
from pyllm._engine.exchange import Exchange, Hooks, open_calls
from pyllm._engine.flow import ChatPlan, chat_flow
from pyllm._engine.steps import Emit, Flow, RunTools, Send, Sent
from pyllm._engine.toolbox import Toolbox
from pyllm._routes import Route
from pyllm._structured import Mismatch
from pyllm.content import Attachment
from pyllm.message import Message
from pyllm.request import ChatRequest, ResponseSchema
from pyllm.tools import ToolResult

from .test_flow import NO_RETRY, FakeServices, answer, call, finish, weather


def make(
    history: list[Message],
    first: Message | None = None,
    *,
    execute: bool = True,
    parse: Callable[[str], Any] | None = None,
    retries: int | None = None,
) -> tuple[Flow[Message], Exchange]:
    toolbox = Toolbox()
    toolbox.configure([weather])
    exchange = Exchange(history, Hooks(), first)
    schema = ResponseSchema("Answer", {"type": "object"}) if parse else None
    plan = ChatPlan(
        request=ChatRequest("m/a", (), tools=toolbox.definitions(), schema=schema),
        routes=(Route("m/a", "openrouter"),),
        policy=NO_RETRY,
        total_timeout=None,
        download_timeout=60.0,
        toolbox=toolbox,
        raise_tool_errors=False,
        services=FakeServices(lambda files: None),
        parse=parse,
        schema_retries=retries,
        execute=execute,
    )
    return chat_flow(plan, exchange), exchange


def test_execute_false_ends_the_call_at_the_calls_and_shows_them() -> None:
    history: list[Message] = []
    flow, exchange = make(history, Message.user("weather?"), execute=False)
    next(flow)
    asked = (call("c1", "Lima"), call("c2", "Oslo"))
    shown = [flow.send(Sent(answer("", *asked))), flow.send(None)]
    assert [s.chunk.tool_call for s in shown if isinstance(s, Emit)] == list(asked)
    assert exchange.finished and [m.role for m in history] == ["user", "assistant"]  # committed
    reply = finish(flow, None)
    assert reply.tool_calls == asked and reply.turn_usage is not None
    assert open_calls(history) == list(asked)


def test_open_calls_are_run_first_when_the_chat_runs_tools() -> None:
    asked = (call("c1", "Lima"), call("c2", "Oslo"))
    history = [Message.user("weather?"), answer("", *asked), Message.tool("c1", "by hand")]
    flow, _ = make(history)
    first = next(flow)
    assert isinstance(first, Emit) and first.chunk.tool_call == asked[1]
    run = flow.send(None)
    assert isinstance(run, RunTools) and run.calls == (asked[1],)  # only the open one
    flow.send([ToolResult(asked[1], "sunny in Oslo")])
    send = flow.send(None)
    assert isinstance(send, Send) and send.payload is not None
    assert [m["role"] for m in send.payload["messages"]] == ["user", "assistant", "tool", "tool"]
    finish(flow, Sent(answer("done")))
    assert [m.content for m in history[2:]] == ["by hand", "sunny in Oslo", "done"]


def test_open_calls_without_execute_raise_before_anything_is_sent() -> None:
    history = [Message.user("weather?"), answer("", call("c1"))]
    flow, _ = make(history, execute=False)
    with pytest.raises(ToolError, match=r"c1 \(weather\)"):
        next(flow)
    assert len(history) == 2


def test_a_new_message_closes_open_calls_as_not_run_first() -> None:
    history = [Message.user("weather?"), answer("", call("c1"), call("c2"))]
    flow, _ = make(history, Message.user("something else"), execute=False)
    send = next(flow)
    assert isinstance(send, Send) and send.payload is not None
    sent = send.payload["messages"]
    assert [(m["role"], m.get("tool_call_id")) for m in sent[2:]] == [
        ("tool", "c1"),
        ("tool", "c2"),
        ("user", None),
    ]
    assert sent[2]["content"].startswith("Error: this call did not run")
    finish(flow, Sent(answer("ok")))
    assert [m.role for m in history] == ["user", "assistant", "tool", "tool", "user", "assistant"]
    assert all(m.is_error for m in history if m.role == "tool")


def test_a_misfit_answer_is_re_asked_then_raises_with_history_unchanged() -> None:
    def parse(text: str) -> Any:
        if text != "good":
            raise Mismatch((f"{text!r} is not good",))
        return "parsed"

    history: list[Message] = []
    flow, exchange = make(history, Message.user("q"), parse=parse, retries=1)
    next(flow)
    again = flow.send(Sent(answer("bad")))
    assert isinstance(again, Send) and again.payload is not None
    correction = again.payload["messages"][-1]
    assert correction["role"] == "user" and "- 'bad' is not good" in correction["content"]
    with pytest.raises(StructuredOutputError) as caught:
        flow.send(Sent(answer("worse")))
    assert caught.value.errors == ("'worse' is not good",) and caught.value.answers == 2
    assert history == [] and exchange.corrections == 1


def test_a_re_asked_answer_that_fits_is_kept_with_the_whole_exchange() -> None:
    history: list[Message] = []
    flow, _ = make(history, Message.user("q"), parse=lambda t: int(t), retries=3)
    next(flow)
    flow.send(Sent(answer("seven")))
    reply = finish(flow, Sent(answer("7")))
    assert reply.parsed == 7
    assert [m.role for m in history] == ["user", "assistant", "user", "assistant"]
    assert "invalid literal" in history[2].content  # a plain ValueError's text


def test_tool_results_keep_their_files_and_the_protocol_places_them() -> None:
    png = Attachment(data=b"\x89PNG\r\n\x1a\n...")
    history: list[Message] = []
    flow, _ = make(history, Message.user("chart?"))
    next(flow)
    asked = call("c1")
    flow.send(Sent(answer("", asked)))
    flow.send(None)
    flow.send([ToolResult(asked, "A chart.", attachments=(png,))])
    send = flow.send(None)
    assert history[-1].role == "tool" and history[-1].attachments == (png,)
    assert isinstance(send, Send) and send.payload is not None
    sent = send.payload["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "user"]
    assert sent[2]["content"] == "A chart."
    assert sent[3]["content"][0]["text"] == "Attachments from tool call c1:"
