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

import asyncio
import contextlib
import os
import re
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


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data if self._buffer else data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end].lower()
            found = _LENGTH.search(head)
            total = end + 4 + (int(found.group(1)) if found else 0)
            if len(buffer) < total:
                break
            assert self._transport is not None
            self._transport.write(respond(head, buffer[end + 4 : total]))
            buffer = buffer[total:]
        self._buffer = buffer


async def serve(host: str = "127.0.0.1", port: int = 0) -> None:
    """Serve until stdin closes (the parent benchmark process went away or asked us to stop)."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Connection, host, port, backlog=4096, reuse_address=True)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    stopped = asyncio.Event()
    threading.Thread(target=_wait_for_eof, args=(loop, stopped), daemon=True).start()
    async with server:
        await stopped.wait()


def _wait_for_eof(loop: asyncio.AbstractEventLoop, stopped: asyncio.Event) -> None:
    sys.stdin.buffer.read()
    loop.call_soon_threadsafe(stopped.set)


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
        asyncio.run(serve())
