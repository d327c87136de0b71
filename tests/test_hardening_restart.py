"""Issue 12, item 8: briefs the bot accepted survive kill -9 and SIGTERM, and SIGTERM is quick.
The real `briefbot run` in a subprocess, against the fake Bot API and a page on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time

from tests.fakebotapi import FakeBotAPI


def status_of(api: FakeBotAPI, chat_id: int) -> int:
    """The id of the chat's status message: the one that said "Fetching the page…"."""
    return next(int(c.params["message_id"]) for c in api.sent("editMessageText", chat_id)
                if "Fetching" in c.params["text"])


def fetching(api: FakeBotAPI, chat_id: int) -> bool:
    return any("Fetching" in c.params["text"] for c in api.sent("editMessageText", chat_id))


def brief_in_status(api: FakeBotAPI, chat_id: int) -> bool:
    return any("Key figures" in c.params["text"] and int(c.params["message_id"]) == status_of(api, chat_id)
               for c in api.sent("editMessageText", chat_id))


async def start_bot(api: FakeBotAPI, tmp_path, port: int, name: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "4242:TEST-TOKEN", "BRIEFBOT_TELEGRAM_BASE_URL": api.base_url,
           "BRIEFBOT_DATA_DIR": str(tmp_path), "BRIEFBOT_CONFIG": "", "BRIEFBOT_FETCH_ALLOWLIST": "127.0.0.1",
           "BRIEFBOT_FETCH_PORTS": f"80,443,{port}", "BRIEFBOT_FETCH_TIMEOUT": "60"}
    before = len(api.sent("deleteWebhook"))
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - the child writes to it
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", env=env,
                                                   stdout=asyncio.subprocess.DEVNULL, stderr=log)
    await api.wait_for(lambda a: len(a.sent("deleteWebhook")) > before, timeout=30)
    return process


async def test_accepted_briefs_survive_kill_9_and_sigterm(api, tmp_path, held_page):
    port, released = held_page
    link = f"http://127.0.0.1:{port}/held/"

    first = await start_bot(api, tmp_path, port, "first")
    api.message(95, link + "95")
    await api.wait_for(lambda a: fetching(a, 95), timeout=20)
    first.kill()                                  # kill -9 while the page is being fetched
    await first.wait()

    second = await start_bot(api, tmp_path, port, "second")
    for chat in (96, 97):
        api.message(chat, link + str(chat))
    await api.wait_for(lambda a: fetching(a, 96) and fetching(a, 97), timeout=20)
    started = time.monotonic()
    second.send_signal(signal.SIGTERM)            # three briefs in flight (95 resumed, 96, 97)
    await asyncio.wait_for(second.wait(), 20)
    stopped_in = time.monotonic() - started
    assert second.returncode == 0, (tmp_path / "second.log").read_text()[-2000:]
    assert stopped_in < 5                         # was 14.4 s; Docker kills after 10 s

    released.set()
    third = await start_bot(api, tmp_path, port, "third")
    try:
        await api.wait_for(lambda a: all(brief_in_status(a, chat) for chat in (95, 96, 97)), timeout=60)
    finally:
        third.send_signal(signal.SIGTERM)
        await asyncio.wait_for(third.wait(), 20)
    for chat in (95, 96, 97):                     # each answered once, in the message it was promised in
        assert len(api.sent("sendMessage", chat)) == 1
