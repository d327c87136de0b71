"""The model stages of a brief, each followed by the figure guard.

`translate_brief` translates only what the brief shows (headline, points, figure
contexts, cited names in another script); `summarize_brief` replaces the extractive points with a model's. Either
way, a figure that a model dropped, changed or invented never reaches the reader,
and `warnings` says what was repaired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.brief import Brief, OriginalText
from bot.core.facts.figures import extract_figures, figures_match
from bot.core.facts.labels import figure_context
from bot.core.guard import check_figures, first_faithful, repair, unsupported_sentences
from bot.core.text.document import Document
from bot.engines.base import (
    Summarizer,
    TranslationFailed,
    Translator,
    TranslatorProvider,
    candidates_checked,
    translate_checked,
)
from bot.language import language_name

RETRY_BEAMS = 8  # a wider beam sometimes finds the translation that keeps the number
# Texts of one brief retried at most. A beam-8 retry decodes twice the hypotheses of a beam-4
# text, so with a model that garbles numbers (a random one garbles all) retrying a brief's 13
# texts would cost twice its first pass; two bound the extra to about a third. The headline and
# points come first, as the reader sees them first; the rest are repaired, which always leaves
# the source's figures.
RETRY_LIMIT = 2
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")


def translate_brief(brief: Brief, translator: Translator, beam_size: int = 4) -> None:
    """The brief in the translator's target language; TranslationFailed leaves it untouched.

    A figure label that is a span of the headline or a point is read off that text's
    translation when the guard can verify it there, instead of being translated again."""
    if translator.source != brief.language:
        raise TranslationFailed(f"The translator {translator.name} translates from {language_name(translator.source)}, "
                                f"not {language_name(brief.language)}.")
    shown = [brief.headline, *brief.points]
    contexts = [figure.context for figure in brief.figures]
    hosts = {i: host for i, context in enumerate(contexts) if (host := _host(context, shown)) is not None}
    alone = [i for i in range(len(contexts)) if i not in hosts]
    names = _names_in_script(brief)
    texts = shown + [contexts[i] for i in alone] + names
    guard = GuardBudget(RETRY_LIMIT)
    guarded, notes = guard_translations(translator, texts, first_pass(translator, texts, beam_size), beam_size, guard)
    translated_shown = guarded[:len(shown)]
    labels = dict(zip(alone, guarded[len(shown):len(shown) + len(alone)], strict=True))
    renamed = dict(zip(names, guarded[len(shown) + len(alone):], strict=True))
    for i, host in hosts.items():
        if translated_shown[host] != shown[host]:  # a text shown untranslated gives no label
            label = label_from(contexts[i], brief.figures[i].value, brief.language, translated_shown[host],
                               translator.target)
            if label is not None:
                labels[i] = label
    left = [i for i in range(len(contexts)) if i not in labels]
    if left:
        sources = [contexts[i] for i in left]
        outputs, more = guard_translations(translator, sources, first_pass(translator, sources, beam_size), beam_size,
                                           guard)
        labels.update(zip(left, outputs, strict=True))
        notes += more
    brief.original = OriginalText(brief.language, brief.headline, list(brief.points))
    brief.headline, brief.points = translated_shown[0], translated_shown[1:]
    for i, figure in enumerate(brief.figures):
        figure.context = labels[i]
        figure.source = renamed.get(figure.source, figure.source) if figure.source else None
    for credit in brief.sources:
        credit.name = renamed.get(credit.name, credit.name)
    brief.language = translator.target
    brief.warnings += notes
    brief.engine["translator"] = translator.name
    brief.engine["retried"] = guard.used
    brief.engine["picked"] = guard.picked


def _names_in_script(brief: Brief) -> list[str]:
    """The cited names a reader of the translation could not read: those with no Latin letter
    (المرصد السوري لحقوق الإنسان), translated in the same batch as the rest. A Latin name
    (Reuters, "Barran Press", a host) is left as it is written."""
    names = dict.fromkeys([*(credit.name for credit in brief.sources), *(f.source for f in brief.figures if f.source)])
    return [name for name in names if any(c.isalpha() for c in name) and not _LATIN_LETTER.search(name)]


def _host(context: str, shown: list[str]) -> int | None:
    """The shown text that holds the label verbatim, if any."""
    return next((i for i, text in enumerate(shown) if context and context in text), None)


def label_from(context: str, value: str, language: str, translation: str, target: str) -> str | None:
    """The label's translation read off its sentence's translation: the same span rules applied
    where the figure stands there. None unless exactly one figure there is the label's and the
    guard finds the label's figures, no fewer and no more, in the span."""
    own = [f for f in extract_figures(context, language) if f.text == value] or extract_figures(context, language)
    if not own:
        return None
    candidates = [f for f in extract_figures(translation, target) if figures_match(f, own[0])]
    if len(candidates) != 1:
        return None
    label = figure_context(translation, candidates[0].start, candidates[0].end)
    return label if check_figures(context, language, label, target).ok else None


def first_pass(translator: Translator, texts: list[str], beam_size: int) -> list[list[str]]:
    """Each text's translations at the translator's beam: every hypothesis the beam search kept
    (`beam_size` of them, no extra decoding), the best first, for the guard to choose from."""
    return candidates_checked(translator, texts, count=beam_size)


@dataclass
class GuardBudget:
    """Retries left to one brief, and how often another hypothesis of the beam spared one."""

    limit: int
    used: int = 0
    picked: int = 0  # texts whose best translation lost a figure that a lower-ranked hypothesis kept

    def take(self, wanted: int) -> int:
        granted = max(0, min(wanted, self.limit - self.used))
        self.used += granted
        return granted


def guard_translations(translator: Translator, sources: list[str], candidates: list[list[str]], beam_size: int,
                       budget: GuardBudget | None = None) -> tuple[list[str], list[str]]:
    """Every text's best translation checked against its source; when it lost or changed a figure,
    the best-ranked of its other candidates that keeps them is taken; the texts that none keeps
    are retried together, in one call with a wider beam (whose hypotheses are chosen from the
    same way), as far as the budget allows; then repaired."""
    budget = budget or GuardBudget(RETRY_LIMIT)
    source, target = translator.source, translator.target
    guarded = [options[0] for options in candidates]
    failed: list[int] = []
    for i, (original, options) in enumerate(zip(sources, candidates, strict=True)):
        chosen = first_faithful(original, source, options, target)
        if chosen is None:
            failed.append(i)
        elif chosen > 0:
            guarded[i] = options[chosen]
            budget.picked += 1
    retried = failed[:budget.take(len(failed))]
    if retried:
        wider = max(RETRY_BEAMS, 2 * beam_size)
        again = candidates_checked(translator, [sources[i] for i in retried], beam_size=wider, count=wider)
        for i, options in zip(retried, again, strict=True):
            chosen = first_faithful(sources[i], source, options, target)
            guarded[i] = options[chosen or 0]
    notes: list[str] = []
    for i in failed:
        fixed = repair(sources[i], source, guarded[i], target)
        guarded[i] = fixed.text
        if fixed.note:
            notes.append(f"Figure guard: {fixed.note}.")
    return guarded, notes


def summarize_brief(brief: Brief, document: Document, summarizer: Summarizer, translators: TranslatorProvider,
                    target: str) -> None:
    """Abstractive points in place of the extractive ones; English-only models get the
    article translated to English first (translate-then-summarize)."""
    language, text = brief.language, document.text
    if summarizer.languages is not None and language not in summarizer.languages:
        working = next(iter(summarizer.languages))
        translator = translators.translator_for(language, working)
        if translator is None:
            brief.warnings.append(f"{summarizer.name} summarizes {language_name(working)} only and no "
                                  f"{language_name(language)}→{language_name(working)} model is installed, "
                                  "so the brief is extractive.")
            return
        try:
            text = " ".join(translate_checked(translator, list(document.sentences)))
        except TranslationFailed as error:
            brief.warnings.append(f"{error} The brief is extractive.")
            return
        language = working
    summary = summarizer.summarize(text, language, len(brief.points), target)
    unsupported = set(unsupported_sentences(summary.points, document.text, brief.language, summary.language))
    if unsupported:
        brief.warnings.append(f"Figure guard: {len(unsupported)} generated sentence(s) held numbers that are not "
                              "in the article and were left out.")
    points = [p for i, p in enumerate(summary.points) if i not in unsupported]
    if not points:
        brief.warnings.append(f"{summarizer.name} wrote nothing usable, so the brief is extractive.")
        return
    if summary.language != brief.language:
        brief.original = OriginalText(brief.language, brief.headline, list(brief.points))
    brief.points = points
    brief.language = summary.language
    brief.engine["summarizer"] = summarizer.name
