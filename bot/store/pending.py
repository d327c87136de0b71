"""Briefs the bot has accepted and not yet delivered: stored when accepted, removed when done.

A restart (a deploy, SIGTERM, even kill -9) finds them here and finishes them in the
status message the user already has. Those older than MAX_AGE are dropped instead:
a brief a day late is no answer.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, delete, select, update

from bot.store.database import Database
from bot.store.schema import deliveries, pending_briefs

MAX_AGE = 24 * 3600  # seconds


@dataclass(frozen=True)
class PendingBrief:
    id: int
    chat_id: int
    user_id: int
    request_message_id: int
    status_message_id: int | None
    source_key: str
    choice: dict[str, Any]     # the reader's choice: to, points, keep, show_original
    ui_language: str
    created: float = 0.0       # when it was accepted (epoch seconds)


class PendingBriefs:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(self, chat_id: int, user_id: int, request_message_id: int, status_message_id: int | None,
                  source_key: str, choice: dict[str, Any], ui_language: str) -> int:
        result = await self.database.write(
            pending_briefs.insert().values(
                chat_id=chat_id, user_id=user_id, request_message_id=request_message_id,
                status_message_id=status_message_id, source_key=source_key, choice=json.dumps(choice),
                ui_language=ui_language, created=time.time())
            .returning(pending_briefs.c.id))
        return int(result.scalar_one())

    async def shown_in(self, pending_id: int, status_message_id: int) -> None:
        """The brief's status message, sent once the brief took a while: a restart finishes it there."""
        await self.database.write(update(pending_briefs).where(pending_briefs.c.id == pending_id)
                                  .values(status_message_id=status_message_id))

    async def get(self, pending_id: int) -> PendingBrief | None:
        row = await self.database.fetch_one(select(pending_briefs).where(pending_briefs.c.id == pending_id))
        return _pending(row) if row else None

    async def delivered(self, item: PendingBrief, request: str, message_id: int | None) -> None:
        """Done, and its answer recorded under (chat, request), together: a retried job finds
        either the brief still pending or its delivery, never neither."""
        async with self.database.transaction() as connection:
            await connection.execute(
                self.database.insert(deliveries)
                .values(chat_id=item.chat_id, request=request, message_id=message_id, created=time.time())
                .on_conflict_do_nothing())
            await connection.execute(delete(pending_briefs).where(pending_briefs.c.id == item.id))

    async def done(self, pending_id: int) -> None:
        await self.database.write(delete(pending_briefs).where(pending_briefs.c.id == pending_id))

    async def all(self) -> list[PendingBrief]:
        """Every brief still to finish, oldest first; those past MAX_AGE are forgotten."""
        await self.database.write(delete(pending_briefs).where(pending_briefs.c.created < time.time() - MAX_AGE))
        rows = await self.database.fetch_all(select(pending_briefs).order_by(pending_briefs.c.id))
        return [_pending(row) for row in rows]


def _pending(row: Row[Any]) -> PendingBrief:
    return PendingBrief(row.id, row.chat_id, row.user_id, row.request_message_id, row.status_message_id,
                        row.source_key, json.loads(row.choice), row.ui_language, row.created)
