"""Issue 12, item 8: briefs the bot accepted survive kill -9 and SIGTERM, and SIGTERM is quick.
The real `briefbot run` in a subprocess, against the fake Bot API and a page on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import time

from tests.fakebotapi import FakeBotAPI


def status_of(api: FakeBotAPI, chat_id: int) -> int | None:
    """The id of the chat's status message: the reply that said "Fetching the page…", sent
    because the page took more than a second."""
    return next((int(c.result["message_id"]) for c in api.sent("sendMessage", chat_id)
                 if "Fetching" in c.params["text"]), None)


def brief_in_status(api: FakeBotAPI, chat_id: int) -> bool:
    return any("Key figures" in c.params["text"] and int(c.params["message_id"]) == status_of(api, chat_id)
               for c in api.sent("editMessageText", chat_id))


def stored(tmp_path, chat_id: int) -> list[int | None]:
    """The status message of each brief the bot has stored for the chat (None: none sent yet)."""
    with sqlite3.connect(tmp_path / "briefbot.sqlite3") as database:
        return [row[0] for row in database.execute(
            "SELECT status_message_id FROM pending_briefs WHERE chat_id = ?", (chat_id,))]


async def until(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def status_stored(api: FakeBotAPI, tmp_path, chat_id: int) -> None:
    """Until the chat's status message is sent and stored with its brief."""
    await until(lambda: status_of(api, chat_id) is not None and stored(tmp_path, chat_id) == [status_of(api, chat_id)])


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
    await status_stored(api, tmp_path, 95)        # the page takes long: a status message, kept with the brief
    api.message(98, link + "98")
    await until(lambda: stored(tmp_path, 98) == [None])
    assert not api.sent(chat_id=98)               # accepted, stored, nothing sent yet
    first.kill()                                  # kill -9 while the pages are being fetched
    await first.wait()

    second = await start_bot(api, tmp_path, port, "second")
    for chat in (96, 97):
        api.message(chat, link + str(chat))
    for chat in (96, 97, 98):                     # 98's status message comes now, from the resumed brief
        await status_stored(api, tmp_path, chat)
    started = time.monotonic()
    second.send_signal(signal.SIGTERM)            # four briefs in flight (95 and 98 resumed, 96, 97)
    await asyncio.wait_for(second.wait(), 20)
    stopped_in = time.monotonic() - started
    assert second.returncode == 0, (tmp_path / "second.log").read_text()[-2000:]
    assert stopped_in < 5                         # was 14.4 s; Docker kills after 10 s

    released.set()
    third = await start_bot(api, tmp_path, port, "third")
    try:
        await api.wait_for(lambda a: all(brief_in_status(a, chat) for chat in (95, 96, 97, 98)), timeout=60)
        await until(lambda: all(stored(tmp_path, chat) == [] for chat in (95, 96, 97, 98)))
    finally:
        third.send_signal(signal.SIGTERM)
        await asyncio.wait_for(third.wait(), 20)
    for chat in (95, 96, 97, 98):                 # each answered once, in the message it was promised in
        assert len(api.sent("sendMessage", chat)) == 1


async def test_a_brief_killed_before_its_status_message_comes_as_a_new_reply(api, tmp_path, held_page):
    """A brief gets a status message only after a second: one killed before it had one is answered
    after the restart in a new reply to the request, once (that reply is the brief, or a status
    message that becomes the brief if the restarted bot takes a second over it)."""
    port, released = held_page
    first = await start_bot(api, tmp_path, port, "first")
    request = api.message(99, f"http://127.0.0.1:{port}/held/99")
    await until(lambda: stored(tmp_path, 99) == [None])
    first.kill()
    await first.wait()
    assert not api.sent(chat_id=99)

    released.set()
    second = await start_bot(api, tmp_path, port, "second")
    try:
        await api.wait_for(lambda a: any("Key figures" in c.params["text"] for c in a.sent(chat_id=99)), timeout=60)
        await until(lambda: stored(tmp_path, 99) == [])
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), 20)
    [reply] = api.sent("sendMessage", 99)
    assert reply.params["reply_parameters"]["message_id"] == request["message_id"]
    briefs = [c for c in api.sent(chat_id=99) if "Key figures" in c.params["text"]]
    assert briefs == [reply] or [int(c.params["message_id"]) for c in briefs] == [reply.result["message_id"]]
