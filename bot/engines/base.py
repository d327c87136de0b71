"""What the Briefer needs from a model backend: small protocols, no framework in sight."""

from __future__ import annotations

from typing import Protocol


class Translator(Protocol):
    """Translates sentences from one language to another, keeping their order."""

    name: str

    def translate(self, texts: list[str], source: str, target: str, beam_size: int | None = None) -> list[str]: ...


class TranslatorProvider(Protocol):
    """Finds a translator for a language pair, or None when no model is installed."""

    def translator_for(self, source: str, target: str) -> Translator | None: ...


class Summarizer(Protocol):
    """Writes a summary of a text as a list of sentences, in `language`."""

    name: str
    languages: frozenset[str] | None  # None: any language; {"en"}: English-only models

    def summarize(self, text: str, language: str, sentences: int) -> list[str]: ...


class NoTranslators:
    """The provider when no translation engine is installed: every pair is missing."""

    def translator_for(self, source: str, target: str) -> Translator | None:
        return None
