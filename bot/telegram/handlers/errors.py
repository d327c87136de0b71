"""The last line of defence: log with context, tell the user something short, carry on."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram.i18n import texts_for

log = logging.getLogger("briefbot.telegram")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any exception a handler did not handle ends here; the bot keeps serving other updates."""
    chat = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
    log.error("update %s in chat %s failed", getattr(update, "update_id", None), chat, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_message is None:
        return
    user = update.effective_user
    texts = texts_for(user.language_code if user and user.language_code else "en")
    try:
        await update.effective_message.reply_text(
            texts("Sorry, something went wrong with this message. Please try again later."))
    except TelegramError:
        log.warning("could not tell chat %s about the failure", chat)
