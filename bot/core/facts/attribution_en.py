"""English attribution rules: who the sentence credits, read from tokens around a reporting cue.

Subject first ("The Observatory reported", "Jonathan Isaby, of the TaxPayers' Alliance, said"),
verb first after a quote or comma ("…," said the ministry), prepositional ("according to",
"citing", "reported by", passives with "by"), and outlets spoken to ("told the Telegraph").
Work per cue is bounded by small windows, so a sentence costs time linear in its length.
"""

from __future__ import annotations

import re

from bot.core.facts.lexicon import Token, bodies
from bot.core.facts.mentions import Mention

CUE_VERBS = frozenset("""said says say told tells added adds reported reports stated states announced
announces confirmed confirms warned warns noted notes claimed claims explained insisted insists
revealed reveals wrote writes tweeted argued argues admitted admits denied denies estimated estimates
predicted predicts urged criticised criticized questioned acknowledged disclosed testified recalled
suggested concluded found showed shows observed complained maintained alleged declared stressed
conceded cautioned agreed quoted highlighted""".split())
_NOUN_LIKE_VERBS = frozenset("reports claims notes estimates states shows warns".split())
# Verbs whose subject must be a person or body, not a study or a figure.
_REPORT_ONLY = frozenset({"found", "showed", "shows", "suggested", "concluded", "estimated", "estimates",
                          "agreed"})  # "agreed that" credits; "agreed to drive" does not
_PASSIVES = frozenset("""announced released published reported confirmed issued compiled conducted
quoted cited provided given out""".split())  # "out": carried out by
_ADVERBS = frozenset("""also both later earlier previously today yesterday tonight recently then had has have
was were is would will reportedly separately originally initially again once publicly privately
repeatedly further simply just now""".split())
_TIME_WORDS = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april
may june july august september october november december morning afternoon evening night week month
year weekend""".split())
_TIME_LEADS = frozenset({"on", "last", "this", "early", "late", "in", "at", "next", "earlier", "later"})
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
MONTHS = frozenset("january february march april may june july august september october november december".split())
# Capitalised words that are never part of a source's name.
_NOT_NAME = frozenset("""i he she it they we you his her its their our my your him them us this that these
those there here then so but and or if when while after before as at in on of for by with from to
a an the however meanwhile also according said says told added one two three some many most
all both each every another other others no not yes who what where why how which
last next today yesterday tonight scroll share read click watch video photo pictured above below
earlier later since until during despite although though because""".split())
_CONNECTORS = frozenset({"of", "for", "the", "and", "de", "du", "da", "del", "der", "van", "von", "la", "le",
                         "al", "el", "bin", "ibn", "&"})
# Words after which "of"/"for" continues a name ("Ministry of Defence", "Center for …").
BODY_HEADS = frozenset("""ministry department office institute institution center centre centers centres
bureau agency commission council committee board service services director secretary minister bank
university college school society association federation union league organisation organization
observatory museum court house church party front army forces corps academy foundation trust fund
authority chamber coalition alliance movement network journal college council commissioner chief
president chairman head governor administration division command police guard republic state states
kingdom city county province duke duchess earl prince princess king queen archbishop bishop mayor emir
sultan""".split())
TITLES = frozenset("""mr mrs ms miss dr prof professor sir dame lord lady rev reverend father sheikh imam
rabbi pope king queen prince princess emir president vice prime minister secretary chancellor senator
sen rep representative congressman congresswoman governor gov mayor judge justice attorney general gen
lt lieutenant col colonel major maj capt captain sgt sergeant officer detective det inspector constable
trooper commander chief admiral ambassador commissioner chairman chairwoman chair director spokesman
spokeswoman spokesperson agent deputy coach manager recorder qc u.s. us uk duke duchess earl countess
baron baroness""".split())
_ROLE_NOUNS = frozenset("""spokesman spokeswoman spokesperson official officials representative director head
chief member minister secretary president chairman chairwoman professor researcher analyst lawyer
attorney adviser advisor economist expert manager executive founder leader officer agent governor
mayor commissioner editor correspondent reporter staffer source sources""".split())
GENERIC_NOUNS = frozenset("""police officials official authorities witnesses witness prosecutors prosecutor
investigators investigator sources source spokesman spokeswoman spokesperson""".split())
# A lowercase body named by what it is: "the statistics office", "the health ministry".
_BODY_NOUNS = frozenset("""ministry office bureau agency department council commission military army
government media television broadcaster""".split())
_GENERIC_MODIFIERS = frozenset("""federal local state senior security military medical government health
interior foreign defence defense statistics statistical justice education finance police rescue
hospital airport city county regional provincial national border court election electoral
us u.s. un u.n. eu""".split())
_MEDIA_WORDS = frozenset("""times post news daily telegraph journal herald radio tv tribune gazette examiner
mail guardian press chronicle observer standard independent television""".split())
_MEDIA_NOUNS = frozenset("""newspaper magazine radio television tv station network channel website broadcaster
affiliate outlet paper""".split())
# Capitalised at the start of a sentence, these are people or things, not names.
_COMMON_SUBJECTS = frozenset("""researchers scientists doctors experts analysts critics residents officers
teachers parents students lawyers campaigners activists protesters rescuers locals neighbours neighbors
friends relatives family reports studies documents records figures data statistics others many some
observers economists diplomats villagers people fans users visitors passengers shoppers workers staff
customers viewers readers tourists commuters drivers patients survivors victims families""".split())
# Words that end the description between a cue and its name: past them the name is no longer the source.
_CLAUSE_WORDS = frozenset("""of who that which and under in on at for with from to after before during over by
as but or when while my his her their our your its""".split())
_QUOTES = frozenset("\"'“”‘’«»")
_WINDOW = 12  # tokens a rule may look at on either side of its cue


def sentence_mentions(tokens: list[Token], index: int) -> list[Mention]:
    """Every credit the sentence gives, in token order."""
    found: list[Mention] = []
    words = [t.text for t in tokens]
    lower = [w.lower() for w in words]
    for i, word in enumerate(lower):
        if word in CUE_VERBS and words[i][0].islower() and _is_verb_here(words, lower, i):
            found += _around_verb(words, lower, i, index)
        if word == "according" and i + 1 < len(lower) and lower[i + 1] == "to":
            found += _forward(words, lower, i + 2, index)
        elif word == "citing" or (word == "by" and i and lower[i - 1] in _PASSIVES
                                  and (lower[i - 1] != "out" or lower[i - 2:i - 1] == ["carried"])):
            found += _forward(words, lower, i + 1, index)
        elif word == "interview" and lower[i + 1:i + 2] == ["with"]:
            found += _forward(words, lower, i + 2, index, outlets_only=True)
        elif word in ("quoted", "from") and i and _is_statement_noun(lower[i - 1]):
            found += _forward(words, lower, i + 1, index)
    return found


def _is_verb_here(words: list[str], lower: list[str], i: int) -> bool:
    """'reports', 'claims', 'notes', 'estimates' are nouns as often as verbs: as verbs they are
    followed by what is reported ('reports that', 'claims:', 'reports.'), not by another verb."""
    if lower[i] not in _NOUN_LIKE_VERBS:
        return True
    after = words[i + 1] if i + 1 < len(words) else "."
    return after.lower() == "that" or not after[0].isalpha() or after[0].isdigit()


def _is_statement_noun(word: str) -> bool:
    return word in ("statement", "report", "figures", "data", "statistics", "study", "survey", "analysis")


def _around_verb(words: list[str], lower: list[str], i: int, index: int) -> list[Mention]:
    verb = lower[i]
    found: list[Mention] = []
    if verb == "states" and lower[i - 1:i] == ["united"]:
        return found
    if i and (words[i - 1] in (",", ":") or words[i - 1] in _QUOTES) and verb not in _REPORT_ONLY:
        # "Elias Rodriguez, an EPA spokesman, said …": the comma closes an appositive, the subject
        # comes first; '"…," said the ministry' has none.
        named = [s for s in _subjects_before(words, lower, i, index) if s.kind == "name"] if words[i - 1] == "," else []
        found += named or _forward(words, lower, i + 1, index, inverted=True)
    if verb in _REPORT_ONLY and lower[i + 1:i + 2] != ["that"]:
        return found  # "showed reporters around" is no credit; "showed that" is
    if not found:
        subjects = _subjects_before(words, lower, i, index)
        found += [s for s in subjects if not (verb in _REPORT_ONLY and s.kind == "pronoun")]
    if verb in ("told", "tells"):
        found += _forward(words, lower, i + 1, index, outlets_only=True)
    if verb == "quoted":
        found += _quoted_as_saying(words, lower, i + 1, index)
    return found


def _quoted_as_saying(words: list[str], lower: list[str], k: int, index: int) -> list[Mention]:
    """'Der Spiegel quoted Belgian Finance Minister Johan Van Overtveldt as saying …'."""
    end = min(len(words), k + _WINDOW)
    for at in range(k, min(end, k + 6)):
        if _is_name_start(words, lower, at):
            name = _name_from(words, lower, at, end)
            after = at + len(name)
            if lower[after:after + 2] == ["as", "saying"] or lower[after:after + 3] == [",", "as", "saying"]:
                return [_named(name, index)]
            return []
    return []


def _forward(words: list[str], lower: list[str], k: int, index: int, *, inverted: bool = False,
             outlets_only: bool = False) -> list[Mention]:
    """The name that follows a cue, past articles and a short lowercase description
    ("according to Russian state news agency Tass", "according to the Reuters news agency").
    After an inverted verb the name must come at once: '…, said the agency's head' is not one."""
    end = min(len(words), k + _WINDOW)
    start = k
    while start < end and lower[start] in ("the", "a", "an"):
        start += 1
    known = bodies().match(words[:end], start) if start < end else None
    if known:
        return [Mention(" ".join(words[start:start + known[1]]), index, "body", known[0])]
    if outlets_only:
        return _outlet_at(words, lower, start, end, index)
    for at in range(start, min(end, start + (1 if inverted else 5))):
        if _is_name_start(words, lower, at):
            name = _name_from(words, lower, at, end)
            later = _later_name(words, lower, at + len(name), end)
            if later is not None:  # "Russian state news agency Tass": the description's name
                at, name = later, _name_from(words, lower, later, end)
            elif at > start and _modifies_noun(words, lower, at + len(name)):
                return []  # "according to the leading UK brand": the name only describes
            if name and _ends_clause(words, lower, at + len(name), inverted):
                return [_named(words[at:at + len(name)], index)]
            return []
        if not words[at][0].isalpha() or lower[at] in _CLAUSE_WORDS:
            break
    generic = _generic_at(words, lower, start, end, index)
    if inverted and generic and not _ends_clause(words, lower, start + len(generic[0].name.split()), True):
        return []
    return generic


def _modifies_noun(words: list[str], lower: list[str], after: int) -> bool:
    return after < len(words) and words[after].isalpha() and words[after].islower() and lower[after] not in _CLAUSE_WORDS


def _later_name(words: list[str], lower: list[str], k: int, end: int) -> int | None:
    """Where a name starts after a few lowercase description words ('state news agency'), if one does."""
    at = k
    while at < min(end, k + 4) and words[at][0].islower() and words[at].isalpha() \
            and lower[at] not in _CONNECTORS and lower[at] not in CUE_VERBS and lower[at] not in _NOT_NAME:
        at += 1
    if at > k and at < end and lower[at - 1] in _MEDIA_NOUNS | {"agency", "group", "firm", "company"} \
            and _is_name_start(words, lower, at):
        return at
    return None


def _outlet_at(words: list[str], lower: list[str], start: int, end: int, index: int) -> list[Mention]:
    """An outlet that was told or interviewed ('told the Daily Camera newspaper'), never a person."""
    if start >= end or not _is_name_start(words, lower, start):
        return []
    name = _name_from(words, lower, start, end)
    after = start + len(name)
    named_as_outlet = any(w.lower() in _MEDIA_WORDS for w in name) or re.fullmatch(r"[KW][A-Z]{2,4}", name[0]) is not None
    if named_as_outlet or (after < len(lower) and lower[after] in _MEDIA_NOUNS):
        return [_named(name, index)]
    return []


def _ends_clause(words: list[str], lower: list[str], after: int, inverted: bool) -> bool:
    """After an inverted verb the name must close the clause: 'said Lane deserved' is not a credit."""
    if not inverted or after >= len(words):
        return True
    if words[after] in ("'s", "’s"):
        return False  # "said the agency's head": the head speaks, unnamed
    return not words[after][0].isalpha() or lower[after] in ("in", "on", "at", "who", "of", "told", "when",
                                                             "as", "after", "during", "last", "this")


def _generic_at(words: list[str], lower: list[str], start: int, end: int, index: int) -> list[Mention]:
    """'police', 'Iraqi officials', 'the statistics office': generic credits (one modifier at most)."""
    for length in (1, 2, 3):
        if start + length > end:
            break
        head = lower[start + length - 1]
        modifiers = lower[start:start + length - 1]
        if not all(m in _GENERIC_MODIFIERS or words[start + j][:1].isupper() for j, m in enumerate(modifiers)):
            break
        if head in GENERIC_NOUNS or (head in _BODY_NOUNS and modifiers):
            return [Mention(" ".join(words[start:start + length]), index, "generic")]
        if head in _BODY_NOUNS:
            return [Mention(words[start + length - 1], index, "backref")]
    return []


def _subjects_before(words: list[str], lower: list[str], i: int, index: int) -> list[Mention]:
    """The verb's subject(s): 'Julie Amos and Leslie Pilditch, who both said' gives two."""
    j = _skip_adjuncts(lower, i - 1)
    if j >= 2 and lower[j] in ("who", "which") and words[j - 1] == ",":
        j -= 2  # "Islamic State, which claimed the attack"
    subject, start = _subject_before(words, lower, j, index)
    if subject is None:
        return []
    if subject.kind == "name" and start >= 2 and lower[start - 1] == "and":
        other = _name_start_before(words, lower, start - 2)
        if other is not None and start - 2 == other and lower[other] in TITLES:
            return [_named(words[other:start] + subject.name.split(), index)]  # "Duke and Duchess of Cambridge"
        if other is not None:
            return [_named(words[other:start - 1], index), subject]
    return [subject]


def _subject_before(words: list[str], lower: list[str], j: int, index: int) -> tuple[Mention | None, int]:
    """The subject ending at token j and where its name starts (-1 when it is not a name)."""
    for _ in range(4):  # appositives: "Lucy, 32, of Upminster, said"
        if j < 0:
            return None, -1
        if words[j] == ",":
            j = _before_appositive(words, lower, j)
            continue
        start = _name_start_before(words, lower, j)
        if start is None:
            if j + 1 < len(words) and words[j + 1] == "," and (lower[j].isdigit() or words[j][0].islower()):
                j = _before_appositive(words, lower, j + 1)  # inside an appositive: "Lucy, 32, of …"
                continue
            return _lowercase_subject(words, lower, j, index), -1
        preceding = lower[start - 1] if start else ""
        if preceding in ("of", "in", "from", "at", "near", "for", "with", "to", "on", "by"):
            before = start - 2
            if before < 0:
                return None, -1
            if lower[before] in _ROLE_NOUNS and preceding in ("of", "for", "at"):
                return _named(words[start:j + 1], index), start  # "a spokesman for the Ministry said"
            if words[before] == ",":
                j = _before_appositive(words, lower, before)  # ", of Upminster said"
                continue
            if _is_name_word(words, lower, before):
                j = before  # "Porter of Harvard Business School said": the person before
                continue
            return None, -1
        if preceding == "," and _place_before(lower, start - 1):
            j = _before_appositive(words, lower, start - 1)  # "Mr Cooper, from Curry Rivel, Somerset said"
            continue
        if preceding in ("'s", "’s") and not any(w.lower().rstrip(".") in TITLES for w in words[start:j + 1]):
            return None, -1  # "CNN's Elizabeth Joseph reported": a possessor's reporter, not a source
        return _named(words[start:j + 1], index), start
    return None, -1


def _place_before(lower: list[str], comma: int) -> bool:
    """Whether the phrase that ends at `comma` opens like a place: 'from Curry Rivel,', 'of Leeds,'."""
    k = comma - 1
    while k >= 0 and comma - k <= 6 and lower[k] not in (",", ".", ";", ":"):
        k -= 1
    return k >= 0 and lower[k] == "," and lower[k + 1] in ("from", "of", "in")


def _skip_adjuncts(lower: list[str], j: int) -> int:
    """Step left over 'also', 'has', 'on Thursday', 'last week', 'in a statement'."""
    while j >= 0:
        if lower[j] in _ADVERBS:
            j -= 1
        elif lower[j] in _TIME_WORDS or lower[j].isdigit():
            k = j
            while k >= 0 and (lower[k] in _TIME_WORDS or lower[k].isdigit() or lower[k] == ","):
                k -= 1
            j = k - 1 if k >= 0 and lower[k] in _TIME_LEADS else k
        elif lower[j] == "statement" and j >= 2 and lower[j - 2] == "in":
            j -= 3
        else:
            return j
    return j


def _before_appositive(words: list[str], lower: list[str], comma: int) -> int:
    """The token before the opening comma of the appositive that `comma` closes; the comma
    itself when the phrase before it is not appositive-like (then no subject is found)."""
    k = comma - 1
    while k >= 0 and comma - k <= _WINDOW and words[k] not in (",", ".", ";", ":") and words[k] not in _QUOTES:
        k -= 1
    if k < 0 or words[k] != ",":
        return -1
    phrase = lower[k + 1:comma]
    if phrase and len(phrase) <= 3 and all(w[0].isupper() for w in words[k + 1:comma]) \
            and any(w in ("of", "from", "in") for w in lower[max(0, k - 4):k]):
        return k - 1  # the second part of a place: "of Upminster, Essex,"
    if not phrase or not (phrase[0] in ("a", "an", "the", "of", "from", "who", "which", "aged", "whose")
                          or phrase[0].isdigit() or phrase[0] in _ROLE_NOUNS or phrase[-1] in _ROLE_NOUNS
                          or (words[k + 1][0].islower() and len(phrase) <= 6)):
        return -1
    return k - 1


def _lowercase_subject(words: list[str], lower: list[str], j: int, index: int) -> Mention | None:
    """'he said' (a continuation), 'police said', 'the ministry said', 'the statistics office said'."""
    if lower[j] in ("he", "she", "it", "they", "i", "we"):
        return Mention(lower[j], index, "pronoun")
    if lower[j] in GENERIC_NOUNS and j >= 2:
        start = _name_start_before(words, lower, j - 1)
        if start is not None and j - start >= 2:
            return _named(words[start:j], index)  # "Carnival Cruise Lines officials confirmed"
    start = j
    while start > 0 and j - start < 3 and lower[start - 1] not in ("the", "a", "an", ",", ".") and words[start - 1][0].isalpha():
        start -= 1
    for begin in range(start, j + 1):
        generic = _generic_at(words, lower, begin, j + 1, index)
        if generic and begin + len(generic[0].name.split()) - 1 == j:
            return generic[0]
    return None


def _is_name_word(words: list[str], lower: list[str], k: int) -> bool:
    word = words[k]
    if not word[0].isupper() and not lower[k].startswith(("al-", "el-")):
        return False
    return lower[k] not in _NOT_NAME and lower[k] not in WEEKDAYS and lower[k] not in CUE_VERBS


def _is_name_start(words: list[str], lower: list[str], k: int) -> bool:
    return words[k][0].isupper() and _is_name_word(words, lower, k) and lower[k] not in MONTHS


def _name_start_before(words: list[str], lower: list[str], j: int) -> int | None:
    """Where the capitalised name ending at `j` begins, or None if no name ends there."""
    if not _is_name_word(words, lower, j):
        return None
    start = k = j
    while k > 0 and j - k < 8:
        k -= 1
        if _ends_sentence_maybe(lower[k]):
            break  # "Washington, D.C. Michelle Obama said": the abbreviation may end a sentence
        if _is_name_word(words, lower, k):
            start = k
        elif lower[k] == "the" and k > 1 and lower[k - 1] in ("of", "for") and _joins(lower, k - 1) \
                and _is_name_word(words, lower, k - 2):
            k -= 1
        elif lower[k] in _CONNECTORS and lower[k] != "the" and k > 0 and _joins(lower, k) \
                and _is_name_word(words, lower, k - 1):
            continue
        else:
            break
    while start < j and (lower[start] in MONTHS or not words[start][0].isupper()):
        start += 1
    return start


_INNER_ABBREVIATIONS = frozenset("""u.s. u.k. u.n. e.u. mr. mrs. ms. dr. st. gen. sen. rep. gov. lt. col. sgt.
capt. rev. prof. jr.""".split())


def _ends_sentence_maybe(word: str) -> bool:
    """A dotted abbreviation other than a title or 'U.S.' may close a sentence the splitter kept open."""
    return word.endswith(".") and len(word) > 2 and word not in _INNER_ABBREVIATIONS


def _joins(lower: list[str], k: int) -> bool:
    """Whether the connector at k sits inside a name: 'of'/'for' only after a body's head word
    ("Ministry of Defence"), 'and' only in a body's name ("Centers for Disease Control and …")."""
    if lower[k] in ("of", "for"):
        return k > 0 and lower[k - 1] in BODY_HEADS
    if lower[k] == "and":
        return any(w in ("of", "for") for w in lower[max(0, k - 4):k])
    if lower[k] == "the":
        return k > 0 and lower[k - 1] in ("of", "for")
    return True


def _name_from(words: list[str], lower: list[str], at: int, end: int) -> list[str]:
    """The capitalised name starting at `at`, with connectors only inside it."""
    name = [words[at]]
    k = at + 1
    while k < end and not _ends_sentence_maybe(lower[k - 1]):
        if _is_name_word(words, lower, k) and lower[k] not in MONTHS:
            name.append(words[k])
            k += 1
        elif lower[k] in _CONNECTORS and k + 1 < end and _joins(lower, k):
            step = 2 if lower[k + 1] == "the" and k + 2 < end else 1
            if not _is_name_word(words, lower, k + step):
                break
            name += words[k:k + step]
            k += step
        else:
            break
    return name


def _named(name_words: list[str], index: int) -> Mention:
    while name_words and name_words[0].lower() == "the":
        name_words = name_words[1:]
    name = " ".join(name_words).rstrip("'’")
    if name.lower() in GENERIC_NOUNS:
        return Mention(name.lower(), index, "generic")  # "Police said" at the start of a sentence
    if name.lower() in _COMMON_SUBJECTS:
        return Mention(name, index, "none")
    return Mention(name, index, "name")


def known_names(tokens: list[Token]) -> list[str]:
    """Capitalised names of two words or more anywhere in a sentence, for resolving 'Mr Wang'."""
    words = [t.text for t in tokens]
    lower = [w.lower() for w in words]
    names: list[str] = []
    k = 0
    while k < len(words):
        if _is_name_start(words, lower, k):
            name = _name_from(words, lower, k, min(len(words), k + _WINDOW))
            if len(name) > 1:
                names.append(" ".join(name).rstrip("'’"))
            k += len(name)
        else:
            k += 1
    return names


def acronyms(tokens: list[Token]) -> dict[str, str]:
    """'Crown Prosecution Service (CPS)': each bracketed acronym and the name before it."""
    words = [t.text for t in tokens]
    lower = [w.lower() for w in words]
    found: dict[str, str] = {}
    for k in range(2, len(words) - 2):
        if words[k] == "(" and words[k + 2] == ")" and words[k + 1].replace(".", "").isupper():
            start = _name_start_before(words, lower, k - 1)
            if start is not None and start < k - 1:
                found[words[k + 1].replace(".", "")] = " ".join(words[start:k])
    return found
