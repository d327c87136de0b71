"""Who an article quotes or credits: "according to X", "X said", "قال X", "بحسب X"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_EN_VERBS = ("said|says|reported|reports|stated|states|told|noted|claimed|announced|confirmed|"
             "added|warned|estimated|according")
# A capitalised name, allowing the small words inside organisation names
# ("Syrian Observatory for Human Rights", "Ministry of Defense", "Hayat Tahrir al-Sham").
_NAME = r"(?:[A-Z][\w'’.-]*|al-\w+)(?:\s+(?:(?:of|for|on|the|and|de|du|al|el|bin|van|von)\s+)*(?:[A-Z][\w'’.-]*|al-\w+))*"
_EN_PATTERNS = [
    re.compile(rf"\b(?:[Aa]ccording to|[Cc]iting|[Ss]ource:|[Pp]er)\s+(?:the\s+)?(?P<name>{_NAME})"),
    re.compile(rf"(?:^|[.,;:]\s+|\s)(?:[Tt]he\s+)?(?P<name>{_NAME})(?:,[^,]{{1,80}},)?\s+(?:{_EN_VERBS})\b"),
    re.compile(rf"\b(?:said|told|reported|stated|added)\s+(?:the\s+)?(?P<name>{_NAME})"),
    re.compile(rf"\b(?:reported|announced|quoted)\s+by\s+(?:the\s+)?(?P<name>{_NAME})"),
]
_AR_VERBS = ("قال|قالت|أفاد|أفادت|افاد|افادت|ذكر|ذكرت|أعلن|أعلنت|اعلن|اعلنت|أكد|أكدت|اكد|اكدت|"
             "نقلت|نقل|صرح|صرحت|أوضح|أوضحت|أشار|أشارت|كشف|كشفت")
# The name runs until a word that starts the reported clause or a preposition.
_AR_STOP = r"(?:إن|ان|أن|إنه|أنه|انه|بأن|بان|في|على|عن|إلى|الى|يوم|اليوم|أمس|الخميس|الأربعاء|الجمعة|السبت|الأحد|الاثنين|الثلاثاء|خلال|لـ|ل|مساء|صباح)"
_AR_LETTERS = "[\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06ff]+"
_AR_RUN = rf"(?P<name>{_AR_LETTERS}(?:\s(?!{_AR_STOP}\b){_AR_LETTERS}){{0,5}})"
_AR_PATTERNS = [
    re.compile(rf"(?:وفقا|وفقاً|طبقا|طبقاً)\s+(?:لما\s+(?:ذكرته|أعلنته|أفادت به)\s+)?(?:لـ\s?|ل){_AR_RUN}"),
    re.compile(rf"(?:بحسب|حسب)\s+(?:ما\s+(?:ذكر|ذكرت|أفاد|أفادت|أعلن|أعلنت|نقلت)\s+)?{_AR_RUN}"),
    re.compile(rf"(?<![\u0600-\u06ff])[وف]?(?:{_AR_VERBS})\s+{_AR_RUN}"),
]
_EN_NOT_NAMES = frozenset({"he", "she", "it", "they", "we", "i", "you", "this", "that", "there",
                           "officials", "police", "witnesses", "sources", "reports", "residents",
                           "a", "an", "in", "on", "as", "but", "and", "if", "when", "while"})
_AR_NOT_NAMES = frozenset({"مصدر", "مصادر", "مسؤول", "مسؤولون", "شهود", "إنه", "انه", "أنه", "التقرير"})


@dataclass(frozen=True)
class Attribution:
    name: str
    sentence: int  # index of the sentence it was found in


def find_attributions(sentences: list[str], language: str | None) -> list[Attribution]:
    """Named sources in reading order, one entry per name (shorter repeats merged)."""
    patterns = _AR_PATTERNS if language in ("ar", "fa", "ur") else _EN_PATTERNS
    found: list[Attribution] = []
    for index, sentence in enumerate(sentences):
        for pattern in patterns:
            for m in pattern.finditer(sentence):
                name = _clean(m.group("name"), language)
                if name:
                    found.append(Attribution(name + _acronym_after(sentence, m.end("name")), index))
    return _merge(found)


_ACRONYM = re.compile(r"\s*\(([^()\s]{2,12})\)")


def _acronym_after(sentence: str, end: int) -> str:
    """' (ISNA)' when the name is followed by its acronym in brackets."""
    m = _ACRONYM.match(sentence, end)
    return f" ({m.group(1)})" if m else ""


def _clean(name: str, language: str | None) -> str | None:
    name = name.strip(" ،,.:;\"'«»")
    if language in ("ar", "fa", "ur"):
        words = name.split()
        if not words or words[0] in _AR_NOT_NAMES or len(words[0]) < 3:
            return None
        if len(words) == 1 and words[0].startswith("ال"):
            return None  # "الهيئة", "الوزارة": a reference back, not a name
        return name
    words = name.split()
    while words and words[0].lower() in ("the",):
        words.pop(0)
    while words and words[-1].lower() in ("of", "for", "on", "the", "and", "de", "al"):
        words.pop()
    if not words or words[0].lower() in _EN_NOT_NAMES:
        return None
    if len(words) == 1 and words[0].lower() in _EN_NOT_NAMES | {"but", "so", "also"}:
        return None
    return " ".join(words)


def _merge(found: list[Attribution]) -> list[Attribution]:
    """Drop a name that is contained in a longer one ("Observatory" in "Syrian Observatory …")."""
    names = [a.name for a in found]
    kept: list[Attribution] = []
    seen: set[str] = set()
    for attribution in found:
        folded = attribution.name.casefold()
        if folded in seen:
            continue
        longer = [n for n in names if n != attribution.name and _contains_words(n, attribution.name)]
        if longer:
            continue
        seen.add(folded)
        kept.append(attribution)
    return kept


def _contains_words(longer: str, shorter: str) -> bool:
    return f" {shorter.casefold()} " in f" {longer.casefold()} "
