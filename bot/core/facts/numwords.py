"""Numbers written as words: "twelve", "three dozen", "half a million", "خمسة عشر",
"ثلاثة وعشرون", "مئتان وخمسون ألفا" (0 to 999,999,999 and beyond with the scale words).

Words are found one at a time by a regex and grouped by a small parser that knows which
word may follow which ("five and six" is two numbers, "two hundred and ten" one), so the
scan stays linear in the text and a run of words never joins two figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from bot.core.text.normalize import word_alternation

EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
# Arabic 1-9 in both genders and cases, with the forms that open 11-19 (أحد عشر, اثنا عشر).
_AR_ONES = {
    "صفر": 0, "واحد": 1, "واحدة": 1, "أحد": 1, "احد": 1, "إحدى": 1, "احدى": 1,
    "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "اثنا": 2, "اثني": 2, "اثنتا": 2, "اثنتي": 2,
    "ثلاثة": 3, "ثلاث": 3, "أربعة": 4, "أربع": 4, "اربعة": 4, "اربع": 4, "خمسة": 5, "خمس": 5,
    "ستة": 6, "ست": 6, "سبعة": 7, "سبع": 7, "ثمانية": 8, "ثماني": 8, "ثمان": 8, "تسعة": 9, "تسع": 9,
}
_AR_TEN = {"عشرة": 10, "عشر": 10}
_AR_TENS = {
    "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30, "أربعون": 40, "أربعين": 40,
    "اربعون": 40, "اربعين": 40, "خمسون": 50, "خمسين": 50, "ستون": 60, "ستين": 60,
    "سبعون": 70, "سبعين": 70, "ثمانون": 80, "ثمانين": 80, "تسعون": 90, "تسعين": 90,
}
_AR_HUNDRED = {"مئة": 100, "مائة": 100, "مئتان": 200, "مئتين": 200, "مائتان": 200, "مائتين": 200,
               "مئتا": 200, "مائتا": 200, "مئتي": 200, "مائتي": 200}
_AR_HUNDREDS = {f"{ones}{hundred}": value * 100
                for ones, value in {"ثلاث": 3, "أربع": 4, "اربع": 4, "خمس": 5, "ست": 6, "سبع": 7,
                                    "ثمان": 8, "ثماني": 8, "تسع": 9}.items()
                for hundred in ("مئة", "مائة")}
AR_UNITS = {**_AR_ONES, **_AR_TEN, **_AR_TENS, **_AR_HUNDRED, **_AR_HUNDREDS}

FRACTIONS = {
    "half a": Decimal("0.5"), "half": Decimal("0.5"), "a quarter of a": Decimal("0.25"),
    "quarter of a": Decimal("0.25"), "نصف": Decimal("0.5"), "ربع": Decimal("0.25"),
}
# Scale words multiply what precedes them; bare "m"/"k" are only scales next to a currency.
SCALES = {
    "hundred": 100, "thousand": 1000, "thousands": 1000, "million": 10**6, "millions": 10**6,
    "billion": 10**9, "billions": 10**9, "trillion": 10**12, "trillions": 10**12,
    "bn": 10**9, "mn": 10**6, "tn": 10**12,
    "ألف": 1000, "الف": 1000, "آلاف": 1000, "الاف": 1000, "ألفا": 1000, "الفا": 1000,
    "مليون": 10**6, "ملايين": 10**6, "مليونا": 10**6, "مليار": 10**9, "مليارات": 10**9,
    "مليارا": 10**9, "بليون": 10**9, "بلايين": 10**9, "بليونا": 10**9,
    "ترليون": 10**12, "تريليون": 10**12, "ترليونات": 10**12, "تريليونات": 10**12,
    "ترليونا": 10**12, "تريليونا": 10**12,
}
# Duals stand alone: ألفان is two thousand, مليونين two million.
_AR_DUAL_SCALES = {"ألفان": 2000, "ألفين": 2000, "الفان": 2000, "الفين": 2000,
                   "مليونان": 2 * 10**6, "مليونين": 2 * 10**6, "ملياران": 2 * 10**9, "مليارين": 2 * 10**9}
# Plurals need a count before them: "آلاف الأشخاص" is "thousands of people", not a figure.
_PLURAL_SCALES = frozenset({"thousands", "millions", "billions", "trillions", "آلاف", "الاف",
                            "ملايين", "مليارات", "بلايين", "ترليونات", "تريليونات"})
CURRENCY_SCALES = {"m": 10**6, "k": 1000}
_DOZEN = "dozen"

SCALE_WORD = word_alternation(list(SCALES))
FRACTION_WORD = word_alternation(list(FRACTIONS))

_ARABIC_MARKS = "\u064b-\u0652\u0640"
_EN_TOKEN = word_alternation([*EN_UNITS, *(w for w in SCALES if w.isascii()), _DOZEN, "and", "a"])
_AR_TOKEN = word_alternation([*AR_UNITS, *(w for w in SCALES if not w.isascii()), *_AR_DUAL_SCALES])
# One number word: English, or Arabic with the clitics it takes (و and, ف so, ب with, ل for,
# ال the) and the case endings (tanween) that news text sometimes writes.
_TOKEN = re.compile(
    rf"(?<![^\W\d_])(?:(?P<en>{_EN_TOKEN})"
    rf"|(?P<and>[وف])?(?P<prep>[بل])?(?P<al>ال)?(?P<ar>{_AR_TOKEN})[{_ARABIC_MARKS}]*)(?![^\W\d_])",
    re.IGNORECASE,
)
_GAP = re.compile(r"[\s\u00a0-]*")
_AR_ORDINAL_BEFORE = re.compile(
    r"(?<![^\W\d_])ال(?:حادي|ثاني|ثالث|رابع|خامس|سادس|سابع|ثامن|تاسع)ة?\s+$")


@dataclass(frozen=True)
class WordNumber:
    start: int
    end: int
    value: Decimal


@dataclass(frozen=True)
class _Token:
    start: int     # where the number word begins, after any clitics
    end: int
    word: str
    joined: bool   # Arabic و glued in front ("وعشرون")
    article: bool  # Arabic ال in front ("الاثنين والعشرين")
    opening: int   # where the token begins, clitics included


def _tokens(text: str) -> Iterator[_Token]:
    for m in _TOKEN.finditer(text):
        if m.group("en"):
            yield _Token(m.start(), m.end(), m.group("en").lower(), False, False, m.start())
        elif m.group("ar") != "ست" or not (m.group("and") or m.group("prep")):  # لست is "I am not"
            start = m.start("al") if m.group("al") else m.start("ar")  # the number, not its clitics
            yield _Token(start, m.end(), m.group("ar"), bool(m.group("and")), bool(m.group("al")), m.start())


def find_word_numbers(text: str) -> list[WordNumber]:
    """Numbers spelled in words, in order, with their spans; a lone 'a'/'and' is none."""
    found: list[WordNumber] = []
    run: list[_Token] = []
    for token in _tokens(text):
        if not run and _AR_ORDINAL_BEFORE.search(text, max(0, token.opening - 12), token.opening):
            continue  # "الحادية عشرة": the second word of an ordinal, not ten
        if run and not _continues(text, run[-1], token):
            found += _numbers_in(run)
            run = []
        run.append(token)
    found += _numbers_in(run)
    return found


def _continues(text: str, previous: _Token, token: _Token) -> bool:
    gap = text[previous.end:token.opening]
    return _GAP.fullmatch(gap) is not None and len(gap) <= 3


def _numbers_in(run: list[_Token]) -> list[WordNumber]:
    """Parse a run of adjacent number words into one or more numbers, left to right."""
    numbers: list[WordNumber] = []
    i = 0
    while i < len(run):
        parsed = _parse(run, i)
        if parsed is None:
            i += 1
            continue
        end_index, value = parsed
        numbers.append(WordNumber(run[i].start, run[end_index - 1].end, Decimal(value)))
        i = end_index
    return numbers


def _parse(run: list[_Token], first: int) -> tuple[int, int] | None:
    """The longest number that starts at run[first]: (index after it, value)."""
    total = current = 0
    last_kind = ""
    end = first
    for i in range(first, len(run)):
        token = run[i]
        kind = _kind(token.word)
        if not _may_follow(last_kind, kind, token, i == first):
            break
        if kind in ("and", "a"):
            last_kind = kind
            continue
        current, total = _apply(kind, token.word, current, total)
        last_kind = kind
        end = i + 1
    if end == first:
        return None
    if run[first].article and end - first < 2:
        return None  # "الاثنين" alone is Monday; only "الاثنين والعشرين" is a number
    return end, total + current


def _kind(word: str) -> str:
    if word in ("and", "a"):
        return word
    if word == _DOZEN:
        return "dozen"
    if word == "hundred" or word in _AR_HUNDRED and word.startswith(("مئة", "مائة")):
        return "hundred"
    if word in SCALES:
        return "plural" if word in _PLURAL_SCALES else "scale"
    if word in _AR_DUAL_SCALES:
        return "dual"
    if word in _AR_TEN:
        return "ten"
    value = EN_UNITS.get(word, AR_UNITS.get(word, 0))
    return "ones" if value < 10 else "tens" if value < 100 else "hundreds"


_MULTIPLIERS = ("hundred", "scale", "plural", "dozen")


def _may_follow(last: str, kind: str, token: _Token, first: bool) -> bool:
    """Which word may come next in one number; anything else starts a new number."""
    if first:  # Arabic ألف or مليون alone is a number; English "million" needs "a" or "one"
        if kind in _MULTIPLIERS and token.word.isascii():
            return False
        return kind not in ("and", "plural") and (kind != "a" or not token.joined)
    if token.joined and kind not in ("and", "a"):
        return last in ("ones", "ten", "tens", "hundred", "hundreds", "scale", "dual", "plural")
    if kind == "and":  # "two hundred and ten", not "five and six"
        return last in _MULTIPLIERS
    if kind == "a":
        return False  # "a million" only at the start
    if kind == "ten":  # "خمسة عشر", "أحد عشر": 11-19
        return last == "ones"
    if kind in _MULTIPLIERS:
        return last in ("ones", "ten", "tens", "hundreds", "a", "dozen") or (kind == "scale" and last == "hundred")
    if kind in ("ones", "tens"):
        # "twenty-five"; and after "and" in "two hundred and ten"
        return (last == "tens" and kind == "ones") or last == "and" or last in ("hundred", "hundreds", "scale")
    return False


def _apply(kind: str, word: str, current: int, total: int) -> tuple[int, int]:
    if kind == "a":
        return 1, total
    if kind == "dual":
        return 0, total + _AR_DUAL_SCALES[word]
    if kind in ("hundred", "dozen"):
        base = 100 if kind == "hundred" else 12
        factor = _AR_HUNDRED.get(word, 100) if kind == "hundred" else 12
        return (current * base if current else factor), total
    if kind in ("scale", "plural"):
        return 0, total + max(current, 1) * SCALES[word]
    return current + EN_UNITS.get(word, AR_UNITS.get(word, 0)), total


def word_number_value(phrase: str) -> Decimal | None:
    """Value of a phrase that is one number in words; None when it is not exactly one."""
    phrase = phrase.strip()
    numbers = find_word_numbers(phrase)
    if len(numbers) != 1 or numbers[0].start != 0 or numbers[0].end != len(phrase):
        return None
    return numbers[0].value


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
