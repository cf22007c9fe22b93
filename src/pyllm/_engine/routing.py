"""Which model answers: the route to try, retries on it, then the fallbacks. Pure.

A chat's routes are its model first, then ``with_fallbacks(...)`` in order. While consecutive
routes are on one provider that falls back on its own side (``Provider.server_fallbacks``:
OpenRouter's ``models`` list), one request carries them all (retried per policy). When it still
fails with a fallback-worthy error, every other model of that list is tried client-side, once
each, in order; then the routes after the run (another provider, or the same model through
another route). When every route fails, the error raised
is the last one; its ``attempts`` say what each route answered and ``__context__`` chains them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from .._routes import Route, RouteAttempt
from ..errors import APIConnectionError, APIError, Error, InvalidResponseError, NotFoundError
from .retry import Attempts, Deadline, RetryPolicy

__all__ = ["Route", "RouteAttempt", "Turn", "should_fall_back"]

logger = logging.getLogger("pyllm")

_NO_ENDPOINTS = re.compile(
    r"no endpoints|no allowed providers|model_unavailable|no_endpoints", re.I
)


def should_fall_back(error: Exception) -> bool:
    """Rate limits, server errors, timeouts, dropped connections and "no endpoints" 404s are
    worth another model; bad requests, auth, payment and permission errors are not."""
    if isinstance(error, APIConnectionError):
        return True
    if isinstance(error, NotFoundError):
        return bool(_NO_ENDPOINTS.search(error.message))
    if isinstance(error, InvalidResponseError) or not isinstance(error, APIError):
        return False
    status = error.status or 0
    return status in (408, 429) or 500 <= status <= 599


def _no_fallback(error: Exception, reached_caller: bool, more: bool, deadline: Deadline) -> str:
    """Why no other route is tried after ``error`` (``""``: one is)."""
    if reached_caller:
        return "part of the answer already reached the caller"
    if not more:
        return "no other route left"
    if not should_fall_back(error):
        return "another route would not help"
    if deadline.expired():
        return "the total timeout ran out"
    return ""


class Turn:
    """Getting one assistant message: retries per route, then the next route."""

    __slots__ = (
        "_once_until",
        "attempts",
        "deadline",
        "failures",
        "index",
        "on_fallback",
        "policy",
        "routes",
        "server_fallbacks",
    )

    def __init__(
        self,
        routes: Sequence[Route],
        policy: RetryPolicy,
        deadline: Deadline,
        on_fallback: Sequence[Callable[[Exception, Route, Route], Any]] = (),
        server_fallbacks: Callable[[Route], bool] = lambda route: False,
    ) -> None:
        """``server_fallbacks(route)`` says whether the route's provider falls back to other
        models listed in one request itself."""
        if not routes:
            raise ValueError("a turn needs at least one route")
        self.routes = list(routes)
        self.policy = policy
        self.deadline = deadline
        self.on_fallback = on_fallback
        self.server_fallbacks = server_fallbacks
        self.index = 0
        self.attempts = Attempts(policy, deadline)
        self.failures: list[RouteAttempt] = []
        self._once_until = 0  # routes before this index are the rest of a failed models list

    @property
    def route(self) -> Route:
        return self.routes[self.index]

    def _run_end(self) -> int:
        """The index after the run of routes on the current route's provider, when that
        provider falls back on its own side (else the next index)."""
        end = self.index + 1
        route = self.route
        if end < len(self.routes) and end > self._once_until and self.server_fallbacks(route):
            while end < len(self.routes) and self.routes[end].provider == route.provider:
                end += 1
        return end

    def server_models(self) -> tuple[str, ...]:
        """Fallback models the provider should try itself within the current request."""
        return tuple(r.model for r in self.routes[self.index + 1 : self._run_end()])

    def on_error(self, error: Exception, *, reached_caller: bool = False) -> float | None:
        """Seconds to wait before the next attempt (on the same or the next route), or ``None``
        to give up with ``error``. Nothing is retried once output reached the caller."""
        wait = None
        if not reached_caller and isinstance(error, Error):
            wait = self.attempts.wait_after(error)
        if wait is not None:
            return wait
        self._record(error)
        following = self.index + 1
        why = _no_fallback(error, reached_caller, following < len(self.routes), self.deadline)
        if why:
            logger.debug("giving up after %s: %s", type(error).__name__, why)
            return None
        logger.debug(
            "falling back from %s to %s after %s",
            self.route,
            self.routes[following],
            type(error).__name__,
        )
        for hook in self.on_fallback:
            hook(error, self.route, self.routes[following])
        self._once_until = max(self._once_until, self._run_end())
        self.index = following
        once = self.index < self._once_until  # OpenRouter already had its go at this one
        policy = replace(self.policy, max_retries=0) if once else self.policy
        self.attempts = Attempts(policy, self.deadline)
        return 0.0

    def _record(self, error: Exception) -> None:
        """Note what the current route answered; chain it to the previous route's error."""
        if self.failures:
            error.__context__ = self.failures[-1].error
            if error.__cause__ is None:
                error.__suppress_context__ = False
        self.failures.append(RouteAttempt(self.route, error))
        if isinstance(error, Error):
            error.attempts = tuple(self.failures)
