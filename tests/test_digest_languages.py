"""One digest in several languages (issue 16, item 3), with the real PTB Application, the fake
Bot API and feeds on 127.0.0.1: `/settings @chan lang en,ar` gives one post per language, each
story briefed once and translated for each language, the figure guard checking each language;
`lang en:12,ar:34` posts each language into its forum topic; a stop between two languages posts
nothing twice."""

from __future__ import annotations

import re
import sqlite3

import pytest

from bot.config import Settings
from bot.core.facts.figures import FigureIndex, extract_figures
from bot.core.render.telegram_html import visible_text
from bot.digests.languages import DigestLanguage, digest_languages, parse_languages
from bot.pipeline import Briefer
from bot.store.channels import Channel, ChannelStore
from bot.store.database import Database
from tests.botharness import PrefixTranslator, bot_settings, running_bot
from tests.conftest import EXAMPLES
from tests.fakebotapi import FakeBotAPI
from tests.feedserver import FeedServer

CHANNEL = -1001234
ADMIN = 7


@pytest.fixture
def api(api: FakeBotAPI) -> FakeBotAPI:
    api.add_channel(CHANNEL, "harbour_news", "Harbour News", {ADMIN: "administrator"})
    return api


def replies(api: FakeBotAPI) -> list[str]:
    return [c.params["text"] for c in api.sent("sendMessage", ADMIN)]


def posts(api: FakeBotAPI) -> list[dict]:
    return [c.params for c in api.sent("sendMessage", CHANNEL)]


async def command(api: FakeBotAPI, text: str, language: str = "en") -> str:
    before = len(replies(api))
    api.message(ADMIN, text, language=language)
    return (await api.wait_for(lambda a: len(replies(a)) > before and replies(a), timeout=60))[-1]


async def subscribe(api: FakeBotAPI, feeds: FeedServer) -> None:
    for feed in ("/a.xml", "/b.xml"):
        assert "is now attached" in await command(api, f"/sub @harbour_news {feeds.url(feed)}")


def stored_languages(tmp_path) -> tuple[str, str, int | None]:
    with sqlite3.connect(tmp_path / "briefbot.sqlite3") as db:
        return db.execute("SELECT language, languages, thread_id FROM channels").fetchone()


class FigureBreakingTranslator(PrefixTranslator):
    """Marks each text like PrefixTranslator; into Hindi it also writes 130,000 for 120,000, the
    way a model gets a number wrong: the guard must catch it in that language only."""

    def translator_for(self, source: str, target: str) -> FigureBreakingTranslator:
        return FigureBreakingTranslator(None, source, target)

    def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]:
        marked = super().translate(texts, beam_size)
        return [text.replace("120,000", "130,000") for text in marked] if self.target == "hi" else marked


class CountingTranslator(PrefixTranslator):
    """Records each pair it is asked for and the texts it translated."""

    def __init__(self, asked: list[tuple[str, str, int]] | None = None, source: str = "", target: str = "") -> None:
        super().__init__(None, source, target)
        self.asked = [] if asked is None else asked

    def translator_for(self, source: str, target: str) -> CountingTranslator:
        return CountingTranslator(self.asked, source, target)

    def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]:
        self.asked.append((self.source, self.target, len(texts)))
        return super().translate(texts, beam_size)


# ---- /settings ------------------------------------------------------------------------

async def test_lang_takes_several_languages_with_topics_and_refuses_what_cannot_be(api, feeds, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        assert "language: en, ar, items: 8" in await command(api, "/settings @harbour_news lang en,ar")
        assert stored_languages(tmp_path) == ("en", "en,ar", None)
        assert "language: en:12, ar:34" in await command(api, "/settings @harbour_news lang en:12, ar:34")
        assert stored_languages(tmp_path) == ("en", "en:12,ar:34", None)
        unknown = await command(api, "/settings @harbour_news lang en,xx")
        untranslatable = await command(api, "/settings @harbour_news lang en,la")
        twice = await command(api, "/settings @harbour_news lang en,ar,en")
        too_many = await command(api, "/settings @harbour_news lang en,ar,fr,de,es,it")
        bad_topic = await command(api, "/settings @harbour_news lang en:twelve")
        assert stored_languages(tmp_path) == ("en", "en:12,ar:34", None)  # refusals change nothing
        arabic_refusal = await command(api, "/settings @harbour_news lang en,la", language="ar")
        # one language is one post, as before; its topic is the digest's topic
        assert "language: ar, items: 8" in await command(api, "/settings @harbour_news lang ar:7")
        assert stored_languages(tmp_path) == ("ar", "", 7)
        assert "language: fr" in await command(api, "/settings @harbour_news language fr")
        assert stored_languages(tmp_path) == ("fr", "", 7)
    assert unknown == "'xx' is not a language code; use two-letter codes such as en, ar or fr."
    assert untranslatable == "No translation model briefbot knows translates into Latin (la), so a digest cannot be in it."
    usage = ("Use /settings @channel lang en,ar for one post in each language, or lang en:12,ar:34 to post each "
             "language into that forum topic (at most 5 languages).")
    assert twice == too_many == bad_topic == usage
    assert "(la)" in arabic_refusal and "Latin" not in arabic_refusal and "اللاتينية" in arabic_refusal


def test_languages_parse_and_a_channel_without_a_list_keeps_its_one_language():
    assert parse_languages(" EN, ar:34 ") == parse_languages("en ar:34") == [DigestLanguage("en"), DigestLanguage("ar", 34)]
    for bad in ("", "en,,en", "english", "en:0", "en:-3", "e", "en,ar,fr,de,es,it"):
        with pytest.raises(ValueError):
            parse_languages(bad)
    single = Channel(1, "A", 2, language="ar", thread_id=9)
    assert digest_languages(single, "en") == [DigestLanguage("ar")]  # posted where the channel's digests go
    assert digest_languages(Channel(1, "A", 2), "en") == [DigestLanguage("en")]
    assert digest_languages(single.with_values(languages=("en", "ar:34")), "en") == \
        [DigestLanguage("en"), DigestLanguage("ar", 34)]


# ---- the digest -------------------------------------------------------------------------

async def test_each_story_is_briefed_once_and_posted_once_per_language(api, feeds, tmp_path):
    settings = bot_settings(api, tmp_path, feeds.port)
    asked: list[tuple[str, str, int]] = []
    async with running_bot(settings, Briefer(settings, translators=CountingTranslator(asked))):
        await subscribe(api, feeds)
        await command(api, "/settings @harbour_news lang en,ar")
        assert "Posted 2 message(s)" in await command(api, "/digest @harbour_news now")
    english, arabic = (post["text"] for post in posts(api))
    assert english.startswith("<b>Digest: Harbour News</b>") and "[ar]" not in english
    assert arabic.startswith("<b>موجز: Harbour News</b>") and "<b>الأرقام الرئيسية:</b>" in arabic
    assert "desalination plant" in english and "[ar] " in arabic and "Harbour FC" in arabic
    for post in (english, arabic):  # the same figures, the same outlets, in both
        assert "120,000" in post and "140" in post and "150" in post
        assert post.count("127.0.0.1") == english.count("127.0.0.1")
    # read once: each article page fetched once for both languages, never briefed again for Arabic
    assert feeds.hits["story/plant"] == 1 and feeds.hits["story/football"] == 1
    # the English articles need no English translation; Arabic is one translation of each brief
    assert {(source, target) for source, target, _ in asked} == {("en", "ar")}
    with sqlite3.connect(tmp_path / "briefbot.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM items WHERE posted_message_id IS NULL").fetchone() == (0,)


async def test_the_figure_guard_checks_each_language(api, feeds, tmp_path):
    settings = bot_settings(api, tmp_path, feeds.port)
    async with running_bot(settings, Briefer(settings, translators=FigureBreakingTranslator())):
        await subscribe(api, feeds)
        await command(api, "/settings @harbour_news lang en,ar,hi")
        assert "Posted 3 message(s)" in await command(api, "/digest @harbour_news now")
    english, arabic, hindi = (post["text"] for post in posts(api))
    assert "130,000" not in shown(hindi) and "120,000" in shown(hindi)
    assert ("Figure guard: changed figures were restored from the source: 120,000 cubic metres "
            "(not 130,000 cubic metres)") in hindi
    assert "Figure guard" not in english and "Figure guard" not in arabic
    assert "[hi] " in hindi and "[ar] " in arabic


def shown(markup: str) -> str:
    """A post's text without the guard's notes (they name the numbers it removed) and the test
    servers' addresses."""
    lines = [line for line in visible_text(markup).splitlines() if not line.startswith("Figure guard")]
    return re.sub(r"(127\.0\.0\.1|localhost)(:\d+)?", "", "\n".join(lines))


async def test_each_language_goes_to_its_forum_topic(api, feeds, tmp_path):
    settings = bot_settings(api, tmp_path, feeds.port)
    async with running_bot(settings, Briefer(settings, translators=PrefixTranslator())):
        await subscribe(api, feeds)
        await command(api, "/settings @harbour_news lang en:12,ar:34")
        await command(api, "/digest @harbour_news now")
    assert [(post["message_thread_id"], post["text"].split("</b>")[0]) for post in posts(api)] == \
        [(12, "<b>Digest: Harbour News"), (34, "<b>موجز: Harbour News")]


async def test_a_failed_language_is_posted_next_time_and_the_others_are_not_posted_twice(api, feeds, tmp_path):
    settings = bot_settings(api, tmp_path, feeds.port)
    topic_gone = {34}
    api.refuse_when("sendMessage", lambda params: params.get("message_thread_id") in topic_gone,
                    "message thread not found")
    async with running_bot(settings, Briefer(settings, translators=PrefixTranslator())):
        await subscribe(api, feeds)
        await command(api, "/settings @harbour_news lang en:12,ar:34")
        assert "Posted 1 message(s)" in await command(api, "/digest @harbour_news now")
    assert [post["message_thread_id"] for post in posts(api)] == [12]
    with sqlite3.connect(tmp_path / "briefbot.sqlite3") as db:  # out in English only: still waiting
        assert db.execute("SELECT count(*) FROM items WHERE posted_message_id IS NULL").fetchone() == (3,)
    topic_gone.clear()
    async with running_bot(settings, Briefer(settings, translators=PrefixTranslator())):  # after a restart
        assert "Posted 1 message(s)" in await command(api, "/digest @harbour_news now")
        assert "Nothing new" in await command(api, "/digest @harbour_news now")
    assert [post["message_thread_id"] for post in posts(api)] == [12, 34]
    arabic = posts(api)[1]["text"]
    assert "desalination plant" in arabic and "Harbour FC" in arabic  # every story, once, in Arabic
    with sqlite3.connect(tmp_path / "briefbot.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM items WHERE posted_message_id IS NULL").fetchone() == (0,)


async def test_a_story_that_grows_between_two_languages_is_not_posted_again(api, feeds, tmp_path):
    """English went out, Arabic did not; then a second feed brings the same story from another
    outlet. The next digest posts the story in Arabic with both outlets, and not again in English."""
    settings = bot_settings(api, tmp_path, feeds.port)
    topic_gone = {34}
    api.refuse_when("sendMessage", lambda params: params.get("message_thread_id") in topic_gone,
                    "message thread not found")
    async with running_bot(settings, Briefer(settings, translators=PrefixTranslator())):
        assert "is now attached" in await command(api, f"/sub @harbour_news {feeds.url('/a.xml')}")
        await command(api, "/settings @harbour_news lang en:12,ar:34")
        assert "Posted 1 message(s)" in await command(api, "/digest @harbour_news now")
        assert "is now attached" in await command(api, f"/sub @harbour_news {feeds.url('/b.xml')}")
        topic_gone.clear()
        assert "Posted 1 message(s)" in await command(api, "/digest @harbour_news now")
        assert "Nothing new" in await command(api, "/digest @harbour_news now")
    english, arabic = posts(api)
    assert (english["message_thread_id"], arabic["message_thread_id"]) == (12, 34)
    assert "localhost" not in english["text"] and "localhost" in arabic["text"]  # the second outlet
    assert arabic["text"].count("desalination plant after") == 1
    with sqlite3.connect(tmp_path / "briefbot.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM items WHERE posted_message_id IS NULL").fetchone() == (0,)


async def test_a_language_dropped_after_a_stop_does_not_hold_its_stories_back(api, feeds, tmp_path):
    """English went out, Arabic did not, then the admin keeps English only: the stories are
    posted already in every language the channel has, so nothing is posted and nothing waits."""
    settings = bot_settings(api, tmp_path, feeds.port)
    api.refuse_when("sendMessage", lambda params: params.get("message_thread_id") == 34, "message thread not found")
    async with running_bot(settings, Briefer(settings, translators=PrefixTranslator())):
        await subscribe(api, feeds)
        await command(api, "/settings @harbour_news lang en:12,ar:34")
        await command(api, "/digest @harbour_news now")
        await command(api, "/settings @harbour_news lang en:12")
        assert "Nothing new" in await command(api, "/digest @harbour_news now")
    assert len(posts(api)) == 1
    with sqlite3.connect(tmp_path / "briefbot.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM items WHERE posted_message_id IS NULL").fetchone() == (0,)


# ---- the Briefer: one brief, several languages ---------------------------------------------

def test_the_briefer_reads_an_article_once_for_several_languages():
    briefer = Briefer(Settings(), translators=PrefixTranslator())
    html = (EXAMPLES / "desalination.html").read_text(encoding="utf-8")
    english, arabic, hindi = briefer.briefs_html(html, ["en", "ar", "hi"], url="https://news.example/plant")
    single = briefer.brief_html(html, url="https://news.example/plant", to="ar")
    assert [b.language for b in (english, arabic, hindi)] == ["en", "ar", "hi"]
    assert arabic.headline == f"[ar] {english.headline}" and hindi.points == [f"[hi] {p}" for p in english.points]
    assert [f.value for f in arabic.figures] == [f.value for f in english.figures] == [f.value for f in hindi.figures]
    assert english.original is None and arabic.original.headline == english.headline
    assert arabic.to_dict() | {"engine": {}} == single.to_dict() | {"engine": {}}  # as if briefed alone


def test_a_tiny_translation_model_cannot_change_a_figure_in_any_language(tiny_models, tmp_path):
    """A random Marian model writes nonsense full of numbers: whatever it writes, every figure of
    the Arabic brief is one of the article's, as the English brief (the article's own language) has them."""
    settings = Settings(data_dir=tmp_path, translation_model=str(tiny_models["marian"]), beam_size=1)
    match = ("Harbour FC beat Blue Bay United 3-1 on Sunday in front of 21,000 supporters at the old stadium. "
             "The club said it would hold a parade along the seafront on Tuesday, and that the cup would be "
             "shown at the city museum for a month before the new season.")
    english, arabic = Briefer(settings).briefs_text(match, ["en", "ar"])
    article = FigureIndex(extract_figures("\n".join([english.headline, *english.points]), "en"))
    shown = "\n".join([arabic.headline, *arabic.points, *(figure.context for figure in arabic.figures)])
    assert all(article.supports(figure) for figure in extract_figures(shown, "ar"))
    assert [f.value for f in arabic.figures] == [f.value for f in english.figures]
    assert any(w.startswith("Figure guard") for w in arabic.warnings) and english.warnings == []


# ---- the store, on SQLite and PostgreSQL ------------------------------------------------

async def test_items_are_posted_once_out_in_every_language(database_url):
    database = await Database.open(database_url)
    try:
        store = ChannelStore(database)
        await store.save(Channel(CHANNEL, "News", owner_id=7, language="en", languages=("en", "ar:34")))
        assert (await store.get(CHANNEL)).languages == ("en", "ar:34")
        entries = [{"guid": f"g{n}", "url": f"https://news.example/{n}", "title": f"Story {n}", "summary": "…"}
                   for n in range(3)]
        await store.add_items(CHANNEL, "https://news.example/rss", entries)
        first, second, third = (item.id for item in await store.unposted(CHANNEL))
        languages = ["en", "ar"]
        await store.record_language_post(CHANNEL, [first, second], "en", 501, languages)
        await store.record_language_post(CHANNEL, [first, second], "en", 501, languages)  # a retry adds nothing
        assert [item.id for item in await store.unposted(CHANNEL)] == [first, second, third]
        await store.record_language_post(CHANNEL, [first], "ar", 502, languages)
        assert [item.id for item in await store.unposted(CHANNEL)] == [second, third]
        assert await store.posted_languages(CHANNEL, [first, second, third], languages) == \
            {first: {"en": 501, "ar": 502}, second: {"en": 501}}
        await store.settle_languages(CHANNEL, [second, third], ["en"])  # the channel dropped Arabic
        assert [item.id for item in await store.unposted(CHANNEL)] == [third]
        assert [item.id for item in await store.last_posted(CHANNEL, 5)] == [second, first]
    finally:
        await database.close()
