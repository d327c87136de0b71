"""Character-level normalisation shared by the figure, sentence and scoring code.

Every mapping here is one character to one character, so offsets found in the
normalised text are valid in the original: figures keep their exact spelling.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Arabic-Indic (U+0660..) and Persian (U+06F0..) digits, Arabic decimal and
# thousands marks and the Arabic percent sign, mapped to their ASCII forms.
_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})
_DIGITS.update({ord("٫"): ".", ord("٬"): ",", ord("٪"): "%", ord("\u2212"): "-"})

# Alef and hamza variants are written inconsistently in Arabic news; EASC's
# summaries are alef-normalised, and matching needs both sides the same.
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي"})
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")

RTL_LANGUAGES = frozenset({"ar", "fa", "ur", "he", "ps", "sd", "ug", "yi", "dv", "ku"})


def ascii_digits(text: str) -> str:
    """Return `text` with every digit, decimal mark and percent sign in ASCII form."""
    return text.translate(_DIGITS)


def normalize_arabic(text: str) -> str:
    """Fold alef variants and drop diacritics and tatweel, for matching only."""
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)


def is_rtl(language: str | None) -> bool:
    return (language or "") in RTL_LANGUAGES


def fold_for_matching(text: str) -> str:
    """Lower-case, NFKC and Arabic-normalised text: the form that scoring compares."""
    return normalize_arabic(unicodedata.normalize("NFKC", text).casefold())


_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Tokens made of letters and digits, folded for matching (keeps Arabic letters)."""
    return _WORD.findall(fold_for_matching(text))


def word_alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first so that the longest match wins."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
