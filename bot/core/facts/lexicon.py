"""Word lists the attribution rules share: tokens, Arabic word folding, known bodies, given names.

The lists live in package data (bot/core/facts/data/) so that they can grow without code changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from bot.core.text.normalize import normalize_arabic

# Longest sentence, in characters, that the rules read: real sentences are far shorter, and a
# bound keeps the work per sentence constant on pathological input ("March " * 15000).
MAX_SENTENCE_CHARS = 1200

_TOKEN = re.compile(r"[\w][\w'’.&\-]*|[^\w\s]")
# Tokens whose final full stop belongs to them ("U.S.", "K.C.", "Mr."), not to the sentence.
_KEEPS_STOP = re.compile(r"(?:\w\.){2,}|(?:mr|mrs|ms|dr|prof|st|jr|sr|inc|co|ltd|gen|sen|rep|gov|lt|col|sgt|capt|rev|no)\.",
                         re.IGNORECASE)
_AR_CLITICS = (("و", "ف"), ("لل", "ب", "ل", "ك"), ("ال",))


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum() or self.text[0] == "_"


def tokenize(sentence: str) -> list[Token]:
    """Words (with inner apostrophes, dots and hyphens) and single punctuation marks."""
    tokens: list[Token] = []
    for m in _TOKEN.finditer(sentence[:MAX_SENTENCE_CHARS]):
        text, start, end = m.group(), m.start(), m.end()
        if text.endswith(".") and len(text) > 1 and not _KEEPS_STOP.fullmatch(text):
            tokens.append(Token(text.rstrip("."), start, start + len(text.rstrip("."))))
            tokens.append(Token(".", end - 1, end))
            continue
        for suffix in ("'s", "’s"):  # a possessive is its own token: "Trust’s figures"
            if text.endswith(suffix) and len(text) > 2:
                tokens.append(Token(text[:-2], start, end - 2))
                tokens.append(Token(suffix, end - 2, end))
                break
        else:
            tokens.append(Token(text, start, end))
    return tokens


@lru_cache(maxsize=1 << 16)  # pure, and the same few thousand words come back in every article
def arabic_stem(word: str) -> str:
    """An Arabic word without its clitic prefixes (و ف, then ب ل ك, then ال) and with
    alef/hamza and taa marbuta folded: والمرصد, بالمرصد and مرصد compare equal."""
    word = normalize_arabic(word).replace("ة", "ه").replace("ـ", "")
    for group in _AR_CLITICS:
        for prefix in group:
            if word.startswith(prefix) and len(word) - len(prefix) >= 2:
                word = word[len(prefix):]
                break
    return word


def fold_name(name: str) -> tuple[str, ...]:
    """The comparable words of a name: case- and Arabic-spelling-insensitive."""
    words = re.findall(r"\w+", name.casefold().replace("’", "'"))
    return tuple(arabic_stem(w) if _is_arabic(w) else w for w in words)


def _is_arabic(word: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in word)


def _data_lines(name: str) -> list[str]:
    text = resources.files("bot.core.facts").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class Bodies:
    """Known agencies, outlets and international bodies: every alias to the name shown."""

    by_words: dict[tuple[str, ...], str]
    longest: int

    def match(self, words: list[str], at: int) -> tuple[str, int] | None:
        """The known body whose words start at `at` (longest first): (name, words used)."""
        end = at
        while end < len(words) and end - at < self.longest and words[end][0].isalnum():
            end += 1
        for length in range(end - at, 0, -1):
            key = fold_name(" ".join(words[at:at + length]))
            if key in self.by_words:
                return self.by_words[key], length
        return None

    def canonical(self, name: str) -> str | None:
        return self.by_words.get(fold_name(name))


@lru_cache(maxsize=1)
def bodies() -> Bodies:
    by_words: dict[tuple[str, ...], str] = {}
    for line in _data_lines("bodies.txt"):
        forms = [form.strip() for form in line.split("|")]
        for form in forms:
            by_words.setdefault(fold_name(form), forms[0])
            if form.casefold().startswith("the "):
                by_words.setdefault(fold_name(form[4:]), forms[0])
    return Bodies(by_words, max(len(key) for key in by_words))


def given_name_form(word: str) -> str:
    """Alef and hamza folded but alef maqsura kept: the name علي is not the preposition على."""
    return normalize_arabic(word.replace("ى", "\0")).replace("\0", "ى")


@lru_cache(maxsize=1)
def arabic_given_names() -> frozenset[str]:
    return frozenset(given_name_form(name) for name in _data_lines("arabic_given_names.txt"))
