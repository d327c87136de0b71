"""Which model translates which language pair, and what each model calls a language.

Order of preference: a model the user named; an opus-mt model made for the pair
(small, fast, Apache-2.0); then the many-to-many model (M2M100 by default, NLLB
when configured: mind its non-commercial licence) for every other pair.
"""

from __future__ import annotations

from dataclasses import dataclass

# Helsinki-NLP/opus-mt-{src}-{tgt} models that exist on the Hugging Face hub.
OPUS_MT_PAIRS = frozenset({
    ("ar", "en"), ("de", "en"), ("es", "en"), ("fr", "en"), ("it", "en"), ("ja", "en"), ("ko", "en"),
    ("nl", "en"), ("pl", "en"), ("ru", "en"), ("sv", "en"), ("tr", "en"), ("uk", "en"), ("ur", "en"),
    ("zh", "en"), ("hi", "en"), ("id", "en"), ("vi", "en"),
    ("en", "ar"), ("en", "de"), ("en", "es"), ("en", "fr"), ("en", "it"), ("en", "ru"), ("en", "zh"),
    ("en", "nl"), ("en", "uk"), ("en", "ur"), ("en", "hi"), ("en", "id"), ("en", "vi"),
})
BETTER_ARABIC = "Helsinki-NLP/opus-mt-tc-big-ar-en"  # 42.6 BLEU on FLORES-101, ~239M params, CC-BY-4.0
M2M100 = "facebook/m2m100_418M"
NLLB = "facebook/nllb-200-distilled-600M"

# facebook/m2m100_418M speaks these (ISO 639-1, as its tokenizer names them).
M2M100_LANGUAGES = frozenset(
    "af am ar ast az ba be bg bn br bs ca ceb cs cy da de el en es et fa ff fi fr fy ga gd gl gu ha he hi "
    "hr ht hu hy id ig ilo is it ja jv ka kk km kn ko lb lg ln lo lt lv mg mk ml mn mr ms my ne nl no ns "
    "oc or pa pl ps pt ro ru sd si sk sl so sq sr ss su sv sw ta th tl tn tr uk ur uz vi wo xh yi yo zh zu"
    .split()
)
# NLLB names languages by FLORES-200 code; the languages briefbot detects most often.
NLLB_CODES = {
    "ar": "arb_Arab", "bn": "ben_Beng", "de": "deu_Latn", "en": "eng_Latn", "es": "spa_Latn",
    "fa": "pes_Arab", "fr": "fra_Latn", "he": "heb_Hebr", "hi": "hin_Deva", "id": "ind_Latn",
    "it": "ita_Latn", "ja": "jpn_Jpan", "ko": "kor_Hang", "ku": "ckb_Arab", "nl": "nld_Latn",
    "pl": "pol_Latn", "ps": "pbt_Arab", "pt": "por_Latn", "ru": "rus_Cyrl", "so": "som_Latn",
    "sw": "swh_Latn", "tr": "tur_Latn", "uk": "ukr_Cyrl", "ur": "urd_Arab", "vi": "vie_Latn",
    "zh": "zho_Hans",
}


@dataclass(frozen=True)
class TranslationModel:
    """A model for one pair, and the codes its tokenizer uses for the two languages."""

    model: str              # a hub id or a local folder
    family: str             # marian | m2m100 | nllb
    source: str             # the pair it was chosen for (ISO 639-1)
    target: str
    source_code: str | None = None
    target_code: str | None = None


def family_of(model: str) -> str:
    name = model.lower()
    if "nllb" in name:
        return "nllb"
    if "m2m100" in name:
        return "m2m100"
    return "marian"


def translation_model(source: str, target: str, *, override: str = "", many_to_many: str = M2M100
                      ) -> TranslationModel | None:
    """The model for source→target, or None when no model covers the pair."""
    if override:
        return _with_codes(override, source, target)
    if (source, target) in OPUS_MT_PAIRS:
        return TranslationModel(f"Helsinki-NLP/opus-mt-{source}-{target}", "marian", source, target)
    return _with_codes(many_to_many, source, target) if many_to_many else None


def translates_into(target: str, *, override: str = "", many_to_many: str = M2M100) -> bool:
    """Whether some model of the registry translates into `target` (a digest's language):
    an opus-mt pair, the many-to-many model's languages, or any pair for a Marian model the user named."""
    if not override and any(pair_target == target for _, pair_target in OPUS_MT_PAIRS):
        return True
    model = override or many_to_many
    family = family_of(model) if model else None
    if family == "m2m100":
        return target in M2M100_LANGUAGES
    if family == "nllb":
        return target in NLLB_CODES
    return family == "marian"


def _with_codes(model: str, source: str, target: str) -> TranslationModel | None:
    family = family_of(model)
    if family == "m2m100":
        if source in M2M100_LANGUAGES and target in M2M100_LANGUAGES:
            return TranslationModel(model, family, source, target, source, target)
        return None
    if family == "nllb":
        if source in NLLB_CODES and target in NLLB_CODES:
            return TranslationModel(model, family, source, target, NLLB_CODES[source], NLLB_CODES[target])
        return None
    return TranslationModel(model, family, source, target)


def pair_model(name: str, many_to_many: str = M2M100) -> str:
    """`briefbot models download ar-en` → the id the registry would use for ar→en."""
    if "/" in name or name.startswith("."):
        return name
    source, _, target = name.partition("-")
    choice = translation_model(source, target, many_to_many=many_to_many) if target else None
    if choice is None:
        raise ValueError(f"'{name}' is neither a model id nor a language pair briefbot can translate")
    return choice.model
