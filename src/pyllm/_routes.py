"""Routes: a model on a provider, and what each route of a call answered. Values.

:class:`pyllm.Error` carries the routes a call with fallbacks tried (``error.attempts``), so
these live with the values, below the engine's :class:`~pyllm._engine.routing.Turn` that
decides which route comes next.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Route", "RouteAttempt", "RoutesTried"]


@dataclass(frozen=True, slots=True)
class Route:
    """A model on a provider: ``pyllm.Route("claude-haiku-4-5", "openrouter")``.

    ``provider=None`` lets pyllm choose as it does for ``pyllm.chat(model)``.
    """

    model: str
    provider: str | None = None

    def __str__(self) -> str:
        return f"{self.model} via {self.provider}" if self.provider else self.model


@dataclass(frozen=True, slots=True)
class RouteAttempt:
    """One route a call tried and the error it ended with (``error.attempts`` lists them).

    >>> from pyllm.errors import RateLimitError
    >>> str(RouteAttempt(Route("a/b", "openrouter"), RateLimitError("slow", status=429)))
    'a/b via openrouter: 429 RateLimitError: slow'
    """

    route: Route
    error: Exception

    def __str__(self) -> str:
        error = self.error
        code = getattr(error, "status", None)  # an APIError's HTTP status (errors import this)
        status = f"{code} " if code else ""
        text = getattr(error, "message", None) or BaseException.__str__(error)  # not the routes
        return f"{self.route}: {status}{type(error).__name__}: {text or 'no message given'}"


class RoutesTried:
    """Mixed into :class:`pyllm.Error`. ``attempts`` lists the routes a chat with fallbacks
    tried, in order, each with the error it ended with (the last is this error); the message
    names them all when there were several.

    >>> from pyllm import RateLimitError, Route, RouteAttempt
    >>> first, last = RateLimitError("slow", status=429), RateLimitError("full", status=429)
    >>> last.attempts = (RouteAttempt(Route("a/b"), first), RouteAttempt(Route("c/d"), last))
    >>> last.routes_tried()
    ' [every route failed: a/b: 429 RateLimitError: slow; c/d: 429 RateLimitError: full]'
    """

    attempts: tuple[RouteAttempt, ...] = ()

    def __str__(self) -> str:
        return super().__str__() + self.routes_tried()

    def routes_tried(self) -> str:
        """The routes tried, for the message (``""`` unless there were several)."""
        if len(self.attempts) < 2:
            return ""
        return f" [every route failed: {'; '.join(map(str, self.attempts))}]"
