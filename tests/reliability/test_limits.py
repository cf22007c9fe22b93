"""Refused connections, cancellation, huge responses and many concurrent calls."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import textwrap
import time

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, text


def _dead_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_connection_refused_is_retried_then_raised(mode: str) -> None:
    url = f"http://127.0.0.1:{_dead_port()}/api/v1"
    with pyllm.Client(
        openrouter_api_key="k", openrouter_base_url=url, max_retries=2, retry_backoff=0.01
    ) as client:
        chat = client.chat("a/b")
        started = time.monotonic()
        with pytest.raises(
            pyllm.APIConnectionError, match=r"ConnectError talking to http://127\.0\.0\.1"
        ):
            chat.ask("hi") if mode == "sync" else asyncio.run(chat.aask("hi"))
        assert time.monotonic() - started < 5
        assert chat.messages == []


async def _wait_for(condition: object, seconds: float = 3.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        await asyncio.sleep(0.02)


async def test_cancelling_aask_closes_the_connection_and_keeps_history(
    server: FakeOpenRouter,
) -> None:
    server.reply(text("too late", delay=10))
    chat = server.chat()
    task = asyncio.create_task(chat.aask("hi"))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await _wait_for(lambda: server.disconnects == 1)
    assert server.disconnects == 1  # the server saw the client leave, long before its delay
    assert chat.messages == []
    assert (await chat.aask("again")).content == "You said: again"


async def test_cancelling_astream_closes_the_connection_and_keeps_the_partial(
    server: FakeOpenRouter,
) -> None:
    server.reply(text("one two three four five six", chunk_delay=0.2))
    chat = server.chat()
    seen: list[str] = []

    async def consume() -> None:
        async for chunk in chat.astream("go"):
            seen.append(chunk.content)

    task = asyncio.create_task(consume())
    await _wait_for(lambda: len(seen) >= 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await _wait_for(lambda: server.disconnects == 1)
    assert server.disconnects == 1
    assert chat.messages[-1].finish_reason == "incomplete"
    assert chat.messages[-1].content == "".join(seen)


def test_closing_a_sync_stream_closes_the_connection(server: FakeOpenRouter) -> None:
    server.reply(text("one two three four five six", chunk_delay=0.2))
    chat = server.chat()
    stream = chat.stream("go")
    next(stream)
    stream.close()
    asyncio.run(_wait_for(lambda: server.disconnects == 1))
    assert server.disconnects == 1
    assert chat.messages[-1].content == "one "


CHILD = textwrap.dedent(
    """
    import resource, sys
    import pyllm
    client = pyllm.Client(openrouter_api_key="k", openrouter_base_url=sys.argv[1])
    list(client.chat("acme/m").stream("warm up"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    chat = client.chat("acme/m")
    received = 0
    for chunk in chat.stream("big"):
        received += len(chunk.content)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(received, len(chat.messages[-1].content), before, after)
    """
)


def test_a_50_mb_stream_is_assembled_without_unbounded_memory(server: FakeOpenRouter) -> None:
    size = 50_000_000
    server.reply(text("warm"), text("x" * size, chunks=800))
    result = subprocess.run(
        [sys.executable, "-c", CHILD, server.url], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    received, assembled, before_kb, after_kb = map(int, result.stdout.split())
    assert received == assembled == size
    grown_mb = (after_kb - before_kb) / 1024
    # the answer itself is 50 MB (joined once at the end); anything near 3x would mean copies
    assert grown_mb < 150, f"peak memory grew by {grown_mb:.0f} MB for a 50 MB answer"


async def test_a_thousand_concurrent_asks_none_lost_none_duplicated(server: FakeOpenRouter) -> None:
    client = server.client(max_connections=20)
    prompts = [f"question {i}" for i in range(1000)]
    replies = await asyncio.gather(*(client.chat("acme/m").aask(p) for p in prompts))
    assert [r.content for r in replies] == [f"You said: {p}" for p in prompts]
    sent = sorted(r.json["messages"][-1]["content"] for r in server.requests)
    assert sent == sorted(prompts)  # exactly once each
    assert server.peak_connections <= 20  # the pool bounded the open connections
    await client.aclose()
