"""The SQLite database: opened once, migrated forward by `PRAGMA user_version`.

Every migration is a list of statements applied in one transaction, so a crash
mid-upgrade leaves the previous version intact. Add migrations; never edit one
that has shipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

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


class Database:
    """One connection shared by the bot's handlers (aiosqlite serialises the calls)."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path
        # One connection: transactions from concurrent handlers must take turns.
        self._transaction_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True)
        # autocommit: single statements commit at once, `transaction()` groups the rest
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = aiosqlite.Row
        # WAL lets readers go on while a digest is being recorded; FULL sync keeps
        # "posted" marks durable across a power cut.
        await connection.execute("PRAGMA journal_mode=WAL")
        await connection.execute("PRAGMA synchronous=FULL")
        await connection.execute("PRAGMA foreign_keys=ON")
        database = cls(connection, path)
        await database._migrate()
        return database

    async def close(self) -> None:
        await self.connection.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Everything inside commits together or not at all."""
        async with self._transaction_lock:
            await self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                await self.connection.rollback()
                raise
            await self.connection.commit()

    async def write(self, sql: str, parameters: Sequence[object] = ()) -> aiosqlite.Cursor:
        """One statement that changes data, committed on its own. It takes the transaction lock:
        on the one shared connection, a write made while another coroutine's transaction is
        open would belong to it, and vanish with its rollback (a saved /lang, lost)."""
        async with self.transaction() as db:
            return await db.execute(sql, parameters)

    async def _migrate(self) -> None:
        async with self.connection.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        assert row is not None  # PRAGMA user_version always answers one row
        (version,) = row
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            async with self.transaction() as db:
                for statement in statements:
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {number}")
