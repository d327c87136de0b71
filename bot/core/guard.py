"""The figure guard: no engine may drop, change or invent a number.

Pure functions over text. A translated or generated sentence is compared with
the text it came from, figure by figure, by normalised value (so "120 ألف" and
"120,000", or "١٤٠" and "140", are the same figure). The engines decide what to
do about a mismatch: take another of the beam's hypotheses that keeps the figures
(`first_faithful`), else retry once, then `repair` it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.facts.figures import Figure, FigureIndex, extract_figures, figures_match
from bot.core.text.normalize import ascii_digits

# How the engines begin each warning about a guard repair; metrics, channel stats and digests count them.
GUARD_WARNING = "Figure guard"


def guard_repairs(warnings: Iterable[str]) -> int:
    """How many of a brief's warnings report a figure-guard repair."""
    return sum(warning.startswith(GUARD_WARNING) for warning in warnings)


@dataclass(frozen=True)
class FigureCheck:
    missing: list[Figure]    # in the source, not in the output (dropped or changed)
    invented: list[Figure]   # in the output, not in the source

    @property
    def ok(self) -> bool:
        return not self.missing and not self.invented


def check_figures(source: str, source_language: str, output: str, output_language: str) -> FigureCheck:
    """Which of the source's figures the output lost, and which it made up."""
    wanted = extract_figures(source, source_language)
    return _check(wanted, FigureIndex(wanted), written_numbers(source), output, output_language)


def _check(wanted: list[Figure], wanted_index: FigureIndex, source_numbers: set[str],
           output: str, output_language: str) -> FigureCheck:
    given = extract_figures(output, output_language)
    given_index = FigureIndex(given)
    missing = [f for f in wanted if not given_index.matches(f)]
    invented = [g for g in given if not wanted_index.supports(g)]
    invented += _stray_numbers(output, given, source_numbers)
    return FigureCheck(missing, sorted(invented, key=lambda f: f.start))


def _stray_numbers(output: str, given: list[Figure], source_numbers: set[str]) -> list[Figure]:
    """Digits the figure reader does not take for a figure ("1,5 1,7", a malformed thousands
    group a model made up) and whose digits the source never shows: invented all the same."""
    taken = [(f.start, f.end) for f in given]
    stray = []
    for match in _WRITTEN_NUMBER.finditer(output):
        start, end = match.span()
        if any(start < right and left < end for left, right in taken):
            continue
        if written_numbers(match.group()) <= source_numbers:
            continue
        stray.append(Figure(match.group(), start, end, "number"))
    return stray


def first_faithful(source: str, source_language: str, candidates: list[str], output_language: str) -> int | None:
    """The index of the first of `candidates` (translations of `source`, the best-scoring first, as
    a beam search ranks its hypotheses) that keeps exactly the source's figures; None if none does."""
    wanted = extract_figures(source, source_language)
    wanted_index, source_numbers = FigureIndex(wanted), written_numbers(source)
    return next((i for i, candidate in enumerate(candidates)
                 if _check(wanted, wanted_index, source_numbers, candidate, output_language).ok), None)


@dataclass(frozen=True)
class Repair:
    text: str
    note: str | None  # what was done, for the brief's warnings; None when nothing was needed


def repair(source: str, source_language: str, output: str, output_language: str) -> Repair:
    """Make `output` carry exactly the source's figures, or give the source sentence back.

    When the output changed figures one for one, the source's figures are written
    in their place; numbers it invented are removed; when it dropped a figure, the
    sentence is shown untranslated, because a translation without the number would
    tell less than the truth.
    """
    check = check_figures(source, source_language, output, output_language)
    if check.ok:
        return Repair(output, None)
    if _one_for_one(check):
        fixed = _substitute(output, check.invented, check.missing, output_language)
        if check_figures(source, source_language, fixed, output_language).ok:
            return Repair(fixed, "changed figures were restored from the source: " + ", ".join(
                f"{m.text} (not {i.text})" for m, i in zip(check.missing, check.invented, strict=True)))
    if not check.missing:
        return Repair(_remove(output, check.invented),
                      "numbers not in the source were removed: " + ", ".join(f.text for f in check.invented))
    return Repair(source, "shown untranslated: the translation lost " + ", ".join(f.text for f in check.missing))


def unsupported_sentences(sentences: list[str], source: str, source_language: str, language: str) -> list[int]:
    """Indexes of generated sentences holding a figure that the source does not (for summaries)."""
    wanted = FigureIndex(extract_figures(source, source_language))
    return [i for i, sentence in enumerate(sentences)
            if not all(wanted.supports(g) for g in extract_figures(sentence, language))]


_DIGITS = re.compile(r"[0-9٠-٩۰-۹](?:[0-9٠-٩۰-۹.,٬٫]*[0-9٠-٩۰-۹])?")
# A number as written: digits with decimal marks or thousands separators ("20,000", "2.5",
# "20 000" with a no-break or thin space), in any script's digits. A plain space is no
# separator here: "in 2014 200 people" holds two numbers.
_WRITTEN_NUMBER = re.compile(r"\d+(?:(?:[.,'’٫٬，．]|[\u00a0\u202f\u2009](?=\d{3}(?!\d)))\d+)*")


def written_numbers(text: str) -> set[str]:
    """The numbers `text` shows, each by its digits alone ("20,000" and "20.000" are "20000"): a
    "000" or "2" cut from "20,000" or "2,100,000" is no number of the text it came from."""
    plain = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)
    return {re.sub(r"\D", "", n) for n in _WRITTEN_NUMBER.findall(plain)}



def _one_for_one(check: FigureCheck) -> bool:
    """Each wrong figure stands where a right one should: same count, and pairwise the
    same kind, qualifier and unit ("more than 150 km" for "more than 140 km")."""
    if len(check.missing) != len(check.invented):
        return False
    return all(_plain_number(right) and _plain_number(wrong) and right.qualifier == wrong.qualifier
               and (right.unit == wrong.unit or not (right.unit and wrong.unit))  # a unit one side did not see
               and (right.kind == wrong.kind or {right.kind, wrong.kind} == {"number", "quantity"})
               for right, wrong in zip(check.missing, check.invented, strict=True))


def _plain_number(figure: Figure) -> bool:
    """A single amount written in digits: safe to rewrite in place of another."""
    return figure.date is None and figure.upper is None and figure.value is not None and bool(_DIGITS.search(figure.text))


def _substitute(output: str, wrong: list[Figure], right: list[Figure], language: str) -> str:
    """Writes each right value over the wrong one's digits, keeping the output's own
    words around them ("More than", "million", "km")."""
    pairs = sorted(zip(wrong, right, strict=True), key=lambda pair: pair[0].start, reverse=True)
    for bad, good in pairs:
        digits = _DIGITS.search(bad.text)
        assert digits is not None  # _one_for_one lets only figures written in digits through
        for spelling in (_as_written(good), _in_full(good)):
            fixed = bad.text[:digits.start()] + spelling + bad.text[digits.end():]
            if any(figures_match(f, good) for f in extract_figures(fixed, language)):
                output = output[:bad.start] + fixed + output[bad.end:]
                break
    return output


def _as_written(figure: Figure) -> str:
    """'310' of '310 ملايين': right when the output kept the scale word."""
    digits = _DIGITS.search(figure.text)
    assert digits is not None  # a _plain_number
    return ascii_digits(digits.group())


def _in_full(figure: Figure) -> str:
    """'120,000' of '١٢٠ ألف': right when the output wrote the number out."""
    assert figure.value is not None  # a _plain_number
    return f"{figure.value.normalize():,f}"


def _remove(output: str, invented: list[Figure]) -> str:
    for figure in sorted(invented, key=lambda f: f.start, reverse=True):
        output = output[:figure.start] + output[figure.end:]
    return re.sub(r"\s{2,}", " ", re.sub(r"\s+([,.;:!?])", r"\1", output)).strip()
