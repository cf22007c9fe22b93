"""Cost from registry prices, for answers whose provider reported none. Pure.

``pyllm.registry.price_usage`` re-exports :func:`price_usage`.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .message import Usage
    from .model import Model, Pricing

__all__ = ["price_usage"]


def price_usage(model: Model | None, usage: Usage) -> Usage:
    """``usage`` with ``cost`` computed from ``model``'s prices when the provider reported none:
    tokens (cache reads and writes at their own prices), plus the request and each web search.

    >>> from pyllm import Model, Pricing, Usage
    >>> m = Model("x/y", "openrouter", pricing=Pricing(input=1.0, output=5.0))
    >>> priced = price_usage(m, Usage(input_tokens=1000, output_tokens=200))
    >>> priced.cost, priced.cost_source
    (0.002, 'registry')
    """
    if usage.cost is not None or model is None:
        return usage
    cost = _cost(model.pricing.for_prompt(usage.input_tokens), usage)
    return usage if cost is None else replace(usage, cost=cost, cost_source="registry")


def _cost(p: Pricing, usage: Usage) -> float | None:
    if p.input is None and p.output is None:
        return None
    cached = min(usage.cached_tokens, usage.input_tokens)
    written = min(usage.cache_write_tokens, usage.input_tokens - cached)
    reasoning = min(usage.reasoning_tokens, usage.output_tokens)
    parts = [
        (usage.input_tokens - cached - written, p.input),
        (cached, p.cached_input if p.cached_input is not None else p.input),
        (written, p.cache_write if p.cache_write is not None else p.input),
        (usage.output_tokens - reasoning, p.output),
        (reasoning, p.reasoning if p.reasoning is not None else p.output),
    ]
    if any(tokens and price is None for tokens, price in parts):
        return None  # tokens of a kind the registry has no price for
    searches = usage.web_search_requests
    if searches and p.web_search is None:
        return None  # web searches, billed apart, at a price the registry does not know
    total = math.fsum(tokens * (price or 0.0) for tokens, price in parts) / 1_000_000
    return round(total + (p.request or 0.0) + searches * (p.web_search or 0.0), 12)
