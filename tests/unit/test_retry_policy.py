"""Retry-After beyond ``max_retry_wait``, nonsense values and ``retry-after-ms`` (issue 11, item 3)."""

from __future__ import annotations

import math

import pytest

import pyllm
from pyllm._engine.retry import RetryPolicy
from pyllm._headers import parse_retry_after

POLICY = RetryPolicy(max_retries=3, base_delay=1.0, max_retry_wait=60.0, jitter=False)


@pytest.mark.parametrize("retry_after", [60.5, 3600.0, 1e9, math.inf])
def test_a_wait_longer_than_max_retry_wait_gives_up_at_once(retry_after: float) -> None:
    wall = pyllm.RateLimitError("slow", status=429, retry_after=retry_after)
    assert POLICY.delay(wall, attempt=0, elapsed=0.0) is None


def test_a_wait_up_to_max_retry_wait_is_honoured() -> None:
    assert (
        POLICY.delay(pyllm.RateLimitError("x", status=429, retry_after=60), attempt=0, elapsed=0)
        == 60
    )
    assert (
        POLICY.delay(pyllm.ServerError("x", status=503, retry_after=0), attempt=0, elapsed=0) == 0
    )


@pytest.mark.parametrize("retry_after", [-1.0, -math.inf, math.nan])
def test_negative_and_nan_retry_after_count_as_absent(retry_after: float) -> None:
    error = pyllm.RateLimitError("slow", status=429, retry_after=retry_after)
    assert POLICY.delay(error, attempt=0, elapsed=0.0) == 1.0  # the backoff of attempt 0
    assert POLICY.delay(error, attempt=2, elapsed=0.0) == 4.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3600"}, 3600.0),
        ({"Retry-After": "inf"}, math.inf),
        ({"Retry-After": "1e9"}, 1e9),
        ({"Retry-After": "-5"}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "-5", "X-RateLimit-Reset": "7"}, 7.0),
        ({"X-RateLimit-Reset": "-3"}, None),
        ({"X-RateLimit-Reset": "nan"}, None),
        ({"retry-after-ms": "250"}, 0.25),
        ({"Retry-After-Ms": "1500", "Retry-After": "9"}, 1.5),  # the finer header wins
        ({"retry-after-ms": "-1", "Retry-After": "9"}, 9.0),
        ({"retry-after-ms": "soon", "Retry-After": "9"}, 9.0),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=1_700_000_000.0) == expected
