"""Persistence: one SQLite file in the data folder, reached through aiosqlite."""

from bot.store.database import Database

__all__ = ["Database"]
