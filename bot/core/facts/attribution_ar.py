"""Arabic attribution rules: the subject after a reporting verb ("وأفاد المرصد السوري لحقوق
الإنسان بأن…", "وقال المشرف العام على الحملة فهد السليماني إن…"), after بحسب / وفقا لـ / نقلا عن,
after a relative verb ("الإحصائيات التي أعلنتها الفيفا") and after a report noun ("تقرير لمصلحة …").

Arabic has no capitals, so a run of words is accepted as a source only when something vouches for
it: a known body, an organisation's head word, a given name, a quoted name, or a generic term;
everything else ("إلى", "فيها", "الموقع ونوعية المبنى") is dropped.
"""

from __future__ import annotations

from bot.core.facts.lexicon import Token, arabic_given_names, arabic_stem, bodies, given_name_form
from bot.core.facts.mentions import Mention
from bot.core.text.normalize import normalize_arabic


def _forms(words: str) -> frozenset[str]:
    return frozenset(normalize_arabic(w) for w in words.split())


_VERBS = _forms("""قال قالت قالوا أفاد أفادت ذكر ذكرت أعلن أعلنت أكد أكدت نقلت نقل صرح صرحت أوضح أوضحت
أشار أشارت كشف كشفت أضاف أضافت تابع تابعت لفت لفتت نفى نفت حذر حذرت اعتبر اعتبرت رأى رأت شدد شددت
أبلغ أبلغت يقول تقول يقولون أورد أوردت بينت أعرب أعربت قدر قدرت أحصى أحصت وثق وثقت رصد رصدت
وصف وصفت انتقد انتقدت تعهد تعهدت رفض رفضت طالب طالبت""")
_ACCORDING = _forms("بحسب حسب وفقا وفقاً طبقا طبقاً نقلا نقلاً استنادا استناداً")
_NEEDS_LAM = _forms("وفقا وفقاً طبقا طبقاً")
_RELATIVE_VERBS = _forms("""أعلنتها أعلنها أصدرتها أصدرها نشرتها نشرها ذكرتها ذكرها أوردتها أوردها أجرتها أجراها
أعدتها أعدها كشفتها كشفها وثقتها وثقها رصدتها رصدها أعلنته أصدرته نشرته ذكرته أورده أوردته أجرته أعدته
كشفته وثقته رصدته""")
_REPORT_NOUNS = frozenset(arabic_stem(w) for w in """تقرير تقريرا بيان بيانا دراسة بحث إحصائيات إحصاءات
أرقام بيانات""".split())
_REPORT_LINKS = _forms("من عن صادر صادرة الصادر الصادرة رسمي رسمية أصدرته أصدره أعدته أعده نشرته")
# Words that end the subject: the reported clause, prepositions, time, relatives, particles.
_STOPS = _forms("""إن أن ان إنه أنه انه بأن بان بأنه بانه إنها أنها انها إنهم أنهم انهم أنّ إنّ في على عن إلى الى
من مع خلال منذ عند لدى أمام حول ضد بعد قبل حتى أمس اليوم غدا مساء صباح ليلة يوم الذي التي الذين اللذين
قد فقد لقد وقد كما لكن أيضا أيضاً كذلك ما لا لم لن هو هي هم هذا هذه ذلك تلك أمس، عليه عليها عليهم فيه فيها
فيهم له لها لهم إليه إليها منه منها عنه عنها به بها لـ ل وأن وإن الأحد الاثنين الثلاثاء الأربعاء الخميس
الجمعة السبت إذ حيث بينما عندما بشأن بشدة فإن وإن""")
# Prepositions inside a speaker's role ("المشرف العام على الحملة فهد السليماني"): a person's
# name may follow them, an organisation's name never runs across them.
_ROLE_PREPOSITIONS = _forms("في على")
_SKIP_AFTER_VERB = _forms("أمس اليوم أيضا أيضاً كذلك مساء صباح")
_TITLES = frozenset(arabic_stem(w) for w in """الدكتور د المهندس الأستاذ الشيخ الأمير السيد السيدة اللواء
العميد العقيد الفريق النائب الممثل المستشار الرئيس رئيس وزير الوزير وكيل مدير المدير المشرف المتحدث الناطق
الأمين العام عضو سفير السفير قائد محافظ المحافظ الملك صاحب السمو الملكي معالي فضيلة سعادة الباحث التنفيذي
الرسمي مساعد الأول نائب الحاج المستشارة الرئيسة الوزيرة""".split())


def _head_stems(words: str) -> frozenset[str]:
    """Stems of head words with and without the article: a root that starts with ل (لجنة) loses
    it to the clitic rule without the article, not with it, so both forms are kept."""
    return frozenset(arabic_stem(form) for w in words.split() for form in (w, "ال" + w))


_ORG_HEADS = _head_stems("""وزارة هيئة وكالة منظمة مصلحة مكتب لجنة مجلس حركة حزب
جماعة شركة مرصد مركز معهد جامعة اتحاد بنك مصرف صندوق جمعية مؤسسة جيش حكومة رئاسة تلفزيون صحيفة
جريدة مجلة قناة إذاعة محكمة نيابة دائرة إدارة سلطة مديرية ديوان أمم برنامج مفوضية""")
_MEDIA_HEADS = _head_stems("صحيفة جريدة مجلة قناة إذاعة تلفزيون موقع وكالة")
_GENERIC_HEADS = frozenset(arabic_stem(w) for w in """مصدر مصادر مسؤول مسؤولون مسؤولين شهود الشرطة
السلطات ناشطون ناشطين مسعفون""".split())
_NAME_LINKS = _forms("بن ابن بنت آل أبو ابو عبد")
_NAME_COMPOUNDS = frozenset(arabic_stem(w) for w in "الدين الله الرحمن الإسلام الرحيم العزيز".split())
_PRONOUN_STARTS = _forms("إن أن ان إنه أنه انه بأن بأنه إنها أنها إنهم أنهم")
_QUOTES = frozenset("\"“”«»'")
_RUN = 18  # longest subject read after a cue, in words (titles and roles can be long)
_LONGEST_NAME = 5


def sentence_mentions(tokens: list[Token], index: int, known: dict[str, str]) -> list[Mention]:
    """Every credit the sentence gives; `known` maps family names to the article's full names
    (see `family_names`)."""
    words = [t.text for t in tokens]
    plain = [normalize_arabic(w) for w in words]
    found: list[Mention] = []
    for i, word in enumerate(plain):
        bare = word[1:] if word[:1] in ("و", "ف") and word[1:] in _VERBS | _ACCORDING else word
        if bare in _VERBS:
            subject = _subject(words, plain, _skip(plain, i + 1), index, known, after_verb=True)
            if i and (not subject or subject[0].kind == "pronoun"):
                subject = _subject_before(words, plain, i, index) or subject
            found += subject
        elif bare in _ACCORDING:
            k = _after_according(plain, i + 1)
            if bare in _NEEDS_LAM and k < len(plain) and plain[k].startswith("ل") and not plain[k].startswith("ال"):
                words, plain = _without_lam(words, k), _without_lam(plain, k)
            found += _subject(words, plain, k, index, known)
        elif word in _RELATIVE_VERBS and i and plain[i - 1] in ("التي", "الذي"):
            found += _subject(words, plain, i + 1, index, known)
        elif arabic_stem(word) in _REPORT_NOUNS:
            found += _report_source(words, plain, i + 1, index, known)
    return found


def _without_lam(words: list[str], k: int) -> list[str]:
    """'لهيئة' → 'هيئة', 'للمرصد' → 'المرصد': the ل that وفقا and طبقا take."""
    word = words[k]
    word = "ال" + word[2:] if word.startswith("لل") else word[1:]
    return [*words[:k], word, *words[k + 1:]]


def _subject_before(words: list[str], plain: list[str], i: int, index: int) -> list[Mention]:
    """Subject first, one word: "لكن المنظمة تقول إن …", "الشرطة قالت إن …"."""
    stem = arabic_stem(words[i - 1])
    if not words[i - 1].startswith(("ال", "وال")):
        return []
    if stem in _GENERIC_HEADS:
        return [Mention(words[i - 1], index, "generic")]
    if stem in _ORG_HEADS:
        return [Mention(words[i - 1], index, "backref")]
    return []


def _skip(plain: list[str], k: int) -> int:
    while k < len(plain) and plain[k] in _SKIP_AFTER_VERB:
        k += 1
    return k


def _after_according(plain: list[str], k: int) -> int:
    """Past 'لـ', 'عن', 'إلى' and 'ما ذكرته' after بحسب / وفقا / نقلا / استنادا."""
    if k < len(plain) and plain[k] in ("لـ", "ل", "عن", "الى", "إلى", "لما"):
        k += 1
    if k < len(plain) and plain[k] == "ما":
        k += 1
    if k < len(plain) and (plain[k] in _VERBS or plain[k].removesuffix("ه") in _VERBS):
        k += 1  # بحسب ما ذكرته …
    if k < len(plain) and plain[k] == "به":
        k += 1
    return k


def _report_source(words: list[str], plain: list[str], k: int, index: int, known: dict[str, str]) -> list[Mention]:
    """'تقرير لمصلحة الإحصاءات العامة', 'بحث رسمي من مكتب الإحصاء الهولندي'."""
    steps = 0
    while k < len(plain) and plain[k] in _REPORT_LINKS and steps < 3:
        k, steps = k + 1, steps + 1
    if k >= len(plain):
        return []
    if plain[k].startswith("ل") and not plain[k].startswith("ال"):
        words, plain = _without_lam(words, k), _without_lam(plain, k)
    elif steps == 0:
        return []
    found = _subject(words, plain, k, index, known)
    return [m for m in found if m.kind in ("body", "name")]


def _subject(words: list[str], plain: list[str], k: int, index: int, known: dict[str, str],
             after_verb: bool = False) -> list[Mention]:
    if k >= len(plain):
        return []
    if words[k] in _QUOTES:
        quoted = _quoted(words, k, index)  # 'كشفت " التعاونية للتأمين " عن', else quoted speech
        return quoted or ([Mention("", index, "pronoun")] if after_verb else [])
    if after_verb and (plain[k] in _PRONOUN_STARTS or words[k] == ":"):
        return [Mention("", index, "pronoun")]
    run = _run(words, plain, k)
    if not run:
        return []
    known_body = bodies().match(run, 0)
    if known_body:
        return [Mention(" ".join(run[:known_body[1]]), index, "body", known_body[0])]
    stems = [arabic_stem(w) for w in run]
    if stems[0] in _GENERIC_HEADS:
        two = len(run) > 1 and _is_adjective_of(run[0], run[1])
        return [Mention(" ".join(run[:2] if two else run[:1]), index, "generic")]
    person = _person(run, stems, known)
    if person:
        return [Mention(person, index, "name")]
    at = next((j for j, s in enumerate(stems) if s in _ORG_HEADS), None)
    if at is not None and all(_is_title(s) for s in stems[:at]):
        return _organisation(words, run, stems, at, index, k)
    alias = _alias(run, stems, known)
    return [Mention(alias, index, "name")] if alias else []


def _is_adjective_of(noun: str, word: str) -> bool:
    """'مصادر أمنية', 'مصدر مسؤول', 'السلطات القطرية': an adjective agrees with its noun (the article
    with the article) and reads like one; 'المصادر حرص', 'مسؤولون وتقارير' are no such pair."""
    plain = normalize_arabic(word)
    if word.startswith("و") or plain in _STOPS or _is_title(arabic_stem(word)):
        return False
    if noun.startswith("ال") != word.startswith("ال"):
        return False
    return plain.endswith(("ية", "ي", "ة", "ون", "ين", "ول", "مي")) or plain in _forms("مطلع مطلعة رسمي مسؤول")


def _run(words: list[str], plain: list[str], k: int) -> list[str]:
    run: list[str] = []
    while k < len(words) and len(run) < _RUN:
        if plain[k] in _ROLE_PREPOSITIONS and run:
            run.append(words[k])
            k += 1
            continue
        if words[k] in _QUOTES and run:
            close = next((c for c in range(k + 1, min(len(words), k + 6)) if words[c] in _QUOTES), None)
            if close is not None and close + 1 < len(words) and words[close + 1][0].isalpha():
                k = close + 1  # an aside: 'لجمعية مزارعي حائل التعاونية "تحت التأسيس" رئيس …'
                continue
        after_abd = bool(run) and normalize_arabic(run[-1]) == "عبد"  # "عبد الأحد" is a name, not Sunday
        if (plain[k] in _STOPS and not after_abd) or not words[k][0].isalpha() or not words[k].strip("ـ") \
                or plain[k].startswith(("لـ", "بـ")):
            break
        run.append(words[k])
        k += 1
    return run


def _is_title(stem: str) -> bool:
    return stem in _TITLES


def _is_given(word: str) -> bool:
    if normalize_arabic(word) in _STOPS:
        return False
    plain = given_name_form(word)
    names = arabic_given_names()
    return plain in names or (plain[:1] in ("و", "ف") and plain[1:] in names)


def _person(run: list[str], stems: list[str], known: dict[str, str]) -> str | None:
    """A person's name in the run: a family name the article gave in full before ("وانتقد كامل"
    after "صالح كامل"), a name from its given name ("فهد السليماني", "خالد بن محمد مرغلاني"), or
    the words after a role that end the run ("الناطق باسم جهاز الأمن جوناثان شيري")."""
    if known_person := _alias(run[:1], stems[:1], known):
        return known_person
    for g, word in enumerate(run):
        if word.startswith("و") and not word.startswith("وال") and g:
            return None  # "الخرائط الرقمية وإنشاء … وتشغيل كامل المشروع": a list of things, no speaker
        if _is_given(word) and not word.startswith("ال"):
            name = _extend_name(run, stems, g)
            return " ".join(name) if len(name) > 1 else None
    tail: list[str] = []
    for word, stem in zip(reversed(run), reversed(stems), strict=True):
        if word.startswith(("ال", "وال", "لل")) or _is_title(stem) or stem in _ORG_HEADS \
                or normalize_arabic(word) in _ROLE_PREPOSITIONS:
            break
        tail.insert(0, word)
    # A role opens the run and a role or body ends just before: "الناطق باسم جهاز الأمن جوناثان شيري".
    if 2 <= len(tail) <= 3 and len(tail) < len(run) and run[len(run) - len(tail) - 1].startswith("ال") \
            and _is_title(stems[0]) and not any(normalize_arabic(w)[:2] in ("با", "بل", "لا", "لل") for w in tail):
        return " ".join(tail)
    return None


def _extend_name(run: list[str], stems: list[str], g: int) -> list[str]:
    """A person's name from its given name on: links (بن، عبد، أبو) and compounds (جمال الدين) carry
    it on; a family name with the article follows a given name and ends it ("سعود الفيصل",
    "نايف بن محمد العبادي"); other words end it ("محمد حبيب باستمرار …")."""
    name = [run[g]]
    for word, stem in zip(run[g + 1:], stems[g + 1:], strict=True):
        previous = normalize_arabic(name[-1])
        after_link = previous in _NAME_LINKS
        plain = normalize_arabic(word)
        verb = plain in _VERBS or (plain[:1] in ("و", "ف") and plain[1:] in _VERBS)
        if len(name) >= _LONGEST_NAME or _is_title(stem) or stem in _ORG_HEADS or verb \
                or (plain in _STOPS and not after_link):
            break
        if word.startswith("ال"):
            compound_given = len(name) >= 2 and normalize_arabic(name[-2]) == "عبد"  # "عبد اللطيف الملا"
            if not (after_link or stem in _NAME_COMPOUNDS or _is_given(name[-1]) or compound_given):
                break
            name.append(word)
            if not (after_link or stem in _NAME_COMPOUNDS):
                break  # the family name ends the name
            continue
        if not after_link and not _is_given(word) and (
                (plain[:1] in ("ب", "ل") and plain[1:2] in ("ا", "ل")) or plain.endswith("ه")):
            break  # a preposition's word or a pronoun's: "باستمرار", "للصحفيين", "خروجه"
        name.append(word)
    if normalize_arabic(name[0]) == "عبد" and len(name) < 2:
        return []
    return name


def _organisation(words: list[str], run: list[str], stems: list[str], at: int, index: int, k: int) -> list[Mention]:
    """Head word and its genitive chain: 'وزارة الدفاع السورية', 'مكتب الإحصاء الهولندي'."""
    if stems[at] in _MEDIA_HEADS and k + at + 1 < len(words) and words[k + at + 1] in _QUOTES:
        return _quoted(words, k + at + 1, index)
    name = [run[at]]
    closed = run[at].startswith("ال")  # a definite word closes the chain to all but adjectives and ل-genitives
    for j in range(at + 1, min(len(run), at + 7)):
        word = normalize_arabic(run[j])
        definite = word.startswith(("ال", "وال", "لل", "بال"))
        # "منظمة مراقبة حقوق الإنسان": indefinite nouns chain on to the definite one that ends them;
        # "لحقوق الإنسان", "لشؤون اللاجئين": a genitive with ل may follow a definite word too.
        indefinite = j + 1 < len(run) and run[j + 1].startswith("ال") and not word.startswith("و") \
            and not _is_title(stems[j]) and stems[j] not in _ORG_HEADS and (not closed or word.startswith("ل"))
        if word in _STOPS or word in _ROLE_PREPOSITIONS or _is_title(stems[j]) \
                or not (j == at + 1 or indefinite or definite):
            break
        name.append(run[j])
        closed = closed or definite
    rest = run[at + len(name):]
    if 2 <= len(rest) <= 3 and not rest[0].startswith("ال") and not any(
            _is_title(arabic_stem(w)) or normalize_arabic(w) in _STOPS | _ROLE_PREPOSITIONS for w in rest):
        return [Mention(" ".join(rest), index, "name")]  # "عضو الجمعية الوطنية راسم العوادي": the member
    if len(name) == 1:
        return [Mention(run[at], index, "backref")] if run[at].startswith(("ال", "وال")) or len(run) == 1 else []
    return [Mention(" ".join(name), index, "name")]


def _quoted(words: list[str], k: int, index: int) -> list[Mention]:
    """A short quoted name: 'مجلة "شتيرن"', 'كشفت " التعاونية للتأمين "'."""
    inner: list[str] = []
    for word in words[k + 1:k + 6]:
        if word in _QUOTES:
            # A quoted name vouches for itself, like a known body; quoted speech opens with a particle.
            named = 0 < len(inner) <= 4 and normalize_arabic(inner[0]) not in _STOPS
            return [Mention(" ".join(inner), index, "body")] if named else []
        if not word[0].isalpha():
            return []
        inner.append(word)
    return []


def _alias(run: list[str], stems: list[str], known: dict[str, str]) -> str | None:
    """A bare family name after titles ("وقال الدكتور شاولي") that ends a full name the article gives."""
    rest = [w for w, s in zip(run, stems, strict=True) if not _is_title(s)]
    if not rest or normalize_arabic(rest[0]) in _NAME_LINKS:
        return None
    return known.get(arabic_stem(rest[0]))


def family_names(names: list[str]) -> dict[str, str]:
    """Each family name to the first full name that ends with it; people only, since an
    organisation's last word is no one's name. Built once per article."""
    families: dict[str, str] = {}
    for name in dict.fromkeys(names):
        words = name.split()
        if len(words) > 1 and _is_given(words[0]):
            families.setdefault(arabic_stem(words[-1]), name)
    return families


def known_names(tokens: list[Token]) -> list[str]:
    """Full names of people and organisations anywhere in a sentence, for resolving a bare family
    name ("وقال الماضي") or a back-reference ("المنظمة تقول") later."""
    words = [t.text for t in tokens if t.is_word]
    stems = [arabic_stem(w) for w in words]
    names: list[str] = []
    for g, word in enumerate(words):
        if _is_given(word) and not word.startswith("ال"):
            name = _extend_name(words, stems, g)
            if len(name) > 1:
                names.append(" ".join(name))
        elif stems[g] in _ORG_HEADS and not word.startswith(("ال", "وال", "لل", "بال")):
            found = _organisation(words, words, stems, g, 0, 0)
            names += [m.name for m in found if m.kind == "name"]
    return names
