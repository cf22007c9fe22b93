"""The machinery every fake server shares: a small HTTP/1.1 server on 127.0.0.1 (asyncio, stdlib
only) with scripted replies, routes, faults and a record of the requests.

It runs on its own thread and event loop, so sync and async clients in the same process can
talk to it through real sockets. What it speaks is its :class:`Dialect` (``_dialect.py``):
default answers, authentication, and how a scripted :class:`~pyllm.testing.Reply` looks on that
API's wire (:class:`~pyllm.testing.FakeOpenRouter` speaks OpenRouter's,
:class:`~pyllm.testing.FakeAnthropic` Anthropic's).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from ._dialect import Dialect, Rendering
from ._faults import before_answering, write_body, write_events
from ._http1 import Aborted, ClientLeft, RecordedRequest, read_request, reset, write_plain
from ._isolation import fake_client
from ._replies import Reply, body_bytes

__all__ = ["Dialect", "FakeServer", "Rendering"]

Handler = Callable[[RecordedRequest], Reply | None]
Server = TypeVar("Server", bound="FakeServer")


class FakeServer:
    """A fake API server for tests and demos (a context manager); see :class:`Dialect`.

    ``api_key`` makes the server refuse requests without that key. An exception inside the
    server (say, in a ``route`` handler) is answered with a 500 carrying its text (mid-stream:
    an in-band error event) and kept in ``errors``.
    """

    def __init__(
        self,
        dialect: Dialect,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        write_size: int | None = None,
        model: str = "",
    ) -> None:
        self.dialect = dialect
        self.model = model  # what ``chat()`` talks to unless told otherwise
        self.host = host
        self.port = port
        self.api_key = api_key
        self.write_size = write_size
        self.requests: list[RecordedRequest] = []
        self._queues: dict[str, deque[Reply]] = {}
        self._routes: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._clients: list[Any] = []
        self.connections = 0
        self.open_connections = 0
        self.peak_connections = 0
        self.disconnects = 0
        self.errors: list[Exception] = []

    # ---- scripting ------------------------------------------------------------------------

    def reply(self, *replies: Reply, path: str | None = None) -> None:
        """Queue replies (first in, first out) for requests whose path ends with ``path``
        (default: the chat endpoint: ``/chat/completions`` on OpenRouter, ``/messages`` on
        Anthropic)."""
        with self._lock:
            queue = self._queues.setdefault(path or self.dialect.chat_path, deque())
            for reply in replies:
                if not isinstance(reply, Reply):
                    raise TypeError(f"expected a pyllm.testing.Reply, got {type(reply).__name__}")
                queue.append(reply)

    def route(self, path: str, handler: Handler) -> None:
        """Answer requests whose path ends with ``path`` with ``handler(request) -> Reply``."""
        self._routes[path] = handler

    def pending(self, path: str | None = None) -> int:
        """How many queued replies were not used yet (default: for the chat endpoint)."""
        with self._lock:
            return sum(r.repeat for r in self._queues.get(path or self.dialect.chat_path, ()))

    def _next_reply(self, request: RecordedRequest) -> Reply | None:
        with self._lock:
            for suffix, queue in self._queues.items():
                if request.path.endswith(suffix) and queue:
                    reply = queue[0]
                    if reply.repeat > 1:
                        queue[0] = reply.but(repeat=reply.repeat - 1)
                    else:
                        queue.popleft()
                    return reply
        for suffix, handler in self._routes.items():
            if request.path.endswith(suffix):
                answer = handler(request)
                if answer is not None and not isinstance(answer, Reply):
                    raise TypeError(
                        f"the handler for {suffix!r} returned {type(answer).__name__}; "
                        "return a pyllm.testing.Reply, or None for the default answer"
                    )
                return answer
        return None

    # ---- lifecycle ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL clients use (``http://127.0.0.1:PORT/api/v1`` for OpenRouter)."""
        return f"http://{self.host}:{self.port}{self.dialect.base_path}"

    def start(self: Server) -> Server:
        """Start serving (on a thread of its own); returns the server."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._serve, self.host, self.port, backlog=2048)
                )
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:  # pragma: no cover - e.g. port in use
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        name = f"pyllm-fake-{self.dialect.name}"
        self._thread = threading.Thread(target=run, name=name, daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        """Close the clients made by the server's shortcuts, then stop serving."""
        for client in self._clients:
            client.close()
        self._clients.clear()
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.sleep(0)
            loop.stop()

        loop.call_soon_threadsafe(lambda: asyncio.ensure_future(shutdown()))
        thread.join(timeout=5)
        self._thread = None
        self._loop = None

    def client(self, **settings: Any) -> Any:
        """A :class:`pyllm.Client` pointed at this server (closed when the server stops), with a
        model cache of its own (never the user's) unless ``models_cache_path`` is given."""
        defaults = self.dialect.client_settings(self.url, self.api_key)
        client = fake_client(self, {**defaults, **settings})
        self._clients.append(client)
        return client

    def chat(self, model: str | None = None, **settings: Any) -> Any:
        """A :class:`pyllm.Chat` on a fresh client pointed at this server."""
        return self.client(**settings).chat(model or self.model, provider=self.dialect.name)

    def __enter__(self: Server) -> Server:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ---- HTTP -----------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        self.open_connections += 1
        self.peak_connections = max(self.peak_connections, self.open_connections)
        try:
            while await self._answer_one(reader, writer):
                pass
        except (ConnectionError, ClientLeft):  # the client went away mid-response
            self.disconnects += 1
        except (Aborted, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            reset(writer)
        finally:
            self.open_connections -= 1
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _answer_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Read and answer one request; False when the connection is done."""
        request = await read_request(reader)
        if request is None:
            return False
        self.requests.append(request)
        try:
            return await self._respond(request, reader, writer)
        except (ConnectionError, Aborted, asyncio.IncompleteReadError):
            raise
        except Exception as exc:  # a bug in a handler or the server: say so, as a 500
            body = self.dialect.failure_body(self._failed(exc))
            await write_plain(writer, 500, body, "application/json", {})
            return True

    async def _respond(
        self, request: RecordedRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        denied = self.dialect.denied(request, self.api_key)
        if denied is not None:
            body = body_bytes(denied.body if denied.body is not None else b"")
            content_type = denied.content_type or "application/json"
            await write_plain(writer, denied.status, body, content_type, denied.headers)
            return True
        reply = self._next_reply(request)
        if reply is None:
            reply = self.dialect.default_reply(request)
        reply = self.dialect.prepare(reply, request)
        await before_answering(reply, reader, writer)
        if reply.body is not None or reply.status != 200:
            body = body_bytes(reply.body if reply.body is not None else b"")
            await write_body(writer, reply, body, self.write_size)
            return True
        rendered = self.dialect.render(reply, request)
        headers = {**rendered.headers, **reply.headers}
        if isinstance(request.json, dict) and request.json.get("stream"):
            events = self._events(rendered)
            keepalive = self.dialect.keepalive
            await write_events(
                writer, reply, events, headers, keepalive=keepalive, write_size=self.write_size
            )
        else:
            await write_plain(writer, 200, rendered.json_body(), "application/json", headers)
        return True

    def _failed(self, exc: Exception) -> str:
        """Record an exception raised while answering; the text the response carries."""
        self.errors.append(exc)
        return f"pyllm.testing: the fake server failed: {type(exc).__name__}: {exc}"

    def _events(self, rendered: Rendering) -> Iterator[bytes]:
        """The reply's SSE events; an exception while rendering them ends the stream with an
        in-band error event carrying its text (the status line is already sent)."""
        try:
            yield from rendered.sse_events()
        except Exception as exc:
            yield self.dialect.failure_event(self._failed(exc))
