"""The tables of :class:`~pyllm.SQLStore` (SQLAlchemy Core), the same on SQLite and PostgreSQL.

``pyllm_chats``     one row a chat: model, provider, title, settings (JSON), times
``pyllm_messages``  one row a message, in order: its saved form (JSON), its text (to search),
                    usage and cost (``cost_pico``: USD x 10^12, so sums are exact), its day
``pyllm_blobs``     attachment bytes, once per SHA-256 (large ones in files beside a SQLite file)
``pyllm_attachments``  which message holds which blob

Changes go in a new Alembic revision under ``_migrations/versions`` (and :data:`HEAD`).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = ["HEAD", "VERSION_TABLE", "attachments", "blobs", "chats", "messages", "metadata"]

HEAD = "0001"
"""The newest migration: a database at it has exactly these tables."""
VERSION_TABLE = "pyllm_alembic_version"
"""Alembic's own table, named so it never meets an application's ``alembic_version``."""

metadata = MetaData()

chats = Table(
    "pyllm_chats",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("model", String(300), nullable=False),
    Column("provider", String(100), nullable=False),
    Column("title", Text, nullable=True),
    Column("settings", JSON, nullable=False),
    Column("format", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_pyllm_chats_updated_at", "updated_at"),
    Index("ix_pyllm_chats_model", "model"),
)

messages = Table(
    "pyllm_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "chat_id",
        String(32),
        ForeignKey("pyllm_chats.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("position", Integer, nullable=False),
    Column("role", String(20), nullable=False),
    Column("content", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Column("model", String(300), nullable=True),
    Column("provider", String(100), nullable=True),
    Column("input_tokens", Integer, nullable=False, default=0),
    Column("output_tokens", Integer, nullable=False, default=0),
    Column("cached_tokens", Integer, nullable=False, default=0),
    Column("reasoning_tokens", Integer, nullable=False, default=0),
    Column("cost_pico", BigInteger, nullable=True),
    Column("cost_source", String(20), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("day", String(10), nullable=False),
    UniqueConstraint("chat_id", "position", name="uq_pyllm_messages_chat_position"),
    Index("ix_pyllm_messages_day_model", "day", "model"),
)

blobs = Table(
    "pyllm_blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("mime_type", String(200), nullable=True),
    Column("size", BigInteger, nullable=False),
    Column("in_file", Boolean, nullable=False, default=False),
    Column("data", LargeBinary, nullable=True),
)

attachments = Table(
    "pyllm_attachments",
    metadata,
    Column(
        "message_id",
        Integer,
        ForeignKey("pyllm_messages.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("sha256", String(64), ForeignKey("pyllm_blobs.sha256"), primary_key=True),
    Index("ix_pyllm_attachments_sha256", "sha256"),
)
