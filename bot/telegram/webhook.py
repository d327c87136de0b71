"""The webhook endpoint, the health check and Prometheus' /metrics, served by aiohttp.

PTB's own webhook server compares the secret with `!=`; this one uses
`hmac.compare_digest`, so the secret cannot be guessed from response times.
Telegram sends the secret in `X-Telegram-Bot-Api-Secret-Token`. A body that is not an
update (a JSON list, a message without a chat) gets 400, and an update id seen lately
is acknowledged but not handled again: Telegram resends an update it thinks was lost.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.metrics import QUEUE_DEPTH, exposition
from bot.telegram.services import started_services

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024  # an update is a few kB; anything near this is not from Telegram
REMEMBERED_UPDATES = 1000       # update ids kept to drop repeats; Telegram resends within minutes


class RecentIds:
    """The last `size` ids seen, to answer "seen lately?" in constant time and bounded memory."""

    def __init__(self, size: int) -> None:
        self._order: deque[int] = deque()
        self._ids: set[int] = set()
        self.size = size

    def add(self, value: int) -> bool:
        """False when `value` was seen lately (and is not added again)."""
        if value in self._ids:
            return False
        self._order.append(value)
        self._ids.add(value)
        if len(self._order) > self.size:
            self._ids.discard(self._order.popleft())
        return True


def webhook_app(application: Application, path: str, secret: str, metrics: bool = False) -> web.Application:
    """POST `path` takes updates (wrong or missing secret: 403); GET /healthz says whether the bot runs;
    GET /metrics only given `metrics` (the health port is the webhook port): the webhook faces the
    internet, the health port need not."""
    seen = RecentIds(REMEMBERED_UPDATES)

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook request from %s refused: wrong or missing secret", request.remote)
            raise web.HTTPForbidden(text="wrong secret")
        try:
            data = await request.json()
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an object with an update_id")
            update = Update.de_json(data, application.bot)
        except (json.JSONDecodeError, ValueError, TypeError, KeyError, AttributeError):
            raise web.HTTPBadRequest(text="not an update") from None
        message = update.effective_message
        if message is not None and message.chat is None:  # nothing could answer it, not even the error handler
            raise web.HTTPBadRequest(text="a message without a chat")
        if not seen.add(update.update_id):
            log.info("update %s received again; handled once", update.update_id)
            return web.Response(text="ok")
        await application.update_queue.put(update)
        return web.Response(text="ok")

    app = health_app(application, metrics)
    app.router.add_post(path, receive)
    return app


def health_app(application: Application, metrics: bool = True) -> web.Application:
    """GET /healthz says whether the bot runs; GET /metrics (unless not `metrics`) gives this process's metrics."""
    return status_app(lambda: application.running, lambda: show_queue(application), metrics)


async def show_queue(application: Application) -> None:
    """The queue gauges, as of this scrape: the Redis stream's when scaled out, else the
    requests waiting for a work slot in this process."""
    shared = started_services(application)
    if shared is None:
        return
    if shared.queue is None:
        QUEUE_DEPTH.set(shared.work.waiting)
        return
    from bot.queue.metrics import show  # the `scale` extra: only a scaled-out front end has a queue

    show(await shared.queue.counts())


def status_app(running: Callable[[], bool], before_scrape: Callable[[], Awaitable[None]] | None = None,
               with_metrics: bool = True) -> web.Application:
    """/healthz (503 unless `running()`) and, `with_metrics`, /metrics (`before_scrape` brings gauges
    up to date first)."""

    async def health(request: web.Request) -> web.Response:
        if not running():
            return web.Response(status=503, text="stopped")
        return web.Response(text="ok")

    async def metrics(request: web.Request) -> web.Response:
        if before_scrape is not None:
            try:
                await before_scrape()
            except Exception:  # noqa: BLE001 - Redis away: the other metrics still matter, the gauges keep their last value
                log.warning("queue gauges not refreshed", exc_info=True)
        body, content_type = exposition()
        response = web.Response(body=body)
        response.headers["Content-Type"] = content_type
        return response

    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    app.router.add_get("/healthz", health)
    if with_metrics:
        app.router.add_get("/metrics", metrics)
    return app


async def serve_app(app: web.Application, host: str, port: int) -> web.AppRunner:
    """`app` served on host:port until the runner is cleaned up."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
