"""OpenRouter's account routes read leniently, and the poll of a fresh generation, by hand."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from pyllm import InvalidResponseError, NotFoundError, ServerError
from pyllm._engine.polling import poll_flow
from pyllm._engine.retry import Deadline, RetryPolicy
from pyllm._engine.steps import Send, Sent, Wait
from pyllm.openrouter import Credits, RateLimit
from pyllm.protocols.openrouter_account import parse_credits, parse_generation, parse_key
from pyllm.providers import OpenAICompatible

KEY = {
    "data": {
        "label": "sk-or-v1-0e6...1c96",
        "limit": 50.0,
        "limit_remaining": 37.25,
        "limit_reset": "monthly",
        "usage": 12.75,
        "usage_daily": 0.5,
        "usage_weekly": 3.1,
        "usage_monthly": 12.75,
        "is_free_tier": False,
        "expires_at": "2027-01-01T00:00:00Z",
        "rate_limit": {"requests": 1000, "interval": "1h", "note": "deprecated"},
        "byok_usage": 0,
    }
}


def test_key_info_from_the_documented_record() -> None:
    key = parse_key(KEY)
    assert (key.label, key.limit, key.limit_remaining, key.usage) == (
        "sk-or-v1-0e6...1c96",
        50.0,
        37.25,
        12.75,
    )
    assert key.limit_reset == "monthly" and key.is_free_tier is False
    assert key.rate_limit == RateLimit(1000, "1h")
    assert key.expires_at == datetime(2027, 1, 1, tzinfo=timezone.utc)
    assert key.raw == KEY  # every field, byok_usage too


def test_an_unlimited_older_key_record() -> None:
    key = parse_key({"data": {"label": "x", "limit": None, "usage": 0, "is_free_tier": True}})
    assert key.limit is None and key.limit_remaining is None and key.is_free_tier is True
    assert key.rate_limit is None and key.expires_at is None


def test_credits_and_a_negative_balance() -> None:
    assert parse_credits({"data": {"total_credits": 100.5, "total_usage": 25.75}}) == Credits(
        100.5, 25.75
    )
    assert parse_credits({"data": {"total_credits": 10, "total_usage": "12.5"}}).remaining == -2.5


def test_generation_stats() -> None:
    stats = parse_generation(
        {
            "data": {
                "id": "gen-1",
                "model": "anthropic/claude-4.5-haiku-20251001",
                "provider_name": "Amazon Bedrock",
                "total_cost": 0.0012,
                "cache_discount": -0.0003,
                "latency": 812,
                "generation_time": 1534.5,
                "native_tokens_prompt": 1200,
                "native_tokens_completion": 88,
                "native_tokens_reasoning": 0,
                "native_tokens_cached": 1024,
                "finish_reason": "stop",
                "native_finish_reason": "end_turn",
                "streamed": True,
                "num_search_results": 5,
                "created_at": "2026-08-19T14:34:40.123Z",
                "brand_new_field": 1,
            }
        }
    )
    assert (stats.id, stats.upstream, stats.total_cost, stats.cache_discount) == (
        "gen-1",
        "Amazon Bedrock",
        0.0012,
        -0.0003,
    )
    assert (stats.latency_ms, stats.generation_time_ms) == (812.0, 1534.5)
    assert (stats.native_tokens_prompt, stats.native_tokens_cached) == (1200, 1024)
    assert stats.finish_reason == "stop" and stats.streamed is True and stats.web_searches == 5
    assert stats.created_at is not None and stats.created_at.year == 2026
    assert stats.raw["data"]["brand_new_field"] == 1


@pytest.mark.parametrize("body", [{"data": None}, [], "nope", {"error": "x"}])
def test_a_body_without_data_is_an_invalid_response(body: object) -> None:
    with pytest.raises(InvalidResponseError, match="'data' object"):
        parse_generation(body)


def test_wrong_types_are_none_not_crashes() -> None:
    stats = parse_generation({"data": {"id": 5, "latency": "fast", "streamed": "yes"}})
    assert (stats.id, stats.latency_ms, stats.streamed) == ("", None, None)


SEND = Send(
    OpenAICompatible("x", base_url="http://127.0.0.1:9"),
    "/generation?id=gen-1",
    None,
    None,
    Deadline(None),
    method="GET",
)
NO_RETRY = RetryPolicy(max_retries=1, base_delay=0.01, jitter=False)


def not_yet() -> Sent:
    return Sent(error=NotFoundError("Generation gen-1 not found", status=404))


def test_a_404_is_asked_again_with_growing_waits_until_the_record_exists() -> None:
    flow = poll_flow(SEND, NO_RETRY, patience=10.0)
    assert next(flow) is SEND
    waits = []
    for _ in range(4):
        wait = flow.send(not_yet())
        waits.append(wait)
        assert flow.send(None) is SEND
    assert waits == [Wait(0.25), Wait(0.5), Wait(1.0), Wait(1.0)]
    with pytest.raises(StopIteration) as done:
        flow.send(Sent({"data": {"id": "gen-1"}}))
    assert done.value.value == {"data": {"id": "gen-1"}}


def test_other_errors_keep_their_own_retries() -> None:
    flow = poll_flow(SEND, NO_RETRY, patience=10.0)
    next(flow)
    assert flow.send(Sent(error=ServerError("down", status=500))) == Wait(0.01)
    again = flow.send(None)
    assert again == dataclasses.replace(SEND, attempt=2)  # the same request, its second attempt
    with pytest.raises(ServerError):
        flow.send(Sent(error=ServerError("down", status=500)))


def test_patience_runs_out_and_the_404_says_what_to_do() -> None:
    flow = poll_flow(SEND, NO_RETRY, patience=0.0, hint="check the id")
    next(flow)
    with pytest.raises(NotFoundError) as raised:
        flow.send(not_yet())
    assert str(raised.value).endswith("-- check the id")
