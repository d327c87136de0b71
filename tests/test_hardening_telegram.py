"""Issue 12, items 5, 6, 7, 16 and 17: slow sites, flaky Telegram, files without a size and
crowds of users never lose a request or stall other chats. The real Application against the
fake Bot API over HTTP, real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time

import pytest_asyncio
from aiohttp import web

from bot.telegram.fairness import UserRateLimit, WorkQueue
from bot.telegram.services import services
from tests.botharness import bot_settings, running_bot
from tests.conftest import EXAMPLES
from tests.fakebotapi import Call, FakeBotAPI
from tests.httpserver import start_on_loopback

ARTICLE = (EXAMPLES / "desalination.en.txt").read_text()
SORRY = "Sorry, something went wrong"


@pytest_asyncio.fixture
async def slow_site():
    """A page that does not answer until the test ends: every fetch of it runs into the fetch timeout."""
    ended = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await ended.wait()
        return web.Response(text="late", content_type="text/html")

    app = web.Application()
    app.router.add_get("/slow/{n}", slow)
    runner, port = await start_on_loopback(app)
    yield port
    ended.set()
    await runner.cleanup()


def briefs_in_calls(api: FakeBotAPI, chat_id: int) -> list[Call]:
    """The calls that delivered a brief to a chat, by edit or by a new message."""
    return [c for c in api.sent(chat_id=chat_id)
            if c.method in ("editMessageText", "sendMessage") and "Key figures" in c.params.get("text", "")]


def briefs_in(api: FakeBotAPI, chat_id: int) -> list[str]:
    return [c.params["text"] for c in briefs_in_calls(api, chat_id)]


def said(api: FakeBotAPI, chat_id: int, words: str) -> bool:
    return any(words in c.params.get("text", "") for c in api.sent(chat_id=chat_id))


async def test_slow_links_do_not_hold_the_workers(api, tmp_path, slow_site):
    """Two links to a slow site, then pasted texts from other chats: the texts are briefed at once,
    before the fetches time out, and nobody is told "busy" (workers=2, queue_size=3)."""
    settings = bot_settings(api, tmp_path, slow_site, fetch_timeout=5, workers=2, queue_size=3)
    async with running_bot(settings):
        for chat in (1, 2):  # two readers send a link to the slow site at the same time
            api.message(chat, f"http://127.0.0.1:{slow_site}/slow/{chat}")
        await api.wait_for(lambda a: said(a, 1, "Fetching") and said(a, 2, "Fetching"))
        chats = range(20, 26)
        for chat in chats:
            api.message(chat, ARTICLE)
        await api.wait_for(lambda a: all(briefs_in(a, chat) for chat in chats), timeout=20)
        briefed = time.monotonic()
        await api.wait_for(lambda a: said(a, 1, "Could not brief") and said(a, 2, "Could not brief"), timeout=20)
    timed_out = min(c.at for c in api.calls if "Could not brief" in c.params.get("text", ""))
    assert briefed < timed_out   # were after it: both workers waited on the slow site
    assert not any(said(api, chat, "busy") for chat in chats)


async def test_a_document_without_a_size_is_not_downloaded(api, tmp_path):
    api.files["big"] = b"word " * 200_000          # 1 MB, over this bot's limit
    async with running_bot(bot_settings(api, tmp_path, max_input_bytes=100_000)):
        api.push({"message": {"message_id": 70, "date": 0, "chat": {"id": 30, "type": "private"},
                              "from": {"id": 30, "is_bot": False, "first_name": "A"},
                              "document": {"file_id": "big", "file_unique_id": "big", "file_name": "a.txt"}}})
        await api.wait_for(lambda a: said(a, 30, "too large"))
    assert api.sent("getFile") and api.downloads == []


async def test_every_brief_arrives_when_telegram_is_flaky(api, tmp_path, held_page):
    """10% of sends and edits answered 502, 30% 429: every user gets one brief, none a "Sorry",
    nothing twice; pasted texts (quick: one message each) and links to a page that takes its
    time (a status message first, edited into the brief)."""
    port, released = held_page
    api.flaky({"sendMessage", "editMessageText", "deleteMessage"}, bad_gateway=0.1, too_many=0.3)
    chats, linked = range(100, 130), range(130, 136)
    async with running_bot(bot_settings(api, tmp_path, port, workers=2, queue_size=40)):
        for chat in linked:
            api.message(chat, f"http://127.0.0.1:{port}/held/{chat}")
        for chat in chats:
            api.message(chat, ARTICLE)
        await api.wait_for(lambda a: all(said(a, chat, "Fetching") for chat in linked), timeout=30)
        released.set()
        await api.wait_for(lambda a: all(briefs_in(a, chat) for chat in [*chats, *linked]), timeout=90)
        await asyncio.sleep(0.5)   # time for a second copy to show, were one sent
    assert api.sent("sendMessage:502") and api.sent("sendMessage:429")  # the failures did happen
    for chat in [*chats, *linked]:
        assert len(briefs_in(api, chat)) == 1, chat          # delivered, and only once
        assert not said(api, chat, SORRY)
    for chat in linked:   # the one status message became the brief
        [status] = api.sent("sendMessage", chat)
        [brief] = briefs_in_calls(api, chat)
        assert brief.method == "editMessageText" and int(brief.params["message_id"]) == status.result["message_id"]


async def test_a_quick_brief_is_one_message(api, tmp_path):
    """A brief that is ready within a second spends one Bot API call: the brief itself, in reply
    (no "typing…", no status message to edit). A cached brief is always that quick."""
    async with running_bot(bot_settings(api, tmp_path)):
        api.message(42, ARTICLE)
        await api.wait_for(lambda a: briefs_in(a, 42), timeout=30)
        first = len(api.calls)
        request = api.message(43, ARTICLE)
        await api.wait_for(lambda a: briefs_in(a, 43), timeout=30)
        await asyncio.sleep(1.5)   # past the moment a status message would have been sent
        calls = [c for c in api.calls[first:] if c.method != "getUpdates"]
    assert [c.method for c in calls] == ["sendMessage"] and "Key figures" in calls[0].params["text"]
    assert calls[0].params["reply_parameters"]["message_id"] == request["message_id"]
    assert not api.sent("sendChatAction")


async def test_a_slow_brief_shows_a_status_message_that_becomes_the_brief(api, tmp_path, held_page):
    port, released = held_page
    async with running_bot(bot_settings(api, tmp_path, port)):
        request = api.message(44, f"http://127.0.0.1:{port}/held/44")
        await api.wait_for(lambda a: said(a, 44, "Fetching the page"), timeout=10)
        released.set()
        await api.wait_for(lambda a: briefs_in(a, 44), timeout=30)
    [status] = api.sent("sendMessage", 44)
    assert status.params["text"] == "Fetching the page…"
    assert status.params["reply_parameters"]["message_id"] == request["message_id"]
    [brief] = briefs_in_calls(api, 44)
    assert brief.method == "editMessageText" and int(brief.params["message_id"]) == status.result["message_id"]


async def test_progress_takes_only_a_share_of_the_send_budget(api, tmp_path, held_page):
    """12 links to a slow page at once: their status messages come 5 at once and then about 5 a
    second (PROGRESS_PER_SECOND), not all 12 in a burst that the briefs would queue behind."""
    port, released = held_page
    chats = range(140, 152)
    async with running_bot(bot_settings(api, tmp_path, port, queue_size=20)):
        for chat in chats:
            api.message(chat, f"http://127.0.0.1:{port}/held/{chat}")
        await api.wait_for(lambda a: all(said(a, chat, "Fetching the page") for chat in chats), timeout=20)
        released.set()
        await api.wait_for(lambda a: all(briefs_in(a, chat) for chat in chats), timeout=30)
    shown = sorted(api.sent("sendMessage", chat)[0].at for chat in chats)
    assert shown[-1] - shown[0] >= 1.0 and len([t for t in shown if t - shown[0] < 0.5]) <= 8
    for chat in chats:   # each status message still became its brief
        [status] = api.sent("sendMessage", chat)
        assert [int(c.params["message_id"]) for c in briefs_in_calls(api, chat)] == [status.result["message_id"]]


async def test_a_status_message_that_cannot_be_edited_is_replaced(api, tmp_path, held_page):
    """The final edit is refused (the user deleted the status message, say): the brief comes as a
    new message, and no stale status message stays behind."""
    port, released = held_page
    for _ in range(5):  # progress edits, if any, and the final one
        api.refuse_next("editMessageText", "message to edit not found")
    async with running_bot(bot_settings(api, tmp_path, port)):
        api.message(40, f"http://127.0.0.1:{port}/held/40")
        await api.wait_for(lambda a: said(a, 40, "Fetching the page"), timeout=10)
        released.set()
        await api.wait_for(lambda a: briefs_in(a, 40), timeout=30)
        await api.wait_for(lambda a: a.sent("deleteMessage", 40))
    status = api.sent("sendMessage", 40)[0]
    assert status.params["text"] == "Fetching the page…" and not said(api, 40, SORRY)
    assert [c.method for c in briefs_in_calls(api, 40)] == ["sendMessage"]
    assert [c.method for c in api.sent(chat_id=40) if "Key figures" in c.params.get("text", "")] == \
        ["editMessageText:400", "sendMessage"]
    assert int(api.sent("deleteMessage", 40)[0].params["message_id"]) == status.result["message_id"]


async def test_a_fourth_429_in_a_row_on_the_final_edit_still_delivers(api, tmp_path, held_page):
    port, released = held_page
    async with running_bot(bot_settings(api, tmp_path, port)):
        api.message(41, f"http://127.0.0.1:{port}/held/41")
        await api.wait_for(lambda a: said(a, 41, "Fetching the page"), timeout=10)
        for _ in range(5):
            api.fail_next("editMessageText", retry_after=0)
        released.set()
        await api.wait_for(lambda a: briefs_in(a, 41), timeout=30)
    assert len(api.sent("editMessageText:429")) == 5 and not said(api, 41, SORRY)
    assert [c.method for c in briefs_in_calls(api, 41)] == ["editMessageText"]


async def test_digests_wait_behind_users_for_a_worker():
    queue = WorkQueue(workers=1, capacity=5)
    order: list[str] = []

    async def brief(name: str, background: bool) -> None:
        async with queue.slot(background=background):
            order.append(name)
            await asyncio.sleep(0.01)

    async with queue.slot():
        waiting = [asyncio.create_task(brief("digest", True)), asyncio.create_task(brief("user", False))]
        await asyncio.sleep(0.01)
    await asyncio.gather(*waiting)
    assert order == ["user", "digest"] and queue.waiting == 0


async def test_the_rate_limiter_forgets_idle_users():
    """limits' MemoryStorage drops a user's counter once their window has passed: 20,000 users
    of one window (1 s here) leave one counter, that of the next user to come."""
    limit = UserRateLimit(limit=6, window=1)
    for user in range(20_000):
        await limit.admit(user)
    counters = limit.storage.storage   # limits' MemoryStorage: key → count (and expirations: key → when)
    assert len(counters) == 20_000
    await asyncio.sleep(1.1)
    await limit.admit(1)               # schedules limits' sweep of expired counters
    await asyncio.sleep(0.05)
    assert len(counters) == 1 and len(limit.storage.expirations) == 1


async def test_a_flood_of_messages_gets_one_notice(api, tmp_path):
    """100 quick messages from one user: the briefs the limit allows and one "Please wait", not 94."""
    async with running_bot(bot_settings(api, tmp_path, user_briefs_per_minute=6, queue_size=200)):
        for number in range(100):
            api.message(50, f"{ARTICLE}\n\nCopy {number}.")
            await asyncio.sleep(0.01)
        await api.wait_for(lambda a: len(briefs_in(a, 50)) == 6 and said(a, 50, "Please wait"), timeout=30)
        await asyncio.sleep(0.5)
    notices = [c for c in api.sent(chat_id=50) if "Please wait" in c.params.get("text", "")]
    assert len(notices) == 1 and len(briefs_in(api, 50)) == 6
    assert len(api.sent("sendMessage", 50)) == 6 + 1   # six briefs (or status messages) and the notice; was 100


async def test_the_webhook_refuses_what_is_not_an_update_and_handles_an_update_once(api, tmp_path):
    import socket

    import aiohttp

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/hook"
    secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-value"}
    update = {"update_id": 7, "message": {"message_id": 1, "date": 0, "chat": {"id": 60, "type": "private"},
                                          "from": {"id": 60, "is_bot": False, "first_name": "R"},
                                          "text": "/help", "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}
    no_chat = {"update_id": 8, "message": {"message_id": 2, "date": 0, "text": "/help"}}
    settings = bot_settings(api, tmp_path, webhook_url=url, webhook_port=port, webhook_secret="s3cret-value")
    async with running_bot(settings):
        await api.wait_for(lambda a: a.sent("setWebhook"))
        async with aiohttp.ClientSession() as http:
            for body, status in (([update], 400), (no_chat, 400), (update, 200), (update, 200), (update, 200)):
                async with http.post(url, json=body, headers=secret) as response:
                    assert response.status == status, body
        await api.wait_for(lambda a: a.sent("sendMessage", 60))
        await asyncio.sleep(0.5)
    assert len(api.sent("sendMessage", 60)) == 1   # was three replies to one update


def test_briefbot_run_without_telegram_says_so_in_one_line(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "4242:SECRET-TOKEN", "BRIEFBOT_TELEGRAM_BASE_URL": "http://127.0.0.1:1/bot",
           "BRIEFBOT_DATA_DIR": str(tmp_path), "BRIEFBOT_CONFIG": ""}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], capture_output=True, env=env, timeout=60)
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, lines[-5:]   # was a 120-line traceback
    assert "cannot start the bot" in lines[0] and "SECRET-TOKEN" not in lines[0]


def test_the_token_never_reaches_a_log_line_even_at_debug_level():
    import subprocess
    import sys

    script = ("import logging; from bot.telegram.run import configure_logging; configure_logging('4242:SECRET-TOKEN'); "
              "logging.getLogger().setLevel(logging.DEBUG); "
              "logging.getLogger('telegram.ext.ExtBot').debug('Calling %s', 'https://api.telegram.org/bot4242:SECRET-TOKEN/getMe')")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert "getMe" in result.stderr.decode() and "SECRET-TOKEN" not in result.stderr.decode()


async def test_only_group_admins_change_the_groups_settings(api, tmp_path):
    group = -100777
    api.chat_members[(group, 71)] = "administrator"
    api.chat_members[(group, 72)] = "member"
    async with running_bot(bot_settings(api, tmp_path)) as application:
        api.message(group, "/length 3", chat_type="supergroup", user_id=72)
        await api.wait_for(lambda a: said(a, group, "Only an administrator"))
        chats = services(application).chats
        assert (await chats.get(group)).points is None
        api.message(group, "/length 3", chat_type="supergroup", user_id=71)
        await api.wait_for(lambda a: said(a, group, "3 sentences"))
        # an anonymous administrator writes as the group itself
        api.message(group, "/length 4", chat_type="supergroup", user_id=1087968824,
                    sender_chat={"id": group, "type": "supergroup", "title": "A group"})
        await api.wait_for(lambda a: said(a, group, "4 sentences"))
        assert (await chats.get(group)).points == 4


async def test_odd_digits_get_a_usage_line_not_a_python_error(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path)):
        api.message(73, "/length ²")
        await api.wait_for(lambda a: said(a, 73, "from 1 to"))
        api.message(73, "/length ٣")       # Arabic-Indic three is a number
        await api.wait_for(lambda a: said(a, 73, "3 sentences"))
    assert not said(api, 73, "invalid literal") and not said(api, 73, SORRY)


async def test_a_text_link_to_another_scheme_is_not_turned_into_https(api, tmp_path):
    text = "Read this and this"
    async with running_bot(bot_settings(api, tmp_path)):
        api.push({"message": {"message_id": 80, "date": 0, "chat": {"id": 81, "type": "private"},
                              "from": {"id": 81, "is_bot": False, "first_name": "R"}, "text": text,
                              "entities": [{"type": "text_link", "offset": 0, "length": 4, "url": "file:///etc/passwd"},
                                           {"type": "text_link", "offset": 14, "length": 4,
                                            "url": "javascript:alert(1)"}]}})
        await api.wait_for(lambda a: said(a, 81, "Could not"))
    replies = " ".join(c.params.get("text", "") for c in api.sent(chat_id=81))
    assert "https://file" not in replies and "https://javascript" not in replies and "too short" in replies


def test_the_html_splitter_takes_lone_surrogates():
    from bot.core.render.telegram_html import escape, split_html, utf16_length

    for text in ("a\ud800b " * 3000, "\udfff", "x" * 5000 + "\ud83d"):
        parts = split_html(escape(text))
        assert parts and all(utf16_length(part) <= 4096 for part in parts)
        assert not any("\ud800" <= c <= "\udfff" for part in parts for c in part)


async def test_a_lone_surrogate_in_an_article_still_gets_a_brief(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path)):
        api.message(91, "\ud800" + ARTICLE)
        await api.wait_for(lambda a: briefs_in(a, 91), timeout=30)
    assert not said(api, 91, SORRY)
