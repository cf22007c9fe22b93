"""Retry-After over ``max_retry_wait``, nonsense values and ``retry-after-ms``, against the fake
server (issue 11, item 3)."""

from __future__ import annotations

import asyncio
import logging
import re
import time

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, error, text

from .test_fallbacks import ask_in


@pytest.mark.parametrize("mode", ["sync", "async", "stream", "astream"])
@pytest.mark.parametrize("header", ["3600", "1e9", "inf"])
def test_a_retry_after_beyond_max_retry_wait_raises_at_once(
    server: FakeOpenRouter, mode: str, header: str
) -> None:
    server.reply(error(429, "daily limit reached", retry_after=header), text("too late"))
    chat = server.chat("a/primary", max_retries=3, max_retry_wait=60)
    started = time.monotonic()
    with pytest.raises(pyllm.RateLimitError) as caught:
        ask_in(chat, mode)
    assert time.monotonic() - started < 10  # no 60 s sleep before giving up
    assert caught.value.retry_after == float(header)
    assert len(server.requests) == 1
    assert chat.messages == []


@pytest.mark.parametrize("mode", ["sync", "async", "stream"])
def test_the_fallback_takes_over_at_once(mode: str) -> None:
    with FakeOpenRouter() as primary, FakeOpenRouter() as backup:
        client = pyllm.Client(
            openai_api_key="sk-openai",
            openai_base_url=primary.url,
            openrouter_api_key="sk-or",
            openrouter_base_url=backup.url,
            max_retries=3,
        )
        primary.reply(error(429, "come back in an hour", retry_after=3600))
        backup.reply(text("answered by the fallback"))
        chat = client.chat("gpt-4.1-mini", provider="openai").with_fallbacks(
            pyllm.Route("gpt-4.1-mini", "openrouter")
        )
        started = time.monotonic()
        reply = ask_in(chat, mode)
        assert time.monotonic() - started < 10
        assert reply.content == "answered by the fallback"
        assert (len(primary.requests), len(backup.requests)) == (1, 1)
        client.close()


def waits(caplog: pytest.LogCaptureFixture) -> list[float]:
    found = (re.search(r"retrying in ([\d.]+)s", r.getMessage()) for r in caplog.records)
    return [float(m.group(1)) for m in found if m]


@pytest.mark.parametrize("header", ["-5", "nan"])
def test_negative_or_nan_retry_after_backs_off(
    server: FakeOpenRouter, caplog: pytest.LogCaptureFixture, header: str
) -> None:
    server.reply(error(429, "slow down", retry_after=header), text("ok"))
    with caplog.at_level(logging.INFO, logger="pyllm"):
        reply = server.chat(retry_backoff=0.2).ask("hi")
    assert reply.content == "ok"
    (wait,) = waits(caplog)
    assert 0.1 <= wait <= 0.2  # the jittered backoff, not "retry at once"


def test_retry_after_ms_is_honoured_and_wins_over_retry_after(
    server: FakeOpenRouter, caplog: pytest.LogCaptureFixture
) -> None:
    server.reply(
        error(503, "busy", headers={"retry-after-ms": "120"}),
        error(429, "slow", headers={"Retry-After-Ms": "30", "Retry-After": "50"}),
        text("ok"),
    )
    with caplog.at_level(logging.INFO, logger="pyllm"):
        reply = asyncio.run(server.chat(retry_backoff=5).aask("hi"))
    assert reply.content == "ok"
    assert waits(caplog) == [0.12, 0.03]
