"""The operator's allow-list: `allowed_users` and `allowed_chats` (empty: everyone).

A gate in handler group -1 sees every update before any feature does and stops those
the operator has not allowed. A group or channel that is not allowed is ignored without
a word (the bot never chats where it was not invited); a person who is not allowed is told
once per process, in their Telegram language, and is ignored after that, so a flood of
messages cannot spend the bot's send budget.

The same chat list decides which channels and groups an admin may attach for digests
(`may_attach`, checked by the channel commands): a private chat passes the gate, so the
command itself must refuse a channel the operator has not listed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Chat, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, BaseHandler, ContextTypes, TypeHandler

from bot.config import Settings
from bot.telegram.i18n import texts_for

log = logging.getLogger(__name__)
GATE_GROUP = -1  # before every feature's handlers (group 0)
_REMEMBERED_REFUSALS = 100_000  # past this many, forgetting beats unbounded memory (a few see the text twice)
_GROUP_TYPES = (Chat.GROUP, Chat.SUPERGROUP, Chat.CHANNEL)


class AccessGate:
    """Decides, per update, whether the bot serves it; remembers whom it has told 'no'."""

    def __init__(self, users: frozenset[int], chats: frozenset[int]) -> None:
        self.users, self.chats = users, chats
        self.told: set[int] = set()

    def chat_allowed(self, chat: Chat | None) -> bool | None:
        """True/False for a group or channel when a chat list is set; None: the user decides."""
        if chat is None or chat.type not in _GROUP_TYPES or not self.chats:
            return None
        return chat.id in self.chats

    def user_allowed(self, user_id: int | None) -> bool:
        return not self.users or (user_id is not None and user_id in self.users)

    def first_refusal(self, user_id: int) -> bool:
        """True the first time this user is refused (then they are told why), False after."""
        if user_id in self.told:
            return False
        if len(self.told) >= _REMEMBERED_REFUSALS:
            self.told.clear()
        self.told.add(user_id)
        return True

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, user = update.effective_chat, update.effective_user
        by_chat = self.chat_allowed(chat)
        if by_chat is True:
            return  # an allowed group or channel: everyone in it may use the bot
        if by_chat is False:
            raise ApplicationHandlerStop  # not allowed here: say nothing
        if self.user_allowed(user.id if user else None):
            return
        if user is not None and chat is not None and self.first_refusal(user.id):
            texts = texts_for(user.language_code or "en")
            try:
                await context.bot.send_message(chat.id, texts(
                    "This bot is private: its operator has not allowed your account. "
                    "If you should have access, send the operator your Telegram id: {user_id}.", user_id=user.id))
            except TelegramError as error:  # they blocked the bot, or the chat is gone: still refused
                log.info("could not tell user %s they are not allowed: %s", user.id, error)
        raise ApplicationHandlerStop


def may_attach(settings: Settings, chat_id: int) -> bool:
    """Whether digests may go to this channel or group: `allowed_chats` lists it, or is empty."""
    return not settings.allowed_chats or chat_id in settings.allowed_chats


def handlers(settings: Settings) -> dict[int, Sequence[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]]:
    """The gate, for `Application.add_handlers`; none when everyone is allowed."""
    if not settings.allowed_users and not settings.allowed_chats:
        return {}
    gate = AccessGate(settings.allowed_users, settings.allowed_chats)
    return {GATE_GROUP: [TypeHandler(Update, gate)]}
