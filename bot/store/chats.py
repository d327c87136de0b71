"""What each chat chose: the brief's language, its length, languages it reads as they are."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select

from bot.store.database import Database
from bot.store.schema import chat_settings


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

    async def get(self, chat_id: int) -> ChatSettings:
        row = await self.database.fetch_one(select(chat_settings).where(chat_settings.c.chat_id == chat_id))
        if row is None:
            return ChatSettings(chat_id)
        reads = frozenset(code for code in row.reads.split(",") if code)
        return ChatSettings(chat_id, row.target_language, row.points, reads, bool(row.show_original),
                            row.ui_language)

    async def save(self, settings: ChatSettings) -> None:
        values = {"target_language": settings.target_language, "points": settings.points,
                  "reads": ",".join(sorted(settings.reads)), "show_original": int(settings.show_original),
                  "ui_language": settings.ui_language}
        await self.database.write(
            self.database.insert(chat_settings).values(chat_id=settings.chat_id, **values)
            .on_conflict_do_update(index_elements=[chat_settings.c.chat_id], set_=values))
