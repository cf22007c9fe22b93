"""What every route of a call with fallbacks answered, as carried by :class:`pyllm.Error`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._fallback import RouteAttempt

__all__ = ["RoutesTried"]


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
