"""From a parsed article to a Brief: pick the points, the key figures and the sources."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import TypeGuard

from bot.core.brief import Brief, Credit, KeyFigure, SourceInfo
from bot.core.facts.attributions import Attribution, find_attributions, outlet_in_furniture, sentence_sources
from bot.core.facts.figures import Figure, extract_figures
from bot.core.facts.labels import figure_context as label_span
from bot.core.guard import written_numbers
from bot.core.links import site_host
from bot.core.select import select_sentences
from bot.core.text.document import Document, is_furniture
from bot.core.text.normalize import words as normalized_words
from bot.core.text.sentences import count_words

# Figures that say the most come first; years alone are context, not news.
_KIND_ORDER = {"number": 0, "money": 0, "percent": 0, "quantity": 0, "ratio": 0,
               "date": 1, "year": 2, "score": 2, "age": 3}
_HEADLINE_WORDS = 18
_POINT_WORDS = 3  # fewer words than this is a fragment, not a point
_MAIN_CLAUSE_WORDS = 5  # "On Thursday" or "November 28" is a clause, not yet a headline
# Clause breaks; a comma, colon or dash between two digits belongs to a number ("20,000",
# "10:30", "10 - 20") and never cuts it.
_HEADLINE_BREAK = re.compile(r"(?<!\d)[,:،，：]|[,:،，：](?!\d)|[;()؛«»\"“”；]"
                             r"|(?<!\d)\s(?:--|[–—-])\s|\s(?:--|[–—-])\s(?!\d)")
# A number spaced in thousands ("20 000") is one word when a headline is cut to length.
_NUMBER_OR_WORD = re.compile(r"\d{1,3}(?: \d{3})+(?!\S)|\S+")
# A clause opening with one of these sets the scene ("after three days of rain"); the main
# clause comes after it.
_ADVERBIAL_OPENERS = frozenset("""after before on in at during following despite while when as since
amid with by according if although though because until over from for earlier later
في بعد قبل خلال وفقا وفق بحسب حسب منذ عند مع وفي وبعد وخلال""".split())
_QUESTION = re.compile(r"[?؟？][\"'»”’)\]]*$")
_TRAILING_ATTRIBUTION = re.compile(r"[,،]?\s+(?:officials|police|he|she|they|it|the \w+) (?:said|says|reported)$")


@dataclass(frozen=True)
class BriefOptions:
    points: int = 4
    max_figures: int = 12


def compose_brief(document: Document, source: SourceInfo, options: BriefOptions = BriefOptions()) -> Brief:
    """A brief in the article's own language; translation happens afterwards."""
    language = source.language or "und"
    sentence_figures = [[f for f in extract_figures(s, language) if f.kind != "code"] for s in document.sentences]
    eligible = point_candidates(document.sentences)
    headline = document.title
    if headline is None:
        lead = eligible.index(True) if True in eligible else 0
        headline = headline_from(document.sentences[lead])
        if _same_words(headline, document.sentences[lead]) and eligible.count(True) > 1:
            eligible[lead] = False  # the headline already says all of it: no point repeats it
    selection = select_sentences(
        document.sentences, options.points, language, document.title,
        figure_counts=[len(f) for f in sentence_figures], eligible=eligible,
    )
    order = selection.chosen + [i for i in selection.by_score() if i not in selection.chosen]
    sound = _SourceNumbers(document.original or "\n".join([document.title or "", *document.sentences]))
    points = _faithful_points(document.sentences, selection.chosen, order, eligible, sound)
    headline = _faithful_headline(headline, [document.sentences[i] for i in order], sound)
    attributions = find_attributions(document.sentences, language)
    ranked = _key_figures(document.sentences, sentence_figures, order, source.published)
    figures = list(islice((f for f in ranked if sound(f.value) and sound(f.context)), options.max_figures))
    return Brief(
        source=source,
        language=language,
        headline=headline,
        points=points,
        figures=with_sources(figures, document.sentences, attributions),
        sources=credits(source, document.sentences, language, document.furniture, attributions),
    )


class _SourceNumbers:
    """Does a text show only numbers of the source? Read against the text as given, not its
    sentences, so that a splitting bug cannot vouch for itself; the source is read once."""

    def __init__(self, source: str) -> None:
        self.numbers = written_numbers(" ".join(source.split()))

    def __call__(self, shown: str) -> bool:
        return written_numbers(shown) <= self.numbers


def _faithful_points(sentences: list[str], chosen: list[int], order: list[int], eligible: list[bool],
                     sound: _SourceNumbers) -> list[str]:
    """The chosen points, less any showing a number the source does not have (a sentence
    split inside "20,000" would start "000 …"); the next-ranked sound sentences take their place."""
    kept = [i for i in chosen if sound(sentences[i])]
    spares = (i for i in order if i not in chosen and eligible[i] and sound(sentences[i]))
    while len(kept) < len(chosen) and (spare := next(spares, None)) is not None:
        kept.append(spare)
    return [sentences[i] for i in sorted(kept)]


def _faithful_headline(headline: str, ranked: list[str], sound: _SourceNumbers) -> str:
    """The headline if every number it shows is a number of the source; else the first sound
    short form of a ranked sentence; else the headline without its stray numbers. Whatever a
    future splitting or shortening bug does, a headline never shows a number the source lacks."""
    candidates = [headline, *(headline_from(sentence) for sentence in ranked)]
    first = next((c for c in candidates if sound(c)), None)
    return first if first is not None else " ".join(w for w in headline.split() if sound(w))


def point_candidates(sentences: list[str]) -> list[bool]:
    """Which sentences may be points: not page furniture or a stray fragment (a lone quote
    mark, "Yes."), and not questions (an interview's teasers) unless the article is nothing
    but questions."""
    prose = [not is_furniture(s) and count_words(s) >= _POINT_WORDS for s in sentences]
    statements = [ok and not _QUESTION.search(s) for ok, s in zip(prose, sentences, strict=True)]
    return statements if any(statements) else prose if any(prose) else [True] * len(sentences)


def _key_figures(sentences: list[str], figures: list[list[Figure]], order: list[int],
                 published: str | None = None) -> Iterator[KeyFigure]:
    """The figures a reader needs, best first: counts and amounts first, then dates, then
    years, scores and ages; within a tier, the sentences the selector ranks first. The same
    value is listed once, and the story's own day is left to the points and the dateline."""
    story_day = published or _story_day(figures)
    candidates: list[tuple[int, int, int, Figure, str]] = []
    seen: set[str] = set()
    for rank, index in enumerate(order):
        for figure in figures[index]:
            if figure.key in seen or _day_seen(figure, seen):
                continue
            seen.add(figure.key)
            if _is_day(figure.date):
                seen.add(_day_key(figure.date, figure.date.startswith("--")))
            candidates.append((_tier(figure, story_day), rank, figure.start, figure, sentences[index]))
    candidates.sort(key=lambda c: c[:3])
    return (_key_figure(sentence, figure) for *_, figure, sentence in candidates)


def _story_day(figures: list[list[Figure]]) -> str | None:
    """The day the story happened, when the text gives it: the first full date of its lead."""
    lead = [f for sentence in figures[:2] for f in sentence]
    return next((f.date for f in lead if f.date and len(f.date) == 10 and not f.date.startswith("-")), None)


def _near(day: str, story_day: str, days: int = 3) -> bool:
    """True when a date key ("2024-11-28", "--11-27") falls within `days` of the story's day."""
    try:
        story = date.fromisoformat(story_day[:10])
        when = date.fromisoformat(f"{story.year}{day[1:]}" if day.startswith("--") else day)
    except ValueError:
        return False
    return abs((when - story).days) <= days


def _day_key(day: str, yearless: bool) -> str:
    return f"day{'-' if yearless else '+'}{day[-5:]}"


def _is_day(day: str | None) -> TypeGuard[str]:
    """A date key naming a day: "2024-11-27", or "--11-27" with no year."""
    return day is not None and (len(day) == 10 or len(day) == 7 and day.startswith("--"))


def _day_seen(figure: Figure, seen: set[str]) -> bool:
    """'November 27' and 'November 27, 2024' name the same day: list it once."""
    if not _is_day(figure.date):
        return False
    if figure.date.startswith("--"):
        return _day_key(figure.date, False) in seen or _day_key(figure.date, True) in seen
    return _day_key(figure.date, True) in seen


def _tier(figure: Figure, story_day: str | None) -> int:
    """Counts and amounts first, then dates. Small counts in words ("Two police officers",
    "six schools") come with the years: they are often news, but as often wording ("the two sides")."""
    if figure.date and story_day and _near(figure.date, story_day):
        return _KIND_ORDER["age"]
    if _is_small_spelled(figure):
        return _KIND_ORDER["year"]
    return _KIND_ORDER.get(figure.kind, len(_KIND_ORDER))


def _is_small_spelled(figure: Figure) -> bool:
    """'two summers' in words, with no unit or qualifier to make it a measure."""
    return (figure.value is not None and figure.value < 10 and figure.spelled
            and figure.unit is None and figure.qualifier is None)


def _key_figure(sentence: str, figure: Figure) -> KeyFigure:
    kind = figure.kind
    assert kind != "code"  # codes (G20, MH17) were left out before
    return KeyFigure(
        value=figure.text,
        context=figure_context(sentence, figure),
        kind=kind,
        normalized=figure.normalized,
        qualifier=figure.qualifier,
        unit=figure.unit,
    )


def figure_context(sentence: str, figure: Figure) -> str:
    """The figure's label, a verbatim span of its sentence: '71 members of Hayat Tahrir al-Sham'."""
    return label_span(sentence, figure.start, figure.end)


def credits(source: SourceInfo, sentences: list[str], language: str, furniture: list[str] | None = None,
            attributions: list[Attribution] | None = None) -> list[Credit]:
    """The outlet first (the site, else a furniture line naming it, else the host), then the
    named sources in reading order, then generic ones (police, officials)."""
    found: list[Credit] = []
    host = site_host(source.url)
    outlet = source.site or outlet_in_furniture(furniture or [], host) or host
    if outlet:
        found.append(Credit(outlet, "outlet", source.url))
    if attributions is None:
        attributions = find_attributions(sentences, language)
    for attribution in attributions:
        if outlet and attribution.name.casefold() == outlet.casefold():
            continue
        found.append(Credit(attribution.name, attribution.role))
    return found


def with_sources(figures: list[KeyFigure], sentences: list[str], attributions: list[Attribution]) -> list[KeyFigure]:
    """Each figure credited to the source its sentence cites: '71 (Syrian Observatory …)'."""
    by_sentence = sentence_sources(attributions, len(sentences))
    for figure in figures:
        index = next((i for i, s in enumerate(sentences) if figure.context in s and figure.value in s), None)
        if index is not None:
            figure.source = by_sentence[index]
    return figures


def headline_from(lead: str) -> str:
    """A short form of the lead's main clause: its first clause long enough to say something
    ("On Thursday, November 28, 2024, Iranian General … was killed …" gives "Iranian General
    … was killed …"), without a trailing attribution or full stop, at most _HEADLINE_WORDS words."""
    clauses = [c.strip() for c in _HEADLINE_BREAK.split(lead) if c and c.strip()]
    main = next((c for c in clauses if count_words(c) >= _MAIN_CLAUSE_WORDS
                 and c.split()[0].casefold() not in _ADVERBIAL_OPENERS), lead)
    main = _TRAILING_ATTRIBUTION.sub("", main).rstrip(" .!?؟。！？…۔").strip()
    words = _NUMBER_OR_WORD.findall(" ".join(main.split()))
    if len(words) <= _HEADLINE_WORDS:
        return main
    kept = words[:_HEADLINE_WORDS]
    while len(kept) > 1 and kept[-1][-1:].isdigit():
        kept.pop()  # "about 2 …" without its "million" or noun would misstate the number
    return " ".join(kept) + " …"


def _same_words(headline: str, sentence: str) -> bool:
    return normalized_words(headline) == normalized_words(sentence)
