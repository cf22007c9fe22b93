"""A small HTTP/1.1 server on 127.0.0.1 that behaves like OpenRouter (asyncio, stdlib only).

It runs on its own thread and event loop, so sync and async clients in the same process can
talk to it through real sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ._http1 import (
    RecordedRequest,
    _Aborted,
    _chunked,
    _client_left_during,
    _head,
    _read_request,
    _reset,
    _write_pieces,
    _write_plain,
)
from ._isolation import fake_client
from ._media import TINY_PNG_URL, embeddings_reply, images_reply, wants_image
from ._replies import Rendered, Reply, body_bytes

__all__ = ["FakeOpenRouter", "RecordedRequest"]

Handler = Callable[["RecordedRequest"], Reply | None]


class FakeOpenRouter:
    """An OpenRouter-compatible server for tests and demos. Use it as a context manager.

    >>> from pyllm.testing import FakeOpenRouter, text
    >>> with FakeOpenRouter() as server:
    ...     server.reply(text("Hi there!"))
    ...     reply = server.chat().ask("Hello")
    >>> reply.content, server.requests[-1].json["messages"][-1]["content"]
    ('Hi there!', 'Hello')

    Unscripted chat requests get an echo of the last user message. ``api_key`` makes the server
    answer 401 (like OpenRouter) to requests without that bearer key. An exception inside the
    server (say, in a ``route`` handler) is answered with a 500 carrying its text (mid-stream:
    an in-band error event) and kept in ``errors``.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        model: str = "openai/gpt-4.1-mini",
        write_size: int | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.api_key = api_key
        self.model = model
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

    def reply(self, *replies: Reply, path: str = "/chat/completions") -> None:
        """Queue replies (first in, first out) for requests whose path ends with ``path``."""
        with self._lock:
            queue = self._queues.setdefault(path, deque())
            for reply in replies:
                if not isinstance(reply, Reply):
                    raise TypeError(f"expected a pyllm.testing.Reply, got {type(reply).__name__}")
                queue.append(reply)

    def route(self, path: str, handler: Handler) -> None:
        """Answer requests whose path ends with ``path`` with ``handler(request) -> Reply``."""
        self._routes[path] = handler

    def pending(self, path: str = "/chat/completions") -> int:
        """How many queued replies were not used yet."""
        with self._lock:
            return sum(r.repeat for r in self._queues.get(path, ()))

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
        """The base URL to use as ``openrouter_base_url`` (``http://127.0.0.1:PORT/api/v1``)."""
        return f"http://{self.host}:{self.port}/api/v1"

    def start(self) -> FakeOpenRouter:
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

        self._thread = threading.Thread(target=run, name="pyllm-fake-openrouter", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
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

    def __enter__(self) -> FakeOpenRouter:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ---- pyllm shortcuts ------------------------------------------------------------------

    def client(self, **settings: Any) -> Any:
        """A :class:`pyllm.Client` pointed at this server (closed when the server stops), with a
        model cache of its own (never the user's) unless ``models_cache_path`` is given."""
        client = fake_client(self, settings)
        self._clients.append(client)
        return client

    def chat(self, model: str | None = None, **settings: Any) -> Any:
        """A :class:`pyllm.Chat` on a fresh client pointed at this server."""
        return self.client(**settings).chat(model or self.model, provider="openrouter")

    # ---- HTTP -----------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        self.open_connections += 1
        self.peak_connections = max(self.peak_connections, self.open_connections)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                self.requests.append(request)
                try:
                    keep_open = await self._respond(request, reader, writer)
                except (ConnectionError, _Aborted, asyncio.IncompleteReadError):
                    raise
                except Exception as exc:  # a bug in a handler or the server: say so, as a 500
                    body = body_bytes({"error": {"message": self._failed(exc), "code": 500}})
                    await _write_plain(writer, 500, body, "application/json", {})
                    keep_open = True
                if not keep_open:
                    break
        except ConnectionError:  # the client went away mid-response
            self.disconnects += 1
        except (_Aborted, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            _reset(writer)
        finally:
            self.open_connections -= 1
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _respond(
        self, request: RecordedRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        if (
            self.api_key is not None
            and request.headers.get("authorization") != f"Bearer {self.api_key}"
        ):
            said = request.headers.get("authorization")
            text = "Missing Authentication header" if said is None else "Invalid API key"
            missing = {"error": {"message": text, "code": 401}}
            denied = body_bytes(missing)
            await _write_plain(writer, 401, denied, "application/json", {})
            return True
        reply = self._next_reply(request)
        if reply is None:
            reply = self._default_reply(request)
        if reply.delay and await _client_left_during(reader, reply.delay):
            self.disconnects += 1
            raise _Aborted
        if reply.drop == "before_headers":
            _reset(writer)
            raise _Aborted
        if reply.body is not None or reply.status != 200:
            body = body_bytes(reply.body if reply.body is not None else b"")
            content_type = reply.content_type or "application/json"
            size = reply.write_size or self.write_size
            if size:
                await _write_pieces(writer, reply, body, content_type, size)
            else:
                await _write_plain(writer, reply.status, body, content_type, reply.headers)
            return True
        rendered = Rendered(reply, request.json if isinstance(request.json, dict) else {})
        headers = {"X-Generation-Id": rendered.generation_id, **reply.headers}
        if isinstance(request.json, dict) and request.json.get("stream"):
            await self._write_stream(writer, rendered, headers)
        else:
            body = rendered.json_body()
            await _write_plain(writer, 200, body, "application/json", headers)
        return True

    def _failed(self, exc: Exception) -> str:
        """Record an exception raised while answering; the text the response carries."""
        self.errors.append(exc)
        return f"pyllm.testing: the fake server failed: {type(exc).__name__}: {exc}"

    def _events(self, rendered: Rendered) -> Iterator[bytes]:
        """The reply's SSE events; an exception while rendering them ends the stream with an
        in-band error event carrying its text (the status line is already sent)."""
        try:
            yield from rendered.sse_events()
        except Exception as exc:
            error = {"error": {"code": 500, "message": self._failed(exc)}, "choices": []}
            yield b"data: " + body_bytes(error) + b"\n\n"

    def _default_reply(self, request: RecordedRequest) -> Reply:
        body = request.json if isinstance(request.json, dict) else {}
        if request.path.endswith("/chat/completions") and request.method == "POST":
            if wants_image(body):
                return Reply(text="Here is your image.", images=(TINY_PNG_URL,))
            return Reply()
        if request.path.endswith("/embeddings") and request.method == "POST":
            return embeddings_reply(body)
        if request.path.endswith("/images") and request.method == "POST":
            return images_reply(body)
        if request.path.endswith("/models") and request.method == "GET":
            from ._models import models_listing

            return Reply(body=models_listing(request.query))
        return Reply(
            status=404, body={"error": {"message": f"no route for {request.path}", "code": 404}}
        )

    async def _write_stream(
        self, writer: asyncio.StreamWriter, rendered: Rendered, headers: Mapping[str, str]
    ) -> None:
        reply = rendered.reply
        head = _head(
            200,
            {
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "Transfer-Encoding": "chunked",
                **headers,
            },
        )
        writer.write(head)
        for _ in range(reply.keepalives):
            writer.write(_chunked(b": OPENROUTER PROCESSING\n\n"))
        await writer.drain()
        for count, event in enumerate(self._events(rendered)):
            if isinstance(reply.drop, int) and count >= reply.drop:
                await writer.drain()
                _reset(writer)
                raise _Aborted
            if reply.stall and count == reply.stall_after:
                await writer.drain()
                await asyncio.sleep(reply.stall)
            if writer.transport.is_closing():  # the client went away
                self.disconnects += 1
                raise _Aborted
            if self.write_size:
                for start in range(0, len(event), self.write_size):
                    writer.write(_chunked(event[start : start + self.write_size]))
                    await writer.drain()
            else:
                writer.write(_chunked(event))
            if reply.chunk_delay:
                await writer.drain()
                await asyncio.sleep(reply.chunk_delay)
            elif writer.transport.get_write_buffer_size() > 1 << 16:
                await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
