"""``client.openrouter`` (key, credits, generation stats), ``reply.generation()``, and the CLI's
``pyllm account`` / ``pyllm generation``, against the fake OpenRouter over real sockets."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, error, raw, text

if TYPE_CHECKING:
    from pyllm.openrouter import Credits, GenerationStats, KeyInfo


def test_key_and_credits(server: FakeOpenRouter) -> None:
    server.account.key["limit_remaining"] = 1.5
    account = server.client().openrouter
    key, credits = account.key(), account.credits()
    assert (key.label, key.limit, key.limit_remaining, key.is_free_tier) == (
        "sk-or-v1-fak...e000",
        50.0,
        1.5,
        False,
    )
    assert (credits.total, credits.used, credits.remaining) == (100.5, 25.75, 74.75)
    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", "/api/v1/key"),
        ("GET", "/api/v1/credits"),
    ]
    assert all(r.headers["authorization"] == "Bearer sk-or-fake-key" for r in server.requests)


def test_the_async_twins(server: FakeOpenRouter) -> None:
    client = server.client()
    reply = client.chat("openai/gpt-4.1-mini").ask("hi")

    async def go() -> tuple[KeyInfo, Credits, GenerationStats]:
        account = client.openrouter
        return (
            await account.akey(),
            await account.acredits(),
            await account.ageneration(reply.id or ""),
        )

    key, credits, stats = asyncio.run(go())
    assert key.limit == 50.0 and credits.used == 25.75 and stats.id == reply.id


def test_a_scripted_key_answer_and_errors_are_typed(server: FakeOpenRouter) -> None:
    server.reply(
        raw({"data": {"label": "free key", "limit": None, "is_free_tier": True}}), path="/key"
    )
    server.reply(error(403, "Only management keys can fetch credits"), path="/credits")
    account = server.client().openrouter
    key = account.key()
    assert key.label == "free key" and key.limit is None and key.is_free_tier is True
    with pytest.raises(pyllm.PermissionDeniedError, match="management keys"):
        account.credits()


def test_generation_stats_of_an_answer(server: FakeOpenRouter) -> None:
    client = server.client()
    reply = client.chat("anthropic/claude-haiku-4.5").ask("Count to 3")
    stats = client.openrouter.generation(reply.id or "")
    assert stats.id == reply.id and stats.model == "anthropic/claude-haiku-4.5"
    assert stats.upstream == "pyllm.testing" and stats.streamed is False
    assert reply.usage is not None and stats.total_cost == reply.usage.cost
    assert stats.native_tokens_completion == reply.usage.output_tokens
    assert server.requests[-1].query == f"id={reply.id}"


def test_a_fresh_generation_404s_then_is_found(server: FakeOpenRouter) -> None:
    client = server.client()
    reply = client.chat("openai/gpt-4.1-mini").ask("hi")
    server.reply(error(404, f"Generation {reply.id} not found", repeat=2), path="/generation")
    started = time.monotonic()
    stats = reply.generation()  # the client that made it, not the default client
    assert stats.id == reply.id
    polls = [r for r in server.requests if r.path.endswith("/generation")]
    assert len(polls) == 3 and time.monotonic() - started >= 0.25 + 0.5


def test_the_record_appears_after_a_delay_as_on_openrouter(server: FakeOpenRouter) -> None:
    server.account.generation_delay = 0.4
    client = server.client()
    stream = client.chat("openai/gpt-4.1-mini").stream("hi")
    for _ in stream:
        pass
    reply = stream.message
    stats = asyncio.run(reply.ageneration())
    assert stats.id == reply.id and stats.streamed is True
    assert len([r for r in server.requests if r.path.endswith("/generation")]) >= 2


def test_giving_up_says_what_to_do(server: FakeOpenRouter) -> None:
    account = server.client().openrouter
    with pytest.raises(pyllm.NotFoundError, match="no record after waiting 0s: check the id"):
        account.generation("gen-unknown", wait=0)
    assert len(server.requests) == 1
    with pytest.raises(TypeError, match="generation id"):
        account.generation("")
    with pytest.raises(ValueError, match="wait must be"):
        account.generation("gen-1", wait=-1)


def test_reply_generation_asks_the_client_given(server: FakeOpenRouter) -> None:
    with FakeOpenRouter() as other:
        reply = other.client().chat("openai/gpt-4.1-mini").ask("hi")
        server.reply(raw({"data": {"id": reply.id, "total_cost": 1.0}}), path="/generation")
        stats = reply.generation(server.client())
        assert stats.total_cost == 1.0 and [r.path for r in server.requests] == [
            "/api/v1/generation"
        ]
    with pytest.raises(ValueError, match="only an answer from a server"):
        pyllm.Message.user("hi").generation()


def test_a_provider_without_account_routes_says_so(server: FakeOpenRouter) -> None:
    client = server.client()
    client.register_provider(pyllm.providers.OpenAICompatible("local", base_url=server.url))
    reply = client.chat("some-model", provider="local").ask("hi")
    with pytest.raises(pyllm.UnsupportedError, match="OpenRouter's; the local provider"):
        reply.generation()


# ---- the command line --------------------------------------------------------------------------


def cli(server: FakeOpenRouter, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "PYLLM_"))
    }
    environment.update(OPENROUTER_API_KEY="sk-or-fake-key", OPENROUTER_BASE_URL=server.url)
    return subprocess.run(
        [sys.executable, "-m", "pyllm.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
    )


def test_pyllm_account(server: FakeOpenRouter) -> None:
    result = cli(server, "account")
    assert result.returncode == 0, result.stderr
    assert "limit       $50.00, resets monthly, $37.25 left" in result.stdout
    assert "credits     $100.50 bought, $25.75 used, $74.75 left" in result.stdout
    server.reply(error(403, "Only management keys can fetch credits"), path="/credits")
    shown = json.loads(cli(server, "account", "--json").stdout)
    assert shown["key"]["usage"] == 12.75 and shown["credits"] is None


def test_pyllm_generation(server: FakeOpenRouter) -> None:
    server.reply(text("1 2 3"))
    reply = server.client().chat("openai/gpt-4.1-mini").ask("count")
    result = cli(server, "generation", reply.id or "")
    assert result.returncode == 0, result.stderr
    assert (
        f"id              {reply.id}" in result.stdout and "latency         120 ms" in result.stdout
    )
    shown = json.loads(cli(server, "generation", reply.id or "", "--json").stdout)
    assert shown["id"] == reply.id and shown["generation_time_ms"] == 340.0
    missing = cli(server, "generation", "gen-nope", "--wait", "0")
    assert missing.returncode == 1 and "404 NotFoundError" in missing.stderr
