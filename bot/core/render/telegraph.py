"""Telegraph pages: briefs and digest entries as Telegraph nodes, and the post that links to them.

A digest or brief too long for one Telegram message goes to a telegra.ph page (in full:
every point, key figure, source and link) and the post shows only the headlines and the
page's link. Telegraph takes content as a JSON array of nodes (https://telegra.ph/api#Node):
a string, or {"tag", "attrs" (href/src only), "children"}, from a short list of tags, up to
64 KB a page; longer content is spread over several pages, and an entry that alone would not
fit one is trimmed, with a note. Only http(s) links become links: anything else is shown as
text. Pure functions, no I/O.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.core.brief import Brief, KeyFigure
from bot.core.links import site_host
from bot.core.render.labels import ENGLISH, RenderLabels
from bot.core.render.plain import figure_credit, outlet_name
from bot.core.render.telegram_html import MESSAGE_LIMIT, escape, utf16_length, visible_text

# Telegraph refuses content over 64 KB; its own count is not documented, so keep well within.
CONTENT_LIMIT = 60_000   # bytes of the content's JSON, UTF-8
TITLE_LIMIT = 256        # characters of a page's title
Node = str | dict[str, Any]
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class PageEntry:
    """One story of a page: a brief, the outlets that told it (name, link), where they differ."""

    brief: Brief
    outlets: Sequence[tuple[str, str]] = ()
    disagreements: Sequence[str] = ()
    show_original: bool = False


def is_web_link(url: str | None) -> bool:
    """Only http(s) links become links, on the page and in its post."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def content_size(nodes: Sequence[Node]) -> int:
    """Bytes of `nodes` as sent: JSON, UTF-8."""
    return len(json.dumps(list(nodes), ensure_ascii=False, separators=(",", ":")).encode())


# ---- nodes -------------------------------------------------------------------------


def entry_nodes(entry: PageEntry, labels: RenderLabels = ENGLISH) -> list[Node]:
    """The entry in full: headline (linked to the article), points, key figures, sources with
    their links, where the sources differ, the brief's warnings."""
    brief = entry.brief
    nodes: list[Node] = [_element("h3", [_link(_text(brief.headline), _article_url(entry))])]
    if brief.points:
        nodes.append(_element("ul", [_element("li", [_text(point)]) for point in brief.points]))
    if entry.show_original and brief.original:
        original = [_text(brief.original.headline), *(_text(f"• {p}") for p in brief.original.points)]
        nodes.append(_element("blockquote", _joined(original, _element("br"))))
    if brief.figures:
        nodes.append(_element("p", [_element("strong", [_text(labels.key_figures)])]))
        nodes.append(_element("ul", [_element("li", figure_nodes(f)) for f in brief.figures]))
    sources = _source_nodes(entry)
    if sources:
        nodes.append(_element("p", [_element("strong", [_text(f"{labels.sources}: ")]),
                                    *_joined(sources, " · ")]))
    if entry.disagreements:
        nodes.append(_element("p", [_element("em", [_text(f"{labels.sources_differ}: "
                                                          + "; ".join(entry.disagreements))])]))
    nodes += [_element("p", [_element("em", [_text(warning)])]) for warning in brief.warnings]
    return nodes


def figure_nodes(figure: KeyFigure) -> list[Node]:
    """'over <b>140</b> individuals (ISNA)': the value bold inside its label, then who says so."""
    label = _text(figure_credit(figure))
    value = _text(figure.value)
    at = label.find(value)
    if at < 0:
        return [_element("b", [value]), f" {label}"]
    return [part for part in (label[:at], _element("b", [value]), label[at + len(value):]) if part]


def _article_url(entry: PageEntry) -> str | None:
    return entry.brief.source.url or (entry.outlets[0][1] if entry.outlets else None)


def _source_nodes(entry: PageEntry) -> list[Node]:
    """The outlets with their links (the brief's own outlet by its name), then the sources the
    article names; a brief without outlets (pasted text) names its sources only."""
    brief = entry.brief
    outlet = outlet_name(brief)
    url = brief.source.url
    outlets = list(entry.outlets) or ([(outlet or site_host(url) or url, url)] if url else [])
    nodes = [_link(_text(outlet if outlet and url == brief.source.url else name), url) for name, url in outlets]
    shown = {name for name, _ in outlets} | ({outlet} if outlets and outlet else set())
    nodes += [_link(_text(credit.name), credit.url) for credit in brief.sources if credit.name not in shown]
    return nodes


def _element(tag: str, children: Sequence[Node] = (), href: str | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"tag": tag}
    if href is not None:
        node["attrs"] = {"href": href}
    if children:
        node["children"] = list(children)
    return node


def _link(text: str, url: str | None) -> Node:
    return _element("a", [text], href=url.strip()) if url and is_web_link(url) else text


def _joined(nodes: Sequence[Node], separator: Node) -> list[Node]:
    joined: list[Node] = []
    for node in nodes:
        joined += [separator, node] if joined else [node]
    return joined


def _text(text: str) -> str:
    """Without lone surrogates, which no UTF-8 request can carry."""
    return _SURROGATE.sub("\ufffd", text)


# ---- pages -------------------------------------------------------------------------


def page_contents(entries: Sequence[PageEntry], labels_for: Callable[[str], RenderLabels] = lambda _: ENGLISH,
                  limit: int = CONTENT_LIMIT) -> list[list[Node]]:
    """The entries spread over pages, in order, each page's content within `limit` bytes;
    entries on one page are set apart by a rule. An entry is never cut between pages; one
    that alone exceeds a page is trimmed, with a note, in its brief's language."""
    pages: list[list[Node]] = []
    current: list[Node] = []
    for entry in entries:
        labels = labels_for(entry.brief.language)
        nodes = entry_nodes(entry, labels)
        if content_size(nodes) > limit:
            nodes = trimmed(nodes, limit, labels.trimmed)
        joined = [*current, _element("hr"), *nodes] if current else nodes
        if content_size(joined) <= limit:
            current = joined
            continue
        pages.append(current)
        current = nodes
    if current:
        pages.append(current)
    return pages


def trimmed(nodes: Sequence[Node], limit: int, note: str) -> list[Node]:
    """The first of `nodes` that fit within `limit` bytes with `note` after them; a list
    keeps the items that fit."""
    ending = _element("p", [_element("em", [_text(note)])])
    kept: list[Node] = []
    for node in nodes:
        if content_size([*kept, node, ending]) <= limit:
            kept.append(node)
            continue
        if isinstance(node, dict) and node["tag"] in ("ul", "ol"):
            items = list(node.get("children", []))
            while items and content_size([*kept, _element(node["tag"], items), ending]) > limit:
                items.pop()
            if items:
                kept.append(_element(node["tag"], items))
        break
    return [*kept, ending]


def page_title(title: str, number: int, count: int) -> str:
    """`title`, numbered when there are several pages, within Telegraph's 256 characters."""
    suffix = f" ({number}/{count})" if count > 1 else ""
    title = _text(title).strip() or "—"
    if len(title) + len(suffix) > TITLE_LIMIT:
        title = title[:TITLE_LIMIT - len(suffix) - 1].rstrip() + "…"
    return title + suffix


# ---- the post ------------------------------------------------------------------------


def headline_post(title: str, entries: Sequence[PageEntry], page_urls: Sequence[str],
                  labels: RenderLabels = ENGLISH, footer: str = "", limit: int = MESSAGE_LIMIT) -> str:
    """Telegram HTML: the title, each entry's headline (linked to its article), then the link
    to the page(s) and the `footer` line, within one message. Headlines that do not fit are
    counted ("… +3"): the page has every one of them."""
    head = f"<b>{escape(title)}</b>" if title else ""
    pages = "\n".join(part for part in (_page_links(page_urls, labels), escape(footer)) if part)
    headlines = [f"• {_headline_html(entry)}" for entry in entries]
    for shown in range(len(headlines), -1, -1):
        more = [f"… +{len(headlines) - shown}"] if shown < len(headlines) else []
        body = "\n".join([*headlines[:shown], *more])
        markup = "\n\n".join(part for part in (head, body, pages) if part)
        if utf16_length(visible_text(markup)) <= limit:
            return markup
    return pages  # a title longer than a message: the link is what matters


def _headline_html(entry: PageEntry) -> str:
    url = _article_url(entry)
    text = escape(entry.brief.headline)
    if url and is_web_link(url):
        return f'<a href="{_attribute(url)}">{text}</a>'
    return text


def _page_links(page_urls: Sequence[str], labels: RenderLabels) -> str:
    if len(page_urls) == 1:
        return f'<a href="{_attribute(page_urls[0])}">{escape(labels.full_page)}</a>'
    numbered = " · ".join(f'<a href="{_attribute(url)}">{number}</a>' for number, url in enumerate(page_urls, 1))
    return f"{escape(labels.full_page)}: {numbered}"


def _attribute(url: str) -> str:
    return html.escape(_text(url.strip()), quote=True)
