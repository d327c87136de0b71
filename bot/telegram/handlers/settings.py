"""Per-chat settings: /lang, /length, /reads, /original and /settings, stored in SQLite.

In a group, only its administrators may change them (asked live with getChatMember;
an anonymous administrator writes as the group itself); anyone may read /settings.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot.language import is_known_language
from bot.telegram.context import Reader, reader
from bot.telegram.i18n import N_, texts_for, ui_language, ui_languages
from bot.telegram.keyboards import language_keyboard

MAX_POINTS = 10
ADMINS = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
ONLY_ADMINS = N_("Only an administrator of this group can change its settings.")


async def _may_change(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True in a private chat, and in a group for its administrators."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError:
        return False
    return member.status in ADMINS


async def _refused(me: Reader, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Tells a group member who is not an administrator that they may not; True when refused."""
    if await _may_change(update, context):
        return False
    if update.callback_query is not None:
        await update.callback_query.answer(me.texts(ONLY_ADMINS))
    else:
        await update.effective_message.reply_text(me.texts(ONLY_ADMINS))
    return True


async def on_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lang offers languages on buttons; /lang xx sets one directly."""
    me = await reader(update, context)
    if context.args:
        if not await _refused(me, update, context):
            await _set_language(me, update, context.args[0].lower())
        return
    await update.effective_message.reply_text(
        me.texts("Which language should your briefs be in?"), reply_markup=language_keyboard(me.texts, "lang"))


async def on_lang_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A language button under /lang."""
    query = update.callback_query
    me = await reader(update, context)
    if await _refused(me, update, context):
        return
    await query.answer()
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
    if await _refused(me, update, context):
        return
    raw = context.args[0] if context.args else ""
    # isdecimal, not isdigit: '²' is a digit that int() refuses; '٣' is a decimal it reads
    if not raw.isdecimal() or not 1 <= int(raw) <= MAX_POINTS:
        await update.effective_message.reply_text(
            me.texts("Give a number of sentences from 1 to {most}, e.g. /length 3.", most=MAX_POINTS))
        return
    await me.services.chats.save(me.prefs.with_values(points=int(raw)))
    await update.effective_message.reply_text(me.texts("Briefs will have {n} sentences.", n=int(raw)))


async def on_reads(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reads en fr: articles in these languages are briefed as they are; /reads none clears."""
    me = await reader(update, context)
    if await _refused(me, update, context):
        return
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
    if await _refused(me, update, context):
        return
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
