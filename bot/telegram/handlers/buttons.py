"""Buttons under a brief: "Original" and "Translate to …" brief the same source again."""

from __future__ import annotations

from dataclasses import replace

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.telegram.briefing import BriefRequest, reply_with_brief
from bot.telegram.context import reader
from bot.telegram.keyboards import language_keyboard


async def on_translate_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Translate to …' swaps the brief's buttons for a choice of languages."""
    query = update.callback_query
    me = await reader(update, context)
    source_key = query.data.split(":", 1)[1]
    await query.answer()
    await query.edit_message_reply_markup(language_keyboard(me.texts, "to", suffix=source_key))


async def on_rebrief(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Original' or a language: a new brief of the same source, in answer to the old one."""
    query = update.callback_query
    me = await reader(update, context)
    if not isinstance(query.message, Message):  # too old for Telegram to show it: nothing to answer
        await query.answer()
        return
    _, language, source_key = query.data.split(":", 2)
    stored = await me.services.cache.source(source_key)
    if stored is None:
        await query.answer(me.texts("This brief is too old. Send the article again."), show_alert=True)
        return
    await query.answer()
    # The reader asked for this language explicitly, so "languages I read" do not apply.
    choice = replace(me.choice, to=language, keep=frozenset())
    request = BriefRequest(url=stored.url, text=stored.text, document=stored.document, filename=stored.filename)
    await reply_with_brief(me.services, query.message, request, choice, me.texts, me.user_id)


HANDLERS = [
    CallbackQueryHandler(on_translate_menu, pattern=r"^tr:[0-9a-f]+$"),
    CallbackQueryHandler(on_rebrief, pattern=r"^(orig|to):[a-z]{2}:[0-9a-f]+$"),
]
