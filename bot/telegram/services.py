"""What handlers share, built once in `post_init` and kept in `bot_data["services"]`."""

from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

from telegram.ext import ContextTypes

from bot.config import Settings
from bot.pipeline import Briefer
from bot.store.cache import BriefCache
from bot.store.channels import ChannelStore
from bot.store.chats import ChatSettingsStore
from bot.store.database import Database
from bot.telegram.fairness import UserRateLimit, WorkQueue

if TYPE_CHECKING:  # digests import the briefing helpers, which import this module
    from bot.telegram.digests import DigestService


@dataclass
class Services:
    settings: Settings
    briefer: Briefer
    database: Database
    chats: ChatSettingsStore
    cache: BriefCache
    work: WorkQueue
    rate_limit: UserRateLimit
    channels: ChannelStore
    digests: "DigestService"


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.bot_data["services"]
