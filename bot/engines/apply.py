"""The model stages of a brief, each followed by the figure guard.

`translate_brief` translates only what the brief shows (headline, points, figure
contexts); `summarize_brief` replaces the extractive points with a model's. Either
way, a figure that a model dropped, changed or invented never reaches the reader,
and `warnings` says what was repaired.
"""

from __future__ import annotations

from bot.core.brief import Brief, OriginalText
from bot.core.guard import check_figures, repair, unsupported_sentences
from bot.core.text.document import Document
from bot.engines.base import Summarizer, TranslationFailed, Translator, TranslatorProvider, translate_checked
from bot.language import language_name

RETRY_BEAMS = 8  # a wider beam usually finds the translation that keeps the number


def translate_brief(brief: Brief, translator: Translator, beam_size: int = 4) -> None:
    """The brief in the translator's target language; TranslationFailed leaves it untouched."""
    if translator.source != brief.language:
        raise TranslationFailed(f"The translator {translator.name} translates from {language_name(translator.source)}, "
                                f"not {language_name(brief.language)}.")
    contexts = [figure.context for figure in brief.figures]
    texts = [brief.headline, *brief.points, *contexts]
    translated = translate_checked(translator, texts)
    guarded, notes = guard_translations(translator, texts, translated, beam_size)
    headline, points, contexts = guarded[0], guarded[1:1 + len(brief.points)], guarded[1 + len(brief.points):]
    brief.original = OriginalText(brief.language, brief.headline, list(brief.points))
    brief.headline, brief.points = headline, points
    for figure, context in zip(brief.figures, contexts, strict=True):
        figure.context = context
    brief.language = translator.target
    brief.warnings += notes
    brief.engine["translator"] = translator.name


def guard_translations(translator: Translator, sources: list[str], outputs: list[str],
                       beam_size: int) -> tuple[list[str], list[str]]:
    """Every output checked against its source: retried once with a wider beam, then repaired."""
    guarded: list[str] = []
    notes: list[str] = []
    source, target = translator.source, translator.target
    for original, output in zip(sources, outputs, strict=True):
        if not check_figures(original, source, output, target).ok:
            [retry] = translate_checked(translator, [original], beam_size=max(RETRY_BEAMS, 2 * beam_size))
            fixed = repair(original, source, retry, target)
            output = fixed.text
            if fixed.note:
                notes.append(f"Figure guard: {fixed.note}.")
        guarded.append(output)
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
