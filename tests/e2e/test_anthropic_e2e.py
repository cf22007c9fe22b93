"""The ``anthropic`` provider over real sockets, against ``pyllm.testing.FakeAnthropic`` (which
refuses what the real API refuses): headers and keys, max_tokens from the registry, errors and
retries, the model listing with its pages, resolution order."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

import pyllm
from pyllm.testing import FakeAnthropic, Reply, error, stream_error, text

MODEL = "claude-haiku-4-5-20251001"


def call(chat: pyllm.Chat, mode: str) -> None:
    if mode == "sync":
        chat.ask("Hi")
    elif mode == "async":
        asyncio.run(chat.aask("Hi"))
    else:
        list(chat.stream("Hi"))


def test_the_key_goes_in_x_api_key_with_the_api_version() -> None:
    with FakeAnthropic(api_key="sk-ant-secret-1") as anthropic:
        anthropic.reply(text("Hi!"))
        reply = anthropic.chat(MODEL).ask("Hello")
        sent = anthropic.requests[0]
    assert (sent.method, sent.path) == ("POST", "/v1/messages")
    assert sent.headers["x-api-key"] == "sk-ant-secret-1"
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in sent.headers and "anthropic-beta" not in sent.headers
    assert (reply.content, reply.provider, reply.model) == ("Hi!", "anthropic", MODEL)


def test_a_beta_header_only_when_asked(anthropic: FakeAnthropic) -> None:
    anthropic.chat(MODEL).with_headers(anthropic_beta="files-api-2025-04-14").ask("Hello")
    assert anthropic.requests[0].headers["anthropic-beta"] == "files-api-2025-04-14"


def test_a_missing_key_names_the_setting_and_the_variable() -> None:
    client = pyllm.Client(anthropic_base_url="http://127.0.0.1:9/v1")
    with pytest.raises(pyllm.ConfigurationError, match=r"anthropic_api_key=.*ANTHROPIC_API_KEY"):
        client.chat(MODEL, provider="anthropic").ask("Hi")


def test_max_tokens_is_the_models_max_output_unless_set(anthropic: FakeAnthropic) -> None:
    chat = anthropic.chat(MODEL)
    chat.ask("one")
    chat.with_max_tokens(300).ask("two")
    anthropic.chat("claude-opus-4-6").ask("three")
    sent = [r.json["max_tokens"] for r in anthropic.requests]
    known = anthropic.client().models
    assert sent == [
        known.find(MODEL, provider="anthropic").max_output_tokens,
        300,
        known.find("claude-opus-4-6", provider="anthropic").max_output_tokens,
    ]
    assert sent == [64000, 300, 128000]


@pytest.mark.parametrize("mode", ["sync", "async", "stream"])
def test_overloaded_is_retried_and_the_request_id_is_on_the_error(
    anthropic: FakeAnthropic, mode: str
) -> None:
    anthropic.reply(error(529, "Overloaded", repeat=2))
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Still overloaded"}}
    anthropic.reply(Reply(status=529, body=body, headers={"request-id": "req_last"}))
    chat = anthropic.chat(MODEL, max_retries=2, retry_backoff=0.01)
    with pytest.raises(pyllm.OverloadedError) as caught:
        call(chat, mode)
    failure = caught.value
    assert len(anthropic.requests) == 3  # retried twice
    assert (failure.status, failure.error_type) == (529, "overloaded_error")
    assert failure.message == "Still overloaded"
    assert failure.request_id == "req_last"  # the header's, as the body had none
    assert failure.provider == "anthropic" and chat.messages == []


def test_the_request_id_in_the_body_wins(anthropic: FakeAnthropic) -> None:
    anthropic.reply(error(401, "invalid x-api-key"))
    with pytest.raises(pyllm.AuthenticationError) as caught:
        anthropic.chat(MODEL).ask("Hi")
    assert caught.value.request_id == caught.value.raw["request_id"]
    assert caught.value.request_id.startswith("req_")
    assert len(anthropic.requests) == 1  # never retried


def test_an_error_event_before_any_content_is_retried(anthropic: FakeAnthropic) -> None:
    anthropic.reply(stream_error(529, "Overloaded", after=0), text("Fine now."))
    chat = anthropic.chat(MODEL, retry_backoff=0.01)
    assert "".join(c.content for c in chat.stream("Hi")) == "Fine now."
    assert len(anthropic.requests) == 2
    assert [m.content for m in chat.messages] == ["Hi", "Fine now."]


def test_secrets_never_show_in_errors() -> None:
    with FakeAnthropic(api_key="sk-ant-secret-1") as anthropic:
        anthropic.reply(error(401, "invalid x-api-key sk-ant-secret-1"))
        client = anthropic.client()
        with pytest.raises(pyllm.AuthenticationError) as caught:
            client.chat(MODEL, provider="anthropic").ask("Hi")
        shown = (
            f"{caught.value} {caught.value!r} {caught.value.raw} {client.provider('anthropic')!r}"
        )
    assert "sk-ant-secret-1" not in shown and "********" in str(caught.value)


def test_refresh_reads_every_page_of_the_listing(anthropic: FakeAnthropic) -> None:
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
                    "id": MODEL,
                    "display_name": "Claude Haiku 4.5",
                    "created_at": "2025-10-15T00:00:00Z",
                }
            ],
            "has_more": False,
            "first_id": MODEL,
            "last_id": MODEL,
        },
    ]
    anthropic.route("/models", lambda request: Reply(body=pages["after_id" in request.query]))
    client = anthropic.client()
    client.models.refresh(providers=["anthropic"])
    assert [r.query for r in anthropic.requests] == [
        "limit=1000",
        "limit=1000&after_id=claude-new-9",
    ]
    new = client.models.find("claude-new-9", provider="anthropic")
    assert (new.name, new.created_at) == (
        "Claude New 9",
        datetime(2026, 9, 1, tzinfo=timezone.utc),
    )
    haiku = client.models.find(MODEL, provider="anthropic")
    assert haiku.pricing.input == 1.0  # a listing of ids keeps the prices pyllm has
    assert client.resolve("claude-new-9", provider="anthropic") == ("claude-new-9", "anthropic")


def test_refresh_against_the_fakes_own_pages(anthropic: FakeAnthropic) -> None:
    client = anthropic.client()
    before = {m.id for m in client.models.by_provider("anthropic")}
    client.models.refresh(providers=["anthropic"])
    assert {m.id for m in client.models.by_provider("anthropic")} >= before
    assert all(r.path == "/v1/models" for r in anthropic.requests)


def test_a_listing_that_never_ends_stops_after_a_hundred_pages(anthropic: FakeAnthropic) -> None:
    endless = {"data": [], "has_more": True, "last_id": "again"}
    anthropic.route("/models", lambda request: Reply(body=endless))
    anthropic.client().models.refresh(providers=["anthropic"])
    assert len(anthropic.requests) == 100


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


def test_via_names_another_provider(anthropic: FakeAnthropic) -> None:
    chat = anthropic.chat(MODEL)
    with pytest.raises(pyllm.ConfigurationError, match="already uses anthropic"):
        chat.with_fallbacks(via="anthropic")
    with pytest.raises(TypeError, match="via names providers"):
        chat.with_fallbacks(via=[42])  # type: ignore[list-item]
    chat.with_fallbacks("gpt-4.1-mini", via=("openrouter",))
    assert [str(r) for r in chat.fallbacks] == [
        "anthropic/claude-haiku-4.5 via openrouter",
        "openai/gpt-4.1-mini via openrouter",
    ]
