"""What a number counts: qualifiers before it, currencies and units around it.

A currency gets an ISO code only when the text names one: "$", "dollars" and "دولار" are
US dollars by the convention of news copy, "دينار كويتي" is KWD, but a bare "dinar",
"riyal", "pound" or "lira" (used by several countries) stays a currency without a country.
Units keep their dimension: "متر مكعب" and "cubic metres" are m³, not m.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.core.text.normalize import word_alternation

QUALIFIERS = {
    "more than": "over", "over": "over", "at least": "at least", "nearly": "nearly",
    "almost": "nearly", "about": "about", "around": "about", "approximately": "about",
    "roughly": "about", "some": "about", "up to": "up to", "less than": "under",
    "fewer than": "under", "under": "under", "at most": "up to", "between": "between",
    "just under": "under", "just over": "over", "as many as": "up to",
    "أكثر من": "over", "اكثر من": "over", "ما يزيد عن": "over", "ما يزيد على": "over",
    "ما لا يقل عن": "at least", "نحو": "about", "حوالي": "about", "حوالى": "about",
    "قرابة": "about", "زهاء": "about", "أقل من": "under", "اقل من": "under",
    "ما يقرب من": "nearly", "بين": "between", "ما بين": "between", "من": "from",
}

# Arabic writes tanween and tatweel on these words now and then ("متراً مربعاً").
_MARKS = "[\u064b-\u0652\u0640]*"

_UNITS = {
    "%": "%", "percent": "%", "per cent": "%", "pct": "%", "percentage points": "pp",
    "بالمئة": "%", "بالمائة": "%", "في المئة": "%", "في المائة": "%", "بالمية": "%",
    "Prozent": "%", "pour cent": "%", "por ciento": "%", "por cento": "%", "per cento": "%", "procent": "%",
    "km": "km", "kilometres": "km", "kilometers": "km", "kilometre": "km", "kilometer": "km",
    "كم": "km", "كيلومترات": "km", "كيلومترا": "km", "كيلومتر": "km", "كيلو متر": "km",
    "كيلو مترات": "km", "كيلو مترا": "km",
    "square kilometres": "km²", "square kilometers": "km²", "sq km": "km²", "km2": "km²", "km²": "km²",
    "كيلومتر مربع": "km²", "كيلومترا مربعا": "km²", "كيلومترات مربعة": "km²", "كيلو متر مربع": "km²",
    "كيلو مترا مربعا": "km²", "كيلو مترات مربعة": "km²", "كم2": "km²", "كم مربع": "km²",
    "square miles": "mi²", "square metres": "m²", "square meters": "m²", "sq m": "m²", "m2": "m²", "m²": "m²",
    "متر مربع": "m²", "مترا مربعا": "m²", "أمتار مربعة": "m²", "م2": "m²",
    "cubic metres": "m³", "cubic meters": "m³", "cubic metre": "m³", "cubic meter": "m³", "m3": "m³", "m³": "m³",
    "متر مكعب": "m³", "مترا مكعبا": "m³", "أمتار مكعبة": "m³", "امتار مكعبة": "m³", "م3": "m³",
    "miles": "mi", "mile": "mi", "ميل": "mi", "أميال": "mi", "ميلا": "mi",
    "metres": "m", "meters": "m", "metre": "m", "meter": "m", "أمتار": "m", "امتار": "m", "مترا": "m", "متر": "m",
    "feet": "ft", "foot": "ft", "inches": "in", "cm": "cm", "centimetres": "cm", "centimeters": "cm",
    "سم": "cm", "سنتيمترا": "cm", "سنتيمتر": "cm", "mm": "mm", "millimetres": "mm", "millimeters": "mm", "ملم": "mm",
    "kg": "kg", "kilograms": "kg", "kilogrammes": "kg", "كغ": "kg", "كيلوغرام": "kg", "كيلوغراما": "kg",
    "كيلوغرامات": "kg", "كيلو غرام": "kg", "كيلوجرام": "kg", "كيلوجراما": "kg", "كيلوجرامات": "kg", "كجم": "kg",
    "metric tons": "t", "metric tonnes": "t", "tonnes": "t", "tons": "t", "tonne": "t", "ton": "t",
    "طن متري": "t", "طنا": "t", "أطنان": "t", "اطنان": "t", "طن": "t",
    "hectares": "ha", "hectare": "ha", "هكتار": "ha", "هكتارا": "ha", "acres": "acre",
    "barrels": "bbl", "barrel": "bbl", "برميل": "bbl", "برميلا": "bbl", "براميل": "bbl",
    "megawatts": "MW", "MW": "MW", "ميغاواط": "MW", "ميجاوات": "MW", "gigawatts": "GW", "GW": "GW",
    "litres": "l", "liters": "l", "لتر": "l", "لترا": "l", "gallons": "gal",
    "°C": "°C", "°F": "°F", "degrees": "°", "درجة": "°", "درجات": "°",
}

# ISO codes for names that belong to one currency.
_NAMED = {
    "US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "A$": "AUD", "C$": "CAD", "HK$": "HKD",
    "₩": "KRW", "₺": "TRY", "₽": "RUB", "₪": "ILS", "USD": "USD", "EUR": "EUR", "GBP": "GBP",
    "dollars": "USD", "dollar": "USD", "US dollars": "USD", "euros": "EUR", "euro": "EUR",
    "sterling": "GBP", "pounds sterling": "GBP", "yen": "JPY", "yuan": "CNY", "renminbi": "CNY",
    "دولارات": "USD", "دولارا": "USD", "دولار": "USD", "يورو": "EUR",
    "جنيه إسترليني": "GBP", "جنيه استرليني": "GBP", "جنيها إسترلينيا": "GBP", "جنيها استرلينيا": "GBP",
}
# Names several countries use: a country only when the text gives it.
_SHARED = {
    "pounds": "pound", "pound": "pound", "riyals": "riyal", "rials": "riyal", "dirhams": "dirham",
    "dinars": "dinar", "lira": "lira", "rupees": "rupee", "pesos": "peso", "francs": "franc",
    "جنيهات": "pound", "جنيها": "pound", "جنيه": "pound", "ريالات": "riyal", "ريالا": "riyal", "ريال": "riyal",
    "ليرات": "lira", "ليرة": "lira", "دراهم": "dirham", "درهما": "dirham", "درهم": "dirham",
    "دنانير": "dinar", "دينارا": "dinar", "دينار": "dinar",
}
_EN_COUNTRY = {
    "Saudi": {"riyal": "SAR"}, "Qatari": {"riyal": "QAR"}, "Omani": {"riyal": "OMR"}, "Iranian": {"riyal": "IRR"},
    "Iraqi": {"dinar": "IQD"}, "Kuwaiti": {"dinar": "KWD"}, "Jordanian": {"dinar": "JOD"},
    "Bahraini": {"dinar": "BHD"}, "Libyan": {"dinar": "LYD"}, "Tunisian": {"dinar": "TND"},
    "Algerian": {"dinar": "DZD"}, "Egyptian": {"pound": "EGP"}, "Syrian": {"pound": "SYP", "lira": "SYP"},
    "Lebanese": {"pound": "LBP", "lira": "LBP"}, "Turkish": {"lira": "TRY"}, "Moroccan": {"dirham": "MAD"},
    "Emirati": {"dirham": "AED"}, "UAE": {"dirham": "AED"}, "Indian": {"rupee": "INR"},
    "Pakistani": {"rupee": "PKR"}, "Mexican": {"peso": "MXN"}, "Swiss": {"franc": "CHF"},
    "Australian": {"USD": "AUD"}, "Canadian": {"USD": "CAD"}, "Hong Kong": {"USD": "HKD"},
}
_AR_COUNTRY = {
    "سعودي": {"riyal": "SAR"}, "قطري": {"riyal": "QAR"}, "عماني": {"riyal": "OMR"}, "يمني": {"riyal": "YER"},
    "إيراني": {"riyal": "IRR"}, "ايراني": {"riyal": "IRR"}, "عراقي": {"dinar": "IQD"},
    "كويتي": {"dinar": "KWD"}, "أردني": {"dinar": "JOD"}, "اردني": {"dinar": "JOD"},
    "بحريني": {"dinar": "BHD"}, "ليبي": {"dinar": "LYD"}, "تونسي": {"dinar": "TND"},
    "جزائري": {"dinar": "DZD"}, "مصري": {"pound": "EGP"}, "سوداني": {"pound": "SDG"},
    "سوري": {"lira": "SYP", "pound": "SYP"}, "لبناني": {"lira": "LBP", "pound": "LBP"},
    "تركي": {"lira": "TRY"}, "إماراتي": {"dirham": "AED"}, "اماراتي": {"dirham": "AED"},
    "مغربي": {"dirham": "MAD"}, "أمريكي": {"USD": "USD"}, "امريكي": {"USD": "USD"},
    "كندي": {"USD": "CAD"}, "أسترالي": {"USD": "AUD"},
}
# Chinese and Japanese write the unit straight after the number ("12万元", "3千米").
_CJK = {"美元": "USD", "欧元": "EUR", "英镑": "GBP", "日元": "JPY", "円": "JPY", "人民币": "CNY", "元": "CNY"}
_CJK_UNITS = {"公里": "km", "千米": "km", "平方公里": "km²", "立方米": "m³", "米": "m", "吨": "t", "公斤": "kg"}

CURRENCY_PREFIX = {k: v for k, v in _NAMED.items() if not k.isalpha() or k.isupper()}


def _phrase(words: str) -> str:
    """A regex for a phrase, letting Arabic case endings follow each word."""
    return r"\s+".join(re.escape(w) + (_MARKS if not w.isascii() else "") for w in words.split())


def _alternation(phrases: Iterable[str]) -> str:
    return "|".join(_phrase(p) for p in sorted(phrases, key=len, reverse=True))


_NOT_LETTER = r"(?![^\W\d_])"
_CURRENCIES = {**_NAMED, **_SHARED}
_CURRENCY_WORDS = [k for k in _CURRENCIES if k not in CURRENCY_PREFIX]
_SUFFIX = re.compile(
    rf"\s?(?:(?:(?P<en_country>{word_alternation(_EN_COUNTRY)})\s+)?(?P<currency>{_alternation(_CURRENCY_WORDS)})"
    rf"|(?P<unit>{_alternation(_UNITS)})){_NOT_LETTER}"
    rf"(?:\s+(?P<ar_country>{word_alternation(_AR_COUNTRY)})(?:ا|ة|ين|ون|ه)?{_MARKS}{_NOT_LETTER})?",
    re.IGNORECASE,
)
_CJK_SUFFIX = re.compile(rf"\s?(?:(?P<currency>{word_alternation(_CJK)})|(?P<unit>{word_alternation(_CJK_UNITS)}))")
_MARK_CHARS = re.compile(_MARKS)


@dataclass(frozen=True)
class Measure:
    end: int
    unit: str | None       # "%", "km", "m³"
    currency: str | None   # "USD", "KWD", or "dinar" when no country is named


def measure_after(text: str, position: int) -> Measure | None:
    """The unit or currency written right after a number at `position`, if any."""
    m = _SUFFIX.match(text, position)
    if m is None:
        cjk = _CJK_SUFFIX.match(text, position)
        if cjk is None:
            return None
        return Measure(cjk.end(), _CJK_UNITS.get(cjk["unit"] or ""), _CJK.get(cjk["currency"] or ""))
    if m["unit"]:
        return Measure(m.end("unit"), _lookup(_UNITS, m["unit"]), None)
    currency = _lookup(_CURRENCIES, m["currency"])
    if m["en_country"]:
        currency = (_lookup(_EN_COUNTRY, m["en_country"]) or {}).get(currency, currency)
    if m["ar_country"]:
        by_country = (_lookup(_AR_COUNTRY, m["ar_country"]) or {}).get(currency)
        if by_country:
            return Measure(m.end(), None, by_country)
    return Measure(m.end("currency"), None, currency)


def _fold(table: dict[str, Any]) -> dict[str, Any]:
    return {_MARK_CHARS.sub("", k).lower(): v for k, v in table.items()}


_FOLDED = {id(t): _fold(t) for t in (_UNITS, _CURRENCIES, _EN_COUNTRY, _AR_COUNTRY)}


def _lookup(table: dict[str, Any], key: str) -> Any:
    """Table lookups that forgive case, spacing and Arabic case endings."""
    return _FOLDED[id(table)].get(_MARK_CHARS.sub("", " ".join(key.split())).lower())


def qualifier_name(words: str | None) -> str | None:
    return QUALIFIERS.get(" ".join((words or "").lower().split())) if words else None
