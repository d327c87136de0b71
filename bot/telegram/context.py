"""What every handler needs to know about the person it answers."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import ContextTypes

from bot.store.chats import ChatSettings
from bot.telegram.briefing import ReaderChoice
from bot.telegram.i18n import Texts, texts_for
from bot.telegram.services import Services, services


@dataclass(frozen=True)
class Reader:
    services: Services
    prefs: ChatSettings
    texts: Texts
    choice: ReaderChoice
    user_id: int  # who asked: the rate limit counts per user, also in groups


async def reader(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Reader:
    """The chat's settings and the UI language (their choice, else their Telegram language)."""
    shared = services(context)
    chat = update.effective_chat or update.effective_user  # inline queries have no chat
    prefs = await shared.chats.get(chat.id)
    user = update.effective_user
    texts = texts_for(prefs.ui_language or (user.language_code if user else None) or "en")
    return Reader(shared, prefs, texts, ReaderChoice.resolve(prefs, shared), user.id if user else chat.id)
