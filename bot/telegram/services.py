"""What handlers share, built once in `post_init` and kept in `bot_data["services"]`."""

from __future__ import annotations

from dataclasses import dataclass

from telegram.ext import ContextTypes

from bot.config import Settings
from bot.pipeline import Briefer
from bot.store.cache import BriefCache
from bot.store.chats import ChatSettingsStore
from bot.store.database import Database
from bot.telegram.fairness import UserRateLimit, WorkQueue


@dataclass
class Services:
    settings: Settings
    briefer: Briefer
    database: Database
    chats: ChatSettingsStore
    cache: BriefCache
    work: WorkQueue
    rate_limit: UserRateLimit


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.bot_data["services"]
