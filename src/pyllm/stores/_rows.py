"""What :class:`~pyllm.SQLStore` reads and writes, as plain functions over a SQLAlchemy
``Connection``: the sync API calls them in ``engine.begin()``, the async one through
``AsyncConnection.run_sync``, so each query is written once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, exists, func, insert, or_, select, update

from ._files import Files
from ._schema import attachments, blobs, chats, messages
from .base import ChatInfo, ChatNotFoundError, CostRow

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from ..content import Attachment
    from ..message import Message

__all__ = ["ChatState", "costs", "delete_chat", "list_chats", "read_chat", "write_chat"]

PICO = Decimal(10) ** 12
"""Costs are kept as whole picodollars (USD x 10^12), so SQL sums them exactly."""
TITLE_CHARS = 100


@dataclass
class ChatState:
    """A chat as a store writes it: its key, model, provider, settings, messages."""

    id: str
    model: str
    provider: str
    settings: Mapping[str, Any]
    messages: Sequence[Message]
    format: int


@dataclass
class _Blobs:
    """The attachments one write saves: each by its SHA-256, once."""

    files: Files
    found: dict[str, Attachment] = field(default_factory=dict)

    def save(self, attachment: Attachment) -> str:
        key = hashlib.sha256(attachment.data or b"").hexdigest()
        self.found[key] = attachment
        return key


def now() -> datetime:
    return datetime.now(timezone.utc)


def utc(moment: datetime | date | None) -> datetime | None:
    """A time as UTC (a date is its midnight; a naive time counts as UTC)."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time())
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


# ---- writing --------------------------------------------------------------------------------


def write_chat(
    conn: Connection, state: ChatState, saved: Sequence[Message] | None, files: Files
) -> list[Message]:
    """Make the rows of ``state.id`` match ``state``: its chat row, and its messages from the
    first one that differs from what was saved (``saved``, the messages last written by this
    process; ``None``: compare with the rows). Returns the new ``saved``."""
    moment = now()
    _write_chat_row(conn, state, moment)
    keep = _unchanged(state.messages, saved) if saved is not None else _same_rows(conn, state)
    _drop_messages(conn, state.id, keep)
    for position in range(keep, len(state.messages)):
        _insert_message(conn, state, position, moment, files)
    return list(state.messages)


def _write_chat_row(conn: Connection, state: ChatState, moment: datetime) -> None:
    first = next((m.content for m in state.messages if m.role == "user" and m.content), None)
    values = {
        "model": state.model,
        "provider": state.provider,
        "settings": dict(state.settings),
        "format": state.format,
        "title": first[:TITLE_CHARS] if first else None,
        "updated_at": moment,
    }
    done = conn.execute(update(chats).where(chats.c.id == state.id).values(**values))
    if not done.rowcount:
        conn.execute(insert(chats).values(id=state.id, created_at=moment, **values))


def _unchanged(current: Sequence[Message], saved: Sequence[Message]) -> int:
    """How many leading messages are the very ones saved (messages are immutable)."""
    count = 0
    for now_, then in zip(current, saved, strict=False):
        if now_ is not then:
            break
        count += 1
    return count


def _same_rows(conn: Connection, state: ChatState) -> int:
    """How many leading messages equal the rows already there (a chat loaded or resumed)."""
    rows = conn.execute(
        select(messages.c.data).where(messages.c.chat_id == state.id).order_by(messages.c.position)
    ).scalars()
    count = 0
    hashes = _Blobs(Files(None))  # keys only: nothing is written while comparing
    for message, data in zip(state.messages, rows, strict=False):
        if message.to_dict(attachments=hashes.save) != data:
            break
        count += 1
    return count


def _drop_messages(conn: Connection, chat_id: str, start: int) -> None:
    gone = select(messages.c.id).where(messages.c.chat_id == chat_id, messages.c.position >= start)
    conn.execute(delete(attachments).where(attachments.c.message_id.in_(gone)))
    conn.execute(
        delete(messages).where(messages.c.chat_id == chat_id, messages.c.position >= start)
    )


def _insert_message(
    conn: Connection, state: ChatState, position: int, moment: datetime, files: Files
) -> None:
    message = state.messages[position]
    found = _Blobs(files)
    data = message.to_dict(attachments=found.save)
    usage = message.usage
    cost = None if usage is None or usage.cost is None else picodollars(usage.cost)
    assistant = message.role == "assistant"
    row = conn.execute(
        insert(messages).values(
            chat_id=state.id,
            position=position,
            role=message.role,
            content=message.content,
            data=data,
            model=(message.model or state.model) if assistant else message.model,
            provider=(message.provider or state.provider) if assistant else message.provider,
            input_tokens=usage.input_tokens if usage else 0,
            output_tokens=usage.output_tokens if usage else 0,
            cached_tokens=usage.cached_tokens if usage else 0,
            reasoning_tokens=usage.reasoning_tokens if usage else 0,
            cost_pico=cost,
            cost_source=usage.cost_source if usage else None,
            created_at=moment,
            day=moment.date().isoformat(),
        )
    )
    key_of_row = row.inserted_primary_key
    assert key_of_row is not None
    message_id = key_of_row[0]
    for key, attachment in found.found.items():
        _save_blob(conn, key, attachment, files)
        conn.execute(insert(attachments).values(message_id=message_id, sha256=key))


def _save_blob(conn: Connection, key: str, attachment: Attachment, files: Files) -> None:
    if conn.execute(select(blobs.c.sha256).where(blobs.c.sha256 == key)).first() is not None:
        return  # stored once: every message holding these bytes refers to the same row
    data = attachment.data or b""
    in_file = files.wants(len(data))
    if in_file:
        files.write(key, data)  # before the row: a row never points at a missing file
    conn.execute(
        insert(blobs).values(
            sha256=key,
            mime_type=attachment.mime_type,
            size=len(data),
            in_file=in_file,
            data=None if in_file else data,
        )
    )


def picodollars(cost: float) -> int:
    """``cost`` (USD) in whole picodollars, from the decimal figure it was reported as."""
    return int((Decimal(repr(float(cost))) * PICO).to_integral_value())


def dollars(pico: Any) -> float | None:
    return None if pico is None else float(Decimal(pico) / PICO)


# ---- reading --------------------------------------------------------------------------------


def read_chat(conn: Connection, chat_id: str, files: Files) -> dict[str, Any]:
    """The saved form of chat ``chat_id`` (as ``chat.to_dict()`` would give it)."""
    row = conn.execute(select(chats).where(chats.c.id == chat_id)).mappings().first()
    if row is None:
        raise ChatNotFoundError(
            f"no chat {chat_id!r} in this store; store.chats() lists the ids", id=chat_id
        )
    held = conn.execute(
        select(blobs)
        .join(attachments, attachments.c.sha256 == blobs.c.sha256)
        .join(messages, messages.c.id == attachments.c.message_id)
        .where(messages.c.chat_id == chat_id)
    ).mappings()
    found = {b["sha256"]: files.read(b["sha256"]) if b["in_file"] else b["data"] for b in held}
    data = conn.execute(
        select(messages.c.data).where(messages.c.chat_id == chat_id).order_by(messages.c.position)
    ).scalars()
    return {
        "format": "pyllm.chat",
        "version": row["format"],
        "model": row["model"],
        "provider": row["provider"],
        **row["settings"],
        "messages": list(data),
        "blobs": found,
    }


def list_chats(
    conn: Connection,
    *,
    model: str | None = None,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
    text: str | None = None,
    limit: int | None = None,
) -> list[ChatInfo]:
    """Chats, most recently active first, filtered by model, activity time and text."""
    mine = messages.c.chat_id == chats.c.id
    count = select(func.count(messages.c.id)).where(mine).scalar_subquery()
    cost = select(func.sum(messages.c.cost_pico)).where(mine).scalar_subquery()
    query = select(chats, count.label("count"), cost.label("cost"))
    conditions = []
    if model is not None:
        conditions.append(chats.c.model == model)
    if since is not None:
        conditions.append(chats.c.updated_at >= utc(since))
    if until is not None:
        conditions.append(chats.c.updated_at < utc(until))
    if text:
        said = exists().where(mine, messages.c.content.icontains(text, autoescape=True))
        conditions.append(or_(chats.c.title.icontains(text, autoescape=True), said))
    if conditions:
        query = query.where(and_(*conditions))
    query = query.order_by(chats.c.updated_at.desc(), chats.c.id).limit(limit)
    return [
        ChatInfo(
            id=row["id"],
            model=row["model"],
            provider=row["provider"],
            title=row["title"],
            created_at=_aware(row["created_at"]),
            updated_at=_aware(row["updated_at"]),
            messages=row["count"],
            cost=dollars(row["cost"]),
        )
        for row in conn.execute(query).mappings()
    ]


def _aware(moment: datetime) -> datetime:
    """SQLite keeps times without their zone: they are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def delete_chat(conn: Connection, chat_id: str, files: Files) -> bool:
    """Delete a chat, its messages, and the attachments no other message holds."""
    _drop_messages(conn, chat_id, 0)
    gone = conn.execute(delete(chats).where(chats.c.id == chat_id)).rowcount > 0
    orphans = select(blobs.c.sha256, blobs.c.in_file).where(
        ~exists().where(attachments.c.sha256 == blobs.c.sha256)
    )
    loose = list(conn.execute(orphans))
    if loose:
        conn.execute(delete(blobs).where(blobs.c.sha256.in_([key for key, _ in loose])))
        files.forget([key for key, in_file in loose if in_file])
    return gone


def costs(
    conn: Connection,
    *,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    model: str | None = None,
    chat_id: str | None = None,
) -> list[CostRow]:
    """What each model cost each day (UTC): answers, tokens and USD."""
    query = select(
        messages.c.day,
        messages.c.model,
        messages.c.provider,
        func.count(messages.c.id),
        func.sum(messages.c.input_tokens),
        func.sum(messages.c.output_tokens),
        func.sum(messages.c.cost_pico),
    ).where(messages.c.role == "assistant")
    if since is not None:
        query = query.where(messages.c.day >= _day(since))
    if until is not None:
        query = query.where(messages.c.day < _day(until))
    if model is not None:
        query = query.where(messages.c.model == model)
    if chat_id is not None:
        query = query.where(messages.c.chat_id == chat_id)
    group = (messages.c.day, messages.c.model, messages.c.provider)
    query = query.group_by(*group).order_by(*group)
    return [
        CostRow(
            day=date.fromisoformat(day),
            model=name or "",
            provider=provider,
            requests=int(count),
            input_tokens=int(tokens_in or 0),
            output_tokens=int(tokens_out or 0),
            cost=dollars(pico),
        )
        for day, name, provider, count, tokens_in, tokens_out, pico in conn.execute(query)
    ]


def _day(moment: date | datetime) -> str:
    when = utc(moment)
    assert when is not None
    return when.date().isoformat()
