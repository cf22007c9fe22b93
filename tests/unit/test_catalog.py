"""The registry's data: parsing OpenRouter's live ``/models``, the file format, the cache."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pyllm._catalog import codec, files
from pyllm._catalog import merge as merging
from pyllm.errors import InvalidResponseError
from pyllm.model import Model, Pricing
from pyllm.protocols import model_listings as listing
from tests.conftest import ROOT
from tests.registry_fixtures import catalog_entries, openrouter_listing, registry_dir


@pytest.fixture(scope="module")
def snapshot() -> list[Model]:
    models, source = merging.load_models(None)
    assert source == "snapshot"
    return models


# ---- OpenRouter's live shape --------------------------------------------------------------


def test_parsing_the_real_models_shape_gives_the_shipped_snapshot(snapshot: list[Model]) -> None:
    """Every OpenRouter model of the real catalog, listed the way GET /models lists it, parses
    to what the bundled snapshot says: a refresh changes nothing when nothing changed."""
    parsed = {m.id: m for m in listing.parse_openrouter_models(openrouter_listing())}
    shipped = {m.id: m for m in snapshot if m.provider == "openrouter"}
    assert parsed.keys() == shipped.keys()
    assert len(parsed) == 526
    for model_id, live in parsed.items():
        known = shipped[model_id]
        assert live.context_window == known.context_window, model_id
        assert live.top_provider == known.top_provider, model_id
        assert (live.input_modalities, live.output_modalities) == (
            known.input_modalities,
            known.output_modalities,
        ), model_id
        assert live.capabilities == known.capabilities, model_id
        assert live.supported_parameters == known.supported_parameters, model_id
        assert live.created_at == known.created_at, model_id
        for name in ("input", "output", "cached_input", "cache_write", "long_context_threshold"):
            assert getattr(live.pricing, name) == getattr(known.pricing, name), (model_id, name)
        if known.top_provider and known.top_provider.max_completion_tokens:
            assert live.max_output_tokens == known.max_output_tokens, model_id


def test_model_level_context_and_top_provider_limits_stay_apart() -> None:
    entry = next(e for e in catalog_entries("openrouter") if e["id"] == "anthropic/claude-sonnet-4")
    (model,) = listing.parse_openrouter_models(openrouter_listing([entry]))
    assert model.context_window == 1_000_000
    assert model.top_provider is not None
    assert model.top_provider.context_length == 200_000
    assert model.top_provider.max_completion_tokens == model.max_output_tokens == 64_000
    assert model.pricing.long_context_threshold == 200_000
    assert model.pricing.long_context is not None
    assert model.pricing.long_context.input == 6.0
    assert model.pricing.input == 3.0


def test_prices_are_exact_per_million_numbers() -> None:
    pricing = listing.parse_openrouter_pricing(
        {
            "prompt": "0.000003",
            "completion": "0.000015",
            "input_cache_read": "0.0000003",
            "input_cache_write": "0.00000375",
            "internal_reasoning": "0",
            "request": "0.005",
            "image": "0",
            "web_search": "0.01",
            "audio": "not a price",
        }
    )
    assert (pricing.input, pricing.output) == (3.0, 15.0)
    assert (pricing.cached_input, pricing.cache_write) == (0.3, 3.75)
    assert pricing.reasoning is None  # "0" there means "billed as output", not "free"
    assert (pricing.request, pricing.web_search, pricing.per_image) == (0.005, 0.01, None)
    assert pricing.audio_input is None


def test_free_models_cost_zero_and_router_placeholders_are_unknown() -> None:
    free = listing.parse_openrouter_pricing({"prompt": "0", "completion": "0"})
    assert (free.input, free.output) == (0.0, 0.0)
    router = listing.parse_openrouter_pricing({"prompt": "-1", "completion": "-1"})
    assert (router.input, router.output) == (None, None)


def test_time_windowed_overrides_are_not_a_long_context_tier() -> None:
    pricing = listing.parse_openrouter_pricing(
        {
            "prompt": "0.000001",
            "overrides": [
                {"utc_start": "0100", "utc_end": "0500", "prompt": "0.0000005"},
                {"min_prompt_tokens": 300000, "prompt": "0.000004"},
                {"min_prompt_tokens": 128000, "prompt": "0.000002"},
            ],
        }
    )
    assert pricing.long_context_threshold == 128000
    assert pricing.long_context == Pricing(input=2.0)


def test_entries_are_parsed_defensively() -> None:
    body = {
        "data": [
            "junk",
            {"name": "no id"},
            {
                "id": "acme/bare",
                "architecture": {"modality": "text+image->text"},
                "supported_parameters": {"seed": {"type": "boolean"}},
                "context_length": None,
                "created": "yesterday",
                "top_provider": None,
                "pricing": None,
            },
        ]
    }
    (model,) = listing.parse_openrouter_models(body)
    assert model.input_modalities == ("text", "image")
    assert model.supported_parameters == ("seed",)
    assert model.capabilities == {"vision", "streaming"}
    assert (model.context_window, model.created_at, model.top_provider) == (None, None, None)
    assert model.pricing == Pricing()


@pytest.mark.parametrize(
    "body", [None, [], {"models": []}, {"data": "x"}, {"data": []}, {"data": [{"name": "x"}]}]
)
def test_a_listing_without_models_is_an_invalid_response(body: object) -> None:
    with pytest.raises(InvalidResponseError) as caught:
        listing.parse_openrouter_models(body)
    assert caught.value.provider == "openrouter"


def test_openai_style_listings_give_ids_and_dates() -> None:
    body = {"object": "list", "data": [{"id": "gpt-new", "created": 1700000000, "owned_by": "x"}]}
    (model,) = listing.parse_model_ids(body, "openai")
    assert (model.id, model.provider) == ("gpt-new", "openai")
    assert model.created_at == datetime.fromtimestamp(1700000000, timezone.utc)


def test_the_fake_servers_rendering_parses_back(snapshot: list[Model]) -> None:
    for model in (m for m in snapshot if m.provider == "openrouter"):
        (parsed,) = listing.parse_openrouter_models(
            {"data": [listing.render_openrouter_model(model)]}
        )
        assert parsed.pricing == model.pricing, model.id
        assert parsed.capabilities == model.capabilities, model.id
        assert parsed.top_provider == model.top_provider, model.id


# ---- merging ------------------------------------------------------------------------------


def test_openrouter_listing_replaces_its_models_and_keeps_what_it_does_not_say() -> None:
    old = [
        Model("a/kept", "openrouter", family="fam", context_window=1),
        Model("a/gone", "openrouter"),
        Model("gpt-x", "openai"),
    ]
    live = [Model("a/kept", "openrouter", context_window=2), Model("a/new", "openrouter")]
    merged = {
        (m.provider, m.id): m for m in merging.merge(old, "openrouter", live, authoritative=True)
    }
    assert set(merged) == {("openrouter", "a/kept"), ("openrouter", "a/new"), ("openai", "gpt-x")}
    assert merged["openrouter", "a/kept"].context_window == 2
    assert merged["openrouter", "a/kept"].family == "fam"


def test_id_listings_only_add_models() -> None:
    old = [Model("gpt-x", "openai", context_window=5), Model("a/b", "openrouter")]
    listed = [Model("gpt-x", "openai"), Model("gpt-new", "openai")]
    merged = merging.merge(old, "openai", listed, authoritative=False)
    assert [m.id for m in merged] == ["gpt-x", "a/b", "gpt-new"]
    assert merged[0].context_window == 5


# ---- the file format and the cache --------------------------------------------------------


def test_the_file_format_round_trips(snapshot: list[Model]) -> None:
    assert codec.decode(json.loads(codec.dumps(codec.encode(snapshot)))) == snapshot


def test_the_shipped_snapshot_is_what_the_build_script_makes(tmp_path: Path) -> None:
    source = registry_dir()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "build_registry.py"),
            "--source",
            str(source),
            "--out",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    for name in ("models.json", "aliases.json"):
        assert (tmp_path / name).read_bytes() == (files.DATA_DIR / name).read_bytes(), name


def test_the_shipped_data_is_compact(snapshot: list[Model]) -> None:
    assert (files.DATA_DIR / "models.json").stat().st_size < 300_000
    assert len(snapshot) == 1637


OPENROUTER = "https://openrouter.ai/api/v1"


def test_cache_round_trip(tmp_path: Path, snapshot: list[Model]) -> None:
    path = tmp_path / "deep" / "er" / "models.json"
    chosen = [
        replace(m, name=m.name + " (cached)") for m in snapshot if m.provider == "openrouter"
    ][:40]
    files.write_listings(path, {("openrouter", OPENROUTER): chosen})
    models, source = merging.load_models(path, lambda: {"openrouter": OPENROUTER})
    assert source == "cache"
    assert [m for m in models if m.provider == "openrouter"] == sorted(chosen, key=lambda m: m.id)
    assert [m for m in models if m.provider != "openrouter"] == [
        m for m in snapshot if m.provider != "openrouter"
    ]  # other providers: the snapshot, in its order
    assert [p.name for p in path.parent.iterdir()] == ["models.json"]  # no temporary left


@pytest.mark.parametrize(
    "content",
    [b"", b"   \n", b"{not json", b"[]", b'{"format": 99}', b"\xff\xfe", b'{"format": 2}'],
    ids=["empty", "blank", "corrupt", "list", "other-format", "binary", "truncated"],
)
def test_an_unusable_cache_is_ignored_with_a_warning(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "models.json"
    path.write_bytes(content)
    with pytest.warns(RuntimeWarning, match="ignoring the pyllm model cache"):
        models, source = merging.load_models(path, lambda: {"openrouter": OPENROUTER})
    assert source == "snapshot"
    assert len(models) == 1637


def test_a_missing_cache_is_silent(tmp_path: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, source = merging.load_models(tmp_path / "nothing-here.json")
    assert source == "snapshot"
    # only pyllm's own warnings count (a ResourceWarning from an earlier test's garbage may land here)
    assert [w for w in caught if issubclass(w.category, RuntimeWarning)] == []


@pytest.mark.parametrize(
    ("environ", "platform", "expected"),
    [
        ({"HOME": "/home/u"}, "linux", "/home/u/.cache/pyllm/models.json"),
        ({"HOME": "/home/u", "XDG_CACHE_HOME": "/xdg"}, "linux", "/xdg/pyllm/models.json"),
        ({"HOME": "/Users/u"}, "darwin", "/Users/u/Library/Caches/pyllm/models.json"),
        ({"LOCALAPPDATA": "C:/AppData/Local"}, "win32", "C:/AppData/Local/pyllm/Cache/models.json"),
    ],
)
def test_default_cache_path_per_platform(
    environ: dict[str, str], platform: str, expected: str
) -> None:
    assert files.default_cache_path(environ, platform).as_posix() == expected


def test_a_repeated_id_in_a_listing_is_kept_once() -> None:
    listed = [Model("a/b", "openrouter", name="first"), Model("a/b", "openrouter", name="second")]
    merged = merging.merge([], "openrouter", listed, authoritative=True)
    assert [(m.id, m.name) for m in merged] == [("a/b", "second")]
