"""Numbers written as words ("twelve", "half a million", "نصف مليون", "خمسة وعشرون")."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.core.text.normalize import word_alternation

EN_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}
AR_UNITS = {
    "واحد": 1, "واحدة": 1, "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2,
    "ثلاثة": 3, "ثلاث": 3, "أربعة": 4, "أربع": 4, "خمسة": 5, "خمس": 5, "ستة": 6, "ست": 6,
    "سبعة": 7, "سبع": 7, "ثمانية": 8, "ثماني": 8, "ثمان": 8, "تسعة": 9, "تسع": 9,
    "عشرة": 10, "عشر": 10, "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30,
    "أربعون": 40, "أربعين": 40, "خمسون": 50, "خمسين": 50, "ستون": 60, "ستين": 60,
    "سبعون": 70, "سبعين": 70, "ثمانون": 80, "ثمانين": 80, "تسعون": 90, "تسعين": 90,
    "مئة": 100, "مائة": 100, "مئتان": 200, "مئتين": 200, "مائتان": 200, "مائتين": 200,
    "ثلاثمئة": 300, "ثلاثمائة": 300, "أربعمئة": 400, "أربعمائة": 400, "خمسمئة": 500,
    "خمسمائة": 500, "ستمئة": 600, "ستمائة": 600, "سبعمئة": 700, "سبعمائة": 700,
    "ثمانمئة": 800, "ثمانمائة": 800, "تسعمئة": 900, "تسعمائة": 900,
}
FRACTIONS = {
    "half a": Decimal("0.5"), "half": Decimal("0.5"), "a quarter of a": Decimal("0.25"),
    "quarter of a": Decimal("0.25"), "نصف": Decimal("0.5"), "ربع": Decimal("0.25"),
}
# Scale words multiply what precedes them; bare "m"/"k" are only scales next to a currency.
SCALES = {
    "hundred": 100, "thousand": 1000, "thousands": 1000, "million": 10**6, "millions": 10**6,
    "billion": 10**9, "billions": 10**9, "trillion": 10**12, "bn": 10**9, "mn": 10**6,
    "ألف": 1000, "الف": 1000, "آلاف": 1000, "الاف": 1000, "ألفا": 1000, "ألفين": 2000,
    "ألفان": 2000, "مليون": 10**6, "ملايين": 10**6, "مليونا": 10**6, "مليونين": 2 * 10**6,
    "مليار": 10**9, "مليارات": 10**9, "مليارا": 10**9, "بليون": 10**9,
    "ترليون": 10**12, "تريليون": 10**12,
}
CURRENCY_SCALES = {"m": 10**6, "k": 1000}



EN_WORD = word_alternation(list(EN_UNITS))
AR_WORD = word_alternation(list(AR_UNITS))
SCALE_WORD = word_alternation(list(SCALES))

# "twenty-five", "two hundred and ten"; "وخمسون" takes the Arabic "and" as a prefix.
WORD_NUMBER = (
    rf"(?:(?:{EN_WORD})(?:[\s-](?:and\s)?(?:{EN_WORD}|hundred))*"
    rf"|(?:{AR_WORD})(?:\s+و(?:{AR_WORD}))*)"
)
FRACTION_WORD = word_alternation(list(FRACTIONS))


def word_number_value(phrase: str) -> Decimal | None:
    """Value of a run of number words; None if a word is not a number word."""
    total = 0
    current = 0
    for token in re.split(r"[\s-]+", phrase.strip()):
        token = token.removeprefix("و") if token not in AR_UNITS else token
        if token in ("and", ""):
            continue
        if token == "hundred":
            current = max(current, 1) * 100
        elif token in EN_UNITS:
            current += EN_UNITS[token]
        elif token in AR_UNITS:
            current += AR_UNITS[token]
        else:
            return None
    total += current
    return Decimal(total)


def scale_value(word: str | None, with_currency: bool = False) -> int:
    """Multiplier for a scale word; 1 when there is none."""
    if not word:
        return 1
    key = word.lower()
    if key in SCALES:
        return SCALES[key]
    if with_currency and key in CURRENCY_SCALES:
        return CURRENCY_SCALES[key]
    return 1
