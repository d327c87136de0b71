"""RSS and Atom feeds: fetched with the safe fetcher, parsed by feedparser."""

from __future__ import annotations

from dataclasses import dataclass

import feedparser

from bot.web.errors import FetchError
from bot.web.fetch import FEED_TYPES, SafeFetcher


@dataclass(frozen=True)
class FeedResult:
    entries: list[dict]          # {"guid", "url", "title", "summary"}, in the feed's order
    etag: str | None
    last_modified: str | None
    not_modified: bool = False


async def fetch_feed(fetcher: SafeFetcher, url: str, etag: str | None = None,
                     last_modified: str | None = None) -> FeedResult:
    """Conditional GET (ETag / Last-Modified); FetchError when it is not a feed."""
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    page = await fetcher.fetch(url, headers=headers, accept=FEED_TYPES)
    if page.status == 304:
        return FeedResult([], etag, last_modified, not_modified=True)
    return FeedResult(parse_entries(page.body, page.url), page.etag, page.last_modified)


def parse_entries(body: bytes, base_url: str) -> list[dict]:
    parsed = feedparser.parse(body, response_headers={"content-location": base_url})
    if not parsed.entries and (parsed.bozo or not parsed.feed):
        raise FetchError("not_article", "This link is not an RSS or Atom feed.")
    entries = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        guid = entry.get("id") or link or entry.get("title", "")
        if not guid or not link:
            continue  # nothing to link to: not an article
        summary = _plain(entry.get("summary") or entry.get("description") or "")
        entries.append({"guid": guid, "url": link, "title": _plain(entry.get("title") or link), "summary": summary})
    return entries


def _plain(html_text: str) -> str:
    """Feed summaries are often HTML; the digest wants their words only."""
    import lxml.html

    if "<" not in html_text:
        return html_text.strip()
    try:
        return " ".join(lxml.html.fromstring(html_text).text_content().split())
    except (ValueError, lxml.etree.ParserError):
        return html_text.strip()
