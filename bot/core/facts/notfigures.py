"""Digits that are not key figures: times of day, phone numbers, page numbers, ordinals.

Their spans are fenced off before figures are read, so "05:30" never becomes 5 and 30,
and "page 12", "the 10th" or "+44 20 7946 0958" never reach a brief's key figures.
Every pattern is anchored on a non-digit before it, so a long run of digits is scanned once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_NO_DIGIT_BEFORE = r"(?<![\d.,:])"
_NO_DIGIT_AFTER = r"(?![\d])"
_CLOCK_WORD = (r"a\.m\.|p\.m\.|am|pm|o'clock|(?-i:GMT|UTC|BST|CET|EST|EDT|PST)"
               r"|صباحا|صباحاً|مساء|مساءً|مساءا|ظهرا|ظهراً|فجرا|فجراً|ليلا|ليلاً|بتوقيت")

_PATTERNS = [
    # 05:30, 14:00:10, 7.30 pm, 9 pm, الساعة 5
    re.compile(rf"{_NO_DIGIT_BEFORE}\d{{1,2}}:\d\d(?::\d\d)?{_NO_DIGIT_AFTER}(?:\s?(?:{_CLOCK_WORD})(?![^\W\d_]))?",
               re.IGNORECASE),
    re.compile(rf"{_NO_DIGIT_BEFORE}\d{{1,2}}(?:[.:]\d\d)?\s?(?:{_CLOCK_WORD})(?![^\W\d_])", re.IGNORECASE),
    re.compile(rf"{_NO_DIGIT_BEFORE}\d{{1,2}}[.:]\d\d\s(?=(?:last night|this morning|tonight|this evening|yesterday)\b)",
               re.IGNORECASE),
    re.compile(rf"(?<![^\W\d_])الساعة\s+\d{{1,2}}(?:[.:]\d\d)?{_NO_DIGIT_AFTER}"),
    # +44 20 7946 0958, (555) 123-4567, 0800 123 4567, 555-123-4567
    re.compile(rf"{_NO_DIGIT_BEFORE}(?:\+\d{{1,3}}|\(\d{{2,5}}\)|0\d{{1,4}})(?:[\s.-]\d{{2,4}}){{2,5}}{_NO_DIGIT_AFTER}"),
    re.compile(rf"{_NO_DIGIT_BEFORE}\d{{3}}[.-]\d{{3}}[.-]\d{{4}}{_NO_DIGIT_AFTER}"),
    # page 12, pp. 3-4, p. 7, صفحة 5, ص 12
    re.compile(rf"(?<![^\W\d_])(?:pages?|pp?\.|صفحة|الصفحة|ص\.?)\s?\d+(?:\s?[-–]\s?\d+)?{_NO_DIGIT_AFTER}",
               re.IGNORECASE),
    # 10th, 21st, 2nd, 3rd; 1er, 2e, 3º are the same in French, Spanish and Portuguese
    re.compile(rf"{_NO_DIGIT_BEFORE}\d+(?:st|nd|rd|th|er|e|º|ª)(?![^\W\d_])", re.IGNORECASE),
]


def not_figure_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each time, phone number, page reference and ordinal in `text`."""
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            yield m.start(), m.end()
