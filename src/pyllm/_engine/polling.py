"""Asking again until a record exists: :func:`poll_flow`, for OpenRouter's ``GET /generation``,
which answers 404 for a moment after a fresh answer. Pure, like every flow.

>>> from pyllm._engine.retry import Deadline, RetryPolicy
>>> from pyllm._engine.steps import Send, Sent, Wait
>>> from pyllm.errors import NotFoundError
>>> from pyllm.providers import OpenAICompatible
>>> send = Send(OpenAICompatible("x", base_url="http://127.0.0.1:9"), "/generation?id=g", None,
...             None, Deadline(None), method="GET")
>>> flow = poll_flow(send, RetryPolicy(max_retries=0), patience=5.0)
>>> next(flow) is send
True
>>> flow.send(Sent(error=NotFoundError("not yet", status=404)))
Wait(seconds=0.25)
>>> flow.send(None) is send
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import NotFoundError
from .flow import request_flow
from .retry import Deadline
from .steps import Wait

if TYPE_CHECKING:
    from .retry import RetryPolicy
    from .steps import Flow, Send

__all__ = ["FIRST_POLL", "MAX_POLL", "poll_flow"]

FIRST_POLL = 0.25
"""Seconds before the first repeat; each later one waits twice as long, up to :data:`MAX_POLL`."""
MAX_POLL = 1.0


def poll_flow(send: Send, policy: RetryPolicy, *, patience: float, hint: str = "") -> Flow[Any]:
    """``send`` (retried per ``policy`` like any plain request), sent again after each 404
    until ``patience`` seconds have passed; then the 404 is raised, with ``hint`` (what to do)
    when one is given. Returns the parsed answer."""
    deadline = Deadline(patience)
    delay = FIRST_POLL
    while True:
        try:
            return (yield from request_flow(send, policy))
        except NotFoundError as exc:
            remaining = deadline.remaining() or 0.0
            if remaining <= 0:
                if hint:
                    exc.hint = hint
                raise
        yield Wait(min(delay, remaining))
        delay = min(delay * 2, MAX_POLL)
