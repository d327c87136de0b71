"""What handlers share, built once in `post_init` and kept in `bot_data["services"]`."""

from __future__ import annotations

from dataclasses import dataclass

from telegram.ext import ContextTypes

from bot.config import Settings
from bot.digests.service import DigestService
from bot.pipeline import Briefer
from bot.store.cache import BriefCache
from bot.store.channels import ChannelStore
from bot.store.chats import ChatSettingsStore
from bot.store.database import Database
from bot.telegram.fairness import UserRateLimit, WorkQueue
from bot.web.fetch import SafeFetcher


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
    fetcher: SafeFetcher
    digests: DigestService


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The services of the running application: the one typed way in for handlers and jobs."""
    shared: Services = context.bot_data["services"]
    return shared
