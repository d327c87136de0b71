"""`briefbot run`: long polling, or a webhook, until SIGINT or SIGTERM.

The Application is driven by hand rather than by `run_polling()` so that both
modes share one shutdown path and the webhook can use our own secret-checking
server; that is why `post_init`/`post_shutdown` are called here explicitly.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.telegram.briefing import cancel_briefs, resume_pending
from bot.telegram.webhook import health_app, webhook_app

log = logging.getLogger("briefbot")


def configure_logging(secret: str = "") -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    # httpx logs every request URL at INFO, and a Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if secret:  # python-telegram-bot's DEBUG logs carry it too: no log line may
        for handler in logging.getLogger().handlers:
            handler.addFilter(Redact(secret))


class Redact(logging.Filter):
    """Replaces `secret` in every record that passes, whatever level and logger it comes from."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.secret in record.exc_text:
            record.exc_text = record.exc_text.replace(self.secret, "<token>")
        return True


async def serve(settings: Settings, application: Application, stop: asyncio.Event | None = None) -> None:
    """Runs until `stop` is set (by default: on SIGINT or SIGTERM), then shuts down cleanly."""
    stop = stop or _stop_on_signals()
    await application.initialize()
    if application.post_init:  # run_polling would call it; serve() starts the parts itself
        await application.post_init(application)
    runners: list[web.AppRunner] = []
    try:
        await application.start()
        resume_pending(application)  # briefs accepted before the last stop, or crash
        if settings.webhook_url:
            runners.append(await _start_webhook(settings, application))
        else:
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
            log.info("polling for updates")
        if settings.health_port and settings.health_port != settings.webhook_port:
            runners.append(await _serve(health_app(application), settings.webhook_listen, settings.health_port))
        await stop.wait()
        log.info("stopping")
    finally:
        if application.updater.running:
            await application.updater.stop()
        # Briefs in flight are stored: cancelled now, finished after the restart, so a stop
        # takes a moment instead of a fetch timeout (Docker kills after 10 s).
        cancelled = cancel_briefs(application)
        if cancelled:
            log.info("%d brief(s) in flight will be finished after the restart", cancelled)
        if application.running:
            await application.stop()
        for runner in runners:
            await runner.cleanup()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


async def _start_webhook(settings: Settings, application: Application) -> web.AppRunner:
    secret = settings.webhook_secret or secrets.token_urlsafe(32)
    path = urlsplit(settings.webhook_url).path or "/"
    runner = await _serve(webhook_app(application, path, secret, metrics=settings.health_port == settings.webhook_port),
                          settings.webhook_listen, settings.webhook_port)
    await application.bot.set_webhook(settings.webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
    log.info("webhook %s served on %s:%s", settings.webhook_url, settings.webhook_listen, settings.webhook_port)
    return runner


async def _serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop
