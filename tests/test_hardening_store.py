"""Issue 12, item 11: a write is never lost with another coroutine's rollback, on a real SQLite file."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from bot.store.chats import ChatSettingsStore
from bot.store.database import Database


async def test_a_setting_saved_during_anothers_rollback_is_kept(tmp_path):
    database = await Database.open(tmp_path / "briefbot.sqlite3")
    chats = ChatSettingsStore(database)
    inside = asyncio.Event()
    try:
        async def failing_digest() -> None:
            async with database.transaction() as db:
                await db.execute(text("INSERT INTO brief_cache (key, brief, created) VALUES ('k', '{}', 0)"))
                inside.set()
                await asyncio.sleep(0.05)   # the /lang handler runs meanwhile
                raise RuntimeError("the digest fails and rolls back")

        async def choose_french() -> None:
            await inside.wait()
            await chats.save((await chats.get(5)).with_values(target_language="fr"))

        results = await asyncio.gather(failing_digest(), choose_french(), return_exceptions=True)
        assert isinstance(results[0], RuntimeError) and results[1] is None
        assert (await chats.get(5)).target_language == "fr"   # was lost with the rollback
    finally:
        await database.close()
    reopened = await Database.open(tmp_path / "briefbot.sqlite3")
    try:
        assert (await ChatSettingsStore(reopened).get(5)).target_language == "fr"
    finally:
        await reopened.close()
