"""Exchange (pyllm._engine.exchange): one call as a transaction over the history. Messages
reach the history only at safe points; a failure drops what is staged; a caller who stops
early keeps the partial answer."""

from __future__ import annotations

import pytest

from pyllm import InvalidResponseError, ToolError
from pyllm._engine.exchange import Exchange, Hooks
from pyllm.message import Message, ToolCall, Usage
from pyllm.protocols.openrouter import OpenRouterDialect
from pyllm.tools import ToolResult

CALL_A, CALL_B = ToolCall("a", "f"), ToolCall("b", "f")


def assistant(content: str = "", *calls: ToolCall, tokens: int = 1) -> Message:
    return Message(role="assistant", content=content, tool_calls=calls, usage=Usage(tokens, 1))


def opened(history: list[Message] | None = None, **options: int) -> Exchange:
    return Exchange([] if history is None else history, Hooks(), Message.user("q"), **options)


def test_an_answer_commits_the_question_and_the_answer_together() -> None:
    exchange = opened()
    assert exchange.messages()[-1].content == "q" and exchange.history == []
    assert exchange.accept(assistant("a")) is True
    assert [m.content for m in exchange.history] == ["q", "a"]
    assert exchange.finished and exchange.result is exchange.history[-1]


def test_a_tool_round_commits_only_when_every_call_has_its_result() -> None:
    exchange = opened()
    assert exchange.accept(assistant("", CALL_A, CALL_B)) is False
    assert exchange.pending == [CALL_A, CALL_B]
    exchange.record(ToolResult(CALL_A, "1"))
    assert exchange.history == []  # half a round is not a safe point
    exchange.record(ToolResult(CALL_B, "2"))
    assert [m.role for m in exchange.history] == ["user", "assistant", "tool", "tool"]
    assert not exchange.finished and exchange.rounds == 1


def test_a_failure_drops_what_is_staged_and_keeps_whole_rounds() -> None:
    exchange = opened()
    exchange.accept(assistant("", CALL_A))
    exchange.record(ToolResult(CALL_A, "1"))
    exchange.accept(assistant("", CALL_B))
    exchange.fail()
    assert [m.role for m in exchange.history] == ["user", "assistant", "tool"]
    assert exchange.finished


def test_the_final_answer_carries_the_usage_of_the_whole_call() -> None:
    exchange = opened()
    exchange.accept(assistant("", CALL_A, tokens=10))
    exchange.record(ToolResult(CALL_A, "1"))
    exchange.accept(assistant("done", tokens=5))
    result = exchange.result
    assert result is not None and result.turn_usage is not None
    assert result.turn_usage.input_tokens == 15


def test_abandoning_a_stream_keeps_what_arrived_as_an_incomplete_message() -> None:
    exchange = opened()
    parser = exchange.start_stream(OpenRouterDialect("openrouter"))
    parser.expect("text/event-stream")
    parser.feed(b'data: {"choices":[{"delta":{"content":"par"}}]}\n\n')
    exchange.abandon(superseded=True)
    assert [(m.role, m.content) for m in exchange.history] == [("user", "q"), ("assistant", "par")]
    assert exchange.history[-1].finish_reason == "incomplete"
    assert parser.superseded  # its stream, read on, raises instead of going on
    with pytest.raises(RuntimeError, match="superseded"):
        exchange.begin_message()


def test_abandoning_before_anything_arrived_commits_nothing() -> None:
    exchange = opened()
    exchange.abandon()
    assert exchange.history == [] and exchange.finished


def test_tool_calls_sharing_an_id_are_refused_before_any_tool_runs() -> None:
    exchange = opened()
    with pytest.raises(InvalidResponseError, match="share an id"):
        exchange.accept(assistant("", ToolCall("x", "f"), ToolCall("x", "g")))


def test_too_many_rounds_raise_a_tool_error() -> None:
    exchange = opened(max_rounds=1)
    exchange.accept(assistant("", CALL_A))
    exchange.record(ToolResult(CALL_A, "1"))
    with pytest.raises(ToolError, match="max_tool_rounds=1"):
        exchange.accept(assistant("", CALL_B))


def test_hooks_see_each_new_and_finished_message() -> None:
    hooks = Hooks()
    events: list[str] = []
    hooks.new_message.append(lambda: events.append("new"))
    hooks.end_message.append(lambda m: events.append(f"end:{m.content}"))
    exchange = Exchange([], hooks, Message.user("q"))
    exchange.begin_message()
    exchange.accept(assistant("a"))
    assert events == ["new", "end:a"]
