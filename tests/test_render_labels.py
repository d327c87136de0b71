"""Headings of briefs and digests, and the untranslated-brief note, in the brief's language (issue 11)."""

from __future__ import annotations

import json

import pytest

from bot.cli import RENDERERS
from bot.core.brief import Brief
from bot.core.render.labels import RenderLabels
from bot.core.render.plain import render_text
from bot.core.render.telegram_html import render_html
from bot.digests.posts import DigestEntry, assemble_posts
from bot.i18n import render_labels, untranslated_note
from bot.pipeline import Briefer
from tests.conftest import EXAMPLES

ARABIC_HEADINGS = ("الأرقام الرئيسية:", "المصادر:")
ENGLISH_HEADINGS = ("Key figures:", "Sources:")


@pytest.fixture(scope="module")
def briefs(briefer: Briefer) -> dict[str, Brief]:
    """The bundled article in each language, with no translation model: each brief keeps its language."""
    return {language: briefer.brief_file(EXAMPLES / f"desalination.{language}.txt", to="en")
            for language in ("en", "ar")}


def test_an_arabic_brief_has_arabic_headings_and_an_arabic_note_in_text_and_html(briefs):
    brief = briefs["ar"]
    assert brief.language == "ar" and brief.figures and brief.sources
    text, html = RENDERERS["text"](brief), RENDERERS["html"](brief)
    for heading in ARABIC_HEADINGS:
        assert heading in text and heading in html
    for heading in ENGLISH_HEADINGS:
        assert heading not in text and heading not in html
    note = "لا يتوفر نموذج لترجمة العربية إلى الإنجليزية، لذلك جاء هذا الموجز باللغة العربية."
    assert f"ملاحظة: {note}" in text and note in html


def test_an_english_brief_keeps_the_english_headings(briefs):
    brief = briefs["en"]
    text, html = RENDERERS["text"](brief), RENDERERS["html"](brief)
    assert "Key figures:" in text and "<b>Key figures:</b>" in html
    assert not any(heading in text or heading in html for heading in ARABIC_HEADINGS)


def test_json_keys_stay_english_for_an_arabic_brief(briefs):
    data = json.loads(RENDERERS["json"](briefs["ar"]))
    assert {"headline", "points", "figures", "sources", "warnings"} <= set(data)
    assert data["warnings"][0].startswith("لا يتوفر نموذج")


def test_core_renders_english_unless_given_labels(briefs):
    brief = briefs["ar"]
    assert "Key figures:" in render_text(brief) and "<b>Key figures:</b>" in render_html(brief)
    labels = RenderLabels(key_figures="KF", sources="S")
    assert "KF:" in render_text(brief, labels) and "<b>KF:</b>" in render_html(brief, labels=labels)


def test_an_arabic_digest_entry_has_arabic_headings_beside_an_english_one(briefs):
    arabic = DigestEntry(briefs["ar"], [("a.example", "https://a.example/1")],
                         ["١٤٠ (a.example) vs ١٥٠ (b.example)"], [1])
    english = DigestEntry(briefs["en"], [("b.example", "https://b.example/1")], [], [2])
    title = f"{render_labels('ar').digest}: أخبار الميناء"
    (markup, ids), = assemble_posts([arabic, english], title, labels_for=render_labels)
    arabic_part, english_part = markup.split("\n\n")[1:]
    assert markup.startswith("<b>موجز: أخبار الميناء</b>") and ids == [1, 2]
    assert "<b>الأرقام الرئيسية:</b>" in arabic_part and "<b>المصادر:</b>" in arabic_part
    assert "<i>تختلف المصادر: ١٤٠" in arabic_part and "Key figures" not in arabic_part
    assert "<b>Key figures:</b>" in english_part and "<b>Sources:</b>" in english_part


def test_labels_fall_back_to_english_for_a_language_without_a_catalog():
    assert render_labels("fr") == RenderLabels() == render_labels("en")
    assert render_labels("ar-EG") == render_labels("ar") != RenderLabels()
    assert untranslated_note("fr", "en") == ("No French→English translation model is installed, "
                                            "so this brief is in French.")
