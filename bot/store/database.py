"""The SQLite database: opened once, migrated forward by `PRAGMA user_version`.

Every migration is a list of statements applied in one transaction, so a crash
mid-upgrade leaves the previous version intact. Add migrations; never edit one
that has shipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
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
]


class Database:
    """One connection shared by the bot's handlers (aiosqlite serialises the calls)."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path

    @classmethod
    async def open(cls, path: Path) -> "Database":
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
        await self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield self.connection
        except BaseException:
            await self.connection.rollback()
            raise
        await self.connection.commit()

    async def _migrate(self) -> None:
        async with self.connection.execute("PRAGMA user_version") as cursor:
            (version,) = await cursor.fetchone()
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            async with self.transaction() as db:
                for statement in statements:
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {number}")
