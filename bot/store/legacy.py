"""The SQLite schema's history before Alembic, as `PRAGMA user_version` counted it (1..4).

Frozen: an SQLite file made by an older briefbot is brought forward through these, then
stamped with the Alembic baseline (revision 0001, the same tables as version 4). New schema
changes are Alembic revisions in bot/store/migrations/versions, never entries here.
"""

from __future__ import annotations

from sqlalchemy import Connection

MIGRATIONS: list[list[str]] = [
    [  # 1: per-chat settings and the brief cache
        """CREATE TABLE chat_settings (
               chat_id INTEGER PRIMARY KEY,
               target_language TEXT,
               points INTEGER,
               reads TEXT NOT NULL DEFAULT '',
               show_original INTEGER NOT NULL DEFAULT 0,
               ui_language TEXT
           )""",
        """CREATE TABLE brief_cache (
               key TEXT PRIMARY KEY,
               brief TEXT NOT NULL,
               created REAL NOT NULL
           )""",
        """CREATE TABLE brief_sources (
               key TEXT PRIMARY KEY,
               url TEXT,
               text TEXT,
               created REAL NOT NULL
           )""",
    ],
    [  # 2: channel digests: channels, their feeds, and every item seen or posted
        """CREATE TABLE channels (
               chat_id INTEGER PRIMARY KEY,
               title TEXT NOT NULL,
               owner_id INTEGER NOT NULL,
               language TEXT,
               items INTEGER NOT NULL DEFAULT 8,
               include TEXT NOT NULL DEFAULT '',
               exclude TEXT NOT NULL DEFAULT '',
               thread_id INTEGER,
               paused INTEGER NOT NULL DEFAULT 0,
               schedule TEXT NOT NULL DEFAULT '',
               timezone TEXT NOT NULL DEFAULT 'UTC'
           )""",
        """CREATE TABLE feeds (
               id INTEGER PRIMARY KEY,
               channel_id INTEGER NOT NULL REFERENCES channels (chat_id) ON DELETE CASCADE,
               url TEXT NOT NULL,
               etag TEXT,
               last_modified TEXT,
               failures INTEGER NOT NULL DEFAULT 0,
               retry_at REAL NOT NULL DEFAULT 0,
               reported INTEGER NOT NULL DEFAULT 0,
               UNIQUE (channel_id, url)
           )""",
        """CREATE TABLE items (
               id INTEGER PRIMARY KEY,
               channel_id INTEGER NOT NULL REFERENCES channels (chat_id) ON DELETE CASCADE,
               feed_url TEXT NOT NULL,
               guid TEXT NOT NULL,
               url TEXT NOT NULL,
               title TEXT NOT NULL,
               summary TEXT NOT NULL,
               seen REAL NOT NULL,
               posted_message_id INTEGER,
               UNIQUE (channel_id, guid)
           )""",
        "CREATE INDEX items_unposted ON items (channel_id, posted_message_id)",
    ],
    [  # 3: files sent to the bot, kept like links and texts so its buttons can brief them again
        "ALTER TABLE brief_sources ADD COLUMN document BLOB",
        "ALTER TABLE brief_sources ADD COLUMN filename TEXT",
    ],
    [  # 4: briefs accepted and not yet delivered, finished after a restart (even after kill -9)
        """CREATE TABLE pending_briefs (
               id INTEGER PRIMARY KEY,
               chat_id INTEGER NOT NULL,
               user_id INTEGER NOT NULL,
               request_message_id INTEGER NOT NULL,
               status_message_id INTEGER,
               source_key TEXT NOT NULL,
               choice TEXT NOT NULL,
               ui_language TEXT NOT NULL,
               created REAL NOT NULL
           )""",
    ],
]


def upgrade(connection: Connection, version: int) -> None:
    """Applies the migrations after `version`, inside the caller's transaction."""
    for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
        for statement in statements:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(f"PRAGMA user_version = {number}")
