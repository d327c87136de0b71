"""What the Briefer needs from a model backend: small protocols, no framework in sight."""

from __future__ import annotations

from typing import Protocol


class Translator(Protocol):
    """Translates sentences from one language to another, keeping their order."""

    name: str

    def translate(self, texts: list[str], source: str, target: str) -> list[str]: ...


class TranslatorProvider(Protocol):
    """Finds a translator for a language pair, or None when no model is installed."""

    def translator_for(self, source: str, target: str) -> Translator | None: ...


class NoTranslators:
    """The provider when no translation engine is installed: every pair is missing."""

    def translator_for(self, source: str, target: str) -> Translator | None:
        return None
