"""From a parsed article to a Brief: pick the points, the key figures and the sources."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.brief import Brief, Credit, KeyFigure, SourceInfo
from bot.core.facts.attributions import find_attributions
from bot.core.facts.figures import Figure, extract_figures
from bot.core.links import site_host
from bot.core.select import select_sentences
from bot.core.text.document import Document

# Figures that say the most come first; years alone are context, not news.
_KIND_ORDER = {"number": 0, "money": 0, "percent": 0, "quantity": 0, "date": 1, "year": 2}
_CLAUSE_BREAK = re.compile(r"[,;:()،؛«»\"“”]|\s[–—-]\s")
_HEADLINE_WORDS = 18


@dataclass(frozen=True)
class BriefOptions:
    points: int = 4
    max_figures: int = 8


def compose_brief(document: Document, source: SourceInfo, options: BriefOptions = BriefOptions()) -> Brief:
    """A brief in the article's own language; translation happens afterwards."""
    language = source.language or "und"
    sentence_figures = [[f for f in extract_figures(s, language) if f.kind != "code"] for s in document.sentences]
    selection = select_sentences(
        document.sentences, options.points, language, document.title,
        has_figures=[bool(f) for f in sentence_figures],
    )
    points = [document.sentences[i] for i in selection.chosen]
    order = selection.chosen + [i for i in selection.by_score() if i not in selection.chosen]
    figures = _key_figures(document.sentences, sentence_figures, order, options.max_figures)
    return Brief(
        source=source,
        language=language,
        headline=document.title or _headline_from(points[0]),
        points=points,
        figures=figures,
        sources=credits(source, document.sentences, language),
    )


def _key_figures(sentences: list[str], figures: list[list[Figure]], order: list[int], limit: int) -> list[KeyFigure]:
    candidates: list[tuple[int, int, KeyFigure]] = []
    seen: set[str] = set()
    for rank, index in enumerate(order):
        for figure in figures[index]:
            if figure.key in seen or _is_small_spelled(figure):
                continue
            seen.add(figure.key)
            candidates.append((_KIND_ORDER.get(figure.kind, 3), rank, _key_figure(sentences[index], figure)))
    candidates.sort(key=lambda c: (c[0], c[1]))
    return [c[2] for c in candidates[:limit]]


def _is_small_spelled(figure: Figure) -> bool:
    """'two summers' is wording, not a key figure; 'twelve towns' still is."""
    return figure.value is not None and figure.value < 10 and not any(c.isdigit() for c in figure.text)


def _key_figure(sentence: str, figure: Figure) -> KeyFigure:
    return KeyFigure(
        value=figure.text,
        context=figure_context(sentence, figure),
        kind=figure.kind,
        normalized=figure.normalized,
        qualifier=figure.qualifier,
        unit=figure.unit,
    )


def figure_context(sentence: str, figure: Figure, before: int = 3, after: int = 6) -> str:
    """The clause around a figure, a few words either side: '71 members of Hayat Tahrir al-Sham'."""
    left = _CLAUSE_BREAK.split(sentence[: figure.start])[-1].split()[-before:]
    right_text = _CLAUSE_BREAK.split(sentence[figure.end:])[0]
    right = right_text.rstrip(" .!?؟").split()[:after]
    return " ".join([*left, figure.text, *right]).strip()


def credits(source: SourceInfo, sentences: list[str], language: str) -> list[Credit]:
    """The outlet first, then whom the article cites, in reading order."""
    found: list[Credit] = []
    outlet = source.site or site_host(source.url)
    if outlet:
        found.append(Credit(outlet, "outlet", source.url))
    for attribution in find_attributions(sentences, language):
        if outlet and attribution.name.casefold() == outlet.casefold():
            continue
        found.append(Credit(attribution.name, "cited"))
    return found


def _headline_from(sentence: str) -> str:
    words = sentence.split()
    return sentence if len(words) <= _HEADLINE_WORDS else " ".join(words[:_HEADLINE_WORDS]) + " …"
