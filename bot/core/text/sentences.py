"""Sentence splitting and word counting for any language.

pysbd handles the languages it knows well (abbreviations, decimals, quotes). Its
Arabic rules split at the Arabic comma and after the "د." of Dr., so Arabic script
goes through a small rule set here, which also ends a sentence at a full stop glued
to the next word ("…إلى نوح.و تعني…"), as Arabic news often writes it. Languages
pysbd lacks go through sentencex (Wikimedia), which knows their abbreviations
(bench/sentences.py measures it against the rules). Thai, Lao, Khmer and Burmese
write no full stops: a space between two words of the script ends a sentence there.
Chinese and Japanese words are not spaced, so words are counted from characters.
Any sentence far too long to be a point (a text with no punctuation at all) is cut
at its clause breaks.
"""

from __future__ import annotations

import math
import re

import pysbd
from sentencex import segment as sentencex_segment

_PYSBD_LANGUAGES = frozenset({"en", "hi", "mr", "zh", "es", "am", "hy", "bg", "ru", "pl",
                              "nl", "da", "fr", "my", "el", "it", "ja", "de", "kk", "sk"})
_ARABIC_SCRIPT = frozenset({"ar", "fa", "ur", "ps", "sd", "ug", "ku"})
_SPACED_CLAUSE_SCRIPTS = frozenset({"th", "lo", "km"})

_ARABIC_LETTER = "\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff"
_TERMINATOR = r"[.!?؟。！？…۔]+"
_CLOSERS = "\"'»”’)]"
# A sentence ends at a terminator followed by a space, or, in Arabic script, by a letter.
_BOUNDARY = re.compile(rf"{_TERMINATOR}[{re.escape(_CLOSERS)}]*(?:\s+(?=\S)|(?=[{_ARABIC_LETTER}]))")
# Abbreviations that end in a full stop but not a sentence (Dr., Prof., P.O. Box, e.g.).
_ABBREVIATIONS = frozenset({"أ.د", "ص.ب", "م.م", "ق.م", "dr", "mr", "mrs", "ms",
                            "prof", "st", "no", "vs", "e.g", "i.e", "etc", "gen", "col", "lt"})
_LAST_WORD = re.compile(r"(\S+)\.\s*$")

# Characters of scripts written without spaces between words, and about how many of
# them make one word: Chinese words average 1.5-2 characters, Thai words about 4-5.
_HAN_KANA = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SOUTHEAST_ASIAN = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
_UNSPACED = re.compile(rf"[{_HAN_KANA}{_SOUTHEAST_ASIAN}]")
_HAN_KANA_CHAR = re.compile(rf"[{_HAN_KANA}]")
_CHARS_PER_WORD = {"han_kana": 1.5, "southeast_asian": 4.0}
_SOUTHEAST_ASIAN_GAP = re.compile(rf"(?<=[{_SOUTHEAST_ASIAN}])\s+(?=[{_SOUTHEAST_ASIAN}])")
# A lone surrogate is no character; sentencex encodes its input to UTF-8 and fails on one.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_PYSBD_WINDOW = 2000  # characters; pysbd is quadratic (see _pysbd_by_windows)
_MIN_CLAUSE_CHARS = 20  # a Thai "sentence" shorter than this is a phrase: it joins the next

# A sentence longer than this cannot be a point: it is cut at clause breaks into
# pieces of about _CLAUSE_WORDS words.
_MAX_SENTENCE_WORDS = 80
_CLAUSE_WORDS = 30
# A comma or colon between two digits is part of a number ("20,000", "10:30"), never a break.
# Words of a clause, a number spaced in thousands ("20 000") counting as one.
_NUMBER_OR_WORD = re.compile(r"\d{1,3}(?: \d{3})+(?!\S)|\S+")
_CLAUSE_BREAK = re.compile(r"(?<=[,;:،؛，、；：])(?!\d)\s*|(?<=[,;:،؛，、；：])\s+|\s+(?=[–—]\s)")


def count_words(text: str) -> int:
    """Words of `text`: spaced words, plus word-equivalents of Chinese, Japanese, Thai and
    other unspaced scripts counted from their characters."""
    han_kana = len(_HAN_KANA_CHAR.findall(text))
    southeast_asian = len(_UNSPACED.findall(text)) - han_kana
    spaced = sum(1 for token in _UNSPACED.sub(" ", text).split() if any(c.isalnum() for c in token))
    return spaced + math.ceil(han_kana / _CHARS_PER_WORD["han_kana"]
                              + southeast_asian / _CHARS_PER_WORD["southeast_asian"])


def _segmenter(language: str) -> pysbd.Segmenter:
    # A Segmenter keeps the text it is working on in an attribute, so one shared
    # instance is not safe across the Briefer's worker threads; building one takes ~1 µs.
    return pysbd.Segmenter(language=language, clean=False)


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """Sentences of one paragraph of prose, stripped, none empty."""
    text = " ".join(_LONE_SURROGATE.sub("\ufffd", text).split())
    if not text:
        return []
    if language in _SPACED_CLAUSE_SCRIPTS or (language is None and _SOUTHEAST_ASIAN_GAP.search(text)):
        pieces = _split_at_script_spaces(text)
    elif language in _PYSBD_LANGUAGES:
        pieces = _pysbd_by_windows(text, language)
    elif language in _ARABIC_SCRIPT or not language:
        pieces = _split_by_rules(text)
    else:
        pieces = list(sentencex_segment(language, text))
    return [part for piece in _with_closers_attached(pieces) for part in _by_clause_length(piece)]


def _pysbd_by_windows(text: str, language: str) -> list[str]:
    """pysbd's sentences of `text`, segmented a window of about _PYSBD_WINDOW characters at a
    time: pysbd's time grows with the square of its input ("Mr. " or "March " repeated: 20 KB
    took 1.2 s), and a paragraph may be a megabyte. The last sentence of a window may run on,
    so it starts the next window; one longer than half a window is a run-on that
    _by_clause_length cuts anyway, so it is kept as it is and each window moves on."""
    sentences: list[str] = []
    rest = text
    while len(rest) > _PYSBD_WINDOW:
        cut = rest.rfind(" ", _PYSBD_WINDOW // 2, _PYSBD_WINDOW)
        cut = cut if cut > 0 else _PYSBD_WINDOW
        pieces = [p.strip() for p in _segmenter(language).segment(rest[:cut]) if p.strip()]
        carried = pieces.pop() if pieces and len(pieces[-1]) <= _PYSBD_WINDOW // 2 else ""
        sentences.extend(pieces)
        rest = f"{carried} {rest[cut:].lstrip()}".strip()
    return sentences + [str(p) for p in _segmenter(language).segment(rest)]


def _with_closers_attached(pieces: list[str]) -> list[str]:
    """A closing quote set apart by a space ("… on April 9. '", as Daily Mail text has it) ends
    the sentence before it; it is no sentence of its own."""
    joined: list[str] = []
    for piece in (p.strip() for p in pieces):
        if joined and piece and all(c in _CLOSERS for c in piece):
            joined[-1] = f"{joined[-1]} {piece}"
        elif piece:
            joined.append(piece)
    return joined


def _split_by_rules(text: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        candidate = text[start:m.end()]
        if _ends_in_abbreviation(candidate) or _next_starts_lowercase(text, m.end()):
            continue
        sentences.append(candidate)
        start = m.end()
    sentences.append(text[start:])
    return sentences


def _ends_in_abbreviation(candidate: str) -> bool:
    m = _LAST_WORD.search(candidate.rstrip())
    if not m:
        return False
    word = m.group(1).lstrip("(\"'«").lower()
    # Initials ("J. Smith", "د. أحمد") and the listed abbreviations never end a sentence.
    return word in _ABBREVIATIONS or len(word) == 1 and word.isalpha()


def _next_starts_lowercase(text: str, index: int) -> bool:
    return text[index:index + 1].islower()


def _split_at_script_spaces(text: str) -> list[str]:
    """Thai-like scripts end a sentence with a space; spaces beside digits or Latin words are
    just spaces. Pieces too short to be a sentence join the next one."""
    sentences: list[str] = []
    pending = ""
    for piece in _SOUTHEAST_ASIAN_GAP.split(text):
        pending = f"{pending} {piece}".strip()
        if len(pending) >= _MIN_CLAUSE_CHARS:
            sentences.append(pending)
            pending = ""
    if pending:
        if sentences:
            sentences[-1] = f"{sentences[-1]} {pending}"
        else:
            sentences.append(pending)
    return sentences


def _by_clause_length(sentence: str) -> list[str]:
    """A sentence of point length as it is; a longer run of text cut at its clause breaks
    (or, with none, between words) into pieces of about _CLAUSE_WORDS words."""
    if count_words(sentence) <= _MAX_SENTENCE_WORDS:
        return [sentence]
    clauses = [c for c in _CLAUSE_BREAK.split(sentence) if c.strip()]
    clauses = [part for clause in clauses for part in _between_words(clause)]
    pieces: list[str] = []
    for clause in clauses:
        if pieces and count_words(pieces[-1]) + count_words(clause) <= _CLAUSE_WORDS:
            pieces[-1] = f"{pieces[-1]} {clause.strip()}"
        else:
            pieces.append(clause.strip())
    return pieces


def _between_words(clause: str) -> list[str]:
    tokens = _NUMBER_OR_WORD.findall(clause)
    if count_words(clause) <= _MAX_SENTENCE_WORDS or len(tokens) < 2:
        return [clause]
    size = max(1, len(tokens) * _CLAUSE_WORDS // count_words(clause))
    return [" ".join(tokens[i:i + size]) for i in range(0, len(tokens), size)]
