"""Texts in the reader's language, from gettext catalogs that translators edit.

The bot's UI, the labels of rendered briefs and digests ("Key figures", "Sources",
"Digest") and the note on a brief left untranslated all come from here, so the CLI,
digests and the pipeline share the Telegram bot's catalogs. Code shows a text through
a `Texts` object named `texts` (`texts("…")`, `me.texts("…")`, `status.texts("…")`),
or marks it with `N_("…")` where it is only named, not shown yet. `pybabel extract`
collects them into `locale/messages.pot` (the command is in the README) and each
`locale/<lang>.po` holds a translation. English is the source language, so it needs
no catalog. Placeholders are `{name}`, filled after translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from bot.core.render.labels import RenderLabels

LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LANGUAGE = "en"
# The call names `pybabel extract -k …` must look for (the test checks the catalogs with them).
EXTRACT_KEYWORDS = ("N_", "texts", "me.texts", "status.texts", "self.texts")


def N_(message: str) -> str:
    """Marks a text for extraction where it is defined; `Texts` translates it where shown."""
    return message


@dataclass(frozen=True)
class Texts:
    language: str
    catalog: dict[str, str] = field(default_factory=dict)

    def __call__(self, message: str, **values: object) -> str:
        text = self.catalog.get(message) or message
        return text.format(**values) if values else text

    def language_name(self, code: str) -> str:
        """'ar' → 'Arabic' in an English UI, 'العربية' in an Arabic one (names from CLDR)."""
        from babel import Locale  # babel only where a name or a catalog is needed: not for an English CLI brief

        return Locale.parse(self.language).languages.get(code) or code


def ui_languages() -> list[str]:
    return [SOURCE_LANGUAGE, *sorted(path.stem for path in LOCALE_DIR.glob("*.po"))]


def ui_language(code: str | None) -> str:
    """'ar-EG' → 'ar'; a language without a catalog → English."""
    base = (code or "").split("-")[0].lower()
    return base if base in ui_languages() else SOURCE_LANGUAGE


@cache
def texts_for(language: str) -> Texts:
    language = ui_language(language)
    if language == SOURCE_LANGUAGE:
        return Texts(language)
    from babel.messages.pofile import read_po

    with (LOCALE_DIR / f"{language}.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    # Plural entries (tuples) are not used: every text is one string with {placeholders}.
    translated = {m.id: m.string for m in catalog
                  if isinstance(m.id, str) and isinstance(m.string, str) and m.id and m.string and not m.fuzzy}
    return Texts(language, translated)


@cache
def render_labels(language: str) -> RenderLabels:
    """The headings of a brief or digest written in `language` ('ar' → 'الأرقام الرئيسية');
    English for a language without a catalog."""
    texts = texts_for(language)
    return RenderLabels(
        key_figures=texts("Key figures"),
        sources=texts("Sources"),
        link=texts("Link"),
        note=texts("Note"),
        digest=texts("Digest"),
        sources_differ=texts("Sources differ"),
        full_page=texts("Read in full: points, key figures, sources"),
        trimmed=texts("Trimmed to fit the page; the source has the rest."),
    )


def untranslated_note(language: str, target: str) -> str:
    """Why a brief is still in `language`, written in `language` (the reader sees that language)."""
    texts = texts_for(language)
    return texts("No {source}→{target} translation model is installed, so this brief is in {source}.",
                 source=texts.language_name(language), target=texts.language_name(target))
