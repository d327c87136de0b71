"""Per-channel digest templates (issue 16 item 4): the parts an entry shows, a header and a
footer line, hashtags per feed, and /preview; the real Application against the fake Bot API."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bot.core.brief import Brief, KeyFigure, OriginalText, SourceInfo
from bot.core.render.telegram_html import utf16_length, visible_text
from bot.digests.posts import DigestEntry, assemble_posts, render_entry, story_hashtags
from bot.digests.template import MAX_LINE, DigestTemplate, TemplateError, fill, local_day, one_line, parse_hashtags
from bot.pipeline import Briefer
from tests.botharness import (
    ADMIN,
    STRANGER,
    PrefixTranslator,
    bot_settings,
    posts,
    replies,
    running_bot,
    with_harbour_channel,
)
from tests.fakebotapi import FakeBotAPI
from tests.feedserver import FeedServer


@pytest.fixture
def api(api: FakeBotAPI) -> FakeBotAPI:
    return with_harbour_channel(api)


async def command(api: FakeBotAPI, user: int, text: str, language: str = "en", replies_expected: int = 1) -> list[str]:
    before = len(replies(api, user))
    api.message(user, text, language=language)
    done = await api.wait_for(lambda a: len(replies(a, user)) >= before + replies_expected, timeout=60)
    assert done
    return replies(api, user)[before:]


async def subscribe_both(api: FakeBotAPI, feeds: FeedServer) -> None:
    for feed in ("/a.xml", "/b.xml"):
        assert "is now attached" in (await command(api, ADMIN, f"/sub @harbour_news {feeds.url(feed)}"))[0]


def stored(tmp_path, query: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "briefbot.sqlite3") as db:
        return db.execute(query).fetchall()


# ---- end to end ---------------------------------------------------------------------------

async def test_a_template_shapes_the_digest_and_feeds_add_their_hashtags(api, feeds, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        await subscribe_both(api, feeds)
        shown = (await command(api, ADMIN, "/template @harbour_news points 1 figures off sources off link off"))[0]
        assert "points 1 · figures off · sources off · original off · link off" in shown
        shown = (await command(api, ADMIN, '/template @harbour_news header "Morning <brief> {date}"'))[0]
        assert "header: Morning <brief> {date}" in shown
        await command(api, ADMIN, "/template @harbour_news footer Follow {channel} & share")
        assert "#harbour" in (await command(api, ADMIN, f"/hashtags @harbour_news {feeds.url('/a.xml')} #harbour"))[0]
        listed = (await command(api, ADMIN, f"/hashtags @harbour_news {feeds.url('/b.xml')} water"))[0]
        assert f"{feeds.url('/b.xml')}: #water" in listed and f"{feeds.url('/a.xml')}: #harbour" in listed
        assert "Posted" in (await command(api, ADMIN, "/digest @harbour_news now"))[0]
    text = "\n".join(posts(api))
    assert text.startswith("<b>Morning &lt;brief&gt; 20") and "Digest:" not in text   # header, escaped, dated
    assert text.endswith("\n\nFollow Harbour News &amp; share")                         # footer, last
    assert "Key figures" not in text and "Sources:" not in text and "<a href" not in text
    entries = text.split("\n\n")[1:-1]
    assert len(entries) == 2 and all(entry.count("• ") == 1 for entry in entries)
    desalination, football = entries
    assert "desalination" in desalination and desalination.endswith("\n#harbour #water")  # both feeds told it
    assert "Harbour FC" in football and football.endswith("\n#harbour")
    assert json.loads(stored(tmp_path, "SELECT template FROM channels")[0][0])["points"] == 1


async def test_more_points_than_the_default_are_briefed_and_reset_brings_the_default_back(api, feeds, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        await subscribe_both(api, feeds)
        await command(api, ADMIN, "/template @harbour_news points 3")
        assert "Posted" in (await command(api, ADMIN, "/digest @harbour_news now"))[0]
        first = "\n".join(posts(api))
        reset = (await command(api, ADMIN, "/template @harbour_news reset"))[0]
    assert first.split("\n\n")[1].count("• ") == 3
    assert "points 2 · figures on · sources on · original off · link on" in reset
    assert "header: the title (Digest: Harbour News)" in reset
    assert stored(tmp_path, "SELECT template FROM channels") == [("",)]


async def test_preview_renders_the_last_digest_for_the_admin_only_and_marks_nothing(api, feeds, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        await subscribe_both(api, feeds)
        nothing = await command(api, ADMIN, "/preview @harbour_news")
        assert "Nothing has been posted to Harbour News yet" in nothing[0]
        assert "Posted" in (await command(api, ADMIN, "/digest @harbour_news now"))[0]
        posted = posts(api)
        marked = stored(tmp_path, "SELECT id, posted_message_id FROM items ORDER BY id")
        await command(api, ADMIN, "/template @harbour_news figures off")
        await command(api, ADMIN, "/template @harbour_news footer — Harbour News, {date}")
        shown = await command(api, ADMIN, "/preview @harbour_news", replies_expected=2)
    assert posts(api) == posted                                  # nothing more went to the channel
    assert stored(tmp_path, "SELECT id, posted_message_id FROM items ORDER BY id") == marked
    assert "a preview: not posted" in shown[0]
    preview = "\n".join(shown[1:])
    assert preview.startswith("<b>Digest: Harbour News</b>") and "Key figures" not in preview
    assert "desalination" in preview and "Harbour FC" in preview and "Sources:" in preview
    assert "\n\n— Harbour News, 20" in preview
    assert "Key figures" in "\n".join(posted)                   # the digest as posted had them
    html_calls = [c for c in api.sent("sendMessage", ADMIN) if c.params.get("parse_mode") == "HTML"]
    assert [c.params["text"] for c in html_calls] == shown[1:]


async def test_the_original_headline_line_of_a_translated_digest(api, feeds, tmp_path):
    settings = bot_settings(api, tmp_path, feeds.port)
    async with running_bot(settings, Briefer(settings, translators=PrefixTranslator())):
        await subscribe_both(api, feeds)
        await command(api, ADMIN, "/settings @harbour_news language ar")
        await command(api, ADMIN, "/template @harbour_news original on")
        assert "Posted" in (await command(api, ADMIN, "/digest @harbour_news now"))[0]
    text = "\n".join(posts(api))
    assert "[ar] Coastal city opens desalination plant" in text                  # the translated headline
    assert "<i>en: Coastal city opens desalination plant after two dry summers</i>" in text


async def test_only_an_admin_may_change_templates_hashtags_or_preview(api, feeds, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        await subscribe_both(api, feeds)
        for text in ("/template @harbour_news figures off", f"/hashtags @harbour_news {feeds.url('/a.xml')} #x",
                     "/preview @harbour_news", "/template @harbour_news"):
            assert (await command(api, STRANGER, text)) == ["Only an administrator of Harbour News can do that."]
    assert stored(tmp_path, "SELECT template FROM channels") == [("",)]
    assert stored(tmp_path, "SELECT DISTINCT hashtags FROM feeds") == [("",)]


async def test_bad_input_gets_one_clear_line_in_the_admins_language(api, feeds, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        await subscribe_both(api, feeds)
        points = await command(api, ADMIN, "/template @harbour_news points 9")
        part = await command(api, ADMIN, "/template @harbour_news colour red")
        switch = await command(api, ADMIN, "/template @harbour_news link maybe")
        long = await command(api, ADMIN, "/template @harbour_news header " + "x" * (MAX_LINE + 1))
        tag = await command(api, ADMIN, f"/hashtags @harbour_news {feeds.url('/a.xml')} #2026")
        unknown = await command(api, ADMIN, "/hashtags @harbour_news https://elsewhere.example/feed.xml #gulf")
        usage = await command(api, ADMIN, "/template")
        arabic = await command(api, ADMIN, "/template @harbour_news points nine", language="ar")
    assert points == ["Points must be a number from 0 to 5."]
    assert part[0].startswith("Use /template @channel, then: points 2 figures off")
    assert switch == ["'link' takes on or off."]
    assert long == [f"A header or footer may have at most {MAX_LINE} characters."]
    assert tag == ["#2026 is not a hashtag: use letters, digits and _, at most 50 characters."]
    assert unknown == ["That feed was not attached to this channel."]
    assert usage[0].startswith("Use /template @channel")
    assert arabic[0].startswith("عدد النقاط") and "5" in arabic[0]
    assert stored(tmp_path, "SELECT template FROM channels") == [("",)]


async def test_help_names_the_template_commands(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path)):
        text = (await command(api, ADMIN, "/help"))[0]
    assert "/template @channel" in text and "/hashtags @channel" in text and "/preview @channel" in text


# ---- the template itself, without Telegram -----------------------------------------------

def _entry(original: bool = False) -> DigestEntry:
    brief = Brief(SourceInfo(url="https://a.example/1"), "en", "Plant <opens>",
                  ["First point.", "Second point.", "Third point."],
                  figures=[KeyFigure("140", "140 people", "number", "140")],
                  original=OriginalText("ar", "افتتاح محطة", ["نقطة."]) if original else None)
    return DigestEntry(brief, [("A", "https://a.example/1"), ("B", "https://b.example/1")],
                       ["140 people (a) vs 150 people (b)"], [10, 11], ["#water"])


def test_the_default_template_renders_entries_as_before():
    markup = render_entry(_entry())
    assert markup == ('<b><a href="https://a.example/1">Plant &lt;opens&gt;</a></b>\n• First point.\n• Second point.\n'
                      '<b>Key figures:</b> <b>140</b> people\n'
                      '<b>Sources:</b> <a href="https://a.example/1">A</a> · <a href="https://b.example/1">B</a>\n'
                      '<i>Sources differ: 140 people (a) vs 150 people (b)</i>\n#water')


def test_each_part_can_be_left_out():
    bare = DigestTemplate(points=0, figures=False, sources=False, link=False)
    assert render_entry(_entry(), bare) == "<b>Plant &lt;opens&gt;</b>\n#water"
    names = render_entry(_entry(), DigestTemplate(link=False))
    assert "<a " not in names and "<b>Sources:</b> A · B" in names
    assert "<i>ar: افتتاح محطة</i>" in render_entry(_entry(original=True), DigestTemplate(original=True))
    assert "<i>ar:" not in render_entry(_entry(original=True))     # off by default
    assert "<i>" not in render_entry(_entry(), DigestTemplate(original=True, sources=False))  # nothing to show


def test_guard_notes_are_shown_whatever_the_template():
    entry = _entry()
    entry.brief.warnings = ["Figure guard: 150 was repaired to 140."]
    assert "<i>Figure guard: 150 was repaired to 140.</i>" in render_entry(entry, DigestTemplate(points=0,
                                                                                               figures=False))


def test_templates_round_trip_through_json_and_the_default_stores_nothing():
    template = DigestTemplate(points=4, original=True, header="Brief {date}", footer="بالعربية")
    assert DigestTemplate.parse(template.serialize()) == template
    assert "بالعربية" in template.serialize()
    assert DigestTemplate().serialize() == "" and DigestTemplate.parse("") == DigestTemplate()
    assert DigestTemplate.parse('{"points": 1}') == DigestTemplate(points=1)


@pytest.mark.parametrize("raw", ["{", "[]", '{"points": "2"}', '{"figures": 1}', '{"header": 3}', '{"points": 7}',
                                 '{"points": true}', '{"footer": "' + "y" * (MAX_LINE + 1) + '"}'])
def test_a_broken_stored_template_is_refused_and_the_digest_uses_the_default(raw):
    with pytest.raises(TemplateError):
        DigestTemplate.parse(raw)
    assert DigestTemplate.stored(raw) == DigestTemplate()


def test_changes_as_typed():
    template = DigestTemplate().with_parts(["points", "0", "Figures", "OFF", "link", "no", "original", "yes"])
    assert template == DigestTemplate(points=0, figures=False, link=False, original=True)
    for words in (["points"], ["points", "six"], ["size", "2"], ["figures", "maybe"], []):
        with pytest.raises(TemplateError):
            DigestTemplate().with_parts(words)
    assert DigestTemplate().with_line("header", ' "Morning\n  brief" ').header == "Morning brief"
    assert DigestTemplate().with_line("footer", "«قناتنا»").footer == "قناتنا"
    assert DigestTemplate(header="x").with_line("header", "").header == ""
    assert one_line("a\x00b\tc") == "ab c"


def test_placeholders_are_replaced_explicitly_never_formatted():
    assert fill("{channel} on {date}", "Harbour", "2026-11-26") == "Harbour on 2026-11-26"
    assert fill("{channel}", "{date}", "2026-11-26") == "{date}"  # a channel named "{date}" stays so named
    for text in ("{channel.__class__}", "{channel[0]}", "{0}", "{date!r}", "{date:>99}", "{", "}", "{title}"):
        assert fill(text, "Harbour", "2026-11-26") == text  # only the two exact placeholders mean anything
    assert DigestTemplate(header="{channel}: {date}").heading("Digest: H", "H", "2026-11-26") == "H: 2026-11-26"
    assert DigestTemplate().heading("Digest: H", "H", "2026-11-26") == "Digest: H"


def test_the_date_is_the_channels_day_and_a_broken_zone_falls_back_to_utc():
    late = 1764199800.0  # 2025-11-26 23:30 UTC
    assert local_day(late, "UTC") == "2025-11-26" and local_day(late, "Asia/Riyadh") == "2025-11-27"
    assert local_day(late, "Mars/Olympus") == local_day(late, "../etc") == "2025-11-26"


def test_hashtags_are_checked_and_joined_once():
    assert parse_hashtags(["#economy", "gulf", "#economy", "#اقتصاد"]) == "#economy #gulf #اقتصاد"
    for bad in (["#"], ["#2026"], ["#a-b"], ["#<b>"], ["#" + "x" * 50], [f"#t{n}" for n in range(11)]):
        with pytest.raises(TemplateError):
            parse_hashtags(bad)
    assert story_hashtags(["a", "b", "c"], {"a": "#x #y", "b": "#y #z"}) == ["#x", "#y", "#z"]


def test_the_footer_closes_the_last_post_or_follows_it_within_the_limit():
    entries = [_entry() for _ in range(6)]
    for number, entry in enumerate(entries):
        entry.item_ids = [number]
    footer = " ".join(["Follow us"] * 10)
    alone = {}
    for limit in (500, 700, 4096):
        made = assemble_posts(entries, "Title", limit=limit, footer=footer)
        assert all(utf16_length(visible_text(markup)) <= limit for markup, _ in made)
        assert made[-1][0].endswith("\n\n" + footer) or made[-1] == (footer, [])
        assert [i for _, ids in made for i in ids] == list(range(6))
        assert "\n".join(markup for markup, _ in made).count(footer) == 1
        alone[limit] = made[-1] == (footer, [])
    assert alone == {500: True, 700: False, 4096: False}  # no room left in the last post at 500
    assert assemble_posts([], "Title", footer="Follow") == []
