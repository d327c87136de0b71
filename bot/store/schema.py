"""The tables, as SQLAlchemy Core sees them today (the Alembic head).

One schema for SQLite and PostgreSQL: Telegram ids need 64 bits (BigInteger); surrogate
keys are BIGINT on PostgreSQL and SQLite's INTEGER rowid alias there (a BIGINT key would not
count up on its own in SQLite). Change a table only together with a new revision in
bot/store/migrations/versions.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
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

RowId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

chat_settings = Table(
    "chat_settings", metadata,
    Column("chat_id", RowId, primary_key=True, autoincrement=False),
    Column("target_language", Text),
    Column("points", Integer),
    Column("reads", Text, nullable=False, server_default=""),
    Column("show_original", Integer, nullable=False, server_default="0"),
    Column("ui_language", Text),
)

brief_cache = Table(
    "brief_cache", metadata,
    Column("key", Text, primary_key=True),
    Column("brief", Text, nullable=False),
    Column("created", Float, nullable=False),
)

brief_sources = Table(
    "brief_sources", metadata,
    Column("key", Text, primary_key=True),
    Column("url", Text),
    Column("text", Text),
    Column("created", Float, nullable=False),
    Column("document", LargeBinary),
    Column("filename", Text),
)

channels = Table(
    "channels", metadata,
    Column("chat_id", RowId, primary_key=True, autoincrement=False),
    Column("title", Text, nullable=False),
    Column("owner_id", BigInteger, nullable=False),
    Column("language", Text),
    Column("items", Integer, nullable=False, server_default="8"),
    Column("include", Text, nullable=False, server_default=""),
    Column("exclude", Text, nullable=False, server_default=""),
    Column("thread_id", BigInteger),
    Column("paused", Integer, nullable=False, server_default="0"),
    Column("schedule", Text, nullable=False, server_default=""),
    Column("timezone", Text, nullable=False, server_default="UTC"),
    # when the next scheduled digest is due (epoch seconds); NULL: none scheduled
    Column("next_run", Float),
    Index("channels_due", "next_run"),
    # digest languages, comma-separated ("en,ar"); empty: the one `language` above
    Column("languages", Text, nullable=False, server_default=""),
    # the digest template as JSON (bot.digests); empty: the default template
    Column("template", Text, nullable=False, server_default=""),
    # 1: long digests and briefs go to a telegra.ph page
    Column("telegraph", Integer, nullable=False, server_default="0"),
)

feeds = Table(
    "feeds", metadata,
    Column("id", RowId, primary_key=True),
    Column("channel_id", BigInteger, ForeignKey("channels.chat_id", ondelete="CASCADE"), nullable=False),
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("retry_at", Float, nullable=False, server_default="0"),
    Column("reported", Integer, nullable=False, server_default="0"),
    Column("hashtags", Text, nullable=False, server_default=""),   # "#economy #gulf"
    UniqueConstraint("channel_id", "url"),
)

items = Table(
    "items", metadata,
    Column("id", RowId, primary_key=True),
    Column("channel_id", BigInteger, ForeignKey("channels.chat_id", ondelete="CASCADE"), nullable=False),
    Column("feed_url", Text, nullable=False),
    Column("guid", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("seen", Float, nullable=False),
    Column("posted_message_id", BigInteger),
    UniqueConstraint("channel_id", "guid"),
    Index("items_unposted", "channel_id", "posted_message_id"),
)

pending_briefs = Table(
    "pending_briefs", metadata,
    Column("id", RowId, primary_key=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("request_message_id", BigInteger, nullable=False),
    Column("status_message_id", BigInteger),
    Column("source_key", Text, nullable=False),
    Column("choice", Text, nullable=False),
    Column("ui_language", Text, nullable=False),
    Column("created", Float, nullable=False),
)

# One row per answer a user can see: a retried job finds it and sends nothing twice.
deliveries = Table(
    "deliveries", metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("request", String(200), primary_key=True),
    Column("message_id", BigInteger),
    Column("created", Float, nullable=False),
)

# State the bot creates once and keeps, such as the Telegraph account token.
bot_state = Table(
    "bot_state", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

# Briefs a user asked for on a day (UTC, "2026-11-26"): daily quotas and the admin's usage list.
usage = Table(
    "usage", metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("day", String(10), primary_key=True),
    Column("briefs", Integer, nullable=False, server_default="0"),
)

# What happened in a channel, for /stats: kind is "post", "item", "duplicate", "guard_repair"
# or "feed_failure"; feed_url where the event belongs to one feed.
channel_events = Table(
    "channel_events", metadata,
    Column("id", RowId, primary_key=True),
    Column("channel_id", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("feed_url", Text),
    Column("count", Integer, nullable=False, server_default="1"),
    Column("at", Float, nullable=False),
    Index("channel_events_by_time", "channel_id", "at"),
)
