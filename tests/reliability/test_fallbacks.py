"""Fallbacks (server-side and client-side), routing preferences and per-chat retry policy."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import pyllm
from pyllm.openrouter import Routing
from pyllm.providers import OpenAICompatible
from pyllm.testing import FakeOpenRouter, error, stream_error, text

FAST = {"retry_backoff": 0.01}


def test_openrouter_gets_the_server_side_models_list(server: FakeOpenRouter) -> None:
    chat = server.chat("anthropic/claude-haiku-4.5", **FAST).with_fallbacks(
        "openai/gpt-4.1-mini", "google/gemini-2.5-flash"
    )
    server.reply(text("ok", model="openai/gpt-4.1-mini"))
    reply = chat.ask("hi")
    sent = server.requests[0].json
    assert sent["model"] == "anthropic/claude-haiku-4.5"
    assert sent["models"] == [
        "anthropic/claude-haiku-4.5",
        "openai/gpt-4.1-mini",
        "google/gemini-2.5-flash",
    ]
    assert reply.model == "openai/gpt-4.1-mini"  # the model that actually answered


@pytest.fixture
def two_hosts() -> Any:
    """Two OpenAI-compatible providers on two local servers (e.g. a direct API and a backup)."""
    with FakeOpenRouter() as primary, FakeOpenRouter() as backup:
        client = pyllm.Client(max_retries=1, retry_backoff=0.01)
        client.register_provider(OpenAICompatible("primary", base_url=primary.url, api_key="k1"))
        client.register_provider(OpenAICompatible("backup", base_url=backup.url, api_key="k2"))
        yield client, primary, backup
        client.close()


@pytest.mark.parametrize("mode", ["sync", "async", "stream"])
@pytest.mark.parametrize(
    ("fault", "requests"),
    [
        (error(429, "rate limited", repeat=5), 2),
        (error(503, "down", repeat=5), 2),
        (error(404, "No endpoints found for x/y."), 1),
        (error(408, "timeout", repeat=5), 2),
    ],
)
def test_client_side_fallback_to_another_provider(
    two_hosts: Any, mode: str, fault: Any, requests: int
) -> None:
    client, primary, backup = two_hosts
    primary.reply(fault)
    backup.reply(text("from the backup"))
    moves: list[tuple[str, str, str]] = []
    chat = client.chat("llama-3", provider="primary").with_fallbacks(("llama-3-backup", "backup"))
    chat.on_fallback(lambda err, a, b: moves.append((type(err).__name__, str(a), str(b))))
    if mode == "sync":
        reply = chat.ask("hi")
    elif mode == "async":
        reply = asyncio.run(chat.aask("hi"))
    else:
        list(chat.stream("hi"))
        reply = chat.messages[-1]
    assert reply.content == "from the backup"
    assert reply.provider == "backup"
    assert len(primary.requests) == requests  # retried first where retryable
    assert backup.requests[0].json["model"] == "llama-3-backup"
    assert "models" not in backup.requests[0].json  # server-side lists are OpenRouter's only
    assert moves == [(type_name(fault), "llama-3 via primary", "llama-3-backup via backup")]
    assert [m.role for m in chat.messages] == ["user", "assistant"]


def type_name(reply: Any) -> str:
    return {
        429: "RateLimitError",
        503: "ServiceUnavailableError",
        404: "NotFoundError",
        408: "RequestTimeoutError",
    }[reply.status]


@pytest.mark.parametrize("status", [400, 401, 402, 403])
def test_no_fallback_on_caller_mistakes(two_hosts: Any, status: int) -> None:
    client, primary, backup = two_hosts
    primary.reply(error(status, "your fault"))
    chat = client.chat("m", provider="primary").with_fallbacks(("m", "backup"))
    with pytest.raises(pyllm.APIError) as caught:
        chat.ask("hi")
    assert caught.value.status == status
    assert backup.requests == [] and len(primary.requests) == 1
    assert chat.messages == []


def test_all_routes_failing_raises_the_last_error(two_hosts: Any) -> None:
    client, primary, backup = two_hosts
    primary.reply(error(503, "primary down", repeat=5))
    backup.reply(error(503, "backup down", repeat=5))
    chat = client.chat("m", provider="primary").with_fallbacks(("m", "backup"))
    with pytest.raises(pyllm.ServiceUnavailableError, match="backup down"):
        chat.ask("hi")
    assert (len(primary.requests), len(backup.requests)) == (2, 2)
    assert chat.messages == []


def test_a_stream_never_falls_back_after_output_reached_the_caller(two_hosts: Any) -> None:
    client, primary, backup = two_hosts
    primary.reply(stream_error(503, "cut", after=1, text="a b c"))
    chat = client.chat("m", provider="primary").with_fallbacks(("m", "backup"))
    with pytest.raises(pyllm.ServiceUnavailableError) as caught:
        list(chat.stream("hi"))
    assert caught.value.partial is not None and caught.value.partial.content == "a "
    assert backup.requests == []


def test_openrouter_run_then_client_side_route(server: FakeOpenRouter) -> None:
    """OpenRouter tries its own list first; then the rest of that list, then the next route."""
    with FakeOpenRouter() as other:
        client = server.client(max_retries=0)
        client.register_provider(OpenAICompatible("other", base_url=other.url))
        server.reply(error(429, "every OpenRouter model is rate limited", repeat=2))
        other.reply(text("other answered"))
        chat = client.chat("a/primary", provider="openrouter").with_fallbacks(
            ("b/second", "openrouter"), ("local-model", "other"), ("c/third", "openrouter")
        )
        reply = chat.ask("hi")
        assert server.requests[0].json["models"] == ["a/primary", "b/second"]
        assert server.requests[1].json["model"] == "b/second"
        assert "models" not in server.requests[1].json
        assert other.requests[0].json["model"] == "local-model"
        assert reply.provider == "other" and reply.content == "other answered"
        assert len(server.requests) == 2  # c/third was never needed


# ---- issue 11, item 4: after the server-side models list fails ------------------------------


@pytest.mark.parametrize("mode", ["sync", "async", "stream", "astream"])
def test_a_failed_models_list_tries_each_other_model_once_client_side(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(
        error(503, "primary and its list are down", repeat=3),  # 1 + 2 retries
        error(429, "second is rate limited"),
        text("third answered", model="google/gemini-2.5-flash"),
    )
    moves: list[tuple[str, str]] = []
    chat = server.chat("a/primary", max_retries=2, **FAST).with_fallbacks(
        "b/second", "google/gemini-2.5-flash"
    )
    chat.on_fallback(lambda err, a, b: moves.append((a.model, b.model)))
    reply = ask_in(chat, mode)
    sent = [r.json for r in server.requests]
    assert [s["model"] for s in sent] == ["a/primary"] * 3 + ["b/second", "google/gemini-2.5-flash"]
    assert all(
        s["models"] == ["a/primary", "b/second", "google/gemini-2.5-flash"] for s in sent[:3]
    )
    assert all("models" not in s for s in sent[3:])  # client-side: one model per request
    assert reply.content == "third answered"
    assert moves == [("a/primary", "b/second"), ("b/second", "google/gemini-2.5-flash")]
    assert [m.role for m in chat.messages] == ["user", "assistant"]


def ask_in(chat: pyllm.Chat, mode: str) -> pyllm.Message:
    if mode == "sync":
        return chat.ask("hi")
    if mode == "async":
        return asyncio.run(chat.aask("hi"))
    if mode == "stream":
        list(chat.stream("hi"))
        return chat.messages[-1]

    async def consume() -> None:
        async with chat.astream("hi") as chunks:
            async for _ in chunks:
                pass

    asyncio.run(consume())
    return chat.messages[-1]


@pytest.mark.parametrize("mode", ["sync", "async", "stream", "astream"])
def test_when_every_route_fails_the_error_says_what_each_answered(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(
        error(503, "primary down", repeat=2),
        error(429, "second rate limited"),
        error(502, "third bad gateway"),
    )
    chat = server.chat("a/primary", max_retries=1, **FAST).with_fallbacks("b/second", "c/third")
    with pytest.raises(pyllm.ServiceUnavailableError) as caught:
        ask_in(chat, mode)
    final = caught.value
    assert [(str(a.route), type(a.error).__name__) for a in final.attempts] == [
        ("a/primary via openrouter", "ServiceUnavailableError"),
        ("b/second via openrouter", "RateLimitError"),
        ("c/third via openrouter", "ServiceUnavailableError"),
    ]
    assert final.attempts[-1].error is final
    second, first = final.__context__, final.attempts[0].error
    assert second is final.attempts[1].error and second.__context__ is first
    message = str(final)
    for said in ("primary down", "second rate limited", "third bad gateway"):
        assert said in message
    assert "a/primary via openrouter: 503 ServiceUnavailableError" in message
    assert len(server.requests) == 4 and chat.messages == []


def test_a_single_route_error_reads_as_before(server: FakeOpenRouter) -> None:
    server.reply(error(503, "down", repeat=2))
    with pytest.raises(pyllm.ServiceUnavailableError) as caught:
        server.chat("a/primary", max_retries=1, **FAST).ask("hi")
    assert len(caught.value.attempts) == 1
    assert "every route failed" not in str(caught.value)


def test_a_caller_mistake_on_the_models_list_is_not_retried_on_each_model(
    server: FakeOpenRouter,
) -> None:
    server.reply(error(400, "bad temperature"))
    chat = server.chat("a/primary", **FAST).with_fallbacks("b/second", "c/third")
    with pytest.raises(pyllm.BadRequestError):
        chat.ask("hi")
    assert len(server.requests) == 1


def test_routing_is_typed_and_rendered(server: FakeOpenRouter) -> None:
    routing = Routing(
        order=["anthropic", "amazon-bedrock"],
        allow_fallbacks=False,
        data_collection="deny",
        zdr=True,
        sort="throughput",
        max_price={"prompt": 1, "completion": 2},
        quantizations=["fp8"],
    )
    server.chat().with_routing(routing).ask("hi")
    assert server.requests[-1].json["provider"] == {
        "order": ["anthropic", "amazon-bedrock"],
        "allow_fallbacks": False,
        "data_collection": "deny",
        "zdr": True,
        "sort": "throughput",
        "max_price": {"prompt": 1, "completion": 2},
        "quantizations": ["fp8"],
    }
    server.chat().with_routing(only=["openai"], ignore=["azure"]).ask("hi")
    assert server.requests[-1].json["provider"] == {"only": ["openai"], "ignore": ["azure"]}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sort": "cheapest"}, "sort must be one of"),
        ({"data_collection": "maybe"}, "'allow' or 'deny'"),
        ({"order": "anthropic"}, "list of strings"),
        ({"max_price": {"tokens": 1}}, "max_price key"),
        ({"max_price": {"prompt": -1}}, "non-negative"),
    ],
)
def test_bad_routing_preferences(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises((TypeError, ValueError), match=match):
        Routing(**kwargs)


def test_require_parameters_is_automatic_with_tools_or_schema(server: FakeOpenRouter) -> None:
    @pyllm.tool
    def noop() -> str:
        """Do nothing."""
        return ""

    chat = server.chat()
    chat.ask("plain")
    assert "provider" not in server.requests[-1].json
    chat.with_tools(noop).ask("tools")
    assert server.requests[-1].json["provider"] == {"require_parameters": True}
    chat.without_tools().with_schema({"type": "object", "properties": {}}).ask("schema")
    assert server.requests[-1].json["provider"] == {"require_parameters": True}
    chat.with_routing(require_parameters=False).ask("user says no")
    assert server.requests[-1].json["provider"] == {"require_parameters": False}


def test_per_chat_retry_policy(server: FakeOpenRouter) -> None:
    server.reply(error(503, "down", repeat=9))
    with pytest.raises(pyllm.ServiceUnavailableError):
        server.chat(max_retries=5, retry_backoff=0.01).with_retries(0).ask("hi")
    assert len(server.requests) == 1
    server.reply(error(503, "down", repeat=9))
    with pytest.raises(pyllm.ServiceUnavailableError):
        server.chat(max_retries=0, retry_backoff=0.01).with_retries(2).ask("hi")
    assert len(server.requests) == 4
    with pytest.raises(pyllm.ConfigurationError):
        server.chat().with_retries(-1)
    with pytest.raises(ValueError, match="positive number"):
        server.chat().with_timeout(0)


def test_bad_fallback_values(server: FakeOpenRouter) -> None:
    with pytest.raises(TypeError, match="a fallback is"):
        server.chat().with_fallbacks(42)  # type: ignore[arg-type]
    with pytest.raises(pyllm.ConfigurationError, match="unknown provider"):
        server.chat().with_fallbacks(("m", "nowhere"))


def test_same_model_through_another_route_via_the_alias_table() -> None:
    """A chat talking to OpenAI directly continues through OpenRouter when OpenAI rate-limits:
    the alias maps OpenAI's own id to OpenRouter's."""
    with FakeOpenRouter() as openai_direct, FakeOpenRouter() as openrouter:
        client = pyllm.Client(
            openai_api_key="sk-openai",
            openai_base_url=openai_direct.url,
            openrouter_api_key="sk-or",
            openrouter_base_url=openrouter.url,
            max_retries=0,
        )
        openai_direct.reply(error(429, "Rate limit reached for gpt-4.1-mini"))
        openrouter.reply(text("answered via OpenRouter", model="openai/gpt-4.1-mini"))
        chat = client.chat("gpt-4.1-mini", provider="openai").with_fallbacks(
            pyllm.Route("gpt-4.1-mini", "openrouter")
        )
        reply = chat.ask("hi")
        assert openai_direct.requests[0].json["model"] == "gpt-4.1-mini"
        assert openrouter.requests[0].json["model"] == "openai/gpt-4.1-mini"
        assert (reply.provider, reply.model, reply.content) == (
            "openrouter",
            "openai/gpt-4.1-mini",
            "answered via OpenRouter",
        )
        client.close()


def test_an_error_that_is_not_an_api_error_lists_the_routes_too(two_hosts: Any) -> None:
    client, primary, _ = two_hosts
    primary.reply(error(503, "primary down", repeat=2))
    chat = client.chat("m", provider="primary").with_fallbacks(("gpt-4.1-mini", "openai"))
    with pytest.raises(pyllm.ConfigurationError) as caught:
        chat.ask("hi")
    message = str(caught.value)
    assert "needs an API key" in message
    assert "m via primary: 503 ServiceUnavailableError: primary down" in message
    assert len(caught.value.attempts) == 2
