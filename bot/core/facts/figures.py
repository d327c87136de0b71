"""Figures (counts, amounts, percentages, dates) found in text and normalised.

The figure guard and the brief's "Key figures" both rest on this module: two
figures are the same when their normalised values are, whatever digits,
separators or number words spelled them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from bot.core.facts import numwords
from bot.core.facts.dates import date_keys_compatible, find_dates
from bot.core.text.normalize import ascii_digits, word_alternation

# Languages that write 1.250,5 rather than 1,250.5.
COMMA_DECIMAL = frozenset({"de", "fr", "es", "it", "pt", "nl", "tr", "id", "ru", "uk", "pl",
                           "cs", "sk", "ro", "sv", "da", "no", "nb", "fi", "el", "hu", "bg"})

QUALIFIERS = {
    "more than": "over", "over": "over", "at least": "at least", "nearly": "nearly",
    "almost": "nearly", "about": "about", "around": "about", "approximately": "about",
    "roughly": "about", "some": "about", "up to": "up to", "less than": "under",
    "fewer than": "under", "under": "under", "at most": "up to", "between": "between",
    "أكثر من": "over", "اكثر من": "over", "ما يزيد عن": "over", "ما يزيد على": "over",
    "ما لا يقل عن": "at least", "نحو": "about", "حوالي": "about", "حوالى": "about",
    "قرابة": "about", "زهاء": "about", "أقل من": "under", "اقل من": "under",
    "ما يقرب من": "nearly", "بين": "between", "من": "from",
}
_UNITS = {
    "%": "%", "percent": "%", "per cent": "%", "pct": "%", "بالمئة": "%", "بالمائة": "%",
    "في المئة": "%", "في المائة": "%", "بالمية": "%", "Prozent": "%", "pour cent": "%",
    "por ciento": "%", "por cento": "%", "per cento": "%", "procent": "%",
    "km": "km", "kilometres": "km", "kilometers": "km", "kilometre": "km", "kilometer": "km",
    "كم": "km", "كيلومترات": "km", "كيلومترا": "km", "كيلومتر": "km", "كيلو متر": "km",
    "miles": "mi", "mile": "mi", "ميل": "mi", "أميال": "mi",
    "metres": "m", "meters": "m", "metre": "m", "meter": "m", "أمتار": "m", "مترا": "m", "متر": "m",
    "kg": "kg", "kilograms": "kg", "كغ": "kg", "كيلوغرام": "kg",
    "tonnes": "t", "tons": "t", "tonne": "t", "ton": "t", "طنا": "t", "أطنان": "t", "طن": "t",
    "hectares": "ha", "هكتار": "ha", "°C": "°C", "degrees": "°",
}
_CURRENCY_PREFIX = {"US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR",
                    "USD": "USD", "EUR": "EUR", "GBP": "GBP"}
_CURRENCY_SUFFIX = {
    "dollars": "USD", "dollar": "USD", "euros": "EUR", "euro": "EUR", "pounds": "GBP",
    "yen": "JPY", "yuan": "CNY", "rupees": "INR", "riyals": "SAR", "dirhams": "AED",
    "dinars": "IQD", "lira": "TRY", "دولارات": "USD", "دولارا": "USD", "دولار": "USD",
    "يورو": "EUR", "جنيهات": "EGP", "جنيها": "EGP", "جنيه": "EGP", "ريالات": "SAR",
    "ريالا": "SAR", "ريال": "SAR", "ليرات": "SYP", "ليرة": "SYP", "دراهم": "AED", "درهما": "AED",
    "درهم": "AED", "دنانير": "IQD", "دينارا": "IQD", "دينار": "IQD",
}



# Arabic glues "and"/"so" to the next word: "ونحو", "وخمسة".
_QUALIFIER = rf"(?:(?<![^\W\d_])[وف]?(?P<qual>{word_alternation(QUALIFIERS)})\s+)?"
_PREFIX = rf"(?:(?P<cur>{word_alternation(_CURRENCY_PREFIX)})\s?)?"
_SCALE = rf"(?:\s?(?P<scale>{numwords.SCALE_WORD}|m|k)(?![^\W\d_]))?"
_SUFFIX = rf"(?:\s?(?P<unit>{word_alternation(list(_UNITS) + list(_CURRENCY_SUFFIX))})(?![^\W\d_]))?"
_RANGE_JOIN = r"\s?(?P<join>[-–—]|to|and|إلى|الى|حتى|و)\s?"

_NUMBER_DOT = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}|\d+(?:\.\d+)?"
_NUMBER_COMMA = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,3}(?:[\u00a0\u202f]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"


def _quantity_pattern(number: str, ranges: bool) -> re.Pattern[str]:
    num = rf"(?<![\d.,])(?:{number})(?![\d])(?![.,]\d)"
    second = rf"(?:{_RANGE_JOIN}(?P<num2>{num}))?" if ranges else "(?P<num2>(?!))?(?P<join>(?!))?"
    return re.compile(rf"{_QUALIFIER}{_PREFIX}(?P<num>{num}){second}{_SCALE}{_SUFFIX}", re.IGNORECASE)


# (with ranges, without ranges) for each decimal convention
_QUANTITY = {
    False: (_quantity_pattern(_NUMBER_DOT, True), _quantity_pattern(_NUMBER_DOT, False)),
    True: (_quantity_pattern(_NUMBER_COMMA, True), _quantity_pattern(_NUMBER_COMMA, False)),
}
_WORD_QUANTITY = re.compile(
    rf"(?<![^\W\d_])[وف]?{_QUALIFIER}(?:(?P<frac>{numwords.FRACTION_WORD})\s+|(?P<words>{numwords.WORD_NUMBER})\s*|(?P<a>a)\s+)"
    rf"(?P<scale>{numwords.SCALE_WORD})?(?![^\W\d_]){_SUFFIX}",
    re.IGNORECASE,
)
_LATIN_BEFORE = re.compile(r"[A-Za-z]-?$")


@dataclass(frozen=True)
class Figure:
    """One figure as written in a text, with its normalised meaning."""

    text: str
    start: int
    end: int
    kind: str  # number | percent | money | quantity | date | year | code
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


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def extract_figures(text: str, language: str | None = None) -> list[Figure]:
    """All figures in `text`, in order. Offsets index the original `text`."""
    plain = ascii_digits(text)
    figures: list[Figure] = []
    taken: list[tuple[int, int]] = []
    for d in find_dates(plain):
        amounts = frozenset({Decimal(d.year)}) if d.year else frozenset()
        figures.append(Figure(text[d.start:d.end], d.start, d.end, "date", date=d.key, amounts=amounts))
        taken.append((d.start, d.end))
    decimal_comma = language in COMMA_DECIMAL
    with_ranges, single = _QUANTITY[decimal_comma]
    position = 0
    while m := with_ranges.search(plain, position):
        if _joins_two_figures(m):
            m = single.match(plain, m.start())
        position = m.end()
        if _overlaps(m.start("num"), m.end(), taken):
            continue
        figure = _numeric_figure(text, plain, m, decimal_comma)
        if figure:
            figures.append(figure)
            taken.append((figure.start, figure.end))
    for m in _WORD_QUANTITY.finditer(plain):
        if _overlaps(m.start(), m.end(), taken):
            continue
        figure = _word_figure(text, m)
        if figure:
            figures.append(figure)
            taken.append((figure.start, figure.end))
    return sorted(figures, key=lambda f: f.start)


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in taken)


def parse_number(raw: str, decimal_comma: bool = False) -> Decimal | None:
    """'1,250' -> 1250, '3.5' -> 3.5, '1.250.000' -> 1250000 (ASCII digits expected)."""
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


def _numeric_figure(text: str, plain: str, m: re.Match[str], decimal_comma: bool) -> Figure | None:
    g = m.groupdict()
    value = parse_number(g["num"], decimal_comma)
    if value is None:
        return None
    qualifier = QUALIFIERS.get((g["qual"] or "").lower())
    upper = parse_number(g["num2"], decimal_comma) if g["num2"] else None
    end = m.end()
    start = m.start("qual") if qualifier else m.start("cur") if g["cur"] else m.start("num")
    currency = _CURRENCY_PREFIX.get(g["cur"] or "") if g["cur"] else None
    unit_word = g["unit"]
    unit = None
    if unit_word:
        key = unit_word if unit_word in _UNITS or unit_word in _CURRENCY_SUFFIX else unit_word.lower()
        currency = currency or _CURRENCY_SUFFIX.get(key)
        unit = _UNITS.get(key)
    scale = numwords.scale_value(g["scale"], with_currency=currency is not None)
    if g["scale"] and scale == 1:
        # A bare "m" or "k" with no currency is not a scale ("10m" may be metres): stop before it.
        end, unit, currency = (m.end("num2") if g["num2"] else m.end("num")), None, None
    value *= scale
    upper = upper * scale if upper is not None else None
    kind = _kind(value, upper, unit, currency, g, qualifier)
    if kind == "code" and _LATIN_BEFORE.search(plain[max(0, start - 2):start]) is None:
        kind = "number"
    if _LATIN_BEFORE.search(plain[max(0, m.start("num") - 2):m.start("num")]):
        kind = "code"  # G20, MH17, COVID-19: names, not figures
    amounts = frozenset(v for v in (value, upper) if v is not None)
    return Figure(text[start:end].rstrip(), start, start + len(text[start:end].rstrip()), kind,
                  value, upper, currency or unit, qualifier, amounts=amounts)


def _joins_two_figures(m: re.Match[str]) -> bool:
    """'5 and 6' is two figures; only 'between 5 and 6' (بين 5 و6) is a range."""
    join = (m.group("join") or "").lower()
    return join in ("and", "و") and QUALIFIERS.get((m.group("qual") or "").lower()) != "between"


def _kind(value, upper, unit, currency, g, qualifier) -> str:
    if currency:
        return "money"
    if unit == "%":
        return "percent"
    if unit:
        return "quantity"
    is_year = upper is None and not g["scale"] and qualifier is None and re.fullmatch(r"(1[89]|20)\d\d", g["num"])
    return "year" if is_year else "number"


def _word_figure(text: str, m: re.Match[str]) -> Figure | None:
    g = m.groupdict()
    scale = numwords.scale_value(g["scale"])
    if g["frac"]:
        if not g["scale"]:
            return None  # "half of Idlib" is a share, not a count
        base = numwords.FRACTIONS[g["frac"].lower()]
    elif g["a"]:
        if not g["scale"]:
            return None
        base = Decimal(1)
    else:
        base = numwords.word_number_value(g["words"].lower())
        if base is None or (base == 1 and not g["scale"]):
            return None  # a lone "one" is rarely a figure
    value = base * scale
    unit_word = g["unit"]
    currency = _CURRENCY_SUFFIX.get(unit_word) if unit_word else None
    unit = _UNITS.get(unit_word) if unit_word else None
    qualifier = QUALIFIERS.get((g["qual"] or "").lower())
    first = "qual" if qualifier else "frac" if g["frac"] else "words" if g["words"] else "a"
    start = m.start(first)
    span = text[start:m.end()].rstrip()
    kind = "money" if currency else "percent" if unit == "%" else "quantity" if unit else "number"
    return Figure(span, start, start + len(span), kind, value, None, currency or unit, qualifier,
                  amounts=frozenset({value}))


def figures_match(candidate: Figure, source: Figure) -> bool:
    """True when `source` supports `candidate` (same date, or same amount)."""
    if candidate.date:
        return source.date is not None and date_keys_compatible(candidate.date, source.date)
    return bool(candidate.amounts & source.amounts)
