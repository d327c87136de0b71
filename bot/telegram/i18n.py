"""The bot's UI texts in the user's language: the shared catalogs of `bot.i18n`."""

from __future__ import annotations

from bot.i18n import EXTRACT_KEYWORDS, N_, SOURCE_LANGUAGE, Texts, texts_for, ui_language, ui_languages

__all__ = ["EXTRACT_KEYWORDS", "N_", "SOURCE_LANGUAGE", "Texts", "texts_for", "ui_language", "ui_languages"]
