"""What users were sent, keyed by chat and request: a retried job finds its answer here and
sends nothing twice (issue 15, item 3)."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.database import Database
from bot.store.schema import deliveries


class Deliveries:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def delivered(self, chat_id: int, request: str) -> bool:
        row = await self.database.fetch_one(
            select(deliveries.c.chat_id).where(deliveries.c.chat_id == chat_id, deliveries.c.request == request))
        return row is not None
