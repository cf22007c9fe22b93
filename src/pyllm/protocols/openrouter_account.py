"""OpenRouter's account routes, read: ``GET /key``, ``GET /credits``, ``GET /generation``.
Pure and lenient like every parser here: a field that is missing or of the wrong type is
``None``, and unknown fields stay in ``raw``; a body that is no ``{"data": {...}}`` object is an
:class:`~pyllm.InvalidResponseError`.

>>> parse_credits({"data": {"total_credits": 100.5, "total_usage": 25.75}}).remaining
74.75
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .._account import Credits, GenerationStats, KeyInfo, RateLimit
from ..errors import InvalidResponseError
from .base import as_float

__all__ = ["parse_credits", "parse_generation", "parse_key"]

_PROVIDER = "openrouter"


def parse_key(body: Any) -> KeyInfo:
    """``GET /key`` (or the older ``/auth/key``)."""
    data = _data(body, "key")
    limits = data.get("rate_limit")
    rate_limit = None
    if isinstance(limits, Mapping):
        rate_limit = RateLimit(_int(limits.get("requests")), _str(limits.get("interval")))
    return KeyInfo(
        label=_str(data.get("label")),
        limit=as_float(data.get("limit")),
        usage=as_float(data.get("usage")),
        limit_remaining=_money(data.get("limit_remaining")),
        limit_reset=_str(data.get("limit_reset")),
        is_free_tier=_bool(data.get("is_free_tier")),
        rate_limit=rate_limit,
        usage_daily=as_float(data.get("usage_daily")),
        usage_weekly=as_float(data.get("usage_weekly")),
        usage_monthly=as_float(data.get("usage_monthly")),
        expires_at=_time(data.get("expires_at")),
        raw=body,
    )


def parse_credits(body: Any) -> Credits:
    """``GET /credits``."""
    data = _data(body, "credits")
    return Credits(
        total=_money(data.get("total_credits")) or 0.0,
        used=_money(data.get("total_usage")) or 0.0,
        raw=body,
    )


def parse_generation(body: Any) -> GenerationStats:
    """``GET /generation?id=...``."""
    data = _data(body, "generation")
    return GenerationStats(
        id=_str(data.get("id")) or "",
        model=_str(data.get("model")),
        upstream=_str(data.get("provider_name")),
        total_cost=as_float(data.get("total_cost")),
        cache_discount=_money(data.get("cache_discount")),
        upstream_cost=as_float(data.get("upstream_inference_cost")),
        latency_ms=as_float(data.get("latency")),
        generation_time_ms=as_float(data.get("generation_time")),
        tokens_prompt=_int(data.get("tokens_prompt")),
        tokens_completion=_int(data.get("tokens_completion")),
        native_tokens_prompt=_int(data.get("native_tokens_prompt")),
        native_tokens_completion=_int(data.get("native_tokens_completion")),
        native_tokens_reasoning=_int(data.get("native_tokens_reasoning")),
        native_tokens_cached=_int(data.get("native_tokens_cached")),
        finish_reason=_str(data.get("finish_reason")),
        native_finish_reason=_str(data.get("native_finish_reason")),
        streamed=_bool(data.get("streamed")),
        cancelled=_bool(data.get("cancelled")),
        is_byok=_bool(data.get("is_byok")),
        web_searches=_int(data.get("num_search_results")),
        created_at=_time(data.get("created_at")),
        raw=body,
    )


def _data(body: Any, what: str) -> Mapping[str, Any]:
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, Mapping):
        raise InvalidResponseError(
            f"the {what} answer is not an object with a 'data' object",
            status=200,
            provider=_PROVIDER,
            raw=body,
        )
    return data


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if float(value).is_integer() else None


def _money(value: Any) -> float | None:
    """An amount that may be negative (a balance, a discount), as a finite float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
