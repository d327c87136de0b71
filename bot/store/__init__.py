"""Persistence: SQLite in the data folder by default, PostgreSQL when scaled out (SQLAlchemy Core)."""

from bot.store.database import Database

__all__ = ["Database"]
