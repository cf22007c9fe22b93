"""Issue 11, item 12: a cost or token count that is NaN, infinite, negative, a boolean or text
that is no number counts as absent, so it can never poison ``chat.cost`` or a usage sum.

(Through real sockets, blocking and streamed: tests/reliability/scenarios.py.)
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from pyllm._engine.sse import ServerSentEvent
from pyllm.protocols.embeddings import parse_embeddings
from pyllm.protocols.openrouter import OpenRouterDialect

OR = OpenRouterDialect("openrouter")

BAD_COSTS = [math.nan, math.inf, -math.inf, -0.5, True, "NaN", "inf", "-1", "cheap", [1], {}]
BAD_COUNTS = [-3, -3.0, math.nan, math.inf, 2.5, True, "-3", "NaN", "²", [1], {}]


def _usage(**values: Any) -> dict[str, Any]:
    return {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15, "cost": 0.5, **values}


@pytest.mark.parametrize("cost", BAD_COSTS, ids=repr)
def test_a_bad_cost_counts_as_absent(cost: Any) -> None:
    usage = OR.parse_usage(_usage(cost=cost))
    assert usage is not None
    assert usage.cost is None and usage.cost_source is None
    assert (usage.input_tokens, usage.output_tokens) == (10, 5)


@pytest.mark.parametrize("count", BAD_COUNTS, ids=repr)
@pytest.mark.parametrize("field", ["prompt_tokens", "completion_tokens", "total_tokens"])
def test_a_bad_token_count_counts_as_absent(field: str, count: Any) -> None:
    usage = OR.parse_usage(_usage(**{field: count}))
    assert usage is not None
    counts = {"prompt_tokens": usage.input_tokens, "completion_tokens": usage.output_tokens}
    counts["total_tokens"] = usage.total_tokens
    assert counts[field] == (15 if field == "total_tokens" else 0)  # a missing total is summed
    assert usage.cost == 0.5


@pytest.mark.parametrize("count", BAD_COUNTS[:4], ids=repr)
def test_bad_detail_counts_count_as_absent(count: Any) -> None:
    usage = OR.parse_usage(
        _usage(
            prompt_tokens_details={"cached_tokens": count, "cache_write_tokens": count},
            completion_tokens_details={"reasoning_tokens": count},
        )
    )
    assert usage is not None
    assert (usage.cached_tokens, usage.cache_write_tokens, usage.reasoning_tokens) == (0, 0, 0)


def test_good_values_are_kept_whatever_their_spelling() -> None:
    usage = OR.parse_usage(_usage(prompt_tokens="12", completion_tokens=3.0, cost="0.25"))
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens, usage.cost) == (12, 3, 0.25)
    assert OR.parse_usage(_usage(cost=0)).cost == 0.0  # type: ignore[union-attr]


def test_a_streamed_usage_chunk_is_checked_the_same_way() -> None:
    event = {"choices": [], "usage": _usage(cost=math.nan, completion_tokens=-7)}
    chunk = OR.parse_event(ServerSentEvent(json.dumps(event)))
    assert chunk is not None and chunk.usage is not None
    assert chunk.usage.cost is None and chunk.usage.output_tokens == 0


@pytest.mark.parametrize("cost", [math.nan, -1.0, "inf"], ids=repr)
def test_an_embeddings_cost_is_checked_the_same_way(cost: Any) -> None:
    body = {
        "data": [{"index": 0, "embedding": [0.1, 0.2]}],
        "usage": {"prompt_tokens": -4, "cost": cost},
    }
    batch = parse_embeddings(body, "openrouter")
    assert batch.cost is None and batch.input_tokens == 0
