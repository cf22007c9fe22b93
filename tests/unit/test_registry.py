"""The registry over the shipped data: aliases, lookups, queries, resolution, cost."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence

import pytest

import pyllm
from pyllm import Model, ModelNotFoundError, Models, Pricing, Usage
from pyllm._catalog import files
from pyllm._catalog import merge as merging
from pyllm._catalog.index import Catalog
from pyllm.registry import price_usage, resolve


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    models, _ = merging.load_models(None)
    return Catalog(models, files.read_aliases(), gateway=lambda: "openrouter")


@pytest.fixture(scope="module")
def everything(shipped: Catalog) -> Models:
    return Models(shipped.models, catalog=shipped)


# ---- aliases ------------------------------------------------------------------------------


def test_every_alias_target_exists_in_the_shipped_registry() -> None:
    raw = json.loads((files.DATA_DIR / "models.json").read_text(encoding="utf-8"))
    known = {(provider, row[0]) for provider, rows in raw["providers"].items() for row in rows}
    aliases = files.read_aliases()
    targets = [(p, i) for t in aliases.values() for p, i in t.items()]
    assert len(aliases) >= 100
    assert len(targets) >= 250
    assert [t for t in targets if t not in known] == []


def test_the_alias_table_is_what_was_shipped(shipped: Catalog) -> None:
    assert shipped.aliases == files.read_aliases()  # nothing filtered at load time
    assert shipped.aliases["claude-haiku-4-5"]["openrouter"] == "anthropic/claude-haiku-4.5"


# ---- find ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "provider", "expected"),
    [
        ("claude-haiku-4-5", "openrouter", ("openrouter", "anthropic/claude-haiku-4.5")),
        ("claude-haiku-4-5", None, ("openrouter", "anthropic/claude-haiku-4.5")),
        ("claude-haiku-4-5", "anthropic", ("anthropic", "claude-haiku-4-5")),
        ("claude-haiku-4-5-20251001", "openrouter", ("openrouter", "anthropic/claude-haiku-4.5")),
        ("anthropic/claude-haiku-4.5", "anthropic", ("anthropic", "claude-haiku-4-5-20251001")),
        ("openai/gpt-4.1-mini", "openai", ("openai", "gpt-4.1-mini")),
        ("gpt-4.1-mini", None, ("openrouter", "openai/gpt-4.1-mini")),
        ("claude-sonnet-4", None, ("openrouter", "anthropic/claude-sonnet-4")),  # by slug
        # OpenRouter before the other providers: what pyllm.chat(name) would use
        (
            "anthropic.claude-3-haiku-20240307-v1:0",
            None,
            ("openrouter", "anthropic/claude-3-haiku"),
        ),
        (
            "anthropic.claude-3-haiku-20240307-v1:0",
            "bedrock",
            ("bedrock", "anthropic.claude-3-haiku-20240307-v1:0"),
        ),
        ("c4ai-aya-expanse-8b", None, ("cohere", "c4ai-aya-expanse-8b")),  # only there
    ],
)
def test_find_by_id_alias_or_another_providers_id(
    everything: Models, name: str, provider: str | None, expected: tuple[str, str]
) -> None:
    model = everything.find(name, provider)
    assert (model.provider, model.id) == expected


def test_variants_take_their_base_models_data(everything: Models) -> None:
    base = everything.find("anthropic/claude-haiku-4.5")
    online = everything.find("anthropic/claude-haiku-4.5:online")
    assert online.id == "anthropic/claude-haiku-4.5:online"
    assert (online.context_window, online.pricing, online.capabilities) == (
        base.context_window,
        base.pricing,
        base.capabilities,
    )
    free = everything.find("claude-haiku-4-5:free", "openrouter")
    assert free.id == "anthropic/claude-haiku-4.5:free"
    assert (free.pricing.input, free.pricing.output) == (0.0, 0.0)


def test_listed_variants_keep_their_own_data(everything: Models) -> None:
    listed = everything.find("openai/gpt-oss-20b:free")
    assert listed.pricing.input == 0.0
    batch = everything.find("anthropic/claude-haiku-4.5:batch")
    assert batch.pricing.input == 0.5 != everything.find("anthropic/claude-haiku-4.5").pricing.input


def test_unknown_names_raise_with_suggestions(everything: Models) -> None:
    with pytest.raises(ModelNotFoundError) as caught:
        everything.find("claude-haiku-45")
    assert caught.value.suggestions[0] == "claude-haiku-4-5"
    assert str(caught.value).startswith(
        "unknown model 'claude-haiku-45'; did you mean 'claude-haiku-4-5'"
    )
    with pytest.raises(ModelNotFoundError) as on_provider:
        everything.find("gpt-4.1-mini-2", "openai")
    assert "on openai" in str(on_provider.value)
    assert all(everything.get(s, "openai") for s in on_provider.value.suggestions)
    with pytest.raises(ModelNotFoundError) as nothing_close:
        everything.find("zzzzzzzz")
    assert nothing_close.value.suggestions == ()
    assert everything.get("acme/unknown-model") is None  # find knows only listed models


def test_find_in_a_subset_searches_only_the_subset(everything: Models) -> None:
    anthropic = everything.by_provider("anthropic")
    assert anthropic.find("claude-haiku-4-5").provider == "anthropic"
    assert anthropic.get("gpt-4.1-mini") is None
    text_only = everything.embedding_models()
    assert text_only.get("claude-haiku-4-5") is None


# ---- queries ------------------------------------------------------------------------------


def test_kinds_of_models(everything: Models) -> None:
    chat, embed, image = (
        everything.chat_models(),
        everything.embedding_models(),
        everything.image_models(),
    )
    assert all("text" in m.output_modalities for m in chat)
    assert len(chat) > 800
    assert all(m.supports("embeddings") for m in embed)
    assert len(embed) >= 30
    assert all(m.supports("image_generation") for m in image)
    assert len(image) >= 30
    assert everything.find("openai/text-embedding-3-small") in embed
    assert everything.find("openai/text-embedding-3-small") not in chat


def test_queries_chain(everything: Models) -> None:
    chosen = (
        everything.chat_models()
        .by_provider("openrouter")
        .supporting("tools", "vision")
        .search("claude")
        .sort_by("input_price")
    )
    assert len(chosen) >= 5
    assert all(m.provider == "openrouter" and m.supports("tools", "vision") for m in chosen)
    assert all("claude" in m.id.lower() or "claude" in m.name.lower() for m in chosen)
    prices = [m.input_price for m in chosen if m.input_price is not None]
    assert prices == sorted(prices)
    assert isinstance(chosen[:2], Models)
    assert len(chosen[:2]) == 2
    assert chosen[0] is next(iter(chosen))


def test_by_family(everything: Models) -> None:
    haikus = everything.by_family("claude-haiku")
    assert {m.family for m in haikus} == {"claude-haiku"}
    assert "claude-haiku-4-5" in {m.id for m in haikus}


def test_sorting_puts_unknown_values_last_both_ways() -> None:
    few = Models(
        [
            Model("b", "x", pricing=Pricing(input=2.0)),
            Model("none", "x"),
            Model("a", "x", pricing=Pricing(input=1.0)),
        ]
    )
    assert [m.id for m in few.sort_by("input_price")] == ["a", "b", "none"]
    assert [m.id for m in few.sort_by("input_price", reverse=True)] == ["b", "a", "none"]
    with pytest.raises(ValueError, match="did you mean 'input_price'"):
        few.sort_by("input_prices")
    with pytest.raises(ValueError, match="unknown capability"):
        few.supporting("telepathy")


# ---- resolution ---------------------------------------------------------------------------

OR, OAI = ("openrouter",), ("openai",)
BOTH = ("openai", "openrouter")  # a client with both keys: the gateway comes last
LOCAL = ("local",)


@pytest.mark.parametrize(
    ("name", "provider", "configured", "expected"),
    [
        # explicit provider= wins, aliases become that provider's id
        ("claude-haiku-4-5", "openrouter", (), ("anthropic/claude-haiku-4.5", "openrouter")),
        ("claude-haiku-4-5", "openrouter", OAI, ("anthropic/claude-haiku-4.5", "openrouter")),
        ("gpt-4.1-mini", "openai", OR, ("gpt-4.1-mini", "openai")),
        ("openai/gpt-4.1-mini", "openai", OR, ("gpt-4.1-mini", "openai")),
        ("acme/brand-new:nitro", "openrouter", (), ("acme/brand-new:nitro", "openrouter")),
        ("llama3", "local", LOCAL, ("llama3", "local")),
        # vendor/model ids go to OpenRouter when it is configured or nothing is
        ("anthropic/claude-haiku-4.5", None, OR, ("anthropic/claude-haiku-4.5", "openrouter")),
        ("acme/brand-new:online", None, OR, ("acme/brand-new:online", "openrouter")),
        ("openai/gpt-4.1-mini", None, (), ("openai/gpt-4.1-mini", "openrouter")),
        ("openai/gpt-4.1-mini", None, BOTH, ("openai/gpt-4.1-mini", "openrouter")),
        ("openai/gpt-4.1-mini", None, OAI, ("gpt-4.1-mini", "openai")),
        # bare aliases and native ids: the first configured provider that knows the model
        ("claude-haiku-4-5", None, OR, ("anthropic/claude-haiku-4.5", "openrouter")),
        ("claude-haiku-4-5-20251001", None, OR, ("anthropic/claude-haiku-4.5", "openrouter")),
        ("gpt-4.1-mini", None, OR, ("openai/gpt-4.1-mini", "openrouter")),
        ("gpt-4.1-mini", None, OAI, ("gpt-4.1-mini", "openai")),
        ("gpt-4.1-mini", None, BOTH, ("gpt-4.1-mini", "openai")),
        ("gpt-4.1-mini", None, ("openrouter", "openai"), ("openai/gpt-4.1-mini", "openrouter")),
        ("claude-haiku-4-5", None, OAI, ("anthropic/claude-haiku-4.5", "openrouter")),
        ("claude-haiku-4-5", None, (), ("anthropic/claude-haiku-4.5", "openrouter")),
        ("claude-haiku-4-5:free", None, OR, ("anthropic/claude-haiku-4.5:free", "openrouter")),
        # registered custom providers come first but know no catalog model...
        (
            "claude-haiku-4-5",
            None,
            ("local", "openrouter"),
            ("anthropic/claude-haiku-4.5", "openrouter"),
        ),
        # ...so they take the names nobody knows
        ("llama3", None, ("local", "openrouter"), ("llama3", "local")),
    ],
)
def test_resolution_order(
    shipped: Catalog,
    name: str,
    provider: str | None,
    configured: Sequence[str],
    expected: tuple[str, str],
) -> None:
    custom = [p for p in configured if p == "local"]
    got = resolve(name, provider, configured=configured, custom=custom, catalog=lambda: shipped)
    assert got == expected


@pytest.mark.parametrize(
    ("name", "provider", "configured"),
    [
        ("claude-haiku-45", None, OR),
        ("claude-haiku-45", None, ()),
        ("claude-haiku-4-5", "openai", OAI),  # known, but not on that provider
        ("claude-haiku-4-5-20251001", "openai", OAI),  # the id of a model served elsewhere
        ("not-a-model", "openrouter", OR),  # OpenRouter ids always have a vendor
    ],
)
def test_unknown_names_do_not_resolve(
    shipped: Catalog, name: str, provider: str | None, configured: Sequence[str]
) -> None:
    with pytest.raises(ModelNotFoundError):
        resolve(name, provider, configured=configured, catalog=lambda: shipped)


@pytest.mark.parametrize(
    ("name", "provider"),
    [
        ("gpt-9-ultra", "openai"),  # newer than the registry
        ("o1-mini", "openai"),
        ("gpt-4o-audio-preview", "openai"),
        ("dall-e-3", "openai"),  # listed on azure only: the same id may well be OpenAI's
        ("llama3.2", "ollama"),  # a host the registry lists nothing of
        ("claude-haiku-4-5", "ollama"),  # ...serves whatever it serves, aliases included
    ],
)
def test_with_a_provider_an_id_the_registry_does_not_know_is_sent_as_given(
    shipped: Catalog, name: str, provider: str
) -> None:
    told: list[tuple[str, str]] = []
    got = resolve(
        name,
        provider,
        configured=OAI,
        catalog=lambda: shipped,
        unknown=lambda *said: told.append(said),
    )
    assert got == (name, provider)
    assert told == [(name, provider)]


def test_an_unknown_id_is_logged_once_per_registry(caplog: pytest.LogCaptureFixture) -> None:
    client = pyllm.Client(openai_api_key="sk-test")
    with caplog.at_level("DEBUG", logger="pyllm"):
        for _ in range(3):
            assert client.resolve("o1-mini", "openai") == ("o1-mini", "openai")
        client.resolve("gpt-4.1-mini", "openai")  # known: nothing to say
    said = [r.getMessage() for r in caplog.records if r.name == "pyllm"]
    assert said == [
        "'o1-mini' is not in the registry for openai: sent as given, capabilities unknown "
        "(pyllm.models.refresh() fetches new models)"
    ]
    assert caplog.records[0].levelname == "DEBUG"


def test_vendor_ids_on_openrouter_need_no_data() -> None:
    def no_data() -> Catalog:
        raise AssertionError("the registry should not load for this")

    assert resolve("a/b", None, configured=OR, catalog=no_data) == ("a/b", "openrouter")
    assert resolve("a/b:free", "openrouter", configured=(), catalog=no_data)[0] == "a/b:free"
    assert resolve("x", "local", configured=LOCAL, custom=LOCAL, catalog=no_data) == ("x", "local")


def test_a_direct_key_serves_its_models_before_the_gateway() -> None:
    both = pyllm.Client(openrouter_api_key="sk-or-test", openai_api_key="sk-test")
    assert both.configured_providers() == ["openai", "openrouter"]
    assert both.resolve("gpt-4.1-mini") == ("gpt-4.1-mini", "openai")
    assert both.resolve("claude-haiku-4-5") == ("anthropic/claude-haiku-4.5", "openrouter")
    assert both.resolve("openai/gpt-4.1-mini") == ("openai/gpt-4.1-mini", "openrouter")
    mistral = pyllm.Client(openrouter_api_key="sk-or-test", mistral_api_key="sk-m")
    assert mistral.resolve("mistral-large-2512") == ("mistral-large-2512", "mistral")


def test_clients_resolve_with_their_configured_keys() -> None:
    only_openrouter = pyllm.Client(openrouter_api_key="sk-or-test")
    assert only_openrouter.chat("claude-haiku-4-5").model == "anthropic/claude-haiku-4.5"
    only_openai = pyllm.Client(openai_api_key="sk-test")
    chat = only_openai.chat("gpt-4.1-mini")
    assert (chat.model, chat.provider) == ("gpt-4.1-mini", "openai")
    assert chat.with_model("openai/gpt-4o").model == "gpt-4o"
    with pytest.raises(ModelNotFoundError, match="did you mean"):
        only_openrouter.chat("claude-haiku-45")


# ---- cost ---------------------------------------------------------------------------------

HAIKU = Model(
    "anthropic/claude-haiku-4.5",
    "openrouter",
    pricing=Pricing(input=1.0, output=5.0, cached_input=0.1, cache_write=1.25),
)


@pytest.mark.parametrize(
    ("usage", "cost"),
    [
        (Usage(input_tokens=1_000_000), 1.0),
        (Usage(input_tokens=1000, output_tokens=100), 0.0015),
        # cached and written tokens are part of input_tokens, at their own prices
        (Usage(input_tokens=1000, cached_tokens=800, cache_write_tokens=100), 0.000305),
        (Usage(output_tokens=1000, reasoning_tokens=400), 0.005),
        (Usage(), 0.0),
    ],
)
def test_cost_from_registry_prices(usage: Usage, cost: float) -> None:
    priced = price_usage(HAIKU, usage)
    assert priced.cost == pytest.approx(cost, rel=1e-12)
    assert priced.cost_source == "registry"
    assert priced.input_tokens == usage.input_tokens


def test_reasoning_long_context_and_request_prices() -> None:
    pricing = Pricing(
        input=2.0,
        output=10.0,
        reasoning=20.0,
        request=0.001,
        long_context_threshold=100,
        long_context=Pricing(input=4.0, output=10.0),
    )
    model = Model("x/y", "openrouter", pricing=pricing)
    short = price_usage(model, Usage(input_tokens=100, output_tokens=50, reasoning_tokens=10))
    assert short.cost == pytest.approx((100 * 2 + 40 * 10 + 10 * 20) / 1e6 + 0.001)
    long = price_usage(model, Usage(input_tokens=101))
    assert long.cost == pytest.approx(101 * 4 / 1e6)


def test_reported_cost_wins_and_unknown_prices_give_no_cost() -> None:
    reported = Usage(input_tokens=10, cost=0.5, cost_source="provider")
    assert price_usage(HAIKU, reported) is reported
    plain = Usage(input_tokens=10, output_tokens=5)
    assert price_usage(None, plain) is plain
    assert price_usage(Model("x/y", "openrouter"), plain) is plain
    embedder = Model("e/m", "openrouter", pricing=Pricing(input=0.02))
    assert price_usage(embedder, Usage(input_tokens=1000)).cost == pytest.approx(0.00002)
    assert price_usage(embedder, plain) is plain  # output tokens with no output price


# ---- laziness -----------------------------------------------------------------------------


def test_import_loads_nothing_and_first_use_loads_the_registry(tmp_path: object) -> None:
    code = (
        "import sys, pyllm\n"
        "heavy = {'httpx', 'pyllm.registry', 'pyllm._catalog', 'pyllm.model'}\n"
        "assert not heavy & set(sys.modules), heavy & set(sys.modules)\n"
        "registry = pyllm.models\n"
        "assert repr(registry) == '<Registry: not loaded yet>', repr(registry)\n"
        "assert 'pyllm._catalog.files' not in sys.modules\n"
        "print(len(registry), registry.source, 'httpx' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["1637", "snapshot", "False"]
