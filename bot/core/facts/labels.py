"""A key figure's label: a verbatim span of its sentence that holds the figure and reads alone.

"71 members of Hayat Tahrir al-Sham", "120,000 cubic metres of drinking water a day". The
span runs from the figure to the end of its phrase: it stops at a clause break, before a
word that opens a new clause, and, when the phrase is long, before its last preposition
within reach, so it never ends on "of drinking" or "villages in". Words before the figure
are added only when nothing after it says what it counts ("Lucy, 32", "to dock at 7").
Every cut falls between words, never inside a number, and the label is a slice of the
sentence, so it is always text of the article.
"""

from __future__ import annotations

import re

_BREAK = re.compile(r"[;()،؛«»\"“”!?؟]|[,:](?!\d)|\s[–—-]\s|\.(?:\s|$)")
_WORD = re.compile(r"\S+")
_RIGHT_WORDS = 8
_LEFT_WORDS = 3
_TRAILING = ".,;:'’\"”)»"

# Words that open a new clause: the phrase that counts the figure ends before them, even
# right after the figure ("in 2010 while it …").
_SUBORDINATORS = frozenset("""
which who whom whose where when while because although though said says told according amid despite
if unless whereas once until whether
التي الذي الذين اللذين اللتين حيث بينما لكن لكنه قال وقال أضاف وأضاف مما كما
""".split())
# Verbs that end the phrase once it has a word ("23 have been cleared" keeps its verb).
_CLAUSE_OPENERS = _SUBORDINATORS | frozenset("""
that after before since but was were is are has have had will would could should can may might did
does do أن إن بأن وأن كان كانت
""".split())
# Prepositions: a long phrase is cut before the last of them within reach.
_PREPOSITIONS = frozenset("""
in on at from to for with by under over near into onto across through during after before since
between among against about without within along per than
في من إلى الى على عن مع منذ خلال بعد قبل حتى عند لدى ضمن بين نحو وفي ومن وعلى وإلى
""".split())
_LIST_JOINERS = frozenset({"and", "or", "و", "أو", "او"})
# Words a label may not end on.
_DANGLING = _PREPOSITIONS | frozenset("""
of the a an and or its their his her our this these those to as
و أو ثم ال
""".split())


def figure_context(sentence: str, start: int, end: int) -> str:
    """The label of the figure at sentence[start:end]."""
    if sentence[start - 1:start] == "(" and sentence[end:end + 1] == ")":
        start, end = start - 1, end + 1  # "(24) مادة": Saudi papers bracket the digits
    clause_start, clause_end = _clause(sentence, start, end)
    right = _right_end(sentence, end, clause_end)
    if _has_words(sentence[end:right]):
        return sentence[start:right].strip()
    left = _left_start(sentence, start, clause_start)
    if not _has_words(sentence[left:start]) and clause_start > 0:
        left = _left_start(sentence, start, _clause(sentence, clause_start - 1, clause_start - 1)[0])
    return sentence[left:right].strip().rstrip(_TRAILING + " ") or sentence[start:end]


def _clause(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the clause around sentence[start:end]; a bounded look either way."""
    window = 400
    before = sentence[max(0, start - window):start]
    breaks = [m.end() for m in _BREAK.finditer(before)]
    clause_start = max(0, start - window) + breaks[-1] if breaks else max(0, start - window)
    after = _BREAK.search(sentence, end, min(len(sentence), end + window))
    return clause_start, after.start() if after else min(len(sentence), end + window)


def _right_end(sentence: str, end: int, limit: int) -> int:
    words = list(_WORD.finditer(sentence, end, limit))
    taken: list[re.Match[str]] = []
    for word in words[:_RIGHT_WORDS]:
        bare = _bare(word.group())
        if bare in _SUBORDINATORS or taken and (bare in _CLAUSE_OPENERS or _next_in_list(taken[-1], word)):
            break  # a new clause, or the next item of a list of figures ("18 from the army and 52 police")
        taken.append(word)
    if len(taken) == _RIGHT_WORDS and len(words) > _RIGHT_WORDS:
        cut = max((i for i, w in enumerate(taken) if i > 0 and _bare(w.group()) in _PREPOSITIONS), default=None)
        if cut is not None:
            taken = taken[:cut]
    while taken and (_bare(taken[-1].group()) in _DANGLING or _splits_number(taken, words)):
        taken.pop()
    return taken[-1].end() if taken else end


def _left_start(sentence: str, start: int, limit: int) -> int:
    words = list(_WORD.finditer(sentence, limit, start))[-_LEFT_WORDS:]
    while words and _splits_number_left(words, sentence, limit):
        words.pop(0)
    return words[0].start() if words else start


def _next_in_list(previous: re.Match[str], word: re.Match[str]) -> bool:
    text = word.group()
    return (text[:1].isdigit() and _bare(previous.group()) in _LIST_JOINERS) or (
        text[:1] == "و" and text[1:2].isdigit())


def _bare(word: str) -> str:
    return word.strip(_TRAILING + "'‘“«").lower()


def _has_words(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _splits_number(taken: list[re.Match[str]], words: list[re.Match[str]]) -> bool:
    """True when the next word continues a number that the last taken word starts ("10 000")."""
    following = words[len(taken)] if len(taken) < len(words) else None
    return following is not None and taken[-1].group()[-1:].isdigit() and following.group()[:1].isdigit()


def _splits_number_left(words: list[re.Match[str]], sentence: str, limit: int) -> bool:
    first = words[0]
    before = sentence[max(limit, first.start() - 2):first.start()].strip()
    return first.group()[:1].isdigit() and before[-1:].isdigit()
