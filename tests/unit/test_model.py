"""Model values: variants, capabilities, prices."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from pyllm.model import (
    CAPABILITIES,
    Model,
    Pricing,
    TopProvider,
    derive_capabilities,
    split_variant,
)


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("anthropic/claude-haiku-4.5", ("anthropic/claude-haiku-4.5", "")),
        ("anthropic/claude-haiku-4.5:online", ("anthropic/claude-haiku-4.5", ":online")),
        ("openai/gpt-oss-20b:free:online", ("openai/gpt-oss-20b", ":free:online")),
        (
            "x/y:nitro:floor:exacto:extended:thinking",
            ("x/y", ":nitro:floor:exacto:extended:thinking"),
        ),
        ("anthropic.claude-3-haiku-20240307-v1:0", ("anthropic.claude-3-haiku-20240307-v1:0", "")),
        ("x/y:unknown", ("x/y:unknown", "")),
        ("x/y:unknown:free", ("x/y:unknown", ":free")),
        (":free", (":free", "")),
    ],
)
def test_split_variant_only_splits_known_suffixes(model_id: str, expected: tuple[str, str]) -> None:
    assert split_variant(model_id) == expected


def test_capabilities_follow_modalities_and_openrouter_parameters() -> None:
    found = derive_capabilities(
        ["text", "image", "file", "audio"],
        ["text", "image"],
        ["tools", "tool_choice", "structured_outputs", "response_format", "include_reasoning"],
    )
    assert found == {
        "vision",
        "pdf",
        "audio_input",
        "streaming",
        "image_generation",
        "tools",
        "tool_choice",
        "structured_output",
        "json_mode",
        "reasoning",
    }
    assert derive_capabilities(["text"], ["embeddings"], ["max_tokens", "seed"]) == {"embeddings"}
    assert set(found) <= set(CAPABILITIES)


def test_supports_needs_every_capability_and_rejects_typos() -> None:
    model = Model("x/y", "openrouter", capabilities=frozenset({"tools", "vision"}))
    assert model.supports("tools", "vision")
    assert not model.supports("tools", "reasoning")
    with pytest.raises(ValueError, match="did you mean 'reasoning'"):
        model.supports("reasonning")


def test_long_context_prices_apply_above_the_threshold() -> None:
    long = Pricing(input=6.0, output=22.5)
    pricing = Pricing(input=3.0, output=15.0, long_context_threshold=200_000, long_context=long)
    assert pricing.for_prompt(200_000) is pricing
    assert pricing.for_prompt(200_001) is long
    assert Pricing(input=1.0).for_prompt(10**9).input == 1.0


def test_to_dict_is_json_ready() -> None:
    model = Model(
        "anthropic/claude-sonnet-4",
        "openrouter",
        context_window=1_000_000,
        capabilities=frozenset({"vision", "tools"}),
        pricing=Pricing(input=3.0, long_context_threshold=200_000, long_context=Pricing(input=6.0)),
        created_at=datetime(2025, 5, 22, tzinfo=timezone.utc),
        top_provider=TopProvider(200_000, 64_000, True),
    )
    data = json.loads(json.dumps(model.to_dict()))
    assert data["capabilities"] == ["tools", "vision"]
    assert data["pricing"] == {
        "input": 3.0,
        "long_context_threshold": 200_000,
        "long_context": {"input": 6.0},
    }
    assert data["created_at"] == "2025-05-22T00:00:00+00:00"
    assert data["top_provider"] == {
        "context_length": 200_000,
        "max_completion_tokens": 64_000,
        "is_moderated": True,
    }
    assert data["context_window"] == 1_000_000
