"""The fake Anthropic's model catalog: ``GET /models`` (paginated like the real API, newest
first, with ``limit``, ``after_id`` and ``before_id``) and ``GET /models/{id}``, built from the
Anthropic models of pyllm's bundled registry."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import parse_qs

from .._catalog.files import read_snapshot

__all__ = ["anthropic_models", "models_page"]


@cache
def anthropic_models() -> tuple[dict[str, Any], ...]:
    """The listed models (the registry's, without its "(latest)" aliases), newest first."""
    known = [
        m
        for m in read_snapshot()
        if m.provider == "anthropic" and m.created_at is not None and "(latest)" not in m.name
    ]
    known.sort(key=lambda m: (m.created_at, m.id), reverse=True)
    return tuple(
        {
            "type": "model",
            "id": m.id,
            "display_name": m.name,
            "created_at": f"{m.created_at:%Y-%m-%dT%H:%M:%SZ}",
            "max_input_tokens": m.context_window,
            "max_tokens": m.max_output_tokens,
        }
        for m in known
    )


def models_page(query: str) -> tuple[int, dict[str, Any] | str]:
    """``(200, the page)`` for a ``GET /models`` query, or ``(400, what is wrong)``."""
    params = {name: values[-1] for name, values in parse_qs(query).items()}
    raw_limit = params.get("limit", "20")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 1000:
        return 400, f"limit: Input should be a whole number from 1 to 1000, got {raw_limit!r}"
    limit = int(raw_limit)
    models = list(anthropic_models())
    ids = [model["id"] for model in models]
    for cursor in ("after_id", "before_id"):
        if cursor in params and params[cursor] not in ids:
            return 400, f"{cursor}: no model with id {params[cursor]!r}"
    if "before_id" in params:
        before = models[: ids.index(params["before_id"])]
        data, more = before[-limit:], len(before) > limit
    else:
        start = ids.index(params["after_id"]) + 1 if "after_id" in params else 0
        data, more = models[start : start + limit], len(models) > start + limit
    return 200, {
        "data": data,
        "has_more": more,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }
