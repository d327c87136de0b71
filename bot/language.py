"""Language identification with lingua (its models ship inside the wheel: works offline)."""

from __future__ import annotations

from functools import cached_property

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

# Enough text to decide; longer input only costs time.
_SAMPLE_CHARS = 2000


class LanguageIdentifier:
    """Detects ISO 639-1 codes; the detector is built on first use (about 0.5 s)."""

    @cached_property
    def _detector(self) -> LanguageDetector:
        # Low-accuracy mode uses trigram models only: as accurate on article-length
        # text, and it loads in a fraction of the time of the full models.
        return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()

    def detect(self, text: str) -> str | None:
        language = self._detector.detect_language_of(text[:_SAMPLE_CHARS])
        return language.iso_code_639_1.name.lower() if language else None


def language_name(code: str) -> str:
    """'ar' -> 'Arabic'; unknown codes come back as they are."""
    try:
        iso = IsoCode639_1.from_str(code)
        return Language.from_iso_code_639_1(iso).name.title()
    except (ValueError, AttributeError):
        return code


def is_known_language(code: str) -> bool:
    try:
        IsoCode639_1.from_str(code)
        return True
    except ValueError:
        return False
