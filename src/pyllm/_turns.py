"""Getting one assistant message over the wire, sync and async: the I/O half of a turn.

Each driver asks the pure :class:`~pyllm._fallback.Turn` what to do after an error (wait and
retry, fall back to the next route, or give up), so there is one retry layer per call. A stream
is retried or falls back only while none of its chunks reached the caller.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

from ._engine.parser import superseded
from ._engine.retry import Deadline
from .errors import Error

if TYPE_CHECKING:
    from ._engine.exchange import Exchange
    from .chunk import Chunk
    from .conversation import Chat
    from .message import Message

__all__ = [
    "acomplete",
    "afetch_attachments",
    "astream_message",
    "complete",
    "fetch_attachments",
    "stream_message",
]


def _download_deadline(chat: Chat) -> Deadline:
    """One deadline for the call's downloads: ``download_timeout``, or ``total_timeout`` when
    that is shorter."""
    settings = chat._client.settings
    total = chat._total_timeout or settings.total_timeout
    return Deadline(min(settings.download_timeout, total or settings.download_timeout))


def fetch_attachments(chat: Chat, exchange: Exchange) -> None:
    """Download remote attachments of the new message (each URL once, before any request)."""
    deadline = _download_deadline(chat)
    fetched: dict[str, tuple[bytes, str | None]] = {}
    for index, url in exchange.downloads():
        if url not in fetched:
            fetched[url] = chat._client._http.fetch(url, deadline)
        exchange.downloaded(index, *fetched[url])
    chat._check_files(exchange)


async def afetch_attachments(chat: Chat, exchange: Exchange) -> None:
    http, deadline = chat._client._async_http(), _download_deadline(chat)
    fetched: dict[str, tuple[bytes, str | None]] = {}
    for index, url in exchange.downloads():
        if url not in fetched:
            fetched[url] = await http.fetch(url, deadline)
        exchange.downloaded(index, *fetched[url])
    chat._check_files(exchange)


def complete(chat: Chat, exchange: Exchange) -> Message:
    turn = chat._turn()
    http = chat._client._http
    while True:
        provider, payload = chat._route_payload(turn, exchange, stream=False)
        try:
            message: Message = http.send_json(
                provider,
                "POST",
                provider.chat_path,
                payload,
                parse=provider.protocol.parse_chat,
                headers=chat._headers,
                deadline=turn.deadline,
            )
            return message
        except Error as error:
            wait = turn.on_error(error)
            if wait is None:
                raise
        time.sleep(wait)


async def acomplete(chat: Chat, exchange: Exchange) -> Message:
    turn = chat._turn()
    http = chat._client._async_http()
    while True:
        provider, payload = chat._route_payload(turn, exchange, stream=False)
        try:
            message: Message = await http.send_json(
                provider,
                "POST",
                provider.chat_path,
                payload,
                parse=provider.protocol.parse_chat,
                headers=chat._headers,
                deadline=turn.deadline,
            )
            return message
        except Error as error:
            wait = turn.on_error(error)
            if wait is None:
                raise
        await asyncio.sleep(wait)


def stream_message(chat: Chat, exchange: Exchange) -> Iterator[Chunk]:
    """Yield one assistant message's chunks; afterwards ``exchange.parser`` holds it."""
    turn = chat._turn()
    http = chat._client._http
    while True:
        provider, payload = chat._route_payload(turn, exchange, stream=True)
        parser = exchange.start_stream(provider.protocol)
        reached = False
        try:
            with http.stream(
                provider, provider.chat_path, payload, headers=chat._headers, deadline=turn.deadline
            ) as (pieces, content_type):
                parser.expect(content_type)
                try:
                    for piece in pieces:
                        for chunk in parser.feed(piece):
                            reached = True
                            yield chunk
                            if exchange.superseded:
                                raise superseded()
                        if parser.done:
                            break
                    for chunk in parser.finish():
                        reached = True
                        yield chunk
                except Error as exc:
                    raise parser.attach(exc) from None
            return
        except Error as error:
            wait = turn.on_error(error, reached_caller=reached)
            if wait is None:
                raise
        time.sleep(wait)


async def astream_message(chat: Chat, exchange: Exchange) -> AsyncIterator[Chunk]:
    turn = chat._turn()
    http = chat._client._async_http()
    while True:
        provider, payload = chat._route_payload(turn, exchange, stream=True)
        parser = exchange.start_stream(provider.protocol)
        reached = False
        try:
            async with http.stream(
                provider, provider.chat_path, payload, headers=chat._headers, deadline=turn.deadline
            ) as (pieces, content_type):
                parser.expect(content_type)
                try:
                    async for piece in pieces:
                        for chunk in parser.feed(piece):
                            reached = True
                            yield chunk
                            if exchange.superseded:
                                raise superseded()
                        if parser.done:
                            break
                    for chunk in parser.finish():
                        reached = True
                        yield chunk
                except Error as exc:
                    raise parser.attach(exc) from None
            return
        except Error as error:
            wait = turn.on_error(error, reached_caller=reached)
            if wait is None:
                raise
        await asyncio.sleep(wait)
