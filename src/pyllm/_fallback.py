"""Which model answers: the route to try, retries on it, then the fallbacks. Pure.

A chat's routes are its model first, then ``with_fallbacks(...)`` in order. While consecutive
routes are on OpenRouter, one request carries them all in OpenRouter's server-side ``models``
list; when it still fails with a fallback-worthy error, the next route after that run is tried
client-side (another provider, or the same model through another route).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ._retry import Attempts, Deadline, RetryPolicy
from .errors import APIConnectionError, APIError, InvalidResponseError, NotFoundError

__all__ = ["Route", "Turn", "should_fall_back"]

SERVER_SIDE = "openrouter"
_NO_ENDPOINTS = re.compile(
    r"no endpoints|no allowed providers|model_unavailable|no_endpoints", re.I
)


@dataclass(frozen=True, slots=True)
class Route:
    """A model on a provider: ``pyllm.Route("claude-haiku-4-5", "openrouter")``.

    ``provider=None`` lets pyllm choose as it does for ``pyllm.chat(model)``.
    """

    model: str
    provider: str | None = None

    def __str__(self) -> str:
        return f"{self.model} via {self.provider}" if self.provider else self.model


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


class Turn:
    """Getting one assistant message: retries per route, then the next route."""

    def __init__(
        self,
        routes: Sequence[Route],
        policy: RetryPolicy,
        deadline: Deadline,
        on_fallback: Sequence[Callable[[Exception, Route, Route], Any]] = (),
    ) -> None:
        if not routes:
            raise ValueError("a turn needs at least one route")
        self.routes = list(routes)
        self.policy = policy
        self.deadline = deadline
        self.on_fallback = on_fallback
        self.index = 0
        self.attempts = Attempts(policy, deadline)

    @property
    def route(self) -> Route:
        return self.routes[self.index]

    def _run_end(self) -> int:
        """The index after the run of server-side routes that starts at the current one."""
        end = self.index + 1
        if self.route.provider == SERVER_SIDE:
            while end < len(self.routes) and self.routes[end].provider == SERVER_SIDE:
                end += 1
        return end

    def server_models(self) -> tuple[str, ...]:
        """Fallback models OpenRouter should try within the current request."""
        return tuple(r.model for r in self.routes[self.index + 1 : self._run_end()])

    def on_error(self, error: Exception, *, reached_caller: bool = False) -> float | None:
        """Seconds to wait before the next attempt (on the same or the next route), or ``None``
        to give up with ``error``. Nothing is retried once output reached the caller."""
        if reached_caller or not isinstance(error, Exception):
            return None
        from .errors import Error

        wait = self.attempts.wait_after(error) if isinstance(error, Error) else None
        if wait is not None:
            return wait
        following = self._run_end()
        if following >= len(self.routes) or not should_fall_back(error) or self.deadline.expired():
            return None
        for hook in self.on_fallback:
            hook(error, self.route, self.routes[following])
        self.index = following
        self.attempts = Attempts(self.policy, self.deadline)
        return 0.0
