import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.brief import Brief, Credit, KeyFigure, SourceInfo
from bot.core.render.telegram_html import (
    render_html,
    split_html,
    utf16_length,
    visible_text,
)

TAGS = ["b", "i", "u", "code"]
PIECES = list("ab c.\n؟عربي😀") + ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@st.composite
def markup(draw, depth=0):
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 3 and draw(st.booleans()):
            tag = draw(st.sampled_from(TAGS + ["a"]))
            opening = '<a href="https://x.example/?a=1&amp;b=2">' if tag == "a" else f"<{tag}>"
            parts.append(f"{opening}{draw(markup(depth + 1))}</{tag}>")
        else:
            parts.append(draw(TEXT))
    return "".join(parts)


def balanced(chunk: str) -> bool:
    stack = []
    for tag in re.findall(r"<(/?)([a-z]+)[^>]*>", chunk):
        closing, name = tag
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def entities_intact(chunk: str) -> bool:
    return all(re.match(r"&(#\d+|#x[0-9a-f]+|\w+);", chunk[m.start():]) for m in re.finditer("&", chunk))


@settings(max_examples=300, deadline=None)
@given(markup(), st.integers(min_value=2, max_value=60))
def test_split_never_breaks_tags_or_entities_and_loses_nothing(html, limit):
    chunks = split_html(html, limit)
    for chunk in chunks:
        assert balanced(chunk), chunk
        assert entities_intact(chunk), chunk
        assert utf16_length(visible_text(chunk)) <= limit
    assert "".join(visible_text(c) for c in chunks) == visible_text(html)


def test_split_prefers_line_boundaries():
    lines = [f"• point number {i} with some words." for i in range(300)]
    chunks = split_html("\n".join(lines), 4096)
    assert len(chunks) > 1
    assert all(c.endswith("\n") for c in chunks[:-1])


def brief(language="en", **changes):
    values = dict(
        source=SourceInfo(url="https://news.example/a?x=1&y=2", site="News <Daily>", language=language),
        language=language, headline="Fish & chips <cheaper>", points=["Prices fell 5% on Monday."],
        figures=[KeyFigure("5%", "Prices fell 5% on Monday", "percent", "5", None, "%")],
        sources=[Credit("News <Daily>", "outlet", "https://news.example/a"), Credit("Bureau of Stats", "cited")],
    )
    values.update(changes)
    return Brief(**values)


def test_render_escapes_everything_and_links_the_source():
    html = render_html(brief())
    assert "Fish &amp; chips &lt;cheaper&gt;" in html
    assert '<a href="https://news.example/a?x=1&amp;y=2">News &lt;Daily&gt;</a>' in html
    assert "<b>5%</b>" in html
    assert balanced(html)


def test_right_to_left_lines_start_with_a_right_to_left_mark():
    html = render_html(brief("ar", headline="عنوان", points=["١٢ قتيلا في الهجوم."]))
    assert all(line.startswith("\u200f") for line in html.split("\n"))
