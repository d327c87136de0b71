"""Briefs already made, and the sources they were made from.

A brief is keyed by its source, the options it was made with and the engines'
versions, so a changed setting or a new model never serves a stale brief. The
source itself is kept under its own key so that "Original" and "Translate to…"
buttons can brief it again long after the message that carried it.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass

from sqlalchemy import delete, select

from bot.core.brief import Brief
from bot.store.database import Database
from bot.store.schema import brief_cache, brief_sources

MAX_AGE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class StoredSource:
    """A link, a text, or a file's bytes and name: whichever was briefed."""

    key: str
    url: str | None
    text: str | None
    document: bytes | None = None
    filename: str | None = None


def source_key(url: str | None, text: str | None, document: bytes | None = None, filename: str | None = None) -> str:
    """Short and stable: it travels inside 64-byte callback data."""
    if url:
        material = f"url:{url}".encode()
    elif document is not None:
        material = f"file:{filename}:".encode() + document
    else:
        material = f"text:{text}".encode()
    return hashlib.sha256(material).hexdigest()[:20]


def brief_key(source: str, **options: object) -> str:
    material = json.dumps({"source": source, **options}, sort_keys=True, default=str)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class BriefCache:
    def __init__(self, database: Database, max_age: float = MAX_AGE_SECONDS) -> None:
        self.database = database
        self.max_age = max_age

    async def remember_source(self, url: str | None, text: str | None,
                              document: bytes | None = None, filename: str | None = None) -> StoredSource:
        """Keeps one source (the first of `url`, `document`, `text` given) under its key."""
        key = source_key(url, text, document, filename)
        if url:
            stored = StoredSource(key, url, None)
        elif document is not None:
            stored = StoredSource(key, None, None, document, filename)
        else:
            stored = StoredSource(key, None, text)
        await self.database.write(
            self.database.insert(brief_sources)
            .values(key=key, url=stored.url, text=stored.text, document=stored.document,
                    filename=stored.filename, created=time.time())
            .on_conflict_do_nothing())
        return stored

    async def source(self, key: str) -> StoredSource | None:
        row = await self.database.fetch_one(
            select(brief_sources.c.url, brief_sources.c.text, brief_sources.c.document, brief_sources.c.filename)
            .where(brief_sources.c.key == key))
        return StoredSource(key, row.url, row.text, row.document, row.filename) if row else None

    async def get(self, key: str) -> Brief | None:
        row = await self.database.fetch_one(
            select(brief_cache.c.brief).where(brief_cache.c.key == key,
                                              brief_cache.c.created > time.time() - self.max_age))
        return Brief.from_dict(json.loads(row.brief)) if row else None

    async def put(self, key: str, brief: Brief) -> None:
        insert = self.database.insert(brief_cache).values(
            key=key, brief=json.dumps(brief.to_dict(), ensure_ascii=False), created=time.time())
        await self.database.write(insert.on_conflict_do_update(
            index_elements=[brief_cache.c.key],
            set_={"brief": insert.excluded.brief, "created": insert.excluded.created}))

    async def forget_old(self) -> None:
        cutoff = time.time() - self.max_age
        async with self.database.transaction() as connection:
            await connection.execute(delete(brief_cache).where(brief_cache.c.created < cutoff))
            await connection.execute(delete(brief_sources).where(brief_sources.c.created < cutoff))
