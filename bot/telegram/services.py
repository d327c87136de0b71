"""What handlers share, built once in `post_init` and kept in the application's `bot_data`.

`services(...)` is the one typed way in, for handlers, jobs and the wiring alike:
nothing else reads `bot_data` by key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bot.config import Settings
from bot.digests.service import DigestService
from bot.pipeline import Briefer
from bot.store.cache import BriefCache
from bot.store.channels import ChannelStore
from bot.store.chats import ChatSettingsStore
from bot.store.database import Database
from bot.telegram.fairness import UserRateLimit, WorkQueue
from bot.telegram.quota import DailyQuota
from bot.web.fetch import SafeFetcher
from bot.web.telegraph import TelegraphPages

if TYPE_CHECKING:  # taskiq comes with the `scale` extra: a single process never imports it
    from bot.queue.broker import BriefQueue

_KEY = "services"


@dataclass
class Services:
    settings: Settings
    briefer: Briefer
    database: Database
    chats: ChatSettingsStore
    cache: BriefCache
    work: WorkQueue
    rate_limit: UserRateLimit
    quota: DailyQuota
    channels: ChannelStore
    fetcher: SafeFetcher
    digests: DigestService
    queue: BriefQueue | None = None   # scaled out (queue_url): workers make the briefs, not this process
    pages: TelegraphPages | None = None  # Telegraph pages for long briefs (telegraph_briefs) and digests


class HoldsBotData(Protocol):
    """A PTB callback context or the Application itself: both carry `bot_data`."""

    @property
    def bot_data(self) -> Any: ...


def services(holder: HoldsBotData) -> Services:
    """The services of the running application."""
    shared: Services = holder.bot_data[_KEY]
    return shared


def keep_services(holder: HoldsBotData, shared: Services) -> None:
    """Called once by `post_init`."""
    holder.bot_data[_KEY] = shared


def started_services(holder: HoldsBotData) -> Services | None:
    """The services, or None when `post_init` never ran (a failed start)."""
    shared: Services | None = holder.bot_data.get(_KEY)
    return shared
