"""State the bot creates once and keeps: named values in the `bot_state` table.

The Telegraph account token lives here: made on first use, then read on every start.
Several instances may make one at the same moment; `keep_first` lets the first stored
value win, so every instance ends up using the same one.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.store.database import Database
from bot.store.schema import bot_state


class StateStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def get(self, key: str) -> str | None:
        row = await self.database.fetch_one(select(bot_state.c.value).where(bot_state.c.key == key))
        return str(row.value) if row else None

    async def keep_first(self, key: str, value: str) -> str:
        """Stores `value` under `key` unless a value is there already; returns the stored one."""
        async with self.database.transaction() as connection:
            await connection.execute(self.database.insert(bot_state).values(key=key, value=value)
                                     .on_conflict_do_nothing(index_elements=[bot_state.c.key]))
            stored = (await connection.execute(select(bot_state.c.value).where(bot_state.c.key == key))).scalar_one()
        return str(stored)
