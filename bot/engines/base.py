"""What the Briefer needs from a model backend: small protocols, no framework in sight."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.errors import BriefError


class Translator(Protocol):
    """Translates sentences from `source` to `target`, the pair it was loaded for, keeping
    their order: one output for each input."""

    @property
    def name(self) -> str: ...

    @property
    def source(self) -> str: ...

    @property
    def target(self) -> str: ...

    def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]: ...


@runtime_checkable
class CandidateTranslator(Translator, Protocol):
    """A translator that can give more than its best translation: the other hypotheses its beam
    search found anyway, for the figure guard to choose from before it pays for a retry."""

    def translate_candidates(self, texts: list[str], beam_size: int | None = None,
                             count: int = 1) -> list[list[str]]:
        """For each text, up to `count` translations (at least one), the best-scoring first."""
        ...


class TranslatorProvider(Protocol):
    """Finds a translator for a language pair, or None when no model is installed."""

    @property
    def signature(self) -> str:
        """Names the models it would use, so that cached briefs made by others are not reused."""
        ...

    def translator_for(self, source: str, target: str) -> Translator | None: ...

    def install_hint(self, source: str, target: str) -> str | None:
        """What to do to get a translator for the pair (the command that fetches it), if known."""
        ...


@dataclass(frozen=True)
class Summary:
    points: list[str]
    language: str  # the language the model wrote in


class Summarizer(Protocol):
    """Writes a summary of a text as a list of sentences: in `target` when the model can
    (an instruction model briefs and translates in one pass), else in the text's `language`."""

    @property
    def name(self) -> str: ...

    @property
    def languages(self) -> frozenset[str] | None:
        """The languages it reads: None for any, {"en"} for English-only models."""
        ...

    def summarize(self, text: str, language: str, sentences: int, target: str) -> Summary: ...


class TranslationFailed(BriefError):
    """A translator broke its contract (e.g. fewer outputs than inputs): its output is not used."""


def translate_checked(translator: Translator, texts: list[str], beam_size: int | None = None) -> list[str]:
    """The translations of `texts`, one for each, or TranslationFailed: a translator that
    returns fewer outputs must never shift or drop a brief's points unnoticed."""
    outputs = translator.translate(texts, beam_size=beam_size)
    if len(outputs) != len(texts):
        raise TranslationFailed(f"The translator {translator.name} returned {len(outputs)} translations "
                                f"for {len(texts)} texts.")
    return outputs



def candidates_checked(translator: Translator, texts: list[str], beam_size: int | None = None,
                       count: int = 1) -> list[list[str]]:
    """Up to `count` translations of each text, the best first: the beam's other hypotheses where
    the translator gives them, else its one translation; TranslationFailed when one is missing."""
    if count > 1 and isinstance(translator, CandidateTranslator):
        outputs = translator.translate_candidates(texts, beam_size=beam_size, count=count)
    else:
        outputs = [[output] for output in translator.translate(texts, beam_size=beam_size)]
    if len(outputs) != len(texts) or not all(outputs):
        raise TranslationFailed(f"The translator {translator.name} returned {sum(map(bool, outputs))} translations "
                                f"for {len(texts)} texts.")
    return outputs
