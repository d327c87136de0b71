from decimal import Decimal

import pytest

from bot.core.facts.figures import extract_figures, figures_match
from bot.core.text.normalize import ascii_digits


def values(text: str, language: str = "en") -> list[tuple[str, str]]:
    return [(f.kind, f.normalized) for f in extract_figures(text, language)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("It cost 1,250 dollars.", [("money", "1250")]),
        ("Some 1,250 homes were hit.", [("number", "1250")]),
        ("Prices rose 12-15% last year.", [("percent", "12-15")]),
        ("Since the war began in 2011, over half a million died.", [("year", "2011"), ("number", "500000")]),
        ("Rebels took twelve towns.", [("number", "12")]),
        ("The fund lent $3.5bn.", [("money", "3500000000")]),
        ("Between 5 and 6 tanks; 5 and 6 cars.", [("number", "5-6"), ("number", "5"), ("number", "6")]),
        ("About 10 kilometers from the city.", [("quantity", "10")]),
        ("He flew on MH17 to the G20 summit.", [("code", "17"), ("code", "20")]),
    ],
)
def test_english_figures_are_normalised(text, expected):
    assert values(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("نزح ٣٫٥ مليون شخص", [("number", "3500000")]),
        ("قتل أكثر من ١٤٠ شخصا", [("number", "140")]),
        ("قتل نحو نصف مليون شخص", [("number", "500000")]),
        ("ارتفعت الأسعار ١٥٪", [("percent", "15")]),
        ("بلغت الكلفة ١٢ مليار دولار", [("money", "12000000000")]),
        ("على بعد ۱۰ كم", [("quantity", "10")]),  # Persian digits
        ("سقط خمسة وعشرون جنديا", [("number", "25")]),
        ("بين ١٢ و١٥ في المئة", [("percent", "12-15")]),
    ],
)
def test_arabic_figures_are_normalised(text, expected):
    assert values(text, "ar") == expected


def test_qualifiers_are_kept_in_english_and_arabic():
    assert [f.qualifier for f in extract_figures("more than 40 and nearly 7 people", "en")] == ["over", "nearly"]
    assert [f.qualifier for f in extract_figures("أكثر من ٤٠ ونحو ٧ أشخاص", "ar")] == ["over", "about"]


@pytest.mark.parametrize(
    "text, language, key",
    [
        ("on November 28, 2024", "en", "2024-11-28"),
        ("on 28 Nov 2024", "en", "2024-11-28"),
        ("on Wednesday, November 27", "en", "--11-27"),
        ("في 28 نوفمبر 2024", "ar", "2024-11-28"),
        ("في ٢٨ تشرين الثاني ٢٠٢٤", "ar", "2024-11-28"),
        ("في ٢٨ تشرين الثاني/نوفمبر ٢٠٢٤", "ar", "2024-11-28"),
        ("في 6 آذار 2020", "ar", "2020-03-06"),
        ("published 2025-03-14", "en", "2025-03-14"),
    ],
)
def test_dates_in_both_arabic_month_sets_and_english(text, language, key):
    dates = [f.date for f in extract_figures(text, language) if f.kind == "date"]
    assert dates == [key]


def test_offsets_point_into_the_original_text():
    text = "قتل ١٤٠ شخصا في ٢٨ نوفمبر"
    for figure in extract_figures(text, "ar"):
        assert text[figure.start:figure.end] == figure.text


def test_western_and_arabic_indic_digits_give_the_same_figures():
    arabic_indic = "قالت الهيئة إن ١٬٢٥٠ عاملا شاركوا وإن الكلفة بلغت ٣١٠ ملايين دولار و٣٥٪ منها قرض في ١٣ آذار ٢٠٢٥"
    western = ascii_digits(arabic_indic)
    assert western != arabic_indic
    assert values(western, "ar") == values(arabic_indic, "ar")


def test_comma_decimal_languages():
    assert values("Die Inflation lag bei 2,5 Prozent, der Schaden bei 1.250.000 Euro.", "de") == [
        ("percent", "2.5"), ("money", "1250000")]


def test_a_lone_one_or_a_share_is_not_a_figure():
    assert values("No one knows; they hold half of Idlib.") == []


def test_matching_compares_values_not_spelling():
    source = extract_figures("قتل أكثر من ١٤٠ شخصا في ٢٨ نوفمبر ٢٠٢٤", "ar")
    output = extract_figures("Over 140 people were killed on November 28.", "en")
    assert all(any(figures_match(o, s) for s in source) for o in output)
    changed = extract_figures("Over 150 people were killed on November 29.", "en")
    assert not any(any(figures_match(o, s) for s in source) for o in changed)


def test_amounts_include_both_ends_of_a_range():
    [figure] = extract_figures("12-15 percent", "en")
    assert figure.amounts == {Decimal(12), Decimal(15)}
