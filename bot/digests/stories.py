"""The same story from several feeds, found once: canonical URLs and near-duplicate text.

Pure functions. Two items are one story when their canonical URLs are equal, or
when their titles and summaries share most of their word triples (Jaccard over
3-word shingles, after folding case, diacritics and digits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.core.links import site_host
from bot.core.text.normalize import fold_for_matching, words

TRACKING_PREFIXES = ("utm_", "mc_", "fbclid", "gclid", "yclid", "ref", "cmpid", "ocid")
SAME_STORY = 0.5  # Jaccard of shingles at or above which two texts tell the same story

T = TypeVar("T")
Shingles = frozenset[tuple[str, ...]]  # a text's word triples


def canonical_url(url: str) -> str:
    """Lower-case host without 'www.', no tracking parameters, no fragment, no trailing slash."""
    parts = urlsplit(url.strip())
    host = site_host(url) or ""
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query)
                             if not k.lower().startswith(TRACKING_PREFIXES)))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower() or "https", host, path, query, ""))


def shingles(text: str, size: int = 3) -> Shingles:
    tokens = words(fold_for_matching(text))
    if len(tokens) < size:
        return frozenset({tuple(tokens)}) if tokens else frozenset()
    return frozenset(tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1))


def similarity(a: Shingles, b: Shingles) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass
class Story(Generic[T]):
    """Items that tell one story, the first one seen leading."""

    items: list[T] = field(default_factory=list)
    urls: set[str] = field(default_factory=set)
    text: Shingles = frozenset()


COMMON_SHINGLE = 50  # a word triple in more stories than this ("said on Monday") tells none apart
CANDIDATES = 20      # stories, most word triples shared first, that an item is compared with


def group_stories(items: list[T], url_of: Callable[[T], str], text_of: Callable[[T], str]) -> list[Story[T]]:
    """Items grouped into stories, in the order their first item came.

    Near-linear: each item is compared only with the stories that share a canonical URL
    or at least one word triple with it (found through an index), never with all of them.
    """
    stories: list[Story[T]] = []
    by_url: dict[str, int] = {}
    by_shingle: dict[tuple[str, ...], list[int]] = {}
    for item in items:
        url, text = canonical_url(url_of(item)), shingles(text_of(item))
        number = by_url.get(url)
        if number is None:
            number = _similar_story(stories, by_shingle, text)
        if number is None:
            number = len(stories)
            stories.append(Story())
        story = stories[number]
        story.items.append(item)
        story.urls.add(url)
        by_url.setdefault(url, number)
        for shingle in text - story.text:
            by_shingle.setdefault(shingle, []).append(number)
        story.text = story.text | text if story.text else text
    return stories


def _similar_story(stories: list[Story[T]], by_shingle: dict[tuple[str, ...], list[int]],
                   text: Shingles) -> int | None:
    """The first story whose text is at least SAME_STORY similar to `text`."""
    shared: dict[int, int] = {}
    for shingle in text:
        holders = by_shingle.get(shingle, ())
        if len(holders) <= COMMON_SHINGLE:
            for number in holders:
                shared[number] = shared.get(number, 0) + 1
    likeliest = sorted(shared, key=lambda number: (-shared[number], number))[:CANDIDATES]
    matching = [number for number in likeliest if similarity(text, stories[number].text) >= SAME_STORY]
    return min(matching, default=None)
