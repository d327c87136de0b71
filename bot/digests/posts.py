"""A digest post: one entry per story, each with its points, key figures and all its sources,
as far as the channel's template (bot.digests.template) shows them.

Pure rendering to Telegram HTML, plus `figure_disagreements`, which finds where
the outlets telling one story give different numbers for the same thing.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from bot.core.brief import Brief
from bot.core.facts.figures import extract_figures
from bot.core.guard import GUARD_WARNING
from bot.core.render.labels import ENGLISH, RenderLabels
from bot.core.render.plain import outlet_name
from bot.core.render.telegram_html import (
    MESSAGE_LIMIT,
    escape,
    figure_html,
    split_html,
    utf16_length,
    visible_text,
)
from bot.core.text.normalize import fold_for_matching, words
from bot.digests.template import DigestTemplate

DEFAULT_TEMPLATE = DigestTemplate()


@dataclass
class DigestEntry:
    brief: Brief
    outlets: list[tuple[str, str]]          # (name, url) of every outlet that told the story
    disagreements: list[str] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)  # of the feeds the story came from


def render_entry(entry: DigestEntry, template: DigestTemplate = DEFAULT_TEMPLATE,
                 labels: RenderLabels = ENGLISH) -> str:
    """The parts of the entry that the channel's `template` shows; `labels` are the headings in
    the digest's language (`bot.i18n.render_labels`). Figure-guard notes are always shown: they
    say that a number was checked and repaired, which no template may hide."""
    brief = entry.brief
    lines = [f"<b>{_link(brief.source.url or entry.outlets[0][1], escape(brief.headline), template)}</b>"]
    if template.original and brief.original:
        lines.append(f"<i>{escape(brief.original.language)}: {escape(brief.original.headline)}</i>")
    lines += [f"• {escape(point)}" for point in brief.points[:template.points]]
    if template.figures and brief.figures:
        lines.append(f"<b>{escape(labels.key_figures)}:</b> " + " · ".join(figure_html(f) for f in brief.figures[:4]))
    if template.sources:
        outlet = outlet_name(brief)  # the outlet's own name ("Barran Press"), not its host
        links = [_link(link, escape(outlet if outlet and link == brief.source.url else name), template)
                 for name, link in entry.outlets]
        lines.append(f"<b>{escape(labels.sources)}:</b> " + " · ".join(links))
        if entry.disagreements:
            lines.append(f"<i>{escape(labels.sources_differ)}: " + escape("; ".join(entry.disagreements)) + "</i>")
    lines += [f"<i>{escape(w)}</i>" for w in brief.warnings if w.startswith(GUARD_WARNING)]
    if entry.hashtags:
        lines.append(escape(" ".join(entry.hashtags)))
    return "\n".join(lines)


def _link(url: str, markup: str, template: DigestTemplate) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{markup}</a>' if template.link else markup


def story_hashtags(feed_urls: Iterable[str], hashtags: Mapping[str, str]) -> list[str]:
    """The hashtags of every feed a story came from, each once, in the feeds' order."""
    return list(dict.fromkeys(tag for url in feed_urls for tag in hashtags.get(url, "").split()))


def assemble_posts(entries: list[DigestEntry], title: str, limit: int = MESSAGE_LIMIT,
                   labels_for: Callable[[str], RenderLabels] = lambda language: ENGLISH,
                   template: DigestTemplate = DEFAULT_TEMPLATE, footer: str = "") -> list[tuple[str, list[int]]]:
    """Posts within Telegram's limit, each with the ids of the items it carries; an entry
    is never cut between two posts unless it alone is longer than a post. Each entry has the
    headings of its brief's language, `labels_for(brief.language)`: a brief left untranslated
    keeps its own language throughout. `title` opens the first post; `footer`, when given,
    closes the last (or comes alone after it when it does not fit)."""
    if not entries:
        return []
    posts: list[tuple[str, list[int]]] = []
    current = f"<b>{escape(title)}</b>"
    ids: list[int] = []
    for entry in entries:
        markup = render_entry(entry, template, labels_for(entry.brief.language))
        joined = current + "\n\n" + markup
        if utf16_length(visible_text(joined)) <= limit:
            current, ids = joined, ids + entry.item_ids
            continue
        if ids:
            posts.append((current, ids))
        parts = split_html(markup, limit)
        posts += [(part, []) for part in parts[:-1]]
        current, ids = parts[-1], list(entry.item_ids)
    if footer:
        closing = escape(footer)
        if utf16_length(visible_text(current + "\n\n" + closing)) <= limit:
            current += "\n\n" + closing
        else:
            posts.append((current, ids))
            current, ids = closing, []
    posts.append((current, ids))
    return posts


def figure_disagreements(texts: dict[str, str], language: str | None) -> list[str]:
    """'140 killed (a.example) vs 150 killed (b.example)': the same counted thing, different numbers."""
    seen: dict[tuple[str, str | None, str], tuple[str, str, str]] = {}
    found: list[str] = []
    for outlet, text in texts.items():
        for figure in extract_figures(text, language):
            if figure.value is None or figure.date:
                continue
            after = words(fold_for_matching(text[figure.end:figure.end + 40]))
            thing = after[0] if after else ""
            key = (figure.kind, figure.unit, thing)
            if key in seen and seen[key][0] != figure.normalized and seen[key][2] != outlet:
                _, first_text, first_outlet = seen[key]
                found.append(f"{first_text} {thing} ({first_outlet}) vs {figure.text} {thing} ({outlet})".replace("  ", " "))
            else:
                seen.setdefault(key, (figure.normalized, figure.text, outlet))
    return list(dict.fromkeys(found))  # an outlet that repeats its figure is one difference, not two
