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
from bot.engines.base import Summarizer, Translator, TranslatorProvider
from bot.language import language_name

RETRY_BEAMS = 8  # a wider beam usually finds the translation that keeps the number


def translate_brief(brief: Brief, translator: Translator, target: str, beam_size: int = 4) -> None:
    source = brief.language
    contexts = [figure.context for figure in brief.figures]
    texts = [brief.headline, *brief.points, *contexts]
    translated = translator.translate(texts, source, target)
    guarded, notes = guard_translations(translator, texts, translated, source, target, beam_size)
    brief.original = OriginalText(source, brief.headline, list(brief.points))
    brief.headline = guarded[0]
    brief.points = guarded[1:1 + len(brief.points)]
    for figure, context in zip(brief.figures, guarded[1 + len(brief.points):]):
        figure.context = context
    brief.language = target
    brief.warnings += notes
    brief.engine["translator"] = translator.name


def guard_translations(translator: Translator, sources: list[str], outputs: list[str], source: str, target: str,
                       beam_size: int) -> tuple[list[str], list[str]]:
    """Every output checked against its source: retried once with a wider beam, then repaired."""
    guarded, notes = [], []
    for original, output in zip(sources, outputs):
        if not check_figures(original, source, output, target).ok:
            retry = translator.translate([original], source, target, beam_size=max(RETRY_BEAMS, 2 * beam_size))[0]
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
        text = " ".join(translator.translate(list(document.sentences), language, working))
        language = working
    writes_target = hasattr(summarizer, "complete")  # an instruction model briefs in the target language
    out_language = target if writes_target else language
    points = (summarizer.summarize(text, language, len(brief.points), target=target) if writes_target
              else summarizer.summarize(text, language, len(brief.points)))
    unsupported = set(unsupported_sentences(points, document.text, brief.language, out_language))
    if unsupported:
        brief.warnings.append(f"Figure guard: {len(unsupported)} generated sentence(s) held numbers that are not "
                              "in the article and were left out.")
    points = [p for i, p in enumerate(points) if i not in unsupported]
    if not points:
        brief.warnings.append(f"{summarizer.name} wrote nothing usable, so the brief is extractive.")
        return
    if out_language != brief.language:
        brief.original = OriginalText(brief.language, brief.headline, list(brief.points))
    brief.points = points
    brief.language = out_language
    brief.engine["summarizer"] = summarizer.name
