"""Refreshing the registry from a live catalog (the fake OpenRouter), aliases in requests, cost."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, RecordedRequest, Reply, error, raw, text
from pyllm.testing._models import FAKE_MODELS, models_listing
from tests.registry_fixtures import catalog_entries, openrouter_listing


def client(server: FakeOpenRouter, tmp_path: Path, **settings: Any) -> pyllm.Client:
    settings.setdefault("max_retries", 0)
    return server.client(models_cache_path=str(tmp_path / "cache" / "models.json"), **settings)


# ---- refresh ------------------------------------------------------------------------------


def test_refresh_fetches_the_live_catalog_and_later_clients_load_the_cache(
    server: FakeOpenRouter, tmp_path: Path
) -> None:
    first = client(server, tmp_path)
    assert len(first.models) == 1637
    assert first.models.source == "snapshot"
    assert first.models.refresh() is first.models
    (request,) = server.requests
    assert (request.method, request.path) == ("GET", "/api/v1/models")
    assert request.query == "output_modalities=all"  # embedding models are listed only then
    assert "authorization" not in request.headers  # the catalog needs no key
    refreshed = first.models.by_provider("openrouter")
    assert sorted(m.id for m in refreshed) == sorted(FAKE_MODELS)
    assert first.models.source == "refresh"
    assert first.models.find("openai/text-embedding-3-small").supports("embeddings")
    assert len(first.models.by_provider("anthropic")) == 13  # other providers are kept

    later = client(server, tmp_path)
    assert later.models.source is None  # nothing loaded yet
    assert len(later.models) == len(first.models)
    assert later.models.source == "cache"
    assert [m.id for m in later.models.by_provider("openrouter")] == sorted(FAKE_MODELS)
    alias = later.models.aliases["claude-haiku-4-5"]
    assert alias["openrouter"] == "anthropic/claude-haiku-4.5"
    assert (
        "gpt-4o" not in later.models.aliases or "openrouter" not in later.models.aliases["gpt-4o"]
    )


async def test_arefresh_parses_the_real_catalog_shape(
    server: FakeOpenRouter, tmp_path: Path
) -> None:
    chosen = [e for e in catalog_entries("openrouter") if e["id"].startswith("anthropic/")]
    server.reply(Reply(body=openrouter_listing(chosen)), path="/models")
    registry = client(server, tmp_path).models
    await registry.arefresh()
    listed = registry.by_provider("openrouter")
    assert sorted(m.id for m in listed) == sorted(e["id"] for e in chosen)
    sonnet = registry.find("anthropic/claude-sonnet-4")
    assert sonnet.context_window == 1_000_000
    assert sonnet.top_provider is not None
    assert sonnet.top_provider.context_length == 200_000
    assert (sonnet.pricing.input, sonnet.pricing.output) == (3.0, 15.0)
    assert sonnet.family == "claude-sonnet"  # not in the live data: kept from the snapshot
    assert (tmp_path / "cache" / "models.json").is_file()


def test_refresh_adds_models_from_the_openai_listing_when_keyed(
    server: FakeOpenRouter, tmp_path: Path
) -> None:
    listing = openrouter_listing(catalog_entries("openrouter")[:3])  # skips here without fixtures

    def models(request: RecordedRequest) -> Reply:
        if request.query:  # OpenRouter asks for every output modality
            return Reply(body=listing)
        assert request.headers["authorization"] == "Bearer sk-openai-test"
        return Reply(body={"object": "list", "data": [{"id": "gpt-4.1-mini"}, {"id": "gpt-9"}]})

    server.route("/models", models)
    keyed = client(server, tmp_path, openai_api_key="sk-openai-test", openai_base_url=server.url)
    assert keyed.models.get("gpt-9", "openai") is None  # unknown (yet sent as given)
    keyed.models.refresh()
    assert len(server.requests) == 2
    assert keyed.models.find("gpt-9", "openai").id == "gpt-9"
    assert keyed.chat("gpt-9").model == "gpt-9"  # now found without provider=
    assert keyed.models.find("gpt-4.1-mini", "openai").context_window is not None  # kept


def test_only_the_providers_asked_for_are_refreshed(server: FakeOpenRouter, tmp_path: Path) -> None:
    keyed = client(server, tmp_path, openai_api_key="sk-openai-test", openai_base_url=server.url)
    keyed.models.refresh(providers=["openrouter"])
    assert [r.query for r in server.requests] == ["output_modalities=all"]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (error(500, "upstream is down"), pyllm.ServerError),
        (raw("{not json"), pyllm.InvalidResponseError),
        (raw("<html><title>Bad Gateway</title></html>", status=200), pyllm.InvalidResponseError),
        (raw({"data": []}), pyllm.InvalidResponseError),
        (raw({"error": "nope"}), pyllm.InvalidResponseError),
    ],
    ids=["500", "bad-json", "html", "empty", "no-data"],
)
def test_a_failed_refresh_keeps_the_old_data_and_raises_a_typed_error(
    server: FakeOpenRouter, tmp_path: Path, reply: Reply, expected: type[Exception]
) -> None:
    registry = client(server, tmp_path).models
    before = registry.find("anthropic/claude-haiku-4.5")
    server.reply(reply, path="/models")
    with pytest.raises(expected):
        registry.refresh()
    assert registry.source == "snapshot"
    assert len(registry) == 1637
    assert registry.find("anthropic/claude-haiku-4.5") is before
    assert not (tmp_path / "cache").exists()


async def test_a_refused_connection_keeps_the_old_data(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = pyllm.Client(
        openrouter_base_url=f"http://127.0.0.1:{port}/api/v1",
        models_cache_path=str(tmp_path / "models.json"),
        max_retries=0,
    )
    assert len(dead.models) == 1637
    with pytest.raises(pyllm.APIConnectionError):
        dead.models.refresh()
    with pytest.raises(pyllm.APIConnectionError):
        await dead.models.arefresh()
    assert dead.models.source == "snapshot"
    assert len(dead.models) == 1637
    assert not (tmp_path / "models.json").exists()
    await dead.aclose()


def test_a_cache_that_cannot_be_written_warns_but_the_refresh_holds(
    server: FakeOpenRouter, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    registry = server.client(models_cache_path=str(blocker / "models.json")).models
    with pytest.warns(RuntimeWarning, match="could not save the model cache"):
        registry.refresh()
    assert registry.source == "refresh"
    assert sorted(m.id for m in registry.by_provider("openrouter")) == sorted(FAKE_MODELS)


def test_changing_the_cache_path_reloads(server: FakeOpenRouter, tmp_path: Path) -> None:
    writer = client(server, tmp_path)
    writer.models.refresh()
    reader = pyllm.Client(
        openrouter_base_url=server.url, models_cache_path=str(tmp_path / "elsewhere.json")
    )
    assert reader.models.source is None
    assert len(reader.models) == 1637
    reader.configure(models_cache_path=str(tmp_path / "cache" / "models.json"))
    assert len(reader.models.by_provider("openrouter")) == len(FAKE_MODELS)
    assert reader.models.source == "cache"


# ---- aliases in requests, cost ------------------------------------------------------------


def test_an_alias_sends_the_providers_own_id(server: FakeOpenRouter, tmp_path: Path) -> None:
    explicit = client(server, tmp_path).chat("claude-haiku-4-5", provider="openrouter")
    explicit.ask("Hi")
    implicit = client(server, tmp_path).chat("claude-haiku-4-5")  # only an OpenRouter key
    implicit.ask("Hi")
    native = client(server, tmp_path).chat("claude-haiku-4-5-20251001")
    native.ask("Hi")
    variant = client(server, tmp_path).chat("anthropic/claude-haiku-4.5:online")
    variant.ask("Hi")
    sent = [r.json["model"] for r in server.requests]
    assert sent == ["anthropic/claude-haiku-4.5"] * 3 + ["anthropic/claude-haiku-4.5:online"]


def test_fallback_aliases_resolve_too(server: FakeOpenRouter, tmp_path: Path) -> None:
    chat = client(server, tmp_path).chat("openai/gpt-4.1-mini")
    chat.with_fallbacks("claude-haiku-4-5", "gemini-2.5-flash").ask("Hi")
    sent = server.requests[-1].json
    assert sent["models"] == [
        "openai/gpt-4.1-mini",
        "anthropic/claude-haiku-4.5",
        "google/gemini-2.5-flash",
    ]


USAGE = {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200}


def test_cost_is_reported_or_computed_and_summed(server: FakeOpenRouter, tmp_path: Path) -> None:
    chat = client(server, tmp_path).chat("claude-haiku-4-5")
    server.reply(text("one", usage=USAGE), text("two", usage={**USAGE, "cost": 0.25}))
    computed = chat.ask("first")
    assert computed.usage is not None
    assert (computed.usage.cost, computed.usage.cost_source) == (0.002, "registry")  # $1/$5 per M
    reported = chat.ask("second")
    assert reported.usage is not None
    assert (reported.usage.cost, reported.usage.cost_source) == (0.25, "provider")
    assert chat.cost == pytest.approx(0.252)
    assert chat.usage.input_tokens == 2000
    assert chat.usage.cost_source == "mixed"
    assert chat.messages[1] is computed  # the priced message is what the history holds


async def test_streamed_answers_are_priced_too(server: FakeOpenRouter, tmp_path: Path) -> None:
    server.reply(text("a b c", usage=USAGE), text("d e", usage=USAGE))
    chat = client(server, tmp_path).chat("anthropic/claude-haiku-4.5:nitro")
    "".join(chunk.content for chunk in chat.stream("first"))
    async with chat.astream("second") as stream:
        async for _ in stream:
            pass
    costs = [m.usage.cost for m in chat.messages if m.usage is not None]
    assert costs == [0.002, 0.002]
    assert chat.cost == pytest.approx(0.004)


def test_unknown_models_keep_cost_unknown(server: FakeOpenRouter, tmp_path: Path) -> None:
    server.reply(text("hi", usage=USAGE))
    chat = client(server, tmp_path).chat("acme/not-in-the-registry")
    reply = chat.ask("hi")
    assert reply.usage is not None
    assert reply.usage.cost is None
    assert chat.cost is None


def test_the_fake_catalog_lists_like_openrouter() -> None:
    def ids(query: str) -> list[str]:
        return [m["id"] for m in models_listing(query)["data"]]

    assert "openai/text-embedding-3-small" not in ids("")  # text models by default
    assert ids("output_modalities=embeddings") == ["openai/text-embedding-3-small"]
    assert ids("output_modalities=image") == ["google/gemini-2.5-flash-image"]
    assert ids("output_modalities=all") == list(FAKE_MODELS)
