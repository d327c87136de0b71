"""Wiring: build the PTB Application, register every feature's handlers, run it.

`post_init` opens the database and builds the services that handlers share;
`post_shutdown` closes them. Nothing else here knows what a handler does.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import BotCommand, LinkPreviewOptions
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, BaseRateLimiter, Defaults

from bot.config import Settings
from bot.digests.service import DigestService
from bot.errors import BriefError
from bot.pipeline import Briefer, fetch_policy
from bot.store.cache import BriefCache
from bot.store.channels import ChannelStore
from bot.store.chats import ChatSettingsStore
from bot.store.database import Database
from bot.store.state import StateStore
from bot.store.usage import UsageStore
from bot.telegram.digests import schedule_all, telegram_delivery
from bot.telegram.fairness import UserRateLimit, WorkQueue
from bot.telegram.handlers import access, briefs, buttons, channels, errors, inline, start, stats, templates, usage
from bot.telegram.handlers import settings as settings_handlers
from bot.telegram.i18n import N_, texts_for, ui_languages
from bot.telegram.quota import DailyQuota
from bot.telegram.resend import MeteredRequest
from bot.telegram.services import Services, keep_services, services, started_services
from bot.web.fetch import SafeFetcher
from bot.web.telegraph import TelegraphClient, TelegraphPages

if TYPE_CHECKING:
    from bot.queue.broker import BriefQueue

log = logging.getLogger(__name__)
# Briefs and digests carry their own links; a preview card would crowd them out.
NO_LINK_PREVIEWS = Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True))
DATABASE_NAME = "briefbot.sqlite3"
# Order matters: channels' `/settings @channel` before the chat's `/settings`; briefs last, it takes any text.
FEATURES = [start, channels, settings_handlers, stats, templates, usage, buttons, inline, briefs]

COMMANDS = {
    "help": N_("What I do and how to use me"),
    "brief": N_("Brief the message you reply to, or a link"),
    "lang": N_("The language of your briefs"),
    "length": N_("Sentences in a brief"),
    "reads": N_("Languages you read, never translated"),
    "original": N_("Show original sentences under a translation"),
    "settings": N_("What you chose"),
}


def build_application(settings: Settings, briefer: Briefer | None = None) -> Application:
    if not settings.telegram_bot_token:
        raise BriefError("No Telegram bot token.",
                         "Set TELEGRAM_BOT_TOKEN (from @BotFather) or telegram_bot_token in the config file.")
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        # One slow brief must never hold up another chat.
        .concurrent_updates(True)
        .defaults(NO_LINK_PREVIEWS)
        # Telegram's flood limits, with retries after a 429's retry_after.
        .rate_limiter(_send_budget(settings))
        .request(MeteredRequest())  # counts Telegram's 429s and 5xx for /metrics
        .post_init(_start_services(settings, briefer))
        .post_shutdown(_stop_services)
    )
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url).base_file_url(_file_url(settings.telegram_base_url))
    application = builder.build()
    application.add_handlers(access.handlers(settings))  # the operator's allow-list, before every feature
    for feature in FEATURES:
        application.add_handlers(feature.HANDLERS)
    application.add_error_handler(errors.on_error)
    return application


def _send_budget(settings: Settings) -> BaseRateLimiter[int]:
    """One process keeps its own budget; scaled-out processes share one in Redis (bot.queue.budget)."""
    if not settings.queue_url:
        return AIORateLimiter(overall_max_rate=settings.bot_sends_per_second,
                              group_max_rate=settings.group_sends_per_minute, max_retries=3)
    from bot.queue.budget import shared_send_budget  # the `scale` extra

    return shared_send_budget(settings, max_retries=3)


def _file_url(base_url: str) -> str:
    """The Bot API serves files beside its methods: …/bot<token> → …/file/bot<token>."""
    root, _, last = base_url.rstrip("/").rpartition("/")
    return f"{root}/file/{last}"


def _start_services(settings: Settings, briefer: Briefer | None):
    async def post_init(application: Application) -> None:
        database = await Database.open(settings.database_url or settings.data_dir / DATABASE_NAME)
        fetcher = briefer.fetcher if briefer else SafeFetcher(fetch_policy(settings))
        shared_briefer = briefer or Briefer(settings, fetcher=fetcher)
        channel_store = ChannelStore(database)
        delivery = telegram_delivery(application.bot)
        work = WorkQueue(settings.workers, settings.queue_size)
        queue = await _open_queue(settings.queue_url) if settings.queue_url else None
        pages = TelegraphPages(TelegraphClient(settings.telegraph_base_url), StateStore(database))
        keep_services(application, Services(
            settings=settings,
            briefer=shared_briefer,
            database=database,
            chats=ChatSettingsStore(database),
            cache=BriefCache(database),
            work=work,
            rate_limit=UserRateLimit.for_settings(settings),
            quota=DailyQuota(UsageStore(database), settings.daily_quota, settings.admin_users),
            channels=channel_store,
            fetcher=fetcher,
            # digest briefs share the workers with users, behind them (issue 12, item 17)
            digests=DigestService(channel_store, shared_briefer, fetcher, delivery, settings.target_language,
                                  work=lambda: work.slot(background=True), pages=pages),
            queue=queue,
            pages=pages,
        ))
        # schedules live in the database, jobs are rebuilt; one bad stored schedule is skipped
        assert application.job_queue is not None  # python-telegram-bot[job-queue] is a dependency
        schedule_all(application.job_queue, await channel_store.all())
        await services(application).cache.forget_old()
        await _publish_commands(application)
        log.info("briefbot is up as @%s; data in %s", application.bot.username, settings.data_dir)

    return post_init


async def _open_queue(queue_url: str) -> BriefQueue:
    from bot.queue.broker import BriefQueue  # the `scale` extra: only a scaled-out bot needs it

    return await BriefQueue.open(queue_url)


async def _publish_commands(application: Application) -> None:
    """The command menu, in each UI language."""
    for language in ui_languages():
        texts = texts_for(language)
        commands = [BotCommand(name, texts(text)) for name, text in COMMANDS.items()]
        await application.bot.set_my_commands(commands, language_code=None if language == "en" else language)


async def _stop_services(application: Application) -> None:
    shared = started_services(application)
    if shared is None:
        return
    await shared.briefer.aclose()  # its own sessions (an LLM server's); the shared fetcher is closed next
    await shared.fetcher.close()
    if shared.pages is not None:
        await shared.pages.close()
    if shared.queue is not None:
        await shared.queue.close()
    await shared.rate_limit.close()
    await shared.database.close()
