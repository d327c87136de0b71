"""Each key figure names whom the article credits for it, in JSON, text, Telegram HTML and digests."""

from bot.core.brief import Brief, KeyFigure, SourceInfo
from bot.core.compose import compose_brief
from bot.core.render.plain import render_text
from bot.core.render.telegram_html import render_html
from bot.core.text.document import parse_plain_text
from bot.digests.posts import DigestEntry, render_entry

ARTICLE = """Flood waters close river crossings in Valmora

Valmora Courier

VALMORA – Heavy rain closed 14 river crossings across Valmora province on Tuesday, cutting off farms and villages for a second day.

According to the Provincial Disaster Agency (PDA), more than 2,300 families have left their homes since the weekend. The Red Crescent reported that 38 people were treated for injuries and 6 remain in hospital.

Mayor Hana Quilty said the town would open 3 more shelters. She added that 450 volunteers had signed up since Monday.

Engineers expect the river to fall by 40 centimetres before Friday if the rain stops.

https://www.valmoracourier.example/news/floods-14-crossings
"""


def brief_of(text: str) -> Brief:
    document = parse_plain_text(text, "en")
    return compose_brief(document, SourceInfo(url=document.url, language="en"))


def sources_by_value(brief: Brief) -> dict[str, str | None]:
    return {f.value: f.source for f in brief.figures}


def test_figures_are_credited_to_the_source_their_sentence_cites():
    found = sources_by_value(brief_of(ARTICLE))
    assert found["more than 2,300"] == "Provincial Disaster Agency (PDA)"
    assert found["38"] == "Red Crescent" and found["6"] == "Red Crescent"
    assert found["3"] == "Mayor Hana Quilty"
    assert found["450"] == "Mayor Hana Quilty"  # "She added": the speaker just named
    assert found["14"] is None  # the outlet's own reporting credits no one


def test_the_outlet_named_on_its_own_line_is_the_outlet_not_the_host():
    brief = brief_of(ARTICLE)
    assert (brief.sources[0].name, brief.sources[0].role) == ("Valmora Courier", "outlet")


def test_text_html_and_digest_show_each_figure_with_its_label_and_source():
    brief = brief_of(ARTICLE)
    text, html = render_text(brief), render_html(brief)
    assert "more than 2,300 families (PDA)" in text
    assert "<b>more than 2,300</b>" in html and "(PDA)" in html
    entry = render_entry(DigestEntry(brief, [("valmoracourier.example", brief.source.url or "")]))
    assert "(PDA)" in entry and "Valmora Courier</a>" in entry and "valmoracourier.example<" not in entry


def test_a_cached_brief_without_figure_sources_still_loads():
    brief = brief_of(ARTICLE)
    data = brief.to_dict()
    for figure in data["figures"]:
        del figure["source"]
    assert all(f.source is None for f in Brief.from_dict(data).figures)
    assert KeyFigure("5", "5 people", "number", "5").source is None
