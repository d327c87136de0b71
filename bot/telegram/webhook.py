"""The webhook endpoint and the health check, served by aiohttp.

PTB's own webhook server compares the secret with `!=`; this one uses
`hmac.compare_digest`, so the secret cannot be guessed from response times.
Telegram sends the secret in `X-Telegram-Bot-Api-Secret-Token`.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024  # an update is a few kB; anything near this is not from Telegram


def webhook_app(application: Application, path: str, secret: str) -> web.Application:
    """POST `path` takes updates (wrong or missing secret: 403); GET /healthz says whether the bot runs."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook request from %s refused: wrong or missing secret", request.remote)
            raise web.HTTPForbidden(text="wrong secret")
        try:
            data = await request.json()
            update = Update.de_json(data, application.bot)
        except (json.JSONDecodeError, ValueError, TypeError, KeyError):
            raise web.HTTPBadRequest(text="not an update") from None
        await application.update_queue.put(update)
        return web.Response(text="ok")

    app = health_app(application)
    app.router.add_post(path, receive)
    return app


def health_app(application: Application) -> web.Application:
    async def health(request: web.Request) -> web.Response:
        if not application.running:
            return web.Response(status=503, text="stopped")
        return web.Response(text="ok")

    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    app.router.add_get("/healthz", health)
    return app
