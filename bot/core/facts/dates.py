"""Calendar dates in English and Arabic text, normalised to ISO-like keys."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.text.normalize import word_alternation

EN_MONTHS = {
    "January": 1, "February": 2, "March": 3, "April": 4, "May": 5, "June": 6, "July": 7,
    "August": 8, "September": 9, "October": 10, "November": 11, "December": 12,
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9,
    "Sept": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}
# Both Arabic month-name sets (Egyptian/Gulf transliterations and Levantine/Iraqi
# Syriac names) plus the Maghrebi French-derived ones; news often writes two at once
# ("تشرين الثاني/نوفمبر").
AR_MONTHS = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "إبريل": 4, "مايو": 5,
    "يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7, "أغسطس": 8, "اغسطس": 8, "سبتمبر": 9,
    "أكتوبر": 10, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "اذار": 3, "نيسان": 4, "أيار": 5, "ايار": 5,
    "حزيران": 6, "تموز": 7, "آب": 8, "اب": 8, "أيلول": 9, "ايلول": 9, "تشرين الأول": 10,
    "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الأول": 12, "كانون الاول": 12,
    "جانفي": 1, "فيفري": 2, "أفريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7, "أوت": 8,
}



_EN_MONTH = rf"(?P<mon>{word_alternation(EN_MONTHS)})\.?"
_AR_MONTH = rf"(?P<mon>{word_alternation(AR_MONTHS)})(?:\s*[/(]\s*(?:{word_alternation(AR_MONTHS)})(?:\s*\))?)?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[5-9]|20)\d\d)"  # after a month name, 1770 is a year too
_NO_DIGIT_BEFORE = r"(?<![\d.,])"
_NO_DIGIT_AFTER = r"(?!\d)"

DATE_PATTERNS: list[re.Pattern[str]] = [
    re.compile(rf"{_NO_DIGIT_BEFORE}{_YEAR}-(?P<mnum>[01]\d)-(?P<day>[0-3]\d){_NO_DIGIT_AFTER}"),
    re.compile(rf"\b{_EN_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR}{_NO_DIGIT_AFTER})?"),
    re.compile(rf"{_NO_DIGIT_BEFORE}{_DAY}\s+(?:of\s+)?{_EN_MONTH}(?:,?\s+{_YEAR}{_NO_DIGIT_AFTER})?"),
    re.compile(rf"\b{_EN_MONTH}\s+(?:of\s+)?{_YEAR}{_NO_DIGIT_AFTER}"),
    re.compile(
        rf"{_NO_DIGIT_BEFORE}{_DAY}\s+(?:من\s+)?(?:شهر\s+)?{_AR_MONTH}"
        rf"(?:\s+(?:من\s+)?(?:عام\s+|سنة\s+)?{_YEAR}{_NO_DIGIT_AFTER})?"
    ),
    re.compile(rf"(?<!\w){_AR_MONTH}\s+(?:من\s+)?(?:عام\s+|سنة\s+)?{_YEAR}{_NO_DIGIT_AFTER}"),
]


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    key: str  # "2024-11-28", "--11-28" (no year) or "2024-11" (no day)
    year: int | None


def _month_number(name: str) -> int:
    if name in EN_MONTHS:
        return EN_MONTHS[name]
    head = re.split(r"\s*[/(]", name)[0]
    return AR_MONTHS[head]


def find_dates(text: str) -> list[DateMatch]:
    """Dates in `text` (ASCII digits expected), longest match first, no overlaps."""
    found: list[DateMatch] = []
    taken = bytearray(len(text))  # one byte a character: an overlap test costs the match's length
    for pattern in DATE_PATTERNS:
        for m in pattern.finditer(text):
            if taken.find(1, m.start(), m.end()) >= 0:
                continue
            groups = m.groupdict()
            month = int(groups["mnum"]) if groups.get("mnum") else _month_number(groups["mon"])
            day = int(groups["day"]) if groups.get("day") else None
            year = int(groups["year"]) if groups.get("year") else None
            if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
                continue
            key = _date_key(year, month, day)
            end = m.end() - (m.group().endswith(".") and len(groups.get("mon") or "") > 4)  # "16th April." ends a sentence
            found.append(DateMatch(m.start(), end, key, year))
            taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    return sorted(found, key=lambda d: d.start)


def _date_key(year: int | None, month: int, day: int | None) -> str:
    y = f"{year:04d}" if year else "-"
    return f"{y}-{month:02d}-{day:02d}" if day else f"{y}-{month:02d}"


def date_keys_compatible(a: str, b: str) -> bool:
    """True when two date keys can name the same day (a missing part matches any)."""
    pa, pb = _parts(a), _parts(b)
    return all(x is None or y is None or x == y for x, y in zip(pa, pb, strict=True))


def _parts(key: str) -> tuple[str | None, str | None, str | None]:
    if key.startswith("--"):
        month, day = key[2:].split("-")
        return None, month, day
    pieces = key.split("-")
    year, month = pieces[0], pieces[1]
    return year, month, pieces[2] if len(pieces) > 2 else None
