"""Figures (counts, amounts, percentages, dates) found in text and normalised.

The figure guard and the brief's "Key figures" both rest on this module: two
figures are the same when their normalised values are, whatever digits,
separators, scale words or number words spelled them.

Reading order: dates first, then spans that only look like numbers (times, phone and
page numbers, ordinals: `notfigures`), then numbers in digits with their qualifier,
currency, scale and unit (`units`), then numbers in words (`numwords`) and in CJK
characters (`cjk`). A span once read is fenced off, and every pass is one regex scan,
so extraction is linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

from bot.core.brief import FigureKind
from bot.core.facts import numwords
from bot.core.facts.cjk import FULL_WIDTH, SCALE_AFTER_DIGITS, find_cjk_numbers, scale_of
from bot.core.facts.dates import EN_MONTHS, date_keys_compatible, find_dates
from bot.core.facts.notfigures import not_figure_spans
from bot.core.facts.units import CURRENCY_PREFIX, QUALIFIERS, Measure, measure_after, qualifier_name
from bot.core.text.normalize import ascii_digits, word_alternation

_MAX_DIGITS = 40
# Languages that write 1.250,5 rather than 1,250.5.
COMMA_DECIMAL = frozenset({"de", "fr", "es", "it", "pt", "nl", "tr", "id", "ru", "uk", "pl",
                           "cs", "sk", "ro", "sv", "da", "no", "nb", "fi", "el", "hu", "bg"})

# Arabic glues "and"/"so" to the next word: "ونحو", "وخمسة"; a digit may follow with no space.
_QUALIFIER = rf"(?:(?<![^\W\d_])[وف]?(?P<qual>{word_alternation(QUALIFIERS)})(?:\s+|(?=\d)))?"
_PREFIX = rf"(?:(?P<cur>{word_alternation(CURRENCY_PREFIX)})\s?)?"
_SCALE = (rf"(?:(?P<close>\))?\s?(?P<scale>{numwords.SCALE_WORD}|m|k)(?![^\W\d_])[\u064b-\u0652]*"
          rf"|(?P<cjk>{SCALE_AFTER_DIGITS}))?")
_RANGE_JOIN = r"\s?(?P<join>[-–—]|to|and|إلى|الى|حتى|و)\s?"

_NUMBER_DOT = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}|\d+(?:\.\d+)?"
_NUMBER_COMMA = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,3}(?:[\u00a0\u202f]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"


def _quantity_pattern(number: str, ranges: bool) -> re.Pattern[str]:
    num = rf"(?<![\d.,])(?:{number})(?![\d])(?![.,]\d)"
    second = rf"(?:{_RANGE_JOIN}(?P<num2>{num}))?" if ranges else "(?P<num2>(?!))?(?P<join>(?!))?"
    return re.compile(rf"{_QUALIFIER}{_PREFIX}(?P<num>{num}){second}{_SCALE}", re.IGNORECASE)


# (with ranges, without ranges) for each decimal convention
_QUANTITY = {
    False: (_quantity_pattern(_NUMBER_DOT, True), _quantity_pattern(_NUMBER_DOT, False)),
    True: (_quantity_pattern(_NUMBER_COMMA, True), _quantity_pattern(_NUMBER_COMMA, False)),
}
_FRACTION = re.compile(
    rf"(?<![^\W\d_])[وف]?(?P<frac>{numwords.FRACTION_WORD})\s+(?P<scale>{numwords.SCALE_WORD})(?![^\W\d_])",
    re.IGNORECASE)
_QUALIFIER_BEFORE = re.compile(rf"(?<![^\W\d_])[وف]?(?P<qual>{word_alternation(QUALIFIERS)})\s+$", re.IGNORECASE)
_LATIN_BEFORE = re.compile(r"[A-Za-z]-?$")
# A number right after these names a thing, it does not count one: Highway 36, Radio 4, المادة 76.
_DESIGNATORS = re.compile(
    r"(?:\b(?:Highway|Interstate|Route|Radio|Channel|Flight|Article|Section|Chapter|Room|Gate|Platform|"
    r"Terminal|Apollo|Boeing|Airbus|Progress|Windows|Version|No\.|Number|Category|Resolution|Paragraph|"
    r"Bill|Proposition|Item|Line|Bus|Ward|District|Zone|Sector|Block|Pier|Unit|Squadron|Brigade|Division)"
    r"|(?<![^\W\d_])(?:ال)?(?:مادة|فقرة|بند|قرار|رقم|طريق|رحلة|قناة|لواء|فرقة))\s$"
)
# Ages: "a 39-year-old", "aged 52", "Lucy, 32, of Upminster".
_AGE_AFTER = re.compile(r"[\s-](?:year|month|week|day)s?[\s-]old\b", re.IGNORECASE)
_AGE_BEFORE = re.compile(r"(?:\baged|\bage of|[A-Z][a-z]+,)\s?$")
_AGE_TAIL = re.compile(r"\s?,")
# "Schalke 04", "Hannover 96 4-0": a number fused to a name (a capital word inside the
# sentence) with no counted noun after it, or written with a leading zero.
_NAME_BEFORE = re.compile(r"[\w,;]\s+(?P<name>[A-Z][\w'’.-]*)\s$")
_NOT_NAMES = frozenset("""The A An In On At By Of For From To And But Or Some About Over Under Nearly Around Almost
Between Only Just Up Down Since Until After Before During With Without Than""".split()) | frozenset(EN_MONTHS)
_COUNTED_AFTER = re.compile(r"\s?[-–]?\s?[a-z(]")
_YEAR = re.compile(r"(1[89]|20)\d\d")
# "1783 م", "2000 ق.م", "1445 هـ": Arabic marks a year with its era.
_ERA_AFTER = re.compile(r"\s?(?:م|هـ|ق\.?\s?م)(?![^\W\d_])")
_SENTENCE_INSIDE = re.compile(r"[\w,;]\s$")
# "one in four", "9 out of 10": a share, worth 0.25 and 0.9 (and 25% and 90% to the guard).
_SMALL = "|".join(sorted((w for w, v in numwords.EN_UNITS.items() if 1 <= v <= 20), key=len, reverse=True))
_RATIO = re.compile(rf"(?<![^\W\d_])(?<![\d.,])(?P<a>\d{{1,3}}|{_SMALL})\s+(?:in|out\s+of)\s+"
                    rf"(?P<b>\d{{1,4}}|{_SMALL}|a\s+hundred|a\s+thousand)(?![\d.,]\d|[^\W\d_]|\d)", re.IGNORECASE)
# "3:1" is a score (a time has two digits after the colon): one figure, never 3 and 1.
_COLON_SCORE = re.compile(r"(?<![\d.,:])(\d{1,2}):(\d)(?![\d:]|[.,]\d)")


@dataclass(frozen=True)
class Figure:
    """One figure as written in a text, with its normalised meaning."""

    text: str
    start: int
    end: int
    kind: FigureKind | Literal["code"]  # code: G20, MH17, never a key figure
    value: Decimal | None = None
    upper: Decimal | None = None
    unit: str | None = None
    qualifier: str | None = None
    date: str | None = None
    amounts: frozenset[Decimal] = field(default=frozenset(), compare=False)

    @property
    def normalized(self) -> str:
        """The value in one spelling: '140', '12-15', '3500000', '2024-11-28'."""
        if self.date:
            return self.date
        upper = f"-{_plain(self.upper)}" if self.upper is not None else ""
        return f"{_plain(self.value)}{upper}" if self.value is not None else ""

    @property
    def key(self) -> str:
        """A string that equal figures share, for de-duplication."""
        return f"{self.kind}:{self.normalized}:{self.unit or ''}"

    @property
    def spelled(self) -> bool:
        """Written in words, not digits ("twelve", "خمسة عشر")."""
        return not any(c.isdigit() for c in self.text)


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


class _Fence:
    """Characters already read: one byte each, so an overlap test costs the span's length."""

    def __init__(self, size: int) -> None:
        self.taken = bytearray(size)

    def free(self, start: int, end: int) -> bool:
        return self.taken.find(1, start, end) < 0

    def take(self, start: int, end: int) -> None:
        self.taken[start:end] = b"\x01" * (end - start)


def extract_figures(text: str, language: str | None = None) -> list[Figure]:
    """All figures in `text`, in order. Offsets index the original `text`."""
    plain = ascii_digits(text).translate(FULL_WIDTH)
    fence = _Fence(len(plain))
    figures: list[Figure] = []

    def keep(figure: Figure | None) -> None:
        if figure is not None and fence.free(figure.start, figure.end):
            figures.append(figure)
            fence.take(figure.start, figure.end)

    for d in find_dates(plain):
        amounts = frozenset({Decimal(d.year)}) if d.year else frozenset()
        keep(Figure(text[d.start:d.end], d.start, d.end, "date", date=d.key, amounts=amounts))
    for start, end in not_figure_spans(plain):
        fence.take(start, end)
    for m in _RATIO.finditer(plain):
        keep(_ratio(text, m))
    for m in _COLON_SCORE.finditer(plain):
        home, away = Decimal(m[1]), Decimal(m[2])
        keep(Figure(text[m.start():m.end()], m.start(), m.end(), "score", home, away, amounts=frozenset({home, away})))
    _read_digits(text, plain, language in COMMA_DECIMAL, fence, keep)
    for m in _FRACTION.finditer(plain):
        value = numwords.FRACTIONS[m["frac"].lower()] * numwords.scale_value(m["scale"])
        keep(_spelled_figure(text, plain, m.start("frac"), m.end(), value))
    for number in numwords.find_word_numbers(plain):
        if number.value > 1:  # a lone "one" or "أحد" is rarely a figure
            keep(_spelled_figure(text, plain, number.start, number.end, number.value))
    for cjk in find_cjk_numbers(plain):
        keep(_spelled_figure(text, plain, cjk.start, cjk.end, cjk.value))
    return sorted(figures, key=lambda f: f.start)


def _read_digits(text: str, plain: str, decimal_comma: bool, fence: _Fence,
                 keep: Callable[[Figure | None], None]) -> None:
    with_ranges, single = _QUANTITY[decimal_comma]
    position = 0
    while found := with_ranges.search(plain, position):
        # the first number alone when the second does not make a range with it
        m = single.match(plain, found.start()) if found["num2"] and not _is_range(found, decimal_comma) else found
        assert m is not None  # the single pattern matches every prefix the range pattern does
        position = m.end()
        if fence.free(m.start("num"), m.end()):
            keep(_numeric_figure(text, plain, m, decimal_comma))


def parse_number(raw: str, decimal_comma: bool = False) -> Decimal | None:
    """'1,250' -> 1250, '3.5' -> 3.5, '1.250.000' -> 1250000 (ASCII digits expected); None for a
    run of more than _MAX_DIGITS digits, which counts nothing (and would overflow Decimal's range)."""
    if len(raw) > _MAX_DIGITS:
        return None
    raw = raw.replace("\u00a0", "").replace("\u202f", "")
    if decimal_comma:
        raw = raw.replace(".", "").replace(",", ".")
    elif raw.count(".") > 1:
        raw = raw.replace(".", "")
    else:
        raw = raw.replace(",", "")
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def _is_range(m: re.Match[str], decimal_comma: bool) -> bool:
    """'5 and 6' is two figures and only 'between 5 and 6' (بين 5 و6) a range; words join
    ranges that go up ("2003 إلى 32%" is two figures); a hyphen also joins scores ("2-1")."""
    join = m["join"].lower()
    if join in ("and", "و") and QUALIFIERS.get((m["qual"] or "").lower()) != "between":
        return False
    if join in "-–—":
        return True
    low, high = parse_number(m["num"], decimal_comma), parse_number(m["num2"], decimal_comma)
    return low is not None and high is not None and low < high


def _numeric_figure(text: str, plain: str, m: re.Match[str], decimal_comma: bool) -> Figure | None:
    value = parse_number(m["num"], decimal_comma)
    if value is None:
        return None
    upper = parse_number(m["num2"], decimal_comma) if m["num2"] else None
    qualifier = qualifier_name(m["qual"])
    if qualifier in ("from", "between") and upper is None:
        qualifier = None  # "من 40 قطعة" is "of 40 pieces": only a range has a "from"
    start = m.start("qual") if qualifier else m.start("cur") if m["cur"] else m.start("num")
    if m["close"] and m["scale"]:  # "(50) ألف": Saudi papers bracket the digits
        start -= plain[start - 1:start] == "("
    end = m.end()
    currency = CURRENCY_PREFIX.get(m["cur"]) if m["cur"] else None
    scale = scale_of(m["cjk"]) if m["cjk"] else numwords.scale_value(m["scale"], with_currency=currency is not None)
    if m["scale"] and scale == 1:
        # A bare "m" or "k" with no currency is not a scale ("10m" may be metres): stop before it.
        end = m.end("num2") if m["num2"] else m.end("num")
    measure = measure_after(plain, end)
    unit = None
    if measure:
        end, unit, currency = measure.end, measure.unit, currency or measure.currency
    value *= scale
    upper = upper * scale if upper is not None else None
    kind = _kind(plain, m, start, end, value, upper, unit, currency, qualifier, scale)
    span = text[start:end].rstrip()
    return Figure(span, start, start + len(span), kind, value, upper, currency or unit, qualifier,
                  amounts=frozenset(v for v in (value, upper) if v is not None))


def _kind(plain: str, m: re.Match[str], start: int, end: int, value: Decimal, upper: Decimal | None,
          unit: str | None, currency: str | None, qualifier: str | None, scale: int) -> FigureKind | Literal["code"]:
    before = plain[max(0, start - 24):start]
    if _LATIN_BEFORE.search(plain[max(0, m.start("num") - 2):m.start("num")]):
        return "code"  # G20, MH17, COVID-19: names, not figures
    if currency:
        return "money"
    if unit == "%":
        return "percent"
    if unit:
        return "quantity"
    if _DESIGNATORS.search(before) or _is_name_number(plain, m, end, upper, scale):
        return "code"
    if upper is None and scale == 1 and (_AGE_AFTER.match(plain, end) or (
            _AGE_BEFORE.search(before) and _AGE_TAIL.match(plain, end))):
        return "age"
    if upper is not None and m["join"] in "-–—" and upper <= value:
        return "year" if _YEAR.fullmatch(m["num"]) else "score"  # 2013-14 is a year; 2-1 a score
    if upper is None and scale == 1 and qualifier is None and (
            _YEAR.fullmatch(m["num"]) or (len(m["num"]) <= 4 and _ERA_AFTER.match(plain, end))):
        return "year"
    return "number"


def _ratio(text: str, m: re.Match[str]) -> Figure | None:
    part, whole = (_small_number(m[g]) for g in ("a", "b"))
    if not part or not whole or part >= whole or _YEAR.fullmatch(m["b"]):
        return None
    share = (part / whole).quantize(Decimal("0.0001")).normalize()
    return Figure(text[m.start():m.end()], m.start(), m.end(), "ratio", share,
                  amounts=frozenset({share, (share * 100).normalize()}))


def _small_number(word: str) -> Decimal | None:
    word = " ".join(word.lower().split())
    if word.isdigit():
        return Decimal(word)
    return {"a hundred": Decimal(100), "a thousand": Decimal(1000)}.get(word) or (
        Decimal(numwords.EN_UNITS[word]) if word in numwords.EN_UNITS else None)


def _is_name_number(plain: str, m: re.Match[str], end: int, upper: Decimal | None, scale: int) -> bool:
    number = m["num"]
    if number[0] == "0" and len(number) > 1 and number[1].isdigit():
        return True
    name = _NAME_BEFORE.search(plain[max(0, m.start("num") - 40):m.start("num")])
    return (name is not None and name["name"] not in _NOT_NAMES and upper is None and scale == 1
            and m["qual"] is None and _COUNTED_AFTER.match(plain, end) is None)


def _spelled_figure(text: str, plain: str, start: int, end: int, value: Decimal) -> Figure:
    """A number in words or CJK characters, with the qualifier before and the unit after it."""
    qualifier_match = _QUALIFIER_BEFORE.search(plain[max(0, start - 24):start])
    qualifier = qualifier_name(qualifier_match["qual"]) if qualifier_match else None
    if qualifier_match:
        start += qualifier_match.start("qual") - qualifier_match.endpos
    measure: Measure | None = measure_after(plain, end)
    unit = currency = None
    if measure:
        end, unit, currency = measure.end, measure.unit, measure.currency
    span = text[start:end].rstrip()
    kind: FigureKind | Literal["code"] = "money" if currency else "percent" if unit == "%" else "quantity" if unit else "number"
    if _SENTENCE_INSIDE.search(plain[max(0, start - 3):start]) and span[:1].isupper():
        kind = "code"  # "Page Six", "Formula One": a capital inside a sentence makes a name
    return Figure(span, start, start + len(span), kind, value, None, currency or unit, qualifier,
                  amounts=frozenset({value}))


class FigureIndex:
    """The figures of a text, indexed so that asking whether it supports a figure costs O(1),
    not a pass over all of them: the guard stays linear on long texts."""

    def __init__(self, figures: list[Figure]) -> None:
        self.amounts: set[Decimal] = set()        # every figure's amounts (a date's year too)
        self.number_amounts: set[Decimal] = set()  # those of figures that are not dates
        self.days: set[tuple[str, str, str]] = set()
        for figure in figures:
            self.amounts |= figure.amounts
            if figure.date:
                self.days |= _wildcards(_date_parts(figure.date))
            else:
                self.number_amounts |= figure.amounts

    def supports(self, candidate: Figure) -> bool:
        """True when some indexed figure supports `candidate` (figures_match(candidate, it))."""
        if candidate.date:
            return self._has_day(candidate.date)
        return bool(candidate.amounts & self.amounts)

    def matches(self, figure: Figure) -> bool:
        """True when `figure` and some indexed figure match either way round."""
        return self.supports(figure) or bool(figure.date and figure.amounts & self.number_amounts)

    def _has_day(self, date: str) -> bool:
        parts = _date_parts(date)
        valued = [i for i, part in enumerate(parts) if part]
        for mask in range(1 << len(valued)):  # which of its parts the indexed date leaves open
            query = ["*" if not part else part for part in parts]
            for bit, position in enumerate(valued):
                if mask >> bit & 1:
                    query[position] = ""
            if (query[0], query[1], query[2]) in self.days:
                return True
        return False


def _date_parts(key: str) -> tuple[str, str, str]:
    if key.startswith("--"):
        month, day = key[2:].split("-")
        return "", month, day
    pieces = key.split("-")
    return pieces[0], pieces[1], pieces[2] if len(pieces) > 2 else ""


def _wildcards(parts: tuple[str, str, str]) -> set[tuple[str, str, str]]:
    """A date under every mask of '*' (a part the asking date does not give)."""
    variants = set()
    for mask in range(8):
        variant = ["*" if mask >> i & 1 else part for i, part in enumerate(parts)]
        variants.add((variant[0], variant[1], variant[2]))
    return variants


def figures_match(candidate: Figure, source: Figure) -> bool:
    """True when `source` supports `candidate` (same date, or same amount)."""
    if candidate.date:
        return source.date is not None and date_keys_compatible(candidate.date, source.date)
    return bool(candidate.amounts & source.amounts)
