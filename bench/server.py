"""A fast OpenRouter-compatible HTTP/1.1 server for the benchmark, run in its own process.

It answers ``POST .../chat/completions`` with canned bodies (:mod:`bench.bodies`), keeps
connections alive, and does as little work per request as it can so the client process is what
gets measured. The request's ``"stream"`` flag picks the answer; two headers shape a stream:

- ``X-Bench-Chunks: N``: N content deltas (default 20).
- ``X-Bench-Framing: event | bulk``: one HTTP chunk per SSE event, as OpenRouter sends them
  (default), or 16 KiB HTTP chunks holding many events (a fast upstream or a coalescing proxy).

Run alone with ``python -m bench.server`` (prints ``PORT <n>``; stops when stdin closes).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
from functools import lru_cache
from pathlib import Path

from .bodies import chat_body, sse_events

__all__ = ["BenchServer", "serve"]

_STREAM = re.compile(rb'"stream"\s*:\s*true')
_CHUNKS = re.compile(rb"\r\nx-bench-chunks:\s*(\d+)")
_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)")
_BULK = b"\r\nx-bench-framing: bulk"
_BULK_SIZE = 16 * 1024
_READ_SIZE = 64 * 1024
_ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def _chat_response() -> bytes:
    body = chat_body()
    head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
    return head.encode() + b"x-generation-id: gen-1780944361-X5HAtL0Z2NQp8nHAiT6F\r\n\r\n" + body


def _http_chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


@lru_cache(maxsize=8)
def _stream_response(chunks: int, bulk: bool) -> bytes:
    events = sse_events(chunks)
    if bulk:
        body = b"".join(events)
        pieces = [body[i : i + _BULK_SIZE] for i in range(0, len(body), _BULK_SIZE)]
    else:
        pieces = list(events)
    head = (
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
        b"transfer-encoding: chunked\r\n\r\n"
    )
    return head + b"".join(_http_chunk(p) for p in pieces) + b"0\r\n\r\n"


def respond(head: bytes, body: bytes) -> bytes:
    """The whole response to one request (``head`` is lower-cased, without the blank line)."""
    if not _STREAM.search(body):
        return _chat_response()
    found = _CHUNKS.search(head)
    return _stream_response(int(found.group(1)) if found else 20, _BULK in head)


def _read_request(conn: socket.socket, buffer: bytes) -> tuple[bytes, bytes, bytes] | None:
    """(lower-cased head, body, what follows) of the next request, or None at end of input."""
    while (end := buffer.find(b"\r\n\r\n")) < 0:
        data = conn.recv(_READ_SIZE)
        if not data:
            return None
        buffer += data
    head = buffer[:end].lower()
    found = _LENGTH.search(head)
    total = end + 4 + (int(found.group(1)) if found else 0)
    while len(buffer) < total:
        data = conn.recv(_READ_SIZE)
        if not data:
            return None
        buffer += data
    return head, buffer[end + 4 : total], buffer[total:]


def _serve_connection(conn: socket.socket) -> None:
    """One thread per connection: blocking reads and ``sendall`` (C loops, no copies)."""
    buffer = b""
    with conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while (request := _read_request(conn, buffer)) is not None:
                head, body, buffer = request
                conn.sendall(respond(head, body))
        except OSError:  # the client went away mid-response
            return


def _accept_forever(listener: socket.socket) -> None:
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=_serve_connection, args=(conn,), daemon=True).start()


def serve(host: str = "127.0.0.1", port: int = 0) -> None:
    """Serve until stdin closes (the parent benchmark process went away or asked us to stop)."""
    listener = socket.create_server((host, port), backlog=4096)
    print(f"PORT {listener.getsockname()[1]}", flush=True)
    threading.Thread(target=_accept_forever, args=(listener,), daemon=True).start()
    sys.stdin.buffer.read()


class BenchServer:
    """The server in a child process: ``with BenchServer() as server: server.base_url``."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def start(self) -> BenchServer:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.server"],
            cwd=_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(_ROOT)},
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().decode()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"the benchmark server did not start (it said {line!r})")
        self.port = int(line.split()[1])
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        with contextlib.suppress(OSError):
            process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> BenchServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        serve()
