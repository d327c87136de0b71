"""Who an article credits: named sources in reading order, then generic ones, aliases merged.

The language rules (attribution_en, attribution_ar) find mentions around reporting cues; this
module merges them into sources: a surname into the full name ("Mr Wang" → "Wang Dongming"), an
acronym into its name, "the Observatory" into "Syrian Observatory for Human Rights", Arabic
clitics and spellings folded. Precision comes first: a mention nothing vouches for is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot.core.facts import attribution_ar, attribution_en
from bot.core.facts.lexicon import bodies, fold_name, tokenize
from bot.core.facts.mentions import Mention

_ARABIC_SCRIPT = ("ar", "fa", "ur")
_PRONOUN_REACH = 2  # a "he said" continues a source credited this many sentences back at most


Role = Literal["cited", "generic"]  # a source the article names, or a generic one (police, مصادر أمنية)


@dataclass(frozen=True)
class Attribution:
    name: str
    sentence: int                      # the first sentence that credits it
    role: Role = "cited"
    sentences: tuple[int, ...] = ()    # every sentence that credits it, pronoun continuations included


@dataclass
class _Source:
    name: str                # the fullest form the article writes
    role: Role
    key: tuple[str, ...]     # what identifies it: a known body's shown name, else its own words
    words: set[str]          # every word of every form it went by, for matching later aliases
    sentences: list[int] = field(default_factory=list)


def find_attributions(sentences: list[str], language: str | None) -> list[Attribution]:
    """Named sources in reading order, then generic ones; one entry per source."""
    tokens = [tokenize(s) for s in sentences]
    arabic = language in _ARABIC_SCRIPT
    if arabic:
        known = [name for t in tokens for name in attribution_ar.known_names(t)]
        families = attribution_ar.family_names(known)
        mentions = [m for i, t in enumerate(tokens) for m in attribution_ar.sentence_mentions(t, i, families)]
        acronyms: dict[str, str] = {}
    else:
        known = [name for t in tokens for name in attribution_en.known_names(t)]
        mentions = [m for i, t in enumerate(tokens) for m in attribution_en.sentence_mentions(t, i)]
        acronyms = {a: n for t in tokens for a, n in attribution_en.acronyms(t).items()}
    resolver = _Resolver(known, acronyms, arabic)
    for mention in mentions:
        resolver.add(mention)
    return resolver.attributions()


def sentence_sources(attributions: list[Attribution], count: int) -> list[str | None]:
    """For each sentence, the source it credits: the first named one, else a generic one."""
    found: list[str | None] = [None] * count
    for role in ("cited", "generic"):
        for attribution in attributions:
            if attribution.role != role:
                continue
            for index in attribution.sentences:
                if 0 <= index < count and found[index] is None:
                    found[index] = attribution.name
    return found


class _Resolver:
    def __init__(self, known: list[str], acronyms: dict[str, str], arabic: bool) -> None:
        # Each distinct full name once, the most recently written first, with its words folded
        # once: resolving a mention then costs the article's distinct names, not its mentions.
        latest = {name: i for i, name in enumerate(known)}
        self.known = [(name, set(fold_name(name)), len(_core(name).split()))
                      for name in sorted(latest, key=latest.__getitem__, reverse=True)]
        # A person's full name has no small words: "King" is never "King of the Blues".
        self.people = [(name, words) for name, words, size in self.known
                       if size > 1 and not any(w[0].islower() for w in name.split())]
        self.acronyms = acronyms
        self.arabic = arabic
        self.sources: list[_Source] = []
        self.last: _Source | None = None

    def add(self, mention: Mention) -> None:
        if mention.kind == "pronoun":
            if self.last and mention.sentence - self.last.sentences[-1] <= _PRONOUN_REACH:
                self._credit(self.last, mention.sentence)
            return
        if mention.kind == "generic":
            self._credit(self._find_or_add(_generic_display(mention.name), "generic"), mention.sentence)
            return
        if mention.kind == "backref":
            source = self._backref(mention.name)
        elif mention.kind == "body":
            source = self._find_or_add(mention.name, "cited", mention.canonical)
        elif mention.kind == "name":
            source = self._named(mention.name)
        else:
            return
        if source:
            self._credit(source, mention.sentence)
            self.last = source

    def _credit(self, source: _Source, sentence: int) -> None:
        # Mentions come in reading order, so a repeat can only be the last sentence credited.
        if not source.sentences or source.sentences[-1] != sentence:
            source.sentences.append(sentence)

    def _find_or_add(self, name: str, role: Role, canonical: str | None = None) -> _Source:
        key = fold_name(canonical or name)
        for source in self.sources:
            if source.key == key or (not canonical and source.key == fold_name(name)):
                source.words |= set(fold_name(name))
                if len(name) > len(source.name):
                    source.name = name  # "ISNA" first, the agency's full name later
                return source
        source = _Source(name, role, key, set(fold_name(name)) | set(key))
        self.sources.append(source)
        return source

    def _backref(self, head: str) -> _Source | None:
        """'the Observatory', 'المرصد': the most recent named source holding that word."""
        words = fold_name(head)
        for source in reversed(self.sources):
            if source.role == "cited" and set(words) <= source.words:
                return source
        for name, name_words, _ in self.known:
            if set(words) <= name_words:
                return self._find_or_add(name, "cited")
        return None

    def _named(self, written: str) -> _Source | None:
        body = bodies().canonical(written)
        if body:
            return self._find_or_add(written, "cited", body)
        display = written
        core = fold_name(_core(display) if not self.arabic else display)
        if not core:
            return None
        acronym = written if written in self.acronyms or re.fullmatch(r"[A-Z][A-Z.]{1,7}", written) else None
        if acronym:
            match = self._by_acronym(acronym.replace(".", ""))
            if match:
                return match
        for source in reversed(self.sources):
            if source.role == "cited" and set(core) <= source.words:
                return source  # "Mr Wang" after "Wang Dongming", "Observatory" after the full name
        one_word = len(_core(display).split()) == 1 and not _core(display).isupper()  # a surname, not "ISIS"
        # A body's head word ("Observatory") may stand for any full name; a surname only for a person's.
        body_word = core[0] in attribution_en.BODY_HEADS and core[0] not in attribution_en.TITLES
        candidates = [(n, w) for n, w, _ in self.known] if body_word else self.people
        longer = next((n for n, n_words in candidates if len(n_words) > 1 and set(core) <= n_words), None) \
            if one_word else None
        if longer:
            display = longer
        elif self.arabic and len(core) < 2:
            return None  # a bare Arabic word nothing vouches for
        for source in self.sources:  # a shorter form met first gives way to the full name
            if source.role == "cited" and source.words < set(fold_name(display)):
                source.name, source.key = display, fold_name(display)
                source.words |= set(source.key)
                return source
        return self._find_or_add(display, "cited")

    def _by_acronym(self, acronym: str) -> _Source | None:
        name = self.acronyms.get(acronym)
        for source in self.sources:
            if source.role != "cited":
                continue
            if (name and source.key == fold_name(name)) or _initials(source.name) == acronym:
                return source
        if name:
            return self._find_or_add(f"{name} ({acronym})", "cited")
        return None

    def attributions(self) -> list[Attribution]:
        ordered = [s for s in self.sources if s.role == "cited"] + [s for s in self.sources if s.role == "generic"]
        return [Attribution(self._with_acronym(s), min(s.sentences), s.role, tuple(sorted(s.sentences)))
                for s in ordered if s.sentences]

    def _with_acronym(self, source: _Source) -> str:
        """'Provincial Disaster Agency (PDA)' when the article gives the acronym: the short form
        that figure labels use."""
        if source.role != "cited" or source.name.endswith(")"):
            return source.name
        key = fold_name(source.name)
        acronym = next((a for a, name in self.acronyms.items() if fold_name(name) == key), None)
        return f"{source.name} ({acronym})" if acronym else source.name


def _core(name: str) -> str:
    """A name without its leading titles, for matching: 'Mr Wang' → 'Wang'."""
    words = name.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in attribution_en.TITLES:
        words = words[1:]
    return " ".join(words)


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper())


def _generic_display(name: str) -> str:
    words = name.split()
    if words and words[0].lower() in attribution_en.GENERIC_NOUNS:
        words[0] = words[0].lower()
    return " ".join(words)


# ---- the outlet named on a line of pasted text

_OUTLET_WORDS = frozenset("""press news times post daily herald tribune journal gazette telegraph guardian
chronicle observer agency network tv radio media today express mail wire report""".split())


def outlet_in_furniture(lines: list[str], host: str | None) -> str | None:
    """A furniture line that names the outlet: 'Barran Press' above an en.barran.press article.

    The line must read as a name (1-5 capitalised words, no digits) and either match the link's
    host or be a known outlet."""
    squeezed_host = re.sub(r"[^a-z0-9]", "", (host or "").casefold())
    for line in lines:
        words = line.split()
        if not 1 <= len(words) <= 5 or any(c.isdigit() for c in line):
            continue
        if not all(w[0].isupper() or not w[0].isalpha() for w in words):
            continue
        known = bodies().canonical(line)
        squeezed = re.sub(r"[^a-z0-9]", "", line.casefold())
        if known or (squeezed_host and len(squeezed) >= 4 and squeezed in squeezed_host):
            return known or line.strip()
        if squeezed_host and any(w.casefold() in _OUTLET_WORDS for w in words) and \
                any(len(w) >= 4 and w.casefold() in squeezed_host for w in words):
            return line.strip()
    return None
