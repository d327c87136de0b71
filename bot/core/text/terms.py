"""Content words for sentence scoring: folded, stop words dropped, lightly stemmed."""

from __future__ import annotations

from bot.core.text.normalize import fold_for_matching, words

_EN_STOP = frozenset("""a an the and or but if of to in on at by for with from as is are was were be been
being has have had do does did not no it its this that these those he she they we you i his her their
our your them him us who whom which what when where why how than then there here also into over after
before about said says will would can could should may might just more most such only other some any
all each both very up out so while during against between under again further once new one two""".split())
_AR_STOP = frozenset("""في من على إلى الى عن مع أن ان إن هذا هذه ذلك تلك التي الذي الذين كان كانت
يكون قد لقد كما لم لن لا ما و أو او ثم بعد قبل بين عند حتى هو هي هم هن نحن أنا انا كل أي اي بعض غير
منذ خلال حيث إذا اذا وقد وكان وهو وهي فقد وفي ومن وعلى وأن وان""".split())
_EN_STOP = frozenset(map(fold_for_matching, _EN_STOP))
_AR_STOP = frozenset(map(fold_for_matching, _AR_STOP))
_AR_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال", "و")
_AR_SUFFIXES = ("ات", "ون", "ين", "ها", "ية", "ة", "ه", "ي")
_LATIN_STEM = 6  # truncation stemming: crude, language-free, good enough for overlap


def content_terms(sentence: str, language: str | None) -> list[str]:
    stop = _AR_STOP if language == "ar" else _EN_STOP if language == "en" else frozenset()
    terms = []
    for word in words(sentence):
        if word in stop or len(word) < 2:
            continue
        terms.append(_stem(word))
    return terms


def _stem(word: str) -> str:
    if word.isdigit():
        return word
    if "\u0600" <= word[0] <= "\u06ff":
        for prefix in _AR_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                word = word[len(prefix):]
                break
        for suffix in _AR_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                return word[: -len(suffix)]
        return word
    return word[:_LATIN_STEM]
