"""The ``anthropic`` provider over real sockets (a fake server answering in Anthropic's
format): headers and keys, max_tokens from the registry, errors and retries, the model listing
with its pages, resolution order."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, Reply
from tests.unit.test_anthropic_protocol import answer, anthropic_events

MODEL = "claude-haiku-4-5-20251001"


def claude(server: FakeOpenRouter, model: str = MODEL, **settings: Any) -> pyllm.Chat:
    client = server.client(
        anthropic_api_key="sk-ant-secret-1", anthropic_base_url=server.url, **settings
    )
    return client.chat(model, provider="anthropic")


def call(chat: pyllm.Chat, mode: str) -> None:
    if mode == "sync":
        chat.ask("Hi")
    elif mode == "async":
        asyncio.run(chat.aask("Hi"))
    else:
        list(chat.stream("Hi"))


def overloaded(**headers: str) -> Reply:
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    return Reply(status=529, body=body, headers=headers)


def test_the_key_goes_in_x_api_key_with_the_api_version(server: FakeOpenRouter) -> None:
    server.reply(Reply(body=answer({"type": "text", "text": "Hi!"})), path="/messages")
    reply = claude(server).ask("Hello")
    sent = server.requests[0]
    assert (sent.method, sent.path) == ("POST", "/api/v1/messages")
    assert sent.headers["x-api-key"] == "sk-ant-secret-1"
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in sent.headers and "anthropic-beta" not in sent.headers
    assert (reply.content, reply.provider) == ("Hi!", "anthropic")


def test_a_beta_header_only_when_asked(server: FakeOpenRouter) -> None:
    server.reply(Reply(body=answer({"type": "text", "text": "Hi!"})), path="/messages")
    claude(server).with_headers(anthropic_beta="files-api-2025-04-14").ask("Hello")
    assert server.requests[0].headers["anthropic-beta"] == "files-api-2025-04-14"


def test_a_missing_key_names_the_setting_and_the_variable() -> None:
    chat = pyllm.Client(anthropic_base_url="http://127.0.0.1:9/v1").chat(
        MODEL, provider="anthropic"
    )
    with pytest.raises(pyllm.ConfigurationError, match=r"anthropic_api_key=.*ANTHROPIC_API_KEY"):
        chat.ask("Hi")


def test_max_tokens_is_the_models_max_output_unless_set(server: FakeOpenRouter) -> None:
    server.reply(*[Reply(body=answer({"type": "text", "text": "ok"}))] * 3, path="/messages")
    chat = claude(server)
    chat.ask("one")
    chat.with_max_tokens(300).ask("two")
    claude(server, "claude-opus-4-6").ask("three")
    sent = [r.json["max_tokens"] for r in server.requests]
    known = server.client().models
    assert (
        sent
        == [
            known.find(MODEL, provider="anthropic").max_output_tokens,
            300,
            known.find("claude-opus-4-6", provider="anthropic").max_output_tokens,
        ]
        == [64000, 300, 128000]
    )


@pytest.mark.parametrize("mode", ["sync", "async", "stream"])
def test_overloaded_is_retried_and_the_request_id_is_on_the_error(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(*[overloaded(**{"request-id": f"req_{i}"}) for i in range(3)], path="/messages")
    chat = claude(server, max_retries=2, retry_backoff=0.01)
    with pytest.raises(pyllm.OverloadedError) as caught:
        call(chat, mode)
    error = caught.value
    assert len(server.requests) == 3  # retried twice
    assert (error.status, error.error_type, error.message) == (
        529,
        "overloaded_error",
        "Overloaded",
    )
    assert error.request_id == "req_2"  # the header, as the body had none
    assert error.provider == "anthropic" and chat.messages == []


def test_an_overloaded_stream_is_retried_while_nothing_reached_the_caller(
    server: FakeOpenRouter,
) -> None:
    error_event = b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
    body = answer({"type": "text", "text": "Fine now."})
    server.reply(
        Reply(body=error_event, content_type="text/event-stream"),
        Reply(body=anthropic_events(body), content_type="text/event-stream"),
        path="/messages",
    )
    chat = claude(server, retry_backoff=0.01)
    assert "".join(c.content for c in chat.stream("Hi")) == "Fine now."
    assert len(server.requests) == 2
    assert [m.content for m in chat.messages] == ["Hi", "Fine now."]


def test_secrets_never_show_in_errors(server: FakeOpenRouter) -> None:
    echo = {
        "type": "error",
        "error": {"type": "authentication_error", "message": "invalid x-api-key sk-ant-secret-1"},
    }
    server.reply(Reply(status=401, body=echo), path="/messages")
    client = server.client(anthropic_api_key="sk-ant-secret-1", anthropic_base_url=server.url)
    with pytest.raises(pyllm.AuthenticationError) as caught:
        client.chat(MODEL, provider="anthropic").ask("Hi")
    shown = f"{caught.value} {caught.value!r} {caught.value.raw} {client.provider('anthropic')!r}"
    assert "sk-ant-secret-1" not in shown and "********" in str(caught.value)


def test_refresh_reads_every_page_of_the_listing(server: FakeOpenRouter) -> None:
    pages = [
        {
            "data": [
                {
                    "type": "model",
                    "id": "claude-new-9",
                    "display_name": "Claude New 9",
                    "created_at": "2026-09-01T00:00:00Z",
                }
            ],
            "has_more": True,
            "first_id": "claude-new-9",
            "last_id": "claude-new-9",
        },
        {
            "data": [
                {
                    "type": "model",
                    "id": "claude-haiku-4-5-20251001",
                    "display_name": "Claude Haiku 4.5",
                    "created_at": "2025-10-15T00:00:00Z",
                }
            ],
            "has_more": False,
            "first_id": "claude-haiku-4-5-20251001",
            "last_id": "claude-haiku-4-5-20251001",
        },
    ]
    server.route(
        "/models", lambda request: Reply(body=pages[0 if "after_id" not in request.query else 1])
    )
    client = server.client(anthropic_api_key="sk-ant-x", anthropic_base_url=server.url)
    client.models.refresh(providers=["anthropic"])
    assert [r.query for r in server.requests] == ["limit=1000", "limit=1000&after_id=claude-new-9"]
    assert server.requests[0].headers["x-api-key"] == "sk-ant-x"
    new = client.models.find("claude-new-9", provider="anthropic")
    assert (new.name, new.created_at) == ("Claude New 9", datetime(2026, 9, 1, tzinfo=timezone.utc))
    haiku = client.models.find(MODEL, provider="anthropic")
    assert haiku.pricing.input == 1.0  # a listing of ids keeps the prices pyllm has
    assert client.resolve("claude-new-9", provider="anthropic") == ("claude-new-9", "anthropic")


def test_a_listing_that_never_ends_stops_after_a_hundred_pages(server: FakeOpenRouter) -> None:
    endless = {"data": [], "has_more": True, "last_id": "again"}
    server.route("/models", lambda request: Reply(body=endless))
    client = server.client(anthropic_api_key="sk-ant-x", anthropic_base_url=server.url)
    client.models.refresh(providers=["anthropic"])
    assert len(server.requests) == 100


@pytest.fixture
def both_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-env")
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-env")
    monkeypatch.setattr("pyllm.client._default", None)  # a default client that reads them


def test_with_both_keys_claude_goes_to_anthropic_directly(both_keys: None) -> None:
    try:
        chat = pyllm.chat("claude-haiku-4-5")
        assert (chat.model, chat.provider) == ("claude-haiku-4-5", "anthropic")
        assert pyllm.chat("anthropic/claude-haiku-4.5").provider == "openrouter"  # a gateway id
        assert pyllm.default_client().configured_providers() == ["anthropic", "openrouter"]
        routes = chat.with_fallbacks(via="openrouter").fallbacks
        assert [(r.model, r.provider) for r in routes] == [
            ("anthropic/claude-haiku-4.5", "openrouter")
        ]
    finally:
        pyllm.default_client().close()


def test_with_only_openrouter_claude_goes_through_openrouter() -> None:
    client = pyllm.Client(openrouter_api_key="sk-or-x")
    assert client.resolve("claude-haiku-4-5") == ("anthropic/claude-haiku-4.5", "openrouter")


def test_via_names_another_provider(server: FakeOpenRouter) -> None:
    chat = claude(server)
    with pytest.raises(pyllm.ConfigurationError, match="already uses anthropic"):
        chat.with_fallbacks(via="anthropic")
    with pytest.raises(TypeError, match="via names providers"):
        chat.with_fallbacks(via=[42])  # type: ignore[list-item]
    chat.with_fallbacks("gpt-4.1-mini", via=("openrouter",))
    assert [str(r) for r in chat.fallbacks] == [
        "anthropic/claude-haiku-4.5 via openrouter",
        "openai/gpt-4.1-mini via openrouter",
    ]
