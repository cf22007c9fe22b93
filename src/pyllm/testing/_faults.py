"""The scripted faults of a fake server's answers, shared by every API it speaks.

Before the answer: a delay (cut short when the client leaves, like a cancelled call) and a
reset before the headers. Bodies: sent whole, or trickling in pieces. Streams: keep-alives
first, then the events with a stall, a reset after some events, small writes, or pauses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ._http1 import (
    Aborted,
    ClientLeft,
    chunked,
    client_left_during,
    reset,
    response_head,
    write_pieces,
    write_plain,
)

if TYPE_CHECKING:
    from ._replies import Reply

__all__ = ["before_answering", "write_body", "write_events"]


async def before_answering(
    reply: Reply, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Wait ``reply.delay``; reset the connection when ``reply.drop == "before_headers"``."""
    if reply.delay and await client_left_during(reader, reply.delay):
        raise ClientLeft
    if reply.drop == "before_headers":
        reset(writer)
        raise Aborted


async def write_body(
    writer: asyncio.StreamWriter, reply: Reply, body: bytes, write_size: int | None
) -> None:
    """``body`` with the reply's status and headers, in pieces when a write size is set."""
    content_type = reply.content_type or "application/json"
    size = reply.write_size or write_size
    if size:
        await write_pieces(writer, reply, body, content_type, size)
    else:
        await write_plain(writer, reply.status, body, content_type, reply.headers)


async def write_events(
    writer: asyncio.StreamWriter,
    reply: Reply,
    events: Iterable[bytes],
    headers: Mapping[str, str],
    *,
    keepalive: bytes,
    write_size: int | None,
) -> None:
    """A 200 event stream: ``reply.keepalives`` copies of ``keepalive`` (none when it is empty:
    the events place their own), then ``events`` with the reply's faults (``drop`` after N
    events, ``stall``, ``chunk_delay``), each event in writes of ``write_size`` bytes when set."""
    stream_headers = {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache",
        "Transfer-Encoding": "chunked",
        **headers,
    }
    writer.write(response_head(200, stream_headers))
    for _ in range(reply.keepalives if keepalive else 0):
        writer.write(chunked(keepalive))
    await writer.drain()
    for count, event in enumerate(events):
        if isinstance(reply.drop, int) and count >= reply.drop:
            await writer.drain()
            reset(writer)
            raise Aborted
        if reply.stall and count == reply.stall_after:
            await writer.drain()
            await asyncio.sleep(reply.stall)
        if writer.transport.is_closing():  # the client went away
            raise ClientLeft
        await _write_event(writer, event, write_size)
        if reply.chunk_delay:
            await writer.drain()
            await asyncio.sleep(reply.chunk_delay)
        elif writer.transport.get_write_buffer_size() > 1 << 16:
            await writer.drain()
    writer.write(b"0\r\n\r\n")
    await writer.drain()


async def _write_event(writer: asyncio.StreamWriter, event: bytes, write_size: int | None) -> None:
    if not write_size:
        writer.write(chunked(event))
        return
    for start in range(0, len(event), write_size):
        writer.write(chunked(event[start : start + write_size]))
        await writer.drain()
