"""Logging: silent by default; at DEBUG each request's method, URL, status and duration, and
each retry and fallback decision, never a secret."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import textwrap

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, error, text

MODEL = "openai/gpt-4.1-mini"
KEY = "sk-or-v1-logging-secret-0123456789"


def test_debug_shows_requests_and_decisions_never_the_key(
    server: FakeOpenRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: pyllm's, httpx's, httpcore's
    fallback = "anthropic/claude-haiku-4.5"
    chat = server.chat(MODEL, openrouter_api_key=KEY, max_retries=1).with_fallbacks(fallback)
    server.reply(error(503, "busy", retry_after=0), error(429, f"slow down {KEY}"), text("Hi."))
    chat.ask("Hello")
    server.reply(error(401, f"the key {KEY} is invalid"))
    with pytest.raises(pyllm.AuthenticationError):
        chat.ask("Again")
    url = re.escape(f"{server.url}/chat/completions")
    lines = [r.getMessage() for r in caplog.records if r.name == "pyllm"]
    expected = [
        rf"POST {url} -> 503 in \d+\.\d{{3}}s",
        r"retrying in 0\.00s after ServiceUnavailableError \(retry 1 of 1\)",
        rf"POST {url} -> 429 in \d+\.\d{{3}}s",
        r"not retrying RateLimitError: max_retries \(1\) reached",
        rf"falling back from {MODEL} via openrouter to {fallback} via openrouter after RateLimitError",
        rf"POST {url} -> 200 in \d+\.\d{{3}}s",
        rf"POST {url} -> 401 in \d+\.\d{{3}}s",
        r"not retrying AuthenticationError: not a retryable error",
        r"giving up after AuthenticationError: another route would not help",
    ]
    assert len(lines) == len(expected), lines
    for line, pattern in zip(lines, expected, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)
    assert KEY not in caplog.text
    assert all(KEY not in str(r.args) for r in caplog.records)


def test_a_process_that_configured_no_logging_prints_nothing() -> None:
    code = textwrap.dedent(
        """
        import pyllm
        from pyllm.testing import FakeOpenRouter, error, text

        with FakeOpenRouter() as fake:
            fake.reply(error(503, "busy", retry_after=0), error(429, "slow"), text("Hi."))
            chat = fake.chat("openai/gpt-4.1-mini", max_retries=1)
            chat.with_fallbacks("anthropic/claude-haiku-4.5").ask("Hello")
            fake.reply(error(401, "no"))
            try:
                chat.ask("Again")
            except pyllm.AuthenticationError:
                pass
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout == "" and done.stderr == ""
