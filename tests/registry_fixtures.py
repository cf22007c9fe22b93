"""The real catalog snapshot in ``../shared/fixtures/registry``, and OpenRouter's live
``GET /models`` shape rebuilt from it (per-token price strings, ``created`` as Unix time)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import fixtures_dir

_PRICE_KEYS = {
    "input_per_million": "prompt",
    "output_per_million": "completion",
    "cache_read_input_per_million": "input_cache_read",
    "cache_write_input_per_million": "input_cache_write",
    "reasoning_output_per_million": "internal_reasoning",
}


def registry_dir() -> Path:
    """``../shared/fixtures/registry``, or skip the test saying why."""
    found = fixtures_dir()
    if found is None or not (found / "registry" / "models.json").is_file():
        pytest.skip("no ../shared/fixtures/registry (set PYLLM_FIXTURES to the fixtures dir)")
    return found / "registry"


@lru_cache(maxsize=1)
def _entries(path: Path) -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(path.read_text(encoding="utf-8")))


def catalog_entries(provider: str | None = None) -> list[dict[str, Any]]:
    """The fixture's models.dev-shaped entries (of one provider)."""
    entries = _entries(registry_dir() / "models.json")
    return [e for e in entries if provider is None or e["provider"] == provider]


def _per_token(per_million: float) -> str:
    return format(Decimal(str(per_million)) / 1_000_000, "f")


def _prices(tier: dict[str, Any]) -> dict[str, str]:
    return {_PRICE_KEYS[k]: _per_token(v) for k, v in tier.items() if k in _PRICE_KEYS}


def live_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """One fixture OpenRouter entry as OpenRouter's live ``GET /models`` lists it."""
    meta = entry["metadata"]
    text = entry["pricing"].get("text_tokens") or {}
    pricing: dict[str, Any] = _prices(text.get("standard") or {})
    if "long_context_threshold" in text:
        override = {"min_prompt_tokens": text["long_context_threshold"]}
        pricing["overrides"] = [{**override, **_prices(text["long_context"])}]
    created = datetime.strptime(entry["created_at"], "%Y-%m-%d %H:%M:%S UTC")
    return {
        "id": entry["id"],
        "canonical_slug": entry["id"],
        "name": entry["name"],
        "created": int(created.replace(tzinfo=timezone.utc).timestamp()),
        "description": meta.get("description", ""),
        "context_length": entry["context_window"],
        "architecture": meta["architecture"],
        "pricing": pricing,
        "top_provider": meta["top_provider"],
        "per_request_limits": meta.get("per_request_limits"),
        "supported_parameters": meta["supported_parameters"],
        "knowledge_cutoff": entry.get("knowledge_cutoff"),
    }


def openrouter_listing(entries: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A ``GET /models`` body for ``entries`` (default: every OpenRouter model of the fixture)."""
    chosen = catalog_entries("openrouter") if entries is None else entries
    data = [live_entry(e) for e in chosen]
    return {"data": data, "total_count": len(data), "links": {"next": None}}
