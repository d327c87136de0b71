"""The same story from several feeds, found once: canonical URLs and near-duplicate text.

Pure functions. Two items are one story when their canonical URLs are equal, or
when their titles and summaries share most of their word triples (Jaccard over
3-word shingles, after folding case, diacritics and digits).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.core.links import site_host
from bot.core.text.normalize import fold_for_matching, words

TRACKING_PREFIXES = ("utm_", "mc_", "fbclid", "gclid", "yclid", "ref", "cmpid", "ocid")
SAME_STORY = 0.5  # Jaccard of shingles at or above which two texts tell the same story

T = TypeVar("T")


def canonical_url(url: str) -> str:
    """Lower-case host without 'www.', no tracking parameters, no fragment, no trailing slash."""
    parts = urlsplit(url.strip())
    host = site_host(url) or ""
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query)
                             if not k.lower().startswith(TRACKING_PREFIXES)))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower() or "https", host, path, query, ""))


def shingles(text: str, size: int = 3) -> frozenset[tuple[str, ...]]:
    tokens = words(fold_for_matching(text))
    if len(tokens) < size:
        return frozenset({tuple(tokens)}) if tokens else frozenset()
    return frozenset(tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1))


def similarity(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass
class Story(Generic[T]):
    """Items that tell one story, the first one seen leading."""

    items: list[T] = field(default_factory=list)
    urls: set[str] = field(default_factory=set)
    text: frozenset = frozenset()


def group_stories(items: list[T], url_of, text_of) -> list[Story[T]]:
    """Items grouped into stories, in the order their first item came."""
    stories: list[Story[T]] = []
    for item in items:
        url, text = canonical_url(url_of(item)), shingles(text_of(item))
        story = next((s for s in stories if url in s.urls or similarity(text, s.text) >= SAME_STORY), None)
        if story is None:
            story = Story()
            stories.append(story)
        story.items.append(item)
        story.urls.add(url)
        story.text = story.text | text if story.text else text
    return stories
