"""Issue 12's figures, measured on the real components (loopback servers, the real PTB Application
against the fake Bot API from tests/):

    python bench/hardening.py [--chats 30] [--drip 20]

1. feed:   a 4.9 MB feed of 71,337 items, fetched and parsed, and the longest the event loop
           went without running meanwhile;
2. group:  story grouping over 2,000 unposted items;
3. load:   `--chats` chats send 2 pasted articles each while two links drip for `--drip` s:
           the pasted-text briefs' p50 and p95 (the issue's bar: p95 ≤ 2 s), who was told "busy",
           and the Bot API calls each brief cost (PTB's AIORateLimiter lets 30 through a second);
           first without the slow links, as the baseline (60 briefs on 2 workers);
4. help:   the real bot subscribes a channel to the 4.9 MB feed, posts a digest of 2,000 unposted items
           and imports a 100,000-outline OPML, while another chat sends /help every 0.25 s: the
           slowest and median answer (the issue's bar: within 1 s);
5. flaky:  the same chats with 10% of sends and edits answered 502 and 30% 429: briefs
           delivered, "Sorry" replies, briefs delivered twice (the issue's bar: all, none, none).

`--only PART` runs one part; `--repeat N` runs the load part N times (the machine may be busy);
`--briefing-at REV` runs it with bot/telegram/briefing.py as it was at git revision REV, for a
before/after on the same machine (e.g. 31dc850^, before one Bot API call a quick brief).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.digests.stories import group_stories  # noqa: E402
from bot.web.addresses import parse_allowlist  # noqa: E402
from bot.web.feeds import fetch_feed  # noqa: E402
from bot.web.fetch import FetchPolicy, SafeFetcher  # noqa: E402
from tests.fakebotapi import FakeBotAPI  # noqa: E402
from tests.httpserver import start_on_loopback  # noqa: E402

ARTICLE = (Path(__file__).resolve().parents[1] / "bot" / "examples" / "desalination.en.txt").read_text()


def huge_feed(items: int = 71_337) -> bytes:
    entries = "".join(f"<item><title>S{i}</title><link>https://n.example/{i}</link></item>" for i in range(items))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{entries}</channel></rss>'.encode()


async def loop_gaps(until: asyncio.Future) -> float:
    longest, last = 0.0, time.monotonic()
    while not until.done():
        await asyncio.sleep(0.005)
        longest, last = max(longest, time.monotonic() - last), time.monotonic()
    return longest


async def bench_feed() -> None:
    body = huge_feed()
    app = web.Application()
    app.router.add_get("/feed.xml", lambda r: web.Response(body=body, content_type="application/rss+xml"))
    runner, port = await start_on_loopback(app)
    fetcher = SafeFetcher(FetchPolicy(allowlist=parse_allowlist("127.0.0.1"), ports=frozenset({port})))
    started = time.perf_counter()
    task = asyncio.ensure_future(fetch_feed(fetcher, f"http://127.0.0.1:{port}/feed.xml"))
    gap = await loop_gaps(task)
    result = task.result()
    print(f"feed: {len(body) / 1e6:.1f} MB, 71,337 items -> {len(result.entries)} entries in "
          f"{time.perf_counter() - started:.2f} s; longest event-loop stall {gap * 1000:.0f} ms")
    await fetcher.close()
    await runner.cleanup()


def bench_group() -> None:
    rng = random.Random(12)
    vocabulary = [f"word{n}" for n in range(3000)]
    items = [(f"https://site{n % 7}.example/{n}", " ".join(rng.choice(vocabulary) for _ in range(40)))
             for n in range(2000)]
    started = time.perf_counter()
    stories = group_stories(items, lambda i: i[0], lambda i: i[1])
    print(f"group: 2,000 items -> {len(stories)} stories in {time.perf_counter() - started:.2f} s")


def briefs_in(api: FakeBotAPI, chat_id: int) -> list:
    return [c for c in api.sent(chat_id=chat_id)
            if c.method in ("editMessageText", "sendMessage") and "Key figures" in c.params.get("text", "")]


def calls_to(api: FakeBotAPI, chats: range) -> int:
    """The Bot API calls the bot made into these chats (sends, edits, chat actions, deletions)."""
    return sum(1 for c in api.calls if c.params.get("chat_id") in chats)


async def bench_load(chats: int, drip: float, links: int = 2) -> None:
    from tests.botharness import bot_settings, running_bot  # after --briefing-at, if given

    released = asyncio.Event()

    async def dripping(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        deadline = time.monotonic() + drip
        while time.monotonic() < deadline and not released.is_set():
            await response.write(b" ")
            await asyncio.sleep(1)
        return response

    app = web.Application()
    app.router.add_get("/drip/{n}", dripping)
    runner, port = await start_on_loopback(app)
    api = FakeBotAPI()
    await api.start()
    with tempfile.TemporaryDirectory() as data:
        settings = bot_settings(api, Path(data), port, fetch_timeout=int(drip) + 5, workers=2, queue_size=20,
                                user_briefs_per_minute=10)
        async with running_bot(settings):
            for chat in range(1, links + 1):
                api.message(chat, f"http://127.0.0.1:{port}/drip/{chat}")
            await asyncio.sleep(1)
            sent_at: dict[tuple[int, int], float] = {}
            for copy in range(2):
                for chat in range(100, 100 + chats):
                    message = api.message(chat, f"{ARTICLE}\n\n(copy {copy})")
                    sent_at[(chat, message["message_id"])] = time.monotonic()
            await api.wait_for(lambda a: all(len(briefs_in(a, c)) == 2 for c in range(100, 100 + chats)),
                               timeout=drip + 60)
            waits = []
            for chat in range(100, 100 + chats):
                starts = sorted(t for (c, _), t in sent_at.items() if c == chat)
                for start, brief in zip(starts, sorted(b.at for b in briefs_in(api, chat)), strict=True):
                    waits.append(brief - start)
            busy = sum(1 for c in api.calls if "busy" in str(c.params.get("text", "")))
            calls = calls_to(api, range(100, 100 + chats))
            released.set()
    waits.sort()
    print(f"load: {len(waits)} pasted-text briefs while {links} links drip for {drip:g} s: p50 "
          f"{statistics.median(waits):.2f} s, p95 {waits[int(0.95 * (len(waits) - 1))]:.2f} s, last "
          f"{waits[-1]:.2f} s; {calls} Bot API calls ({calls / len(waits):.2f} a brief); told busy: {busy}")
    await api.stop()
    await runner.cleanup()


async def bench_help(asks: int = 400) -> None:
    from tests.botharness import bot_settings, running_bot
    from tests.feedserver import ARTICLE as ARTICLE_HTML
    from tests.feedserver import rss

    channel, admin, reader = -1001234, 7, 9
    big = huge_feed()
    small = rss([("a", "Harbour opens a desalination plant", "http://127.0.0.1/story/a", "A plant opened.")])
    app = web.Application()
    app.router.add_get("/big.xml", lambda r: web.Response(body=big, content_type="application/rss+xml"))
    app.router.add_get("/a.xml", lambda r: web.Response(text=small, content_type="application/rss+xml"))
    app.router.add_get("/story/{n}", lambda r: web.Response(body=ARTICLE_HTML, content_type="text/html"))
    runner, port = await start_on_loopback(app)
    api = FakeBotAPI()
    await api.start()
    api.add_channel(channel, "harbour_news", "Harbour News", {admin: "administrator"})
    api.add_channel(channel - 1, "harbour_two", "Harbour Two", {admin: "administrator"})  # the OPML fills the first
    outlines = "".join(f'<outline text="F{n}" xmlUrl="https://n.example/{n}.xml"/>' for n in range(100_000))
    api.files["big-opml"] = f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>'.encode()

    def replies(chat: int) -> list[str]:
        return [c.params["text"] for c in api.sent("sendMessage", chat)]

    with tempfile.TemporaryDirectory() as data:
        settings = bot_settings(api, Path(data), port)
        async with running_bot(settings):
            api.message(admin, f"/sub @harbour_news http://127.0.0.1:{port}/a.xml")
            await api.wait_for(lambda a: any("attached" in t for t in replies(admin)), timeout=30)
        with sqlite3.connect(Path(data) / "briefbot.sqlite3") as db:  # what an older version let pile up
            db.executemany("INSERT INTO items (channel_id, feed_url, guid, url, title, summary, seen)"
                           " VALUES (?, 'f', ?, ?, ?, ?, ?)",
                           [(channel, f"pile{n}", f"http://127.0.0.1:{port}/story/{n}", f"Pile story {n}",
                             f"Something number {n} happened at the harbour today.", time.time())
                            for n in range(2000)])
        async with running_bot(settings):
            api.message(admin, f"/sub @harbour_two http://127.0.0.1:{port}/big.xml")
            api.message(admin, "/digest @harbour_news now")
            api.push({"message": {"message_id": 61, "date": 0, "chat": {"id": admin, "type": "private"},
                                  "from": {"id": admin, "is_bot": False, "first_name": "A"},
                                  "caption": "/opml @harbour_news",
                                  "document": {"file_id": "big-opml", "file_unique_id": "big-opml",
                                               "file_name": "feeds.opml", "file_size": len(api.files["big-opml"])}}})
            answers, started_all = [], time.monotonic()
            while len(replies(admin)) < 4 and len(answers) < asks:  # /sub, /digest's "Posted", the OPML
                before, started = len(replies(reader)), time.monotonic()
                api.message(reader, "/help")
                await api.wait_for(lambda a, n=before: len(replies(reader)) > n, timeout=30)
                answers.append(time.monotonic() - started)
                await asyncio.sleep(0.25)
            done = [t.splitlines()[0][:60] for t in replies(admin)[1:]]
            took = time.monotonic() - started_all
    print(f"help: {len(answers)} /help asked over {took:.1f} s while the bot took a 4.9 MB feed, a digest of 2,000 "
          f"unposted items and a 100,000-outline OPML: median {statistics.median(answers):.2f} s, slowest "
          f"{max(answers):.2f} s (bar: 1 s); meanwhile the admin was told: {done}")
    await api.stop()
    await runner.cleanup()


async def bench_flaky(chats: int) -> None:
    from tests.botharness import bot_settings, running_bot

    api = FakeBotAPI()
    await api.start()
    api.flaky({"sendMessage", "editMessageText", "deleteMessage"}, bad_gateway=0.1, too_many=0.3)
    with tempfile.TemporaryDirectory() as data:
        async with running_bot(bot_settings(api, Path(data), workers=2, queue_size=2 * chats)):
            for chat in range(200, 200 + chats):
                api.message(chat, ARTICLE)
            try:
                await api.wait_for(lambda a: all(briefs_in(a, c) for c in range(200, 200 + chats)), timeout=120)
            except AssertionError:
                pass
    delivered = sum(1 for c in range(200, 200 + chats) if briefs_in(api, c))
    twice = sum(1 for c in range(200, 200 + chats) if len(briefs_in(api, c)) > 1)
    sorry = sum(1 for c in api.calls if "went wrong" in str(c.params.get("text", "")))
    failed = len([c for c in api.calls if c.method.endswith((":502", ":429"))])
    calls = calls_to(api, range(200, 200 + chats))
    print(f"flaky: {chats} chats, {calls} Bot API calls, {failed} of them answered 502/429: {delivered} briefs "
          f"delivered, {sorry} 'Sorry', {twice} delivered twice")
    await api.stop()


def use_briefing_at(revision: str, folder: Path) -> None:
    """bot.telegram.briefing from `revision`, imported before anything imports today's."""
    source = subprocess.run(["git", "show", f"{revision}:bot/telegram/briefing.py"], check=True,
                            capture_output=True, cwd=Path(__file__).resolve().parents[1]).stdout
    path = folder / "briefing.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("bot.telegram.briefing", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bot.telegram.briefing"] = module
    spec.loader.exec_module(module)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=30)
    parser.add_argument("--drip", type=float, default=20.0)
    parser.add_argument("--only", choices=["feed", "group", "load", "help", "flaky"])
    parser.add_argument("--repeat", type=int, default=1, help="runs of the load part")
    parser.add_argument("--briefing-at", metavar="REV", help="the load part with briefing.py at this git revision")
    args = parser.parse_args()
    if args.briefing_at:
        use_briefing_at(args.briefing_at, Path(tempfile.mkdtemp()))
        print(f"bot/telegram/briefing.py as at {args.briefing_at}")
    if args.only in (None, "feed"):
        await bench_feed()
    if args.only in (None, "group"):
        bench_group()
    if args.only in (None, "load"):
        for _ in range(args.repeat):
            await bench_load(args.chats, args.drip, links=0)   # the baseline: the same briefs, no slow links
            await bench_load(args.chats, args.drip)
    if args.only in (None, "help"):
        await bench_help()
    if args.only in (None, "flaky"):
        await bench_flaky(args.chats)


if __name__ == "__main__":
    asyncio.run(main())
