"""What observers are told: a :class:`RequestEvent` after each HTTP attempt. Values.

``client.on_request(fn)`` and ``chat.on_request(fn)`` call ``fn(event)`` after every attempt a
call makes (retries and fallbacks each get their own), no OpenTelemetry needed:

>>> from pyllm.message import Usage
>>> event = RequestEvent(
...     model="openai/gpt-4.1-mini", provider="openrouter", upstream="OpenAI", attempt=1,
...     status=200, duration=0.42, usage=Usage(input_tokens=12, output_tokens=3, cost=0.0001),
... )
>>> event.ok, event.cost
(True, 0.0001)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .errors import Error
    from .message import Message, Usage

__all__ = ["RequestEvent"]


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """One HTTP attempt, after it ended.

    - ``model``: the model this attempt asked for (a fallback's on a fallback route; ``None``
      for a request without one, such as a models listing); ``provider``: pyllm's provider name.
    - ``upstream``: who served it, when the provider says (OpenRouter: "Amazon Bedrock").
    - ``attempt``: 1 for the first try on this route, 2 for the first retry...; ``route``: 0 for
      the chat's own model, ``n`` for its ``n``-th fallback (``with_fallbacks``).
    - ``status``: the HTTP status, 200 for an answer; the error's status when the server
      answered with one; ``None`` when no answer came (a dropped connection, a timeout) or the
      caller stopped the attempt.
    - ``duration``: seconds, from sending to the end of the answer (for a stream: its last
      chunk, so your own code's time between chunks counts too).
    - ``usage`` and ``cost`` (USD, provider-reported or from registry prices) of the answer.
    - ``error``: the :class:`~pyllm.Error` the attempt ended with (``None`` when it answered).
    - ``stopped``: the caller stopped the attempt (a stream closed early, cancellation).
    - ``stream``: the answer was streamed; ``url``: where the request went (never with a
      password); ``message``: the assistant message a chat attempt received.
    """

    model: str | None
    provider: str
    upstream: str | None = None
    attempt: int = 1
    status: int | None = None
    duration: float = 0.0
    usage: Usage | None = None
    error: Error | None = None
    route: int = 0
    stopped: bool = False
    stream: bool = False
    url: str = ""
    message: Message | None = None

    @property
    def cost(self) -> float | None:
        """USD this attempt cost (``usage.cost``; ``None`` when unknown)."""
        return self.usage.cost if self.usage is not None else None

    @property
    def ok(self) -> bool:
        """Whether the attempt got its answer."""
        return self.error is None and not self.stopped
