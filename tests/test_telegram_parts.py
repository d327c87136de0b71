"""The bot's parts that need no Bot API: UI catalogs, the work queue, the rate limit, the store."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from telegram.ext import CallbackQueryHandler

from bot.core.brief import Brief, OriginalText, SourceInfo
from bot.store.cache import BriefCache, brief_key, source_key
from bot.store.chats import ChatSettings, ChatSettingsStore
from bot.store.database import Database
from bot.telegram.fairness import QueueFull, RateLimited, UserRateLimit, WorkQueue
from bot.telegram.handlers import buttons, settings
from bot.telegram.i18n import EXTRACT_KEYWORDS, texts_for, ui_language
from bot.telegram.keyboards import OFFERED_LANGUAGES, brief_keyboard, language_keyboard

TELEGRAM_DIR = Path(__file__).resolve().parents[1] / "bot" / "telegram"


def ui_texts_in_code() -> set[str]:
    """The bot's texts and the headings and notes of briefs: all of `bot/` shares the catalogs."""
    keywords = {name: None for name in EXTRACT_KEYWORDS}
    return {message for _, _, message, _, _ in extract_from_dir(TELEGRAM_DIR.parent, keywords=keywords)}


def test_every_ui_text_has_an_arabic_translation():
    arabic = texts_for("ar")
    untranslated = [text for text in ui_texts_in_code() if arabic(text) == text]
    assert untranslated == []


def test_translations_keep_their_placeholders():
    arabic = texts_for("ar")
    texts = ui_texts_in_code()
    assert any("{chat}" in text for text in texts)  # the channel commands' texts are among them
    for text in texts:
        assert sorted(re.findall(r"\{\w*\}", text)) == sorted(re.findall(r"\{\w*\}", arabic(text))), text


def test_only_the_services_module_reads_bot_data():
    """Handlers, jobs and the wiring reach the services through `services(...)`, typed."""
    readers = [path.relative_to(TELEGRAM_DIR) for path in TELEGRAM_DIR.rglob("*.py")
               if "bot_data" in path.read_text(encoding="utf-8")]
    assert readers == [Path("services.py")]


def test_callback_data_fits_telegrams_64_bytes_and_the_handlers_patterns():
    source = source_key(None, "نص " * 5000)
    translated = Brief(SourceInfo(language="ar"), "en", "Title", ["One."],
                       original=OriginalText("ar", "عنوان", ["واحد."]))
    texts = texts_for("ar")
    keyboards = [brief_keyboard(translated, source, texts), language_keyboard(texts, "to", suffix=source),
                 language_keyboard(texts, "lang")]
    data = [button.callback_data for keyboard in keyboards for row in keyboard.inline_keyboard for button in row]
    patterns = [handler.pattern for handler in [*buttons.HANDLERS, *settings.HANDLERS]
                if isinstance(handler, CallbackQueryHandler)]
    assert len(data) == 2 + 2 * len(OFFERED_LANGUAGES)
    for item in data:
        assert 1 <= len(item.encode("utf-8")) <= 64, item
        assert sum(bool(pattern.match(item)) for pattern in patterns) == 1, item


def test_ui_language_falls_back_to_english():
    assert ui_language("ar-EG") == "ar"
    assert ui_language("sw") == "en"
    assert ui_language(None) == "en"
    assert texts_for("ar").language_name("fr") == "الفرنسية"


async def test_the_queue_tells_waiters_their_place_and_refuses_beyond_capacity():
    queue = WorkQueue(workers=1, capacity=2)
    release = asyncio.Event()
    positions: list[int] = []

    async def job(started: asyncio.Event | None = None):
        async def queued(position: int) -> None:
            positions.append(position)
        async with queue.slot(on_queued=queued):
            if started:
                started.set()
            await release.wait()

    first = asyncio.Event()
    running = [asyncio.create_task(job(first))]
    await first.wait()
    running += [asyncio.create_task(job()), asyncio.create_task(job())]
    await asyncio.sleep(0.05)
    with pytest.raises(QueueFull):
        async with queue.slot():
            pass
    release.set()
    await asyncio.gather(*running)
    assert positions == [1, 2] and queue.waiting == 0


async def test_rate_limit_counts_per_user_within_the_window():
    limit = UserRateLimit(limit=2, window=1)
    await limit.admit(1)
    await limit.admit(1)
    with pytest.raises(RateLimited) as refused:
        await limit.admit(1)
    assert refused.value.seconds == 1
    await limit.admit(2)  # another user is not affected
    await asyncio.sleep(1.05)
    await limit.admit(1)


async def test_settings_and_cached_briefs_live_in_a_real_sqlite_file(tmp_path):
    path = tmp_path / "bot.sqlite3"
    database = await Database.open(path)
    await ChatSettingsStore(database).save(ChatSettings(5, "ar", 3, frozenset({"fr", "en"}), True))
    brief = Brief(SourceInfo(url="https://x.example/a", language="ar"), "en", "Title", ["One.", "Two."],
                  original=OriginalText("ar", "عنوان", ["واحد.", "اثنان."]))
    cache = BriefCache(database)
    stored = await cache.remember_source("https://x.example/a", None)
    key = brief_key(stored.key, to="en")
    await cache.put(key, brief)
    await database.close()

    database = await Database.open(path)
    assert await ChatSettingsStore(database).get(5) == ChatSettings(5, "ar", 3, frozenset({"fr", "en"}), True)
    assert await ChatSettingsStore(database).get(6) == ChatSettings(6)
    assert (await BriefCache(database).get(key)) == brief
    assert (await BriefCache(database).source(stored.key)).url == "https://x.example/a"
    await database.close()
