"""The steps a call is made of: what a flow asks its driver to do, and what comes back. Values.

A flow (:mod:`pyllm._engine.flow`) is a generator, the way httpx writes ``auth_flow``: it yields
a step, a driver (:mod:`pyllm._http.drive`) performs it and sends the outcome back in.

============================  ===========================================  =====================
step                          the driver                                   sends back
============================  ===========================================  =====================
``Fetch(urls, deadline)``     downloads each URL (remote attachments)      ``[(body, type)...]``
``Send(provider, path, ...)`` makes one HTTP attempt; with a ``parser``,   a :class:`Sent`
                              streams its chunks straight to the caller
``Wait(seconds)``             sleeps (a retry's backoff)                   ``None``
``RunTools(calls, ...)``      runs the calls through the toolbox           ``[ToolResult...]``
``Emit(chunk)``               yields the chunk to the caller               ``None``
``Save(saver)``               writes the history to the chat's store       ``None``
============================  ===========================================  =====================

An attempt's :class:`~pyllm.Error` is *sent in* (``Sent.error``), never thrown: the flow asks
:class:`~pyllm._engine.routing.Turn` (or :class:`~pyllm._engine.retry.Attempts`) what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from ..chunk import Chunk
    from ..errors import Error
    from ..message import Message, ToolCall
    from ..providers.base import Provider
    from ..request import ChatRequest
    from ..tools import ToolResult
    from .exchange import Hooks
    from .flow import ChatPlan
    from .parser import StreamParser
    from .retry import Deadline
    from .toolbox import Toolbox

__all__ = [
    "Call",
    "Emit",
    "Fetch",
    "Flow",
    "Listener",
    "RunTools",
    "ChatStore",
    "Save",
    "Saver",
    "Send",
    "Sent",
    "Step",
    "Wait",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Fetch:
    """Download ``urls`` (each once), before any request; back: ``(body, content type)`` each."""

    urls: tuple[str, ...]
    deadline: Deadline


@dataclass(frozen=True, slots=True)
class Send:
    """One HTTP attempt at ``provider``'s ``path``. With a ``parser`` the answer is streamed
    through it (and its chunks reach the caller); without, the JSON body goes through
    ``parse``. Back: a :class:`Sent`.

    For listeners: a chat's attempt carries its ``request`` (what ``payload`` renders),
    ``attempt`` (1 for the first try on this route, 2 for the first retry...) and ``route``
    (0 for the chat's own model, ``n`` for its ``n``-th fallback)."""

    provider: Provider
    path: str
    payload: Mapping[str, Any] | None
    headers: Mapping[str, str] | None
    deadline: Deadline
    parser: StreamParser | None = None
    parse: Callable[[Any], Any] | None = None
    method: str = "POST"
    authenticated: bool = True
    request: ChatRequest | None = None
    attempt: int = 1
    route: int = 0


@dataclass(frozen=True, slots=True)
class Sent:
    """What a :class:`Send` came back with: the ``answer`` (the parsed body; for a chat, the
    assistant message), or the ``error`` the attempt ended with, and whether any of its chunks
    already reached the caller (then it must not be retried)."""

    answer: Any = None
    error: Error | None = None
    reached_caller: bool = False


@dataclass(frozen=True, slots=True)
class Wait:
    """Sleep ``seconds`` before the next attempt. Back: ``None``."""

    seconds: float


@dataclass(frozen=True, slots=True)
class RunTools:
    """Run ``calls`` with ``toolbox`` (its hooks called around each). Back: their results in
    call order. ``raise_errors`` re-raises a tool's exception instead of telling the model."""

    calls: tuple[ToolCall, ...]
    toolbox: Toolbox
    hooks: Hooks
    raise_errors: bool


@dataclass(frozen=True, slots=True)
class Emit:
    """Hand ``chunk`` to the caller (a stream shows tool calls and results this way).
    Back: ``None``."""

    chunk: Chunk


class Saver(Protocol):
    """Where a stored chat's history goes (a store): told of each commit of the history
    transaction, it writes what is ``unsaved`` when a :class:`Save` step is performed. ``id``
    is the chat's key in the store."""

    @property
    def id(self) -> str: ...

    @property
    def unsaved(self) -> bool: ...

    def committed(self, messages: Sequence[Message]) -> None: ...

    def save(self) -> None: ...

    async def asave(self) -> None: ...


class ChatStore(Protocol):
    """A store chats can be kept in (``chat.with_store(store)``): it hands each chat the
    :class:`Saver` that writes it (``id``: the key of a chat already in the store)."""

    def keeper(self, chat: Any, id: str | None) -> Saver: ...


@dataclass(frozen=True, slots=True)
class Save:
    """Write the history to the chat's store: a safe point was just committed. Back: ``None``."""

    saver: Saver


Step = Fetch | Send | Wait | RunTools | Emit | Save
Flow = Generator[Step, Any, T]
"""A flow: yields steps, receives their outcomes, returns its result."""


class Call:
    """One call a driver runs, as listeners see it: a chat's ``ask`` / ``stream`` (``plan`` is
    its :class:`~pyllm._engine.flow.ChatPlan`: request settings, routes, prices) or a plain
    request (``plan`` is ``None``: embeddings, images, a models listing). ``notes`` is the
    listeners' scratch space for this call (a span, a start time), each under its own key."""

    __slots__ = ("notes", "plan")

    def __init__(self, plan: ChatPlan | None = None) -> None:
        self.plan = plan
        self.notes: dict[object, Any] = {}


class Listener:
    """Told what the drivers do: the one seam for observers (a tracing span per call, per
    attempt and per tool run, an event after each request, metrics). Subclass it, override what
    you need and add it to the session's ``listeners``; every method does nothing by default,
    and with no listener the drivers skip the calls altogether. Every method gets the
    :class:`Call` it belongs to (calls may run at the same time: keep per-call state in
    ``call.notes``). An exception a listener raises fails the call, like a hook's."""

    def call_started(self, call: Call) -> None:
        """A call starts (for a stream: when its first chunk is asked for)."""

    def attempt_started(self, call: Call, send: Send) -> None:
        """An HTTP attempt starts."""

    def attempt_ended(self, call: Call, send: Send, sent: Sent | None) -> None:
        """An HTTP attempt ended (for a stream: after its last chunk), well or with an error;
        ``sent`` is ``None`` when the caller stopped it (a closed stream, cancellation)."""

    def tools_started(self, call: Call, run: RunTools) -> None:
        """Tools are about to run."""

    def tools_ended(
        self,
        call: Call,
        run: RunTools,
        results: list[ToolResult] | None,
        error: BaseException | None = None,
    ) -> None:
        """Tools ran (``results``), or one raised ``error`` (``results`` is ``None``; the
        exception propagates)."""

    def call_ended(self, call: Call, result: Any, error: BaseException | None) -> None:
        """The call ended: with its ``result`` (a chat's final message), or with ``error``
        (``GeneratorExit`` when the caller closed or dropped a stream)."""
