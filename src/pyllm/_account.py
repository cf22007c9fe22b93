"""What OpenRouter says about your key, your credits and one generation: :class:`KeyInfo`,
:class:`Credits`, :class:`GenerationStats` (``client.openrouter.key()``, ``.credits()``,
``.generation(id)``; ``pyllm.openrouter`` exports them). Pure values; amounts in USD.

>>> Credits(total=100.5, used=25.75).remaining
74.75
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Credits", "GenerationStats", "KeyInfo", "RateLimit"]


@dataclass(frozen=True, slots=True)
class RateLimit:
    """The key's request rate limit as OpenRouter reports it (a legacy field: OpenRouter says
    it is safe to ignore; ``requests`` may be ``-1``)."""

    requests: int | None = None
    interval: str | None = None


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """The calling key (``GET /key``): its ``label``, spending ``limit`` (``None``: no limit),
    what it has spent (``usage``; daily, weekly and monthly too), what is left of the limit
    (``limit_remaining``), when the limit resets (``limit_reset``, e.g. ``"monthly"``), whether
    it is a free-tier key, its rate limit, and when it expires. ``raw`` is the whole record."""

    label: str | None = None
    limit: float | None = None
    usage: float | None = None
    limit_remaining: float | None = None
    limit_reset: str | None = None
    is_free_tier: bool | None = None
    rate_limit: RateLimit | None = None
    usage_daily: float | None = None
    usage_weekly: float | None = None
    usage_monthly: float | None = None
    expires_at: datetime | None = None
    raw: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Credits:
    """The account's credits (``GET /credits``): bought in ``total``, spent in ``used``.

    >>> Credits(total=10.0, used=12.5).remaining   # a negative balance stays negative
    -2.5
    """

    total: float = 0.0
    used: float = 0.0
    raw: Any = field(default=None, compare=False, repr=False)

    @property
    def remaining(self) -> float:
        """``total - used``, rounded to the micro-dollar (no float noise)."""
        return round(self.total - self.used, 6)


@dataclass(frozen=True, slots=True)
class GenerationStats:
    """OpenRouter's record of one generation (``GET /generation?id=...``).

    ``total_cost`` is what it cost (USD), ``cache_discount`` what prompt caching saved;
    ``upstream`` who served it; ``latency_ms`` the time to the first token and
    ``generation_time_ms`` the time generating, in milliseconds; the ``native_tokens_*``
    counts are the upstream tokenizer's (the ones ``usage`` reports), the ``tokens_*`` ones a
    normalized count; ``web_searches`` the web search results it used. ``raw`` holds every
    field OpenRouter sent (there are many more).
    """

    id: str
    model: str | None = None
    upstream: str | None = None
    total_cost: float | None = None
    cache_discount: float | None = None
    upstream_cost: float | None = None
    latency_ms: float | None = None
    generation_time_ms: float | None = None
    tokens_prompt: int | None = None
    tokens_completion: int | None = None
    native_tokens_prompt: int | None = None
    native_tokens_completion: int | None = None
    native_tokens_reasoning: int | None = None
    native_tokens_cached: int | None = None
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    streamed: bool | None = None
    cancelled: bool | None = None
    is_byok: bool | None = None
    web_searches: int | None = None
    created_at: datetime | None = None
    raw: Any = field(default=None, compare=False, repr=False)
