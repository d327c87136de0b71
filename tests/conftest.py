"""Shared fixtures. Tests are offline: nothing may reach a model hub."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
import pytest_asyncio

os.environ.setdefault("HF_HUB_OFFLINE", "1")

EXAMPLES = Path(__file__).resolve().parents[1] / "bot" / "examples"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def briefer():
    from bot.config import Settings
    from bot.pipeline import Briefer

    return Briefer(Settings())


@pytest.fixture(scope="session")
def examples() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def server():
    """A real HTTP server on 127.0.0.1 (see tests/httpserver.py)."""
    from tests.httpserver import LocalServer

    with LocalServer() as running:
        yield running


@pytest_asyncio.fixture
async def api():
    """A fake Telegram Bot API on 127.0.0.1 (tests/fakebotapi.py), fresh for each test."""
    from tests.fakebotapi import FakeBotAPI

    fake = FakeBotAPI()
    await fake.start()
    yield fake
    await fake.stop()


@pytest_asyncio.fixture
async def feeds():
    """RSS/Atom feeds on 127.0.0.1 (tests/feedserver.py)."""
    from tests.feedserver import FeedServer

    server = FeedServer()
    await server.start()
    yield server
    await server.stop()


@pytest_asyncio.fixture
async def held_page():
    """An article at /held/{n} that is not sent until the test sets the event: (port, event)."""
    from aiohttp import web

    from tests.httpserver import start_on_loopback

    released = asyncio.Event()

    async def page(request: web.Request) -> web.Response:
        await released.wait()
        return web.Response(body=(EXAMPLES / "desalination.html").read_bytes(), content_type="text/html",
                            charset="utf-8")

    app = web.Application()
    app.router.add_get("/held/{n}", page)
    runner, port = await start_on_loopback(app)
    yield port, released
    released.set()
    await runner.cleanup()


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    """Tiny random Marian, BART and Qwen2 models in folders (see tests/tinymodels.py)."""
    from tests.tinymodels import build_bart, build_chat_model, build_marian

    root = tmp_path_factory.mktemp("models")
    return {"marian": build_marian(root / "marian-ar-en"), "bart": build_bart(root / "bart"),
            "chat": build_chat_model(root / "qwen2-chat")}


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL 15 on 127.0.0.1 (tests/servers.py), for the whole session."""
    from tests.servers import PostgresServer, postgres_missing

    if missing := postgres_missing():
        pytest.skip(missing)
    with PostgresServer() as running:
        yield running


@pytest.fixture(scope="session")
def redis_server():
    """A real redis-server on 127.0.0.1 (tests/servers.py), for the whole session."""
    from tests.servers import RedisServer, redis_missing

    if missing := redis_missing():
        pytest.skip(missing)
    with RedisServer() as running:
        yield running


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """An empty database of each kind: an SQLite file, and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'briefbot.sqlite3'}"
    return request.getfixturevalue("postgres").database()


@pytest.fixture
async def database(database_url):
    """The store opened (and migrated) on each kind of database."""
    from bot.store.database import Database

    opened = await Database.open(database_url)
    yield opened
    await opened.close()
