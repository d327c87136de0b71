"""Telegraph pages for long digests and briefs (issue 16 item 2): the real Application against
the fake Bot API, feeds on 127.0.0.1 and a fake Telegraph server (tests/faketelegraph.py)."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
import pytest_asyncio
from aiohttp import web

from bot.config import Settings
from bot.core.brief import Brief, Credit, KeyFigure, SourceInfo
from bot.core.render.telegram_html import utf16_length, visible_text
from bot.core.render.telegraph import (
    PageEntry,
    content_size,
    entry_nodes,
    headline_post,
    page_contents,
    page_title,
)
from bot.errors import BriefError
from bot.store.database import Database
from bot.store.state import StateStore
from bot.web.telegraph import TelegraphClient, TelegraphFailed, TelegraphPages
from tests.botharness import bot_settings, running_bot
from tests.fakebotapi import FakeBotAPI
from tests.faketelegraph import ALLOWED_TAGS, FakeTelegraph
from tests.httpserver import start_on_loopback

CHANNEL = -1005550
ADMIN = 17
STORIES = 12
PLACES = ["Aldmere", "Brookvale", "Cindral", "Dunhaven", "Eskerby", "Fallowmead", "Glenrock", "Harwick",
          "Islebury", "Jorvale", "Kestwick", "Lornhold", "Marrowby", "Northfen", "Oakshaw", "Pellmoor"]
WORKS = ["bridge", "hospital", "tram line", "harbour wall", "library", "water tower", "school", "power station",
         "seawall", "airport terminal", "market hall", "stadium", "ferry pier", "museum", "reservoir", "rail depot"]
AGENCIES = ["Transport Board", "Health Authority", "Rail Office", "Coastal Agency", "Culture Fund", "Water Board",
            "Education Council", "Energy Regulator", "Flood Office", "Aviation Board", "Trade Chamber",
            "Sports Council", "Ferry Authority", "Heritage Trust", "Reservoir Board", "Freight Office"]


def story(n: int, round_: int) -> tuple[str, str, str]:
    """(title, summary, article HTML) of story `n`: its own place, work, agency and figures."""
    k = n + STORIES * round_
    place, work, agency = PLACES[k % 16], WORKS[(k * 5) % 16], AGENCIES[(k * 3) % 16]
    title = f"{place} opens its new {work} after {k + 3} years of building"
    cost, homes, jobs = 100 + 7 * k, 10_000 + 1_111 * k, 40 + 3 * k
    sentences = [
        f"The town of {place} opened its new {work} on Monday after {k + 3} years of building, the {agency} said.",
        f"The {work} cost ${cost} million and will serve {homes:,} households across {place} and its villages.",
        f"According to the {agency}, {jobs} people were hired to run the {work} in {place} this year.",
        f"Mayor of {place} said the {work} would change daily life in the district for a generation.",
        f"Residents of {place} had waited for the {work} since the plan was first drawn, local papers reported.",
    ]
    summary = f"{place} opened a {work} that cost ${cost} million; {jobs} people were hired."
    article = (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
               + "".join(f"<p>{s}</p>" for s in sentences) + "</article></body></html>")
    return title, summary, article


class ManyStories:
    """A feed of STORIES distinct stories on 127.0.0.1; `round` moves it on to new ones."""

    def __init__(self) -> None:
        self.round = 0
        self.port = 0
        self._runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/feed.xml", self._feed)
        app.router.add_get("/story/{round}/{n}", self._story)
        self._runner, self.port = await start_on_loopback(app)

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _feed(self, request: web.Request) -> web.Response:
        items = ""
        for n in range(STORIES):
            title, summary, _ = story(n, self.round)
            items += (f"<item><guid>r{self.round}-{n}</guid><title>{title}</title>"
                      f"<link>{self.url(f'/story/{self.round}/{n}')}</link><description>{summary}</description></item>")
        return web.Response(text=f'<?xml version="1.0"?><rss version="2.0"><channel><title>Towns</title>{items}'
                                 "</channel></rss>", content_type="application/rss+xml")

    async def _story(self, request: web.Request) -> web.Response:
        _, _, article = story(int(request.match_info["n"]), int(request.match_info["round"]))
        return web.Response(text=article, content_type="text/html")


@pytest_asyncio.fixture
async def telegraph():
    fake = FakeTelegraph()
    await fake.start()
    yield fake
    await fake.stop()


@pytest_asyncio.fixture
async def towns():
    server = ManyStories()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def api(api: FakeBotAPI) -> FakeBotAPI:
    api.add_channel(CHANNEL, "towns_daily", "Towns Daily", {ADMIN: "administrator"})
    return api


def settings_for(api: FakeBotAPI, telegraph: FakeTelegraph, tmp_path, towns: ManyStories, **values) -> Settings:
    return bot_settings(api, tmp_path, towns.port, telegraph_base_url=telegraph.base_url, **values)


def posts(api: FakeBotAPI) -> list[str]:
    return [c.params["text"] for c in api.sent("sendMessage", CHANNEL)]


async def command(api: FakeBotAPI, text: str) -> str:
    def replies(a: FakeBotAPI) -> list[str]:
        return [c.params["text"] for c in a.sent("sendMessage", ADMIN)]

    before = len(replies(api))
    api.message(ADMIN, text)
    return (await api.wait_for(lambda a: len(replies(a)) > before and replies(a), timeout=60))[-1]


async def set_up_channel(api: FakeBotAPI, towns: ManyStories, telegraph_on: bool) -> None:
    assert "is now attached" in await command(api, f"/sub @towns_daily {towns.url('/feed.xml')}")
    assert "items: 12" in await command(api, "/settings @towns_daily items 12")
    if telegraph_on:
        assert "Telegraph pages: on" in await command(api, "/settings @towns_daily telegraph on")


def headlines_in(markup: str) -> list[str]:
    return [unescape(h) for h in re.findall(r"<b><a [^>]*>(.*?)</a></b>", markup)]


def points_in(markup: str) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", "", line[2:])) for line in markup.split("\n") if line.startswith("• ")]


def links_in(markup: str) -> set[str]:
    return {unescape(link) for link in re.findall(r'href="([^"]+)"', markup)}


# ---- digests, end to end ------------------------------------------------------------------


async def test_a_long_digest_is_one_post_with_its_headlines_and_a_page_that_holds_every_entry(
        api, telegraph, towns, tmp_path):
    # the same digest without Telegraph: what the page must hold, split over several posts
    async with running_bot(settings_for(api, telegraph, tmp_path / "split", towns)):
        await set_up_channel(api, towns, telegraph_on=False)
        assert "Posted" in await command(api, "/digest @towns_daily now")
    split = "\n\n".join(posts(api))
    assert len(posts(api)) > 1 and not telegraph.calls
    api.calls.clear()

    async with running_bot(settings_for(api, telegraph, tmp_path / "paged", towns)):
        await set_up_channel(api, towns, telegraph_on=True)
        assert "Posted 1 message(s)" in await command(api, "/digest @towns_daily now")
    (post,) = posts(api)
    (page,) = telegraph.pages
    assert telegraph.calls == ["createAccount", "createPage"]
    # the post: the title, every headline (linked to its article), the page's link
    assert post.startswith("<b>Digest: Towns Daily</b>") and utf16_length(visible_text(post)) <= 4096
    headlines = headlines_in(split)
    assert len(headlines) == STORIES
    assert all(headline in unescape(post) for headline in headlines)
    assert f'href="{page.url}"' in post and page.url.startswith("https://telegra.ph/")
    assert "Read in full" in post
    # the page: every point, key figure, source and link the split posts had
    text = page.text()
    assert page.title == "Digest: Towns Daily" and page.author_name == "Towns Daily"
    assert all(point in text for point in points_in(split)) and len(points_in(split)) >= 2 * STORIES
    figures = re.findall(r"<b>([^<]+)</b>", split.replace("<b>Key figures:</b>", ""))
    assert all(unescape(figure) in text for figure in figures if not figure.startswith(("<a", "Digest")))
    assert "$100 million" in text and "Transport Board" in text
    assert links_in(split) <= set(page.links())
    assert text.count("Key figures") == STORIES and text.count("Sources: ") == STORIES


async def test_the_account_is_made_once_across_digests_and_restarts(api, telegraph, towns, tmp_path):
    settings = settings_for(api, telegraph, tmp_path, towns)
    async with running_bot(settings):
        await set_up_channel(api, towns, telegraph_on=True)
        assert "Posted 1 message(s)" in await command(api, "/digest @towns_daily now")
        towns.round = 1
        assert "Posted 1 message(s)" in await command(api, "/digest @towns_daily now")
    towns.round = 2
    async with running_bot(settings):
        assert "Posted 1 message(s)" in await command(api, "/digest @towns_daily now")
    assert telegraph.calls.count("createAccount") == 1 and len(telegraph.accounts) == 1
    assert len(telegraph.pages) == 3 and {page.token for page in telegraph.pages} == set(telegraph.accounts)
    assert "Kestwick" in telegraph.pages[2].text()  # round 2's stories, not round 0's again
    assert len(posts(api)) == 3


@pytest.mark.parametrize("outage", ["500", "stopped"])
async def test_with_telegraph_down_the_digest_goes_out_split_and_nothing_is_lost(
        api, telegraph, towns, tmp_path, outage):
    async with running_bot(settings_for(api, telegraph, tmp_path, towns)):
        await set_up_channel(api, towns, telegraph_on=True)
        if outage == "500":
            telegraph.failing = True
        else:
            await telegraph.stop()
        reply = await command(api, "/digest @towns_daily now")
        assert "Nothing new" in await command(api, "/digest @towns_daily now")  # every item went out
    sent = posts(api)
    assert len(sent) > 1 and reply == f"Posted {len(sent)} message(s) to Towns Daily."
    text = "\n".join(sent)
    assert len(headlines_in(text)) == STORIES and len(points_in(text)) >= 2 * STORIES
    assert "telegra.ph" not in text and not telegraph.pages
    assert all(utf16_length(visible_text(post)) <= 4096 for post in sent)


async def test_a_short_digest_needs_no_page(api, telegraph, towns, tmp_path):
    async with running_bot(settings_for(api, telegraph, tmp_path, towns)):
        await set_up_channel(api, towns, telegraph_on=True)
        assert "items: 2" in await command(api, "/settings @towns_daily items 2")
        assert "Posted 1 message(s)" in await command(api, "/digest @towns_daily now")
    assert not telegraph.calls and "Key figures" in posts(api)[0]


async def test_telegraph_takes_only_on_or_off(api, telegraph, towns, tmp_path):
    async with running_bot(settings_for(api, telegraph, tmp_path, towns)):
        await set_up_channel(api, towns, telegraph_on=True)
        assert "telegraph on | telegraph off" in await command(api, "/settings @towns_daily telegraph maybe")
        assert "Telegraph pages: on" in await command(api, "/settings @towns_daily")
        assert "Telegraph pages: off" in await command(api, "/settings @towns_daily telegraph off")


# ---- briefs in chats --------------------------------------------------------------------

LONG_ARTICLE = " ".join(
    f"Officials in {place} said on Tuesday that the {work} programme, which the {agency} first proposed "
    f"{n + 4} years ago and which neighbouring districts have watched closely, would now receive "
    f"${120 + 9 * n} million over {n + 2} years, enough to hire {300 + 25 * n} workers, repair "
    f"{40 + n} kilometres of old roads and pipes around the {work}, and build {12 + n} new homes for the families "
    f"who lost theirs in the floods of last winter, according to the {agency}."
    for n, (place, work, agency) in enumerate(zip(PLACES, WORKS, AGENCIES, strict=True)))


def html_to(api: FakeBotAPI, chat_id: int) -> list[str]:
    return [c.params["text"] for c in api.sent(chat_id=chat_id)
            if c.params.get("parse_mode") == "HTML" and c.method in ("editMessageText", "sendMessage")]


async def test_a_long_brief_goes_to_a_page_when_the_operator_turns_it_on(api, telegraph, towns, tmp_path):
    async with running_bot(settings_for(api, telegraph, tmp_path / "split", towns)):
        api.message(31, "/length 10")
        await api.wait_for(lambda a: a.sent("sendMessage", 31))
        api.message(31, LONG_ARTICLE)
        split = await api.wait_for(lambda a: len(html_to(a, 31)) > 1 and html_to(a, 31), timeout=30)
    assert not telegraph.calls  # telegraph_briefs is off by default
    points = points_in("\n".join(split))
    assert len(points) == 10

    async with running_bot(settings_for(api, telegraph, tmp_path / "paged", towns, telegraph_briefs="on")):
        api.message(32, "/length 10")
        await api.wait_for(lambda a: a.sent("sendMessage", 32))
        api.message(32, LONG_ARTICLE)
        (answer,) = await api.wait_for(lambda a: html_to(a, 32), timeout=30)
    (page,) = telegraph.pages
    assert f'href="{page.url}"' in answer and "Read in full" in answer and "•" not in answer
    assert all(point in page.text() for point in points)
    assert "Key figures" in page.text() and "$120 million" in page.text()


# ---- the parts ---------------------------------------------------------------------------


def brief(n: int = 0, url: str | None = "https://news.example/a", points: int = 3) -> Brief:
    return Brief(
        SourceInfo(url=url, title="T"), "en", f"Headline {n}",
        [f"Point {p} of story {n}, with some words to it." for p in range(points)],
        figures=[KeyFigure("140", "over 140 people were hired", "number", "140", source="ISNA")],
        sources=[Credit("Example News", "outlet", url), Credit("ISNA", "cited")],
        warnings=["Figure guard: one figure was repaired."])


def test_an_entry_becomes_valid_telegraph_nodes_with_everything_in_it():
    entry = PageEntry(brief(), [("news.example", "https://news.example/a"), ("other.example", "https://other.example/b")],
                      ["140 hired (news.example) vs 150 hired (other.example)"])
    nodes = entry_nodes(entry)
    assert _tags(nodes) <= ALLOWED_TAGS
    flat = json.dumps(nodes)
    assert nodes[0] == {"tag": "h3", "children": [{"tag": "a", "attrs": {"href": "https://news.example/a"},
                                                   "children": ["Headline 0"]}]}
    for text in ("Point 2 of story 0", '"140"', " people were hired (ISNA)", "Example News", "ISNA",
                 "https://other.example/b", "Sources differ", "Figure guard"):
        assert text in flat, text


def test_only_web_links_become_links():
    entry = PageEntry(brief(url="javascript:alert(1)"), [("evil", "javascript:alert(1)"), ("ftp", "ftp://x.example/")])
    nodes = entry_nodes(entry)
    assert "href" not in json.dumps(nodes)
    assert "Headline 0" in json.dumps(nodes)
    assert "javascript" not in headline_post("T", [entry], ["https://telegra.ph/T"])


def test_content_past_the_limit_is_spread_over_pages_and_an_entry_too_big_for_one_is_trimmed():
    entries = [PageEntry(brief(n, points=6)) for n in range(40)]
    pages = page_contents(entries, limit=4_000)
    assert len(pages) > 1 and all(content_size(page) <= 4_000 for page in pages)
    text = json.dumps(pages)
    assert all(f"Point 5 of story {n}," in text for n in range(40))  # nothing lost, no entry cut
    (huge,) = page_contents([PageEntry(brief(points=400))], limit=4_000)
    assert content_size(huge) <= 4_000 and "Trimmed to fit the page" in json.dumps(huge)
    assert "Point 0 of story 0" in json.dumps(huge)
    assert page_title("x" * 300, 2, 3).endswith("… (2/3)") and len(page_title("x" * 300, 2, 3)) == 256


def test_the_post_fits_one_message_and_counts_the_headlines_left_out():
    entries = [PageEntry(brief(n)) for n in range(60)]
    for entry in entries:
        entry.brief.headline = "A rather long headline about a story " * 3
    post = headline_post("Digest: X", entries, ["https://telegra.ph/a", "https://telegra.ph/b"])
    assert utf16_length(visible_text(post)) <= 4096
    assert re.search(r"… \+\d+", post) and ">1</a> · <a" in post


def test_the_switch_setting_takes_on_off_and_refuses_anything_else():
    assert Settings.load(env={"BRIEFBOT_TELEGRAPH_BRIEFS": "on"}).telegraph_briefs is True
    assert Settings.load(env={"BRIEFBOT_TELEGRAPH_BRIEFS": "0"}).telegraph_briefs is False
    assert Settings().telegraph_briefs is False and Settings().telegraph_base_url == "https://api.telegra.ph"
    with pytest.raises(BriefError, match="on or off"):
        Settings.load(env={"BRIEFBOT_TELEGRAPH_BRIEFS": "maybe"})


async def test_the_client_reports_an_error_answer_and_a_dead_server(telegraph, tmp_path):
    database = await Database.open(tmp_path / "state.sqlite3")
    pages = TelegraphPages(TelegraphClient(telegraph.base_url), StateStore(database))
    try:
        with pytest.raises(TelegraphFailed, match="ACCESS_TOKEN_INVALID"):
            await pages.client.create_page("no-such-token", "T", ["x"])
        (url,) = await pages.publish("Title", [PageEntry(brief())])
        assert url == telegraph.pages[0].url
        telegraph.redirect = "http://169.254.169.254/latest/meta-data/"  # only the configured address is reached
        with pytest.raises(TelegraphFailed, match="HTTP 307"):
            await pages.publish("Title", [PageEntry(brief())])
        await telegraph.stop()
        with pytest.raises(TelegraphFailed, match="createPage"):
            await pages.publish("Title", [PageEntry(brief())])
        assert await StateStore(database).get(f"telegraph_token:{telegraph.base_url}") == "token-1"
    finally:
        await pages.close()
        await database.close()


def _tags(nodes) -> set[str]:
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, dict):
            found.add(node["tag"])
            found |= _tags(node.get("children", []))
    return found


async def test_the_state_store_keeps_the_first_value_on_both_databases(database_url):
    """Two instances making an account at once: both end up with the first token stored."""
    database = await Database.open(database_url)
    try:
        state = StateStore(database)
        assert await state.get("telegraph_token:x") is None
        assert await state.keep_first("telegraph_token:x", "first") == "first"
        assert await state.keep_first("telegraph_token:x", "second") == "first"
        assert await state.get("telegraph_token:x") == "first"
    finally:
        await database.close()
