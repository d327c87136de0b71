"""Sentence splitting for any language, with hand-written rules for Arabic script.

pysbd handles the languages it knows well (abbreviations, decimals, quotes), but
its Arabic rules split at the Arabic comma and after the "د." of Dr., so Arabic,
Persian, Urdu and languages pysbd lacks go through a small rule set here.
"""

from __future__ import annotations

import re

import pysbd

_PYSBD_LANGUAGES = frozenset({"en", "hi", "mr", "zh", "es", "am", "hy", "bg", "ru", "pl",
                              "nl", "da", "fr", "my", "el", "it", "ja", "de", "kk", "sk"})

_TERMINATOR = r"[.!?؟。！？…۔]+"
_CLOSERS = "\"'»”’)]"
_BOUNDARY = re.compile(rf"{_TERMINATOR}[{re.escape(_CLOSERS)}]*\s+(?=\S)")
# Abbreviations that end in a full stop but not a sentence (Dr., Prof., P.O. Box, e.g.).
_ABBREVIATIONS = frozenset({"د", "أ", "أ.د", "ص.ب", "م.م", "ق.م", "dr", "mr", "mrs", "ms",
                            "prof", "st", "no", "vs", "e.g", "i.e", "etc", "gen", "col", "lt"})
_LAST_WORD = re.compile(r"(\S+)\.\s*$")


def _segmenter(language: str) -> pysbd.Segmenter:
    # A Segmenter keeps the text it is working on in an attribute, so one shared
    # instance is not safe across the Briefer's worker threads; building one takes ~1 µs.
    return pysbd.Segmenter(language=language, clean=False)


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """Sentences of one paragraph of prose, stripped, none empty."""
    text = " ".join(text.split())
    if not text:
        return []
    if language in _PYSBD_LANGUAGES:
        pieces = _segmenter(language).segment(text)
    else:
        pieces = _split_by_rules(text)
    return [p.strip() for p in pieces if p.strip()]


def _split_by_rules(text: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        candidate = text[start:m.end()]
        if _ends_in_abbreviation(candidate) or _next_starts_lowercase(text, m.end()):
            continue
        sentences.append(candidate)
        start = m.end()
    sentences.append(text[start:])
    return sentences


def _ends_in_abbreviation(candidate: str) -> bool:
    m = _LAST_WORD.search(candidate)
    if not m:
        return False
    word = m.group(1).lstrip("(\"'«").lower()
    # Latin initials ("J. Smith") and the listed abbreviations never end a sentence.
    return word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", word) is not None


def _next_starts_lowercase(text: str, index: int) -> bool:
    return text[index:index + 1].islower()
