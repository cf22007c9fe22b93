"""HTTP/1.1 on the wire for the fake server: reading a request, writing a response (plain,
chunked, in pieces), resetting a connection. asyncio streams, stdlib only.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from .. import _json

if TYPE_CHECKING:
    from ._replies import Reply

__all__ = [
    "Aborted",
    "ClientLeft",
    "RecordedRequest",
    "chunked",
    "client_left_during",
    "read_request",
    "reset",
    "response_head",
    "write_pieces",
    "write_plain",
]

_REASONS = {status.value: status.phrase for status in HTTPStatus} | {529: "Overloaded"}


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """A request the server received: ``method``, ``path`` (without the query string, which is
    ``query``), lower-cased ``headers``, ``body``."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes = b""
    json: Any = field(default=None, compare=False)
    query: str = ""

    @property
    def messages(self) -> list[Any]:
        return list(self.json.get("messages") or []) if isinstance(self.json, dict) else []


class Aborted(Exception):
    """The connection ends here (scripted, or the client is gone): nothing more is written."""


class ClientLeft(Aborted):
    """The client went away first (counted in ``server.disconnects``)."""


async def client_left_during(reader: asyncio.StreamReader, seconds: float) -> bool:
    """Wait ``seconds``; True as soon as the client closes its side (like a cancelled call)."""
    try:
        data = await asyncio.wait_for(reader.read(1), timeout=seconds)
    except asyncio.TimeoutError:
        return False
    return data == b""


def response_head(status: int, headers: Mapping[str, str]) -> bytes:
    """The status line and headers of a response."""
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines.extend(f"{k}: {v}" for k, v in headers.items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def chunked(data: bytes) -> bytes:
    """``data`` as one chunk of a chunked body."""
    return b"%x\r\n%s\r\n" % (len(data), data)


async def write_plain(
    writer: asyncio.StreamWriter,
    status: int,
    body: bytes,
    content_type: str,
    headers: Mapping[str, str],
) -> None:
    head = response_head(
        status, {"Content-Type": content_type, "Content-Length": str(len(body)), **headers}
    )
    writer.write(head + body)
    await writer.drain()


async def write_pieces(
    writer: asyncio.StreamWriter, reply: Reply, body: bytes, content_type: str, size: int
) -> None:
    """The body in chunks of ``size`` bytes, ``reply.chunk_delay`` seconds apart (a trickle)."""
    head = {"Content-Type": content_type, "Transfer-Encoding": "chunked", **reply.headers}
    writer.write(response_head(reply.status, head))
    for start in range(0, len(body), size):
        writer.write(chunked(body[start : start + size]))
        await writer.drain()
        if reply.chunk_delay:
            await asyncio.sleep(reply.chunk_delay)
    writer.write(b"0\r\n\r\n")
    await writer.drain()


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0), like a proxy or provider crashing."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def read_request(reader: asyncio.StreamReader) -> RecordedRequest | None:
    """The next request on the connection (``None`` when the client closed it)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    except asyncio.LimitOverrunError:
        raise Aborted from None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = [*lines[0].split(" ", 2), "", ""][:3]
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
    parsed: Any = None
    if body:
        with contextlib.suppress(ValueError):
            parsed = _json.loads(body)
    path, _, query = target.partition("?")
    return RecordedRequest(method, path, headers, body, parsed, query)
