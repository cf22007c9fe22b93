"""The first tables: chats, messages, blobs and which message holds which blob.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pyllm_chats",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("model", sa.String(300), nullable=False),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("format", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_pyllm_chats_updated_at", "pyllm_chats", ["updated_at"])
    op.create_index("ix_pyllm_chats_model", "pyllm_chats", ["model"])
    op.create_table(
        "pyllm_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "chat_id",
            sa.String(32),
            sa.ForeignKey("pyllm_chats.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("model", sa.String(300), nullable=True),
        sa.Column("provider", sa.String(100), nullable=True),
        sa.Column("input_tokens", sa.Integer, nullable=False),
        sa.Column("output_tokens", sa.Integer, nullable=False),
        sa.Column("cached_tokens", sa.Integer, nullable=False),
        sa.Column("reasoning_tokens", sa.Integer, nullable=False),
        sa.Column("cost_pico", sa.BigInteger, nullable=True),
        sa.Column("cost_source", sa.String(20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.UniqueConstraint("chat_id", "position", name="uq_pyllm_messages_chat_position"),
    )
    op.create_index("ix_pyllm_messages_day_model", "pyllm_messages", ["day", "model"])
    op.create_table(
        "pyllm_blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("mime_type", sa.String(200), nullable=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("in_file", sa.Boolean, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=True),
    )
    op.create_table(
        "pyllm_attachments",
        sa.Column(
            "message_id",
            sa.Integer,
            sa.ForeignKey("pyllm_messages.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("pyllm_blobs.sha256"), primary_key=True),
    )
    op.create_index("ix_pyllm_attachments_sha256", "pyllm_attachments", ["sha256"])


def downgrade() -> None:
    op.drop_table("pyllm_attachments")
    op.drop_table("pyllm_blobs")
    op.drop_index("ix_pyllm_messages_day_model", "pyllm_messages")
    op.drop_table("pyllm_messages")
    op.drop_index("ix_pyllm_chats_model", "pyllm_chats")
    op.drop_index("ix_pyllm_chats_updated_at", "pyllm_chats")
    op.drop_table("pyllm_chats")
