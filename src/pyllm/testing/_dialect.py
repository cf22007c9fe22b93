"""What makes a fake server speak one API: its :class:`Dialect` (paths, keys, default answers,
error envelopes) and the :class:`Rendering` of a scripted reply on that API's wire.

:class:`~pyllm.testing.FakeOpenRouter` speaks OpenRouter's dialect
(:mod:`pyllm.testing._openrouter`), :class:`~pyllm.testing.FakeAnthropic` Anthropic's
(:mod:`pyllm.testing._anthropic`); the machinery they share is
:class:`~pyllm.testing._server.FakeServer`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ._http1 import RecordedRequest
    from ._replies import Reply

__all__ = ["Dialect", "Rendering"]


class Rendering(Protocol):
    """One scripted reply rendered for one request."""

    @property
    def headers(self) -> Mapping[str, str]: ...

    def json_body(self) -> bytes:
        """The whole answer, for a request that does not stream."""
        ...

    def sse_events(self) -> Iterator[bytes]:
        """The answer as server-sent events (without keep-alives)."""
        ...


class Dialect(Protocol):
    """What makes a :class:`~pyllm.testing._server.FakeServer` speak one API."""

    name: str  # names the server's thread, and the provider of ``server.chat()``
    base_path: str  # what ``server.url`` ends with: "/api/v1"
    chat_path: str  # the default path of ``reply()`` and ``pending()``
    keepalive: bytes  # what a stream starts with (an SSE comment); b"": the rendering places them

    def denied(self, request: RecordedRequest, api_key: str | None) -> Reply | None:
        """The answer to a request the API refuses before anything else (a missing or wrong
        key, with ``api_key`` the server's key or ``None``; a missing header...), else ``None``."""
        ...

    def default_reply(self, request: RecordedRequest) -> Reply:
        """The answer when nothing was scripted for the request."""
        ...

    def prepare(self, reply: Reply, request: RecordedRequest) -> Reply:
        """``reply`` as this API sends it: an ``error()`` reply gets the API's error envelope as
        its body, every answer the headers the API always sends."""
        ...

    def render(self, reply: Reply, request: RecordedRequest) -> Rendering:
        """How ``reply`` looks on this API's wire (when it has no ``body`` of its own)."""
        ...

    def failure_body(self, message: str) -> bytes:
        """The error body of a 500 for an exception inside the server."""
        ...

    def failure_event(self, message: str) -> bytes:
        """The in-band error event for an exception while rendering a stream."""
        ...

    def client_settings(self, url: str, api_key: str | None) -> dict[str, Any]:
        """The :class:`pyllm.Client` settings that point pyllm at a server at ``url``."""
        ...
