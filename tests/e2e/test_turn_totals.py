"""``reply.turn_cost`` / ``reply.turn_usage``: the sums over every request of one call, tool
rounds included, summed exactly; ``reply.cost`` stays per message (issue 11, item 25)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, text, tool_call


@pyllm.tool
def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@pyllm.tool
def finish(answer: str) -> pyllm.Halt:
    """Give the final answer."""
    return pyllm.Halt(answer)


def usage(prompt: int, completion: int, cost: float) -> dict[str, Any]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "cost": cost}


def run(chat: pyllm.Chat, mode: str, prompt: str) -> pyllm.Message:
    if mode == "ask":
        return chat.ask(prompt)
    if mode == "aask":
        return asyncio.run(chat.aask(prompt))
    if mode == "stream":
        stream = chat.stream(prompt)
        for _ in stream:
            pass
        assert stream.message is not None
        return stream.message

    async def consume() -> pyllm.Message:
        async with chat.astream(prompt) as stream:
            async for _ in stream:
                pass
        assert stream.message is not None
        return stream.message

    return asyncio.run(consume())


MODES = ["ask", "aask", "stream", "astream"]


@pytest.mark.parametrize("mode", MODES)
def test_a_tool_loop_reports_what_the_whole_call_cost(server: FakeOpenRouter, mode: str) -> None:
    server.reply(
        tool_call("weather", {"city": "Paris"}, usage=usage(100, 10, 0.0001)),
        tool_call("weather", {"city": "Rome"}, usage=usage(120, 12, 0.0002)),
        text("Sunny in both.", usage=usage(150, 5, 0.0004)),
    )
    chat = server.chat("openai/gpt-4.1-mini").with_tools(weather)
    reply = run(chat, mode, "Paris or Rome?")
    assert reply.cost == 0.0004  # this message's own request
    assert reply.turn_cost == 0.0007  # exactly: not 0.0007000000000000001
    assert reply.turn_usage is not None
    assert (reply.turn_usage.input_tokens, reply.turn_usage.output_tokens) == (370, 27)
    assert reply.turn_usage.cost_source == "provider"
    rounds = [m for m in chat.messages if m.role == "assistant"]
    assert [m.cost for m in rounds] == [0.0001, 0.0002, 0.0004]  # per message, never summed twice
    assert [m.turn_usage is None for m in rounds] == [True, True, False]
    assert chat.messages[-1] is reply
    assert chat.cost == 0.0007


@pytest.mark.parametrize("mode", MODES)
def test_each_call_reports_its_own_turn(server: FakeOpenRouter, mode: str) -> None:
    server.reply(text("one", usage=usage(10, 1, 0.0001)), text("two", usage=usage(20, 2, 0.0002)))
    chat = server.chat("openai/gpt-4.1-mini")
    first = run(chat, mode, "first")
    second = run(chat, mode, "second")
    assert (first.turn_cost, second.turn_cost) == (0.0001, 0.0002)
    assert second.turn_usage == second.usage
    assert chat.cost == 0.0003  # not 0.00030000000000000003
    assert chat.usage.input_tokens == 30


def test_a_halting_tool_carries_the_totals(server: FakeOpenRouter) -> None:
    server.reply(
        tool_call("weather", {"city": "Oslo"}, usage=usage(50, 5, 0.0001)),
        tool_call("finish", {"answer": "cold"}, usage=usage(60, 6, 0.0002)),
    )
    chat = server.chat("openai/gpt-4.1-mini").with_tools(weather, finish)
    reply = chat.ask("Oslo?")
    assert (reply.role, reply.parsed) == ("tool", "cold")
    assert reply.cost is None and reply.turn_cost == 0.0003
    assert chat.messages[-1] is reply


def test_a_stream_stopped_early_counts_what_came_before(server: FakeOpenRouter) -> None:
    server.reply(
        tool_call("weather", {"city": "Lima"}, usage=usage(40, 4, 0.0001)),
        text("a b c d e f", chunks=6, usage=usage(70, 7, 0.0002)),
    )
    chat = server.chat("openai/gpt-4.1-mini").with_tools(weather)
    with chat.stream("Lima?") as stream:
        for chunk in stream:
            if chunk.content:
                break
    partial = stream.message
    assert partial is not None and partial.partial
    assert partial.turn_cost == 0.0001  # the tool round; the cut answer reported nothing yet


def test_exact_sums_of_many_small_costs() -> None:
    costs = [0.1] * 10 + [0.0001, 0.0002, 1e-7]
    total = pyllm.Usage.sum(pyllm.Usage(cost=c) for c in costs)
    assert total.cost == 1.0003001
    assert (pyllm.Usage(cost=0.0001) + pyllm.Usage(cost=0.0002)).cost == 0.0003
    assert pyllm.Usage.sum([]).cost is None
