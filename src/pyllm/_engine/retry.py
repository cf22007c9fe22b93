"""When to try a request again, and how long to wait first. Pure; the one retry policy.

>>> policy = RetryPolicy(max_retries=2, base_delay=1.0, jitter=False)
>>> from pyllm.errors import RateLimitError, BadRequestError
>>> policy.delay(RateLimitError("slow", status=429, retry_after=3.0), attempt=0, elapsed=0.0)
3.0
>>> policy.delay(BadRequestError("bad", status=400), attempt=0, elapsed=0.0) is None
True
>>> policy.delay(RateLimitError("wall", status=429, retry_after=3600.0), attempt=0, elapsed=0.0)
>>> # None: a wait beyond max_retry_wait is not worth it; the error is raised at once
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import APIConnectionError, APIError, APITimeoutError, Error

__all__ = [
    "RETRYABLE_STATUSES",
    "Attempts",
    "Deadline",
    "RetryPolicy",
    "is_retryable",
    "policy_from",
]

if TYPE_CHECKING:
    from ..config import Settings

logger = logging.getLogger("pyllm")

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 524, 529})
"""Statuses worth another try. Never retried: 400, 401, 402, 403, 404, 413 and friends."""


def is_retryable(error: Error) -> bool:
    """Connection failures, timeouts and the statuses in :data:`RETRYABLE_STATUSES`."""
    if isinstance(error, APIConnectionError):
        return True
    return isinstance(error, APIError) and error.status in RETRYABLE_STATUSES


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Jittered exponential backoff that honours ``Retry-After``, within a total budget.

    ``max_retries`` extra attempts at most; no retry is started that would end after
    ``budget_s`` seconds from the first attempt. A server asking for a longer wait than
    ``max_retry_wait`` is not retried at all: the error is raised at once (``retry_after`` set)
    so fallbacks can take over. A negative or NaN ``retry_after`` counts as absent (backoff).
    """

    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_wait: float = 60.0
    budget_s: float = 120.0
    jitter: bool = True

    def delay(self, error: Error, *, attempt: int, elapsed: float) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or ``None`` to give up."""
        if attempt >= self.max_retries or not is_retryable(error):
            return None
        retry_after = error.retry_after if isinstance(error, APIError) else None
        if retry_after is not None and retry_after >= 0:  # False for NaN
            if retry_after > self.max_retry_wait:
                return None  # the same wall again after the wait: let fallbacks take over
            wait = retry_after
        else:
            backoff = min(self.max_delay, self.base_delay * (2**attempt))
            wait = random.uniform(backoff / 2, backoff) if self.jitter else backoff
        if elapsed + wait > self.budget_s:
            return None
        return wait


def policy_from(settings: Settings) -> RetryPolicy:
    """The retry policy ``settings`` describe (``max_retries``, ``retry_backoff``...)."""
    return RetryPolicy(
        max_retries=settings.max_retries,
        base_delay=settings.retry_backoff,
        max_retry_wait=settings.max_retry_wait,
        budget_s=settings.retry_budget_s,
    )


class Deadline:
    """The end of a call's total time budget (``None``: no total timeout).

    >>> Deadline(None).remaining() is None
    True
    >>> 0 < Deadline(5.0).remaining() <= 5.0
    True
    """

    __slots__ = ("at", "total")

    def __init__(self, total: float | None) -> None:
        self.total = total
        self.at = time.monotonic() + total if total is not None else None

    def remaining(self) -> float | None:
        return None if self.at is None else self.at - time.monotonic()

    def expired(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0

    def error(self, url: str) -> APITimeoutError:
        return APITimeoutError(f"the total timeout of {self.total:g}s ran out talking to {url}")


class Attempts:
    """The attempts of one call: asks the policy how long to wait after each failure, and
    never waits past the deadline."""

    __slots__ = ("attempt", "deadline", "policy", "started")

    def __init__(self, policy: RetryPolicy, deadline: Deadline) -> None:
        self.policy = policy
        self.deadline = deadline
        self.attempt = 0
        self.started = time.monotonic()

    def wait_after(self, error: Error) -> float | None:
        """Seconds to wait before trying again, or ``None`` to give up with ``error``."""
        wait = self.policy.delay(
            error, attempt=self.attempt, elapsed=time.monotonic() - self.started
        )
        left = self.deadline.remaining()
        if wait is None or (left is not None and wait >= left):
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("not retrying %s: %s", type(error).__name__, self._why_not(error))
            return None
        self.attempt += 1
        retries = self.policy.max_retries
        logger.info(
            "retrying in %.2fs after %s (retry %d of %d)",
            wait,
            type(error).__name__,
            self.attempt,
            retries,
        )
        return wait

    def _why_not(self, error: Error) -> str:
        """Why no retry follows ``error``, for the DEBUG log."""
        policy = self.policy
        retry_after = error.retry_after if isinstance(error, APIError) else None
        if not is_retryable(error):
            return "not a retryable error"
        if self.attempt >= policy.max_retries:
            return f"max_retries ({policy.max_retries}) reached"
        if retry_after is not None and retry_after > policy.max_retry_wait:
            return f"the server asks to wait {retry_after:g}s, over max_retry_wait"
        return "the wait would pass the retry budget or the total timeout"
