"""Article text and metadata from HTML with trafilatura: a pure function over bytes or str.

Fetching is elsewhere (bot.web.fetch); trafilatura's own downloader is never used
because it has no private-address filter.
"""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura
from trafilatura.settings import Document

from bot.core.links import site_host
from bot.errors import NotAnArticle

# Below this many words the page is a teaser, a consent wall or an app shell.
MIN_ARTICLE_WORDS = 40
_PAYWALL_HINTS = ("subscribe to continue", "subscribers only", "to continue reading", "paywall",
                  "للمشتركين", "اشترك الآن")
_CONSENT_HINTS = ("cookie", "consent", "privacy choices", "accept all")
_SCRIPT_HINTS = ("enable javascript", "javascript is required", "requires javascript")


@dataclass(frozen=True)
class ExtractedPage:
    text: str                   # main text, one paragraph a line
    title: str | None
    site: str | None
    author: str | None
    published: str | None       # YYYY-MM-DD
    url: str | None             # canonical URL when the page declares one
    language: str | None        # as declared by the page, if at all


def extract_article(page: bytes | str, url: str | None = None) -> ExtractedPage:
    """Main text and metadata of an article page; NotAnArticle if it has none."""
    document = trafilatura.bare_extraction(
        page, url=url, with_metadata=True, include_comments=False, include_tables=False,
        include_images=False, include_links=False,
    )
    text = (document.text or "").strip() if isinstance(document, Document) else ""
    if not isinstance(document, Document) or len(text.split()) < MIN_ARTICLE_WORDS:
        raise NotAnArticle(_why_empty(page, text))
    return ExtractedPage(
        text=text,
        title=_clean(document.title),
        site=_clean(document.sitename),
        author=_clean(document.author),
        published=_clean(document.date),
        url=_same_site(_clean(document.url), url),
        language=_clean(document.language),
    )


def _same_site(canonical: str | None, fetched: str | None) -> str | None:
    """The page's canonical URL only when it is on the site it was fetched from (a subdomain
    either way counts) and http(s): a page must not relabel itself as another site's article."""
    if not canonical or not canonical.lower().startswith(("http://", "https://")):
        return fetched
    if fetched is None:
        return canonical
    claimed, actual = site_host(canonical), site_host(fetched)
    if claimed and actual and (claimed == actual or claimed.endswith("." + actual) or actual.endswith("." + claimed)):
        return canonical
    return fetched


def _why_empty(page: bytes | str, text: str) -> str:
    """Name the cause when the page says what it is."""
    raw = page.decode("utf-8", "replace") if isinstance(page, bytes) else page
    lowered = raw.lower()
    if any(h in lowered for h in _PAYWALL_HINTS):
        return "The page shows only a teaser: the article seems to be behind a paywall."
    if any(h in lowered for h in _SCRIPT_HINTS) or (lowered.count("<script") > 5 and len(text.split()) < 10):
        return "The page builds its text with JavaScript, so there is no article text to read."
    if any(h in lowered for h in _CONSENT_HINTS) and len(text.split()) < 10:
        return "The page shows a cookie or consent wall instead of the article."
    return "No article text found on the page (it may be a home page, a video or a gallery)."


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
