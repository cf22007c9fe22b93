"""The calls of one answer run at once (issue 15), in every mode, checked without timing.

A barrier only lets its parties through once all of them wait at it: a round whose tools meet
at one finishes only if they overlap. (A barrier that breaks after its timeout makes the tool
fail, so a round run one call after another gives error results instead of hanging.)
"""

from __future__ import annotations

import asyncio
import threading

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, ToolCallSpec, text, tool_call

from .test_tools_e2e import MODES, run

WAIT = 10  # seconds a barrier waits before it breaks: only reached when calls do not overlap


def calls(name: str, count: int, **arguments: object) -> pyllm.testing.Reply:
    """One answer asking for ``name`` ``count`` times (argument ``n`` numbers them)."""
    specs = [ToolCallSpec(name, {"n": n, **arguments}) for n in range(count)]
    return tool_call(specs[0].name, dict(specs[0].arguments), tool_calls=specs[1:])


def results(chat: pyllm.Chat) -> list[str]:
    return [m.content for m in chat.messages if m.role == "tool"]


@pytest.mark.parametrize("mode", MODES)
def test_sync_tools_of_one_answer_run_at_once(server: FakeOpenRouter, mode: str) -> None:
    barrier = threading.Barrier(3, timeout=WAIT)

    @pyllm.tool
    def meet(n: int) -> str:
        """Wait for the others."""
        barrier.wait()
        return f"met {n}"

    server.reply(calls("meet", 3), text("all met"))
    chat = server.chat().with_tools(meet)
    reply, _ = run(chat, mode)
    assert reply.content == "all met"
    assert results(chat) == ["met 0", "met 1", "met 2"]  # in call order


@pytest.mark.parametrize("mode", MODES)
def test_async_tools_of_one_answer_run_at_once(server: FakeOpenRouter, mode: str) -> None:
    barrier = threading.Barrier(3, timeout=WAIT)  # waited for off each tool's event loop

    @pyllm.tool
    async def meet(n: int) -> str:
        """Wait for the others (async)."""
        await asyncio.get_running_loop().run_in_executor(None, barrier.wait)
        return f"met {n}"

    server.reply(calls("meet", 3), text("all met"))
    chat = server.chat().with_tools(meet)
    run(chat, mode)
    assert results(chat) == ["met 0", "met 1", "met 2"]


@pytest.mark.parametrize("mode", ["async", "astream"])
def test_async_tools_share_the_event_loop_of_an_async_chat(
    server: FakeOpenRouter, mode: str
) -> None:
    arrived: list[int] = []
    everyone = asyncio.Event()

    @pyllm.tool
    async def meet(n: int) -> str:
        """Wait on the chat's own loop for the others."""
        arrived.append(n)
        if len(arrived) == 3:
            everyone.set()
        await asyncio.wait_for(everyone.wait(), WAIT)
        return f"met {n}"

    server.reply(calls("meet", 3), text("ok"))
    run(server.chat().with_tools(meet), mode)
    assert sorted(arrived) == [0, 1, 2]


@pytest.mark.parametrize("mode", MODES)
def test_concurrency_bounds_how_many_run_at_once(server: FakeOpenRouter, mode: str) -> None:
    pairs = threading.Barrier(2, timeout=WAIT)  # two at a time meet; a third would wait
    lock = threading.Lock()
    running, most = [0], [0]

    @pyllm.tool
    def pair(n: int) -> str:
        """Meet one other call."""
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        pairs.wait()
        with lock:
            running[0] -= 1
        return f"paired {n}"

    server.reply(calls("pair", 4), text("ok"))
    chat = server.chat().with_tools(pair, concurrency=2)
    run(chat, mode)
    assert results(chat) == ["paired 0", "paired 1", "paired 2", "paired 3"]
    assert most[0] == 2  # they overlapped (the barrier passed), and never more than two


@pytest.mark.parametrize("mode", MODES)
def test_concurrency_one_runs_the_calls_one_after_another(
    server: FakeOpenRouter, mode: str
) -> None:
    order: list[str] = []

    @pyllm.tool
    def step(n: int) -> str:
        """One step."""
        order.append(f"start {n}")
        order.append(f"end {n}")
        return str(n)

    server.reply(calls("step", 3), text("ok"))
    run(server.chat().with_tools(step, concurrency=1), mode)
    assert order == ["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"]


@pytest.mark.parametrize("mode", MODES)
def test_one_failing_call_does_not_stop_the_others(server: FakeOpenRouter, mode: str) -> None:
    barrier = threading.Barrier(2, timeout=WAIT)

    @pyllm.tool
    def meet(n: int) -> str:
        """Fails for n == 1, once both calls are running."""
        barrier.wait()
        if n == 1:
            raise ValueError("broken on purpose")
        return f"met {n}"

    @pyllm.tool(timeout=0.2)
    def stuck(n: int) -> str:
        """Never finishes in time."""
        threading.Event().wait(WAIT)
        return "late"

    server.reply(
        tool_call(
            "meet",
            {"n": 0},
            tool_calls=[ToolCallSpec("meet", {"n": 1}), ToolCallSpec("stuck", {"n": 2})],
        ),
        text("two of three failed"),
    )
    chat = server.chat().with_tools(meet, stuck)
    run(chat, mode)
    tool_messages = [m for m in chat.messages if m.role == "tool"]
    assert [m.is_error for m in tool_messages] == [False, True, True]
    assert tool_messages[0].content == "met 0"
    assert tool_messages[1].content == "Error: ValueError: broken on purpose"
    assert "did not finish within 0.2 seconds" in tool_messages[2].content


@pytest.mark.parametrize("mode", MODES)
def test_hooks_fire_in_the_documented_order(server: FakeOpenRouter, mode: str) -> None:
    events: list[str] = []
    barrier = threading.Barrier(2, timeout=WAIT)

    @pyllm.tool
    def meet(n: int) -> str:
        """Meet the other call."""
        barrier.wait()
        return f"met {n}"

    server.reply(calls("meet", 2), text("done"))
    chat = (
        server.chat()
        .with_tools(
            meet, confirm=lambda call: events.append(f"confirm {call.arguments['n']}") or True
        )
        .on_end_message(lambda m: events.append("end " + (m.content or "calls")))
        .on_tool_call(lambda call: events.append(f"call {call.arguments['n']}"))
        .on_tool_result(lambda result: events.append(f"result {result.content}"))
    )
    _, chunks = run(chat, mode)
    assert events == [
        "end calls",
        "call 0",
        "confirm 0",
        "call 1",
        "confirm 1",
        "result met 0",
        "result met 1",
        "end done",
    ]
    if mode in ("stream", "astream"):  # every call shown before they run, every result after
        kinds = [c.kind for c in chunks if c.kind in ("tool_call", "tool_result")]
        assert kinds == ["tool_call", "tool_call", "tool_result", "tool_result"]


@pytest.mark.parametrize("mode", MODES)
def test_raise_tool_errors_waits_for_the_round_and_raises_the_first_error(
    server: FakeOpenRouter, mode: str
) -> None:
    finished: list[int] = []

    @pyllm.tool
    def work(n: int) -> str:
        """Fails for n == 0; the others still finish."""
        if n == 0:
            raise KeyError("first")
        finished.append(n)
        return "ok"

    server.reply(calls("work", 3))
    chat = server.chat().with_tools(work, raise_tool_errors=True)
    with pytest.raises(KeyError, match="first"):
        run(chat, mode)
    assert sorted(finished) == [1, 2]
    assert chat.messages == []  # the round never completed


def test_concurrency_is_checked_at_once(server: FakeOpenRouter) -> None:
    chat = server.chat()
    with pytest.raises(pyllm.ConfigurationError, match="concurrency must be a positive"):
        chat.with_tools(concurrency=0)
    with pytest.raises(TypeError, match="concurrency"):
        chat.with_tools(concurrency="4")  # type: ignore[arg-type]
    assert chat.with_tools(concurrency=3).toolbox.concurrency == 3
    assert server.chat().toolbox.concurrency == pyllm.tools.DEFAULT_TOOL_CONCURRENCY
