""":class:`RequestEvents`, the listener behind ``client.on_request`` and ``chat.on_request``,
and what every observer reads off an attempt (:func:`answer_of`, :func:`request_event`).

The drivers tell listeners (:class:`~pyllm._engine.steps.Listener`) about each call, attempt
and tool run; ``Session.observers`` gathers a call's: ``pyllm.instrument()``'s, the client's,
the chat's (``()`` when nothing listens, and the drivers skip every notification).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._engine.steps import Listener
from .events import RequestEvent
from .message import Message

if TYPE_CHECKING:
    from ._engine.steps import Call, Send, Sent

__all__ = ["RequestEvents", "add_request_callback", "answer_of", "request_event"]


def answer_of(call: Call, sent: Sent | None) -> Message | None:
    """The assistant message an attempt received, priced from the registry when the provider
    reported no cost (as the call prices it before accepting it); ``None`` for anything else."""
    answer = sent.answer if sent is not None else None
    if not isinstance(answer, Message):
        return None
    return call.plan.priced(answer) if call.plan is not None else answer


def request_event(call: Call, send: Send, sent: Sent | None, duration: float) -> RequestEvent:
    """The :class:`~pyllm.RequestEvent` of one attempt that took ``duration`` seconds."""
    message = answer_of(call, sent)
    error = sent.error if sent is not None else None
    model = send.request.model if send.request is not None else _payload_model(send.payload)
    if error is not None:
        status, upstream = getattr(error, "status", None), getattr(error, "upstream", None)
    else:
        status = 200 if sent is not None else None
        upstream = message.upstream if message is not None else None
    return RequestEvent(
        model=model,
        provider=send.provider.name,
        upstream=upstream,
        attempt=send.attempt,
        status=status,
        duration=duration,
        usage=message.usage if message is not None else None,
        error=error,
        route=send.route,
        stopped=sent is None,
        stream=send.parser is not None,
        url=send.provider.url(send.path),
        message=message,
    )


def _payload_model(payload: Mapping[str, Any] | None) -> str | None:
    model = payload.get("model") if payload is not None else None
    return model if isinstance(model, str) else None


class RequestEvents(Listener):
    """Calls each of its ``callbacks`` with a :class:`~pyllm.RequestEvent` after every attempt
    (``client.on_request`` / ``chat.on_request``). A callback that raises fails the call, like
    any hook."""

    def __init__(self) -> None:
        self.callbacks: list[Callable[[RequestEvent], object]] = []

    def attempt_started(self, call: Call, send: Send) -> None:
        call.notes[self] = time.perf_counter()

    def attempt_ended(self, call: Call, send: Send, sent: Sent | None) -> None:
        began = call.notes.pop(self, None)
        duration = time.perf_counter() - began if began is not None else 0.0
        event = request_event(call, send, sent, duration)
        for callback in self.callbacks:
            callback(event)


def add_request_callback(
    listeners: list[Listener], callback: Callable[[RequestEvent], object]
) -> None:
    """``on_request``: add ``callback`` to the :class:`RequestEvents` among ``listeners`` (a
    client's or a chat's), adding one the first time."""
    for listener in listeners:
        if type(listener) is RequestEvents:
            listener.callbacks.append(callback)
            return
    events = RequestEvents()
    events.callbacks.append(callback)
    listeners.append(events)
