"""Chinese and Japanese numbers: full-width digits (１２３), scale characters after digits
(12万 = 120000, 3.1亿 = 310000000) and numerals written in characters (三千五百, 一百二十万).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

# Full-width digits and marks, one character for one, so offsets stay valid.
FULL_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                            "．": ".", "，": ",", "％": "%", "－": "-", "：": ":"})

SCALES = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000,
          "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "兩": 2, "三": 3, "叁": 3,
           "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
           "九": 9, "玖": 9}
# After digits only the big scales are written as characters: 12万, 3.1亿, 1.2万亿, 5千.
SCALE_AFTER_DIGITS = "[万萬亿億千]{1,2}"
_RUN = re.compile(f"[{''.join(_DIGITS)}{''.join(SCALES)}]+")


@dataclass(frozen=True)
class CjkNumber:
    start: int
    end: int
    value: Decimal


def scale_of(characters: str) -> int:
    """12万 -> 10**4; 1.2万亿 -> 10**12 (scales written together multiply)."""
    factor = 1
    for c in characters:
        factor *= SCALES[c]
    return factor


def find_cjk_numbers(text: str) -> Iterator[CjkNumber]:
    """Numerals written in characters, two or more, worth 10 or more: "一" alone is a word,
    十分 is "very", and 第十 is an ordinal."""
    for m in _RUN.finditer(text):
        if len(m.group()) < 2 or text[max(0, m.start() - 1):m.start()] == "第":
            continue
        value = _value(m.group(), year=text[m.end():m.end() + 1] == "年")
        if value is not None and value >= 10:
            yield CjkNumber(m.start(), m.end(), Decimal(value))


def _value(run: str, year: bool) -> int | None:
    """Digits add up under 十/百/千; 万 and 亿 close a section. None for runs that are words,
    not numbers: a scale with nothing before it (千万 "by all means", 万一 "in case")."""
    if not any(c in SCALES for c in run):
        return int("".join(str(_DIGITS[c]) for c in run)) if year and len(run) == 4 else None  # 二〇二四年
    if run[0] in SCALES and run[0] not in "十拾":
        return None
    yi = wan = section = digit = 0
    for c in run:
        if c in _DIGITS:
            digit = _DIGITS[c]
        elif SCALES[c] == 10**8:
            yi, wan, section, digit = (yi + wan + section + digit) * 10**8, 0, 0, 0
        elif SCALES[c] == 10**4:
            wan, section, digit = (section + digit) * 10**4, 0, 0
        else:
            section, digit = section + (digit or 1) * SCALES[c], 0
    return yi + wan + section + digit
