"""Baseline: the schema that `PRAGMA user_version` 4 described (chat settings, the brief cache,
channels, feeds, items, pending briefs). An SQLite file made before Alembic is brought to
user_version 4 by bot.store.legacy and stamped with this revision instead of running it.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "chat_settings",
        sa.Column("chat_id", RowId, primary_key=True, autoincrement=False),
        sa.Column("target_language", sa.Text),
        sa.Column("points", sa.Integer),
        sa.Column("reads", sa.Text, nullable=False, server_default=""),
        sa.Column("show_original", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ui_language", sa.Text),
    )
    op.create_table(
        "brief_cache",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("brief", sa.Text, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
    )
    op.create_table(
        "brief_sources",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("url", sa.Text),
        sa.Column("text", sa.Text),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("document", sa.LargeBinary),
        sa.Column("filename", sa.Text),
    )
    op.create_table(
        "channels",
        sa.Column("chat_id", RowId, primary_key=True, autoincrement=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("owner_id", sa.BigInteger, nullable=False),
        sa.Column("language", sa.Text),
        sa.Column("items", sa.Integer, nullable=False, server_default="8"),
        sa.Column("include", sa.Text, nullable=False, server_default=""),
        sa.Column("exclude", sa.Text, nullable=False, server_default=""),
        sa.Column("thread_id", sa.BigInteger),
        sa.Column("paused", sa.Integer, nullable=False, server_default="0"),
        sa.Column("schedule", sa.Text, nullable=False, server_default=""),
        sa.Column("timezone", sa.Text, nullable=False, server_default="UTC"),
    )
    op.create_table(
        "feeds",
        sa.Column("id", RowId, primary_key=True),
        sa.Column("channel_id", sa.BigInteger, sa.ForeignKey("channels.chat_id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("retry_at", sa.Float, nullable=False, server_default="0"),
        sa.Column("reported", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("channel_id", "url"),
    )
    op.create_table(
        "items",
        sa.Column("id", RowId, primary_key=True),
        sa.Column("channel_id", sa.BigInteger, sa.ForeignKey("channels.chat_id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("feed_url", sa.Text, nullable=False),
        sa.Column("guid", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("seen", sa.Float, nullable=False),
        sa.Column("posted_message_id", sa.BigInteger),
        sa.UniqueConstraint("channel_id", "guid"),
    )
    op.create_index("items_unposted", "items", ["channel_id", "posted_message_id"])
    op.create_table(
        "pending_briefs",
        sa.Column("id", RowId, primary_key=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("request_message_id", sa.BigInteger, nullable=False),
        sa.Column("status_message_id", sa.BigInteger),
        sa.Column("source_key", sa.Text, nullable=False),
        sa.Column("choice", sa.Text, nullable=False),
        sa.Column("ui_language", sa.Text, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in ("pending_briefs", "items", "feeds", "channels", "brief_sources", "brief_cache", "chat_settings"):
        op.drop_table(table)
