"""Per-chat settings: /lang, /length, /reads, /original and /settings, stored in SQLite."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot.language import is_known_language
from bot.telegram.context import Reader, reader
from bot.telegram.i18n import texts_for, ui_language, ui_languages
from bot.telegram.keyboards import language_keyboard

MAX_POINTS = 10


async def on_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lang offers languages on buttons; /lang xx sets one directly."""
    me = await reader(update, context)
    if context.args:
        await _set_language(me, update, context.args[0].lower())
        return
    await update.effective_message.reply_text(
        me.texts("Which language should your briefs be in?"), reply_markup=language_keyboard(me.texts, "lang"))


async def on_lang_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A language button under /lang."""
    query = update.callback_query
    await query.answer()
    me = await reader(update, context)
    await _set_language(me, update, query.data.split(":", 1)[1], edit=True)


async def _set_language(me: Reader, update: Update, code: str, edit: bool = False) -> None:
    if not is_known_language(code):
        await update.effective_message.reply_text(
            me.texts("'{code}' is not a language code I know. Try en, ar, fr…", code=code))
        return
    # The brief's language, and the UI's too when the bot speaks it.
    ui = code if code in ui_languages() else me.prefs.ui_language
    await me.services.chats.save(me.prefs.with_values(target_language=code, ui_language=ui))
    texts = texts_for(ui or me.texts.language)
    reply = texts("Your briefs will be in {language}.", language=texts.language_name(code))
    if edit:
        await update.callback_query.edit_message_text(reply)
    else:
        await update.effective_message.reply_text(reply)


async def on_length(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/length N: sentences in a brief."""
    me = await reader(update, context)
    raw = context.args[0] if context.args else ""
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_POINTS:
        await update.effective_message.reply_text(
            me.texts("Give a number of sentences from 1 to {most}, e.g. /length 3.", most=MAX_POINTS))
        return
    await me.services.chats.save(me.prefs.with_values(points=int(raw)))
    await update.effective_message.reply_text(me.texts("Briefs will have {n} sentences.", n=int(raw)))


async def on_reads(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reads en fr: articles in these languages are briefed as they are; /reads none clears."""
    me = await reader(update, context)
    codes = [code.lower().strip(",") for code in context.args or []]
    if codes == ["none"]:
        codes = []
    unknown = [code for code in codes if not is_known_language(code)]
    if unknown or not context.args:
        await update.effective_message.reply_text(
            me.texts("Write the languages you read as codes, e.g. /reads en fr (or /reads none)."))
        return
    await me.services.chats.save(me.prefs.with_values(reads=frozenset(codes)))
    names = ", ".join(me.texts.language_name(code) for code in codes) or "—"
    await update.effective_message.reply_text(me.texts("Not translated: {names}.", names=names))


async def on_original(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/original on|off: the source sentences under a translated brief."""
    me = await reader(update, context)
    choice = (context.args[0].lower() if context.args else "")
    if choice not in ("on", "off"):
        await update.effective_message.reply_text(me.texts("Use /original on or /original off."))
        return
    await me.services.chats.save(me.prefs.with_values(show_original=choice == "on"))
    await update.effective_message.reply_text(
        me.texts("Original sentences will be shown.") if choice == "on" else me.texts("Original sentences will be hidden."))


async def on_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/settings: what this chat chose."""
    me = await reader(update, context)
    reads = ", ".join(me.texts.language_name(code) for code in sorted(me.prefs.reads)) or "—"
    lines = [
        me.texts("Brief language: {language}", language=me.texts.language_name(me.choice.to)),
        me.texts("Sentences: {n}", n=me.choice.points),
        me.texts("Not translated: {names}.", names=reads),
        me.texts("Original sentences: {state}", state=me.texts("on") if me.choice.show_original else me.texts("off")),
        me.texts("Interface: {language}", language=me.texts.language_name(ui_language(me.texts.language))),
    ]
    await update.effective_message.reply_text("\n".join(lines))


HANDLERS = [
    CommandHandler("lang", on_lang),
    CommandHandler("length", on_length),
    CommandHandler("reads", on_reads),
    CommandHandler("original", on_original),
    CommandHandler("settings", on_settings),
    CallbackQueryHandler(on_lang_button, pattern=r"^lang:[a-z]{2}$"),
]
