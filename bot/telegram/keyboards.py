"""Inline keyboards and the callback data they carry (at most 64 bytes each).

Callback data: `orig:<lang>:<source>` brief in the source's own language;
`tr:<source>` offer languages; `to:<lang>:<source>` brief in that language;
`lang:<lang>` set the chat's brief language. `<source>` is a stored source's key.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.brief import Brief
from bot.telegram.i18n import Texts

# Languages offered on buttons; any ISO 639-1 code still works with `/lang xx`.
OFFERED_LANGUAGES = ("en", "ar", "fr", "es", "de", "ru", "tr", "fa", "ur", "zh")


def brief_keyboard(brief: Brief, source_key: str, texts: Texts) -> InlineKeyboardMarkup:
    """'Original' when the brief was translated, and 'Translate to …' always."""
    buttons = []
    if brief.original is not None:
        buttons.append(InlineKeyboardButton(texts("Original"),
                                            callback_data=f"orig:{brief.original.language}:{source_key}"))
    buttons.append(InlineKeyboardButton(texts("Translate to …"), callback_data=f"tr:{source_key}"))
    return InlineKeyboardMarkup([buttons])


def language_keyboard(texts: Texts, prefix: str, suffix: str = "", exclude: str | None = None) -> InlineKeyboardMarkup:
    """Languages in rows of three; each button's data is `<prefix>:<lang>[:<suffix>]`."""
    buttons = [
        InlineKeyboardButton(texts.language_name(code), callback_data=f"{prefix}:{code}" + (f":{suffix}" if suffix else ""))
        for code in OFFERED_LANGUAGES if code != exclude
    ]
    return InlineKeyboardMarkup([buttons[i:i + 3] for i in range(0, len(buttons), 3)])
