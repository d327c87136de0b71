"""The database: SQLite by default (one file in the data folder), PostgreSQL when scaled out.

Reached through SQLAlchemy 2's async Core (aiosqlite or asyncpg underneath) and migrated
forward by Alembic when opened: the same tables and statements on both. Every write runs
inside a real transaction (`transaction()`); on SQLite the transactions of one process take
turns (one writer at a time is all SQLite allows) and begin IMMEDIATE, so a transaction never
fails half-way for a lock another took after it had read.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, CursorResult, Executable, Row, Table, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from bot.store import legacy

MIGRATIONS = Path(__file__).parent / "migrations"
BASELINE = "0001"             # the Alembic revision equal to legacy user_version 4
MIGRATION_LOCK = 0x62726965    # PostgreSQL advisory lock: instances starting together migrate one at a time


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


class Database:
    """An engine and its pool, shared by every store of one process."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._writer = engine.execution_options(write=True)
        # SQLite allows one writer: this process's transactions wait here, not on the file lock.
        self._write_turn: AbstractAsyncContextManager[Any] = (
            asyncio.Lock() if self.dialect == "sqlite" else nullcontext())

    @classmethod
    async def open(cls, where: Path | str) -> Database:
        """`where`: an SQLite file's path, or a URL (sqlite+aiosqlite:///…, postgresql+asyncpg://…)."""
        if isinstance(where, Path):
            where.parent.mkdir(parents=True, exist_ok=True)
            where = sqlite_url(where)
        elif where.startswith("sqlite"):
            Path(where.split(":///", 1)[-1]).parent.mkdir(parents=True, exist_ok=True)
        if where.startswith("sqlite"):
            # a writer from another process gets 30 s to finish before "database is locked"
            engine = create_async_engine(where, connect_args={"timeout": 30})
            _take_over_sqlite_transactions(engine)
        else:
            engine = create_async_engine(where, pool_pre_ping=True)
        database = cls(engine)
        try:
            await database._migrate()
        except BaseException:
            await engine.dispose()
            raise
        return database

    async def close(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """Everything inside commits together or not at all."""
        async with self._write_turn, self._writer.begin() as connection:
            yield connection

    async def write(self, statement: Executable) -> CursorResult[Any]:
        """One statement that changes data, in a transaction of its own."""
        async with self.transaction() as connection:
            return await connection.execute(statement)

    async def fetch_all(self, statement: Executable) -> Sequence[Row[Any]]:
        async with self.engine.connect() as connection:
            return (await connection.execute(statement)).all()

    async def fetch_one(self, statement: Executable) -> Row[Any] | None:
        async with self.engine.connect() as connection:
            return (await connection.execute(statement)).first()

    def insert(self, table: Table) -> postgresql.Insert | sqlite.Insert:
        """An INSERT that knows ON CONFLICT, in this database's dialect."""
        return postgresql.insert(table) if self.dialect == "postgresql" else sqlite.insert(table)

    async def _migrate(self) -> None:
        async with self.transaction() as connection:
            if self.dialect == "postgresql":
                await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            await connection.run_sync(_upgrade)


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    if connection.dialect.name == "sqlite" and not inspect(connection).has_table("alembic_version"):
        version = connection.exec_driver_sql("PRAGMA user_version").scalar()
        if version:  # a file made before Alembic: finish its old migrations, then it is the baseline
            legacy.upgrade(connection, int(version))
            command.stamp(config, BASELINE)
    command.upgrade(config, "head")


def _take_over_sqlite_transactions(engine: AsyncEngine) -> None:
    """SQLAlchemy emits BEGIN itself (the sqlite3 module would skip it before SELECTs and DDL,
    and a migration must be one transaction); see SQLAlchemy's "Transactions with SQLite"."""

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while a digest is being recorded; FULL sync keeps
        # "posted" marks durable across a power cut.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        # a write transaction takes the write lock at BEGIN (IMMEDIATE), so one that reads and
        # then writes cannot find the file locked half-way; WAL readers are not held up by it.
        writes = connection.get_execution_options().get("write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
