"""A registry built without a client: from a provider directory and the cache path setting.
Pure units: the directory is a plain object, the cache a real temporary file (issue 12)."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

import pyllm
from pyllm import Model, ModelNotFoundError, Pricing, Registry
from pyllm._catalog.directory import HttpDirectory, Listing, ProviderNames
from pyllm._catalog.index import Catalog
from pyllm.providers import OpenAI, OpenAICompatible, OpenRouter, Provider, builtin_gateway

SNAPSHOT = 1637  # every bundled model
BUILTIN = ProviderNames(("openrouter", "openai"))
OPENROUTER_URL = "https://openrouter.ai/api/v1"
OPENAI_URL = "https://api.openai.com/v1"


class Directory:
    """A ProviderDirectory as plain data; it records what the registry asked."""

    def __init__(
        self,
        names: ProviderNames = BUILTIN,
        base_urls: Mapping[str, str] | None = None,
        listings: Iterable[Listing] = (),
        failure: Exception | None = None,
    ) -> None:
        self.provider_names = names
        self.urls = dict(base_urls or {"openrouter": OPENROUTER_URL, "openai": OPENAI_URL})
        self.live = list(listings)
        self.failure = failure
        self.asked: list[Any] = []

    def names(self) -> ProviderNames:
        return self.provider_names

    def base_urls(self) -> Mapping[str, str]:
        self.asked.append("base_urls")
        return self.urls

    def listings(self, providers: Iterable[str] | None) -> list[Listing]:
        self.asked.append(("listings", None if providers is None else list(providers)))
        if self.failure is not None:
            raise self.failure
        return self.live

    async def alistings(self, providers: Iterable[str] | None) -> list[Listing]:
        return self.listings(providers)


def live(provider: str, base_url: str, *models: Model, complete: bool = True) -> Listing:
    return Listing(provider, base_url, models, complete)


def test_a_registry_needs_no_client(tmp_path: Path) -> None:
    registry = Registry(Directory(), cache_path=tmp_path / "models.json")
    assert repr(registry) == "<Registry: not loaded yet>"
    assert len(registry) == SNAPSHOT
    assert registry.source == "snapshot"
    assert registry.find("claude-haiku-4-5").id == "anthropic/claude-haiku-4.5"
    assert registry.cache_path == tmp_path / "models.json"


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ((), ("openrouter", "openai/gpt-4.1-mini")),
        (("openai",), ("openai", "gpt-4.1-mini")),
        (("openai", "openrouter"), ("openai", "gpt-4.1-mini")),
    ],
)
def test_lookups_follow_the_directorys_configured_providers(
    tmp_path: Path, configured: tuple[str, ...], expected: tuple[str, str]
) -> None:
    names = ProviderNames(("openrouter", "openai"), (), configured)
    registry = Registry(Directory(names), cache_path=tmp_path / "models.json")
    found = registry.find("gpt-4.1-mini")
    assert (found.provider, found.id) == expected
    assert registry.resolve("gpt-4.1-mini") == expected[::-1]


def test_registered_providers_take_names_nobody_knows(tmp_path: Path) -> None:
    names = ProviderNames(("openrouter", "openai"), ("local",), ("local", "openrouter"))
    registry = Registry(Directory(names), cache_path=tmp_path / "models.json")
    assert registry.resolve("llama3") == ("llama3", "local")
    assert registry.resolve("anything at all", "local") == ("anything at all", "local")


def test_not_found_hints_use_the_directorys_names(tmp_path: Path) -> None:
    keyless = Registry(
        Directory(ProviderNames(("openrouter", "openai"))), cache_path=tmp_path / "c"
    )
    with pytest.raises(ModelNotFoundError, match="set OPENAI_API_KEY to use it"):
        keyless.find("gpt-4.1-mini", "bedrock")
    unshipped = Registry(Directory(ProviderNames()), cache_path=tmp_path / "c")
    with pytest.raises(ModelNotFoundError) as caught:
        unshipped.find("gpt-4.1-mini", "bedrock")
    assert "OPENAI_API_KEY" not in str(caught.value)  # no built-in provider, no key to name


def test_the_cache_path_setting_is_read_when_used(tmp_path: Path) -> None:
    setting: list[str | None] = [str(tmp_path / "first.json")]
    registry = Registry(Directory(), cache_path=lambda: setting[0])
    assert registry.cache_path == tmp_path / "first.json"
    setting[0] = str(tmp_path / "second.json")
    assert registry.cache_path == tmp_path / "second.json"
    setting[0] = None
    assert registry.cache_path.name == "models.json"  # the platform's cache directory
    assert registry.cache_path.parent.name in {"pyllm", "Cache"}


def test_a_refresh_merges_the_listings_and_caches_them_by_base_url(tmp_path: Path) -> None:
    cache = tmp_path / "models.json"
    fresh = Model("acme/new-model", "openrouter", context_window=7)
    directory = Directory(
        listings=[
            live("openrouter", OPENROUTER_URL, fresh),
            live("openai", OPENAI_URL, Model("gpt-brand-new", "openai"), complete=False),
        ]
    )
    registry = Registry(directory, cache_path=cache)
    assert registry.refresh(providers=["openrouter", "openai"]) is registry
    assert directory.asked == [("listings", ["openrouter", "openai"])]
    assert registry.source == "refresh"
    assert [m.id for m in registry.by_provider("openrouter")] == ["acme/new-model"]
    assert registry.find("gpt-brand-new", "openai").id == "gpt-brand-new"  # added...
    assert registry.find("gpt-4.1-mini", "openai").context_window is not None  # ...kept
    assert cache.is_file()

    same_urls = Registry(Directory(), cache_path=cache)
    assert same_urls.find("acme/new-model").context_window == 7
    assert same_urls.source == "cache"
    elsewhere = Directory(base_urls={"openrouter": "http://127.0.0.1:9/v1", "openai": OPENAI_URL})
    other = Registry(elsewhere, cache_path=cache)
    assert other.get("acme/new-model") is None  # that listing was for another base URL
    assert other.get("gpt-brand-new", "openai") is not None
    assert other.source == "cache"


async def test_a_failed_refresh_changes_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "models.json"
    failure = pyllm.InvalidResponseError("the model listing is empty", provider="openrouter")
    registry = Registry(Directory(failure=failure), cache_path=cache)
    before = registry.find("anthropic/claude-haiku-4.5")
    with pytest.raises(pyllm.InvalidResponseError):
        registry.refresh()
    with pytest.raises(pyllm.InvalidResponseError):
        await registry.arefresh()
    assert registry.find("anthropic/claude-haiku-4.5") is before
    assert registry.source == "snapshot"
    assert not cache.exists()


async def test_arefresh_installs_like_refresh(tmp_path: Path) -> None:
    listing = live("openrouter", OPENROUTER_URL, Model("acme/async-model", "openrouter"))
    registry = Registry(Directory(listings=[listing]), cache_path=tmp_path / "models.json")
    await registry.arefresh()
    assert [m.id for m in registry.by_provider("openrouter")] == ["acme/async-model"]


def test_base_urls_are_asked_only_when_the_cache_has_listings(tmp_path: Path) -> None:
    directory = Directory()
    Registry(directory, cache_path=tmp_path / "none.json").find("claude-haiku-4-5")
    assert directory.asked == []


# ---- the HTTP directory: which providers a refresh lists, and how -------------------------


class Recorder:
    """Stands in for the session's plain ``request`` (a pure unit: no sockets here; the e2e
    refresh tests go through the fake server)."""

    def __init__(self, bodies: Mapping[str, Any]) -> None:
        self.bodies = bodies
        self.calls: list[tuple[str, str, str, bool]] = []

    def __call__(self, provider: Provider, path: str, *, method: str, authenticated: bool) -> Any:
        self.calls.append((provider.name, method, path, authenticated))
        return self.bodies[provider.name]

    async def acall(
        self, provider: Provider, path: str, *, method: str, authenticated: bool
    ) -> Any:
        return self(provider, path, method=method, authenticated=authenticated)


ROUTER_BODY = {"data": [{"id": "acme/x", "name": "X", "pricing": {"prompt": "0.000001"}}]}
IDS_BODY = {"data": [{"id": "gpt-x", "created": 1700000000}]}


def http_directory(
    names: ProviderNames, recorder: Recorder, *custom: Provider
) -> tuple[HttpDirectory, dict[str, Provider]]:
    providers: dict[str, Provider] = {
        "openrouter": OpenRouter.from_settings(pyllm.config.Settings()),
        "openai": OpenAI.from_settings(pyllm.config.Settings()),
        **{p.name: p for p in custom},
    }
    directory = HttpDirectory(lambda: names, providers.__getitem__, recorder, recorder.acall)
    return directory, providers


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ((), [("openrouter", "GET", "/models?output_modalities=all", False)]),
        (
            ("openai",),
            [
                ("openrouter", "GET", "/models?output_modalities=all", False),
                ("openai", "GET", "/models", True),
            ],
        ),
    ],
)
def test_a_default_refresh_lists_public_and_keyed_builtin_providers(
    configured: tuple[str, ...], expected: list[tuple[str, str, str, bool]]
) -> None:
    recorder = Recorder({"openrouter": ROUTER_BODY, "openai": IDS_BODY})
    directory, _ = http_directory(ProviderNames(("openrouter", "openai"), (), configured), recorder)
    listings = directory.listings(None)
    assert recorder.calls == expected
    assert listings[0] == Listing(
        "openrouter",
        OPENROUTER_URL,
        tuple(OpenRouter.from_settings(pyllm.config.Settings()).parse_models(ROUTER_BODY)),
        True,
    )
    if len(listings) > 1:
        assert [(m.provider, m.id) for m in listings[1].models] == [("openai", "gpt-x")]
        assert listings[1].complete is False


async def test_asked_providers_are_listed_once_each_and_registered_ones_too() -> None:
    local = OpenAICompatible("local", base_url="http://127.0.0.1:8000/v1")
    recorder = Recorder({"local": IDS_BODY, "openrouter": ROUTER_BODY})
    names = ProviderNames(("openrouter", "openai"), ("local",), ("local",))
    directory, _ = http_directory(names, recorder, local)
    listings = await directory.alistings(["local", "local", "openrouter"])
    assert [c[0] for c in recorder.calls] == ["local", "openrouter"]
    assert (listings[0].provider, listings[0].base_url) == ("local", "http://127.0.0.1:8000/v1")
    assert directory.base_urls() == {
        "openrouter": OPENROUTER_URL,
        "openai": OPENAI_URL,
        "local": "http://127.0.0.1:8000/v1",
    }
    recorder.calls.clear()
    await directory.alistings(None)
    assert [c[0] for c in recorder.calls] == ["openrouter"]  # registered ones: only when asked


# ---- what providers declare -----------------------------------------------------------------


def test_providers_parse_their_own_listings() -> None:
    settings = pyllm.config.Settings()
    (rich,) = OpenRouter.from_settings(settings).parse_models(ROUTER_BODY)
    assert (rich.provider, rich.name, rich.pricing) == ("openrouter", "X", Pricing(input=1.0))
    (plain,) = OpenAI.from_settings(settings).parse_models(IDS_BODY)
    assert (plain.provider, plain.id, plain.created_at is not None) == ("openai", "gpt-x", True)
    local = OpenAICompatible("local", base_url="http://127.0.0.1:8000/v1")
    assert [m.provider for m in local.parse_models(IDS_BODY)] == ["local"]
    with pytest.raises(pyllm.InvalidResponseError, match='no "data" list'):
        local.parse_models({"models": []})


def test_the_gateway_is_what_the_providers_declare() -> None:
    assert builtin_gateway() == "openrouter"
    assert OpenRouter.gateway and not OpenAI.gateway and not OpenAICompatible.gateway
    models = [Model("acme/thing", "hub"), Model("acme/thing", "openrouter")]
    declared = Catalog(models, {}, gateway=lambda: "hub")
    assert declared.translate("thing:free", "hub") == "acme/thing:free"  # slug + variant
    assert declared.translate("thing", "openrouter") is None  # not the gateway here
    assert declared.order(["openai"]) == ("openai", "hub", "openrouter")
    variant = declared.model("hub", "acme/thing:free")
    assert variant is not None and variant.pricing.input == 0.0
    assert Catalog(models, {}, gateway=lambda: None).order(()) == ("hub", "openrouter")


CATALOG_CODE = [
    Path(pyllm.__file__).parent / "registry.py",
    *sorted((Path(pyllm.__file__).parent / "_catalog").glob("*.py")),
]


@pytest.mark.parametrize("path", CATALOG_CODE, ids=lambda p: p.name)
def test_the_catalog_code_names_no_provider(path: Path) -> None:
    """Provider names live on providers; docstrings may show them in examples."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list) or not body:
            continue
        if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body.pop(0)  # a docstring (or a bare constant: nothing to check either way)
    code = ast.unparse(tree).lower()
    assert "openrouter" not in code and '"openai"' not in code
