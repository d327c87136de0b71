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

from bot.store.database import Database

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


class PendingBriefs:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(self, chat_id: int, user_id: int, request_message_id: int, status_message_id: int | None,
                  source_key: str, choice: dict[str, Any], ui_language: str) -> int:
        cursor = await self.database.write(
            "INSERT INTO pending_briefs (chat_id, user_id, request_message_id, status_message_id, source_key,"
            " choice, ui_language, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (chat_id, user_id, request_message_id, status_message_id, source_key, json.dumps(choice), ui_language,
             time.time()))
        return int(cursor.lastrowid or 0)

    async def done(self, pending_id: int) -> None:
        await self.database.write("DELETE FROM pending_briefs WHERE id = ?", (pending_id,))

    async def all(self) -> list[PendingBrief]:
        """Every brief still to finish, oldest first; those past MAX_AGE are forgotten."""
        await self.database.write("DELETE FROM pending_briefs WHERE created < ?", (time.time() - MAX_AGE,))
        async with self.database.connection.execute("SELECT * FROM pending_briefs ORDER BY id") as cursor:
            rows = await cursor.fetchall()
        return [PendingBrief(row["id"], row["chat_id"], row["user_id"], row["request_message_id"],
                             row["status_message_id"], row["source_key"], json.loads(row["choice"]),
                             row["ui_language"]) for row in rows]
