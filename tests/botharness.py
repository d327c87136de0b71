"""Runs the real PTB Application (via `bot.telegram.run.serve`) against the fake Bot API."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from telegram.ext import Application

from bot.config import Settings
from bot.pipeline import Briefer
from bot.telegram.app import build_application
from bot.telegram.run import serve
from tests.fakebotapi import TOKEN, FakeBotAPI


def bot_settings(api: FakeBotAPI, data_dir: Path, local_port: int | None = None, **values) -> Settings:
    """Settings for a bot that talks to `api` and may fetch from the local test server."""
    ports = f"80,443,{local_port}" if local_port else "80,443"
    return Settings(data_dir=data_dir, fetch_allowlist="127.0.0.1", fetch_ports=ports).with_values(
        {"telegram_bot_token": TOKEN, "telegram_base_url": api.base_url, **values})


@asynccontextmanager
async def running_bot(settings: Settings, briefer: Briefer | None = None) -> AsyncIterator[Application]:
    application = build_application(settings, briefer)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, application, stop))
    try:
        yield application
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


class PrefixTranslator:
    """A stand-in translation model: marks each text so tests can see what was translated.
    `gate`, when given, holds every translation until the test opens it. As a provider it
    gives a translator bound to the pair asked for."""

    name = "test-translator"
    signature = "test-translator"

    def __init__(self, gate: threading.Event | None = None, source: str = "", target: str = "") -> None:
        self.gate = gate
        self.source, self.target = source, target

    def translator_for(self, source: str, target: str) -> PrefixTranslator:
        return PrefixTranslator(self.gate, source, target)

    def install_hint(self, source: str, target: str) -> str | None:
        return None

    def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]:
        if self.gate is not None:
            self.gate.wait(20)
        return [f"[{self.target}] {text}" for text in texts]


# ---- a channel with an admin and a member, as the channel-feature tests use it ----------------

CHANNEL = -1001234
ADMIN, STRANGER = 7, 8


def with_harbour_channel(api: FakeBotAPI) -> FakeBotAPI:
    """@harbour_news, where ADMIN administers and STRANGER is only a member."""
    api.add_channel(CHANNEL, "harbour_news", "Harbour News", {ADMIN: "administrator", STRANGER: "member"})
    return api


def replies(api: FakeBotAPI, user: int) -> list[str]:
    return [c.params["text"] for c in api.sent("sendMessage", user)]


def posts(api: FakeBotAPI) -> list[str]:
    return [c.params["text"] for c in api.sent("sendMessage", CHANNEL)]
