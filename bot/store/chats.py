"""What each chat chose: the brief's language, its length, languages it reads as they are."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bot.store.database import Database


@dataclass(frozen=True)
class ChatSettings:
    chat_id: int
    target_language: str | None = None   # None: the user's Telegram language, else the bot's default
    points: int | None = None            # None: the bot's default
    reads: frozenset[str] = field(default_factory=frozenset)  # never translated from these
    show_original: bool = False          # add the source sentences under a translated brief
    ui_language: str | None = None       # None: the user's Telegram language

    def with_values(self, **values: Any) -> ChatSettings:
        return replace(self, **values)


class ChatSettingsStore:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.db = database.connection

    async def get(self, chat_id: int) -> ChatSettings:
        async with self.db.execute(
            "SELECT target_language, points, reads, show_original, ui_language"
            " FROM chat_settings WHERE chat_id = ?", (chat_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return ChatSettings(chat_id)
        reads = frozenset(code for code in row["reads"].split(",") if code)
        return ChatSettings(chat_id, row["target_language"], row["points"], reads,
                            bool(row["show_original"]), row["ui_language"])

    async def save(self, settings: ChatSettings) -> None:
        await self.database.write(
            """INSERT INTO chat_settings (chat_id, target_language, points, reads, show_original, ui_language)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (chat_id) DO UPDATE SET
                 target_language = excluded.target_language, points = excluded.points,
                 reads = excluded.reads, show_original = excluded.show_original,
                 ui_language = excluded.ui_language""",
            (settings.chat_id, settings.target_language, settings.points,
             ",".join(sorted(settings.reads)), int(settings.show_original), settings.ui_language),
        )
