"""The operator's allow-list (issue 16, item 5): `allowed_users` and `allowed_chats`, end to end
with the real Application against the fake Bot API."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.errors import BriefError
from tests.botharness import bot_settings, running_bot
from tests.fakebotapi import FakeBotAPI

REFUSAL = "This bot is private"


def texts_to(api: FakeBotAPI, chat_id: int) -> list[str]:
    return [c.params["text"] for c in api.sent("sendMessage", chat_id)]


async def help_answered(api: FakeBotAPI, chat_id: int, times: int = 1) -> None:
    await api.wait_for(lambda a: len([t for t in texts_to(a, chat_id) if "/lang" in t]) >= times)


def test_the_lists_come_from_the_environment_or_the_file(tmp_path):
    settings = Settings.load(env={"BRIEFBOT_ALLOWED_USERS": "12345, 67890", "BRIEFBOT_ALLOWED_CHATS": "-100123"})
    assert (settings.allowed_users, settings.allowed_chats) == ({12345, 67890}, {-100123})
    config = tmp_path / "config.toml"
    config.write_text("allowed_users = [1, 2]\nallowed_chats = \"-5\"\n")
    settings = Settings.load(env={}, file=config)
    assert (settings.allowed_users, settings.allowed_chats) == ({1, 2}, {-5})
    assert Settings.load(env={"BRIEFBOT_ALLOWED_USERS": ""}).allowed_users == frozenset()
    with pytest.raises(BriefError, match="'allowed_users' must be Telegram ids separated by commas"):
        Settings.load(env={"BRIEFBOT_ALLOWED_USERS": "@alice"})


async def test_a_user_not_on_the_list_is_told_once_then_ignored(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, allowed_users="7")):
        api.message(8, "/help")
        await api.wait_for(lambda a: texts_to(a, 8))
        for _ in range(3):
            api.message(8, "/help")
        api.message(7, "/help")
        await help_answered(api, 7)
        api.message(8, "Please brief this for me, it is an article about water.")
        api.message(7, "/help")
        await help_answered(api, 7, times=2)
    (refusal,) = texts_to(api, 8)
    assert refusal.startswith(REFUSAL) and "Telegram id: 8" in refusal
    assert not api.sent("sendChatAction", 8) and not api.sent("editMessageText", 8)


async def test_the_refusal_speaks_the_users_language(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, allowed_users="7")):
        api.message(9, "/start", language="ar")
        (refusal,) = await api.wait_for(lambda a: texts_to(a, 9))
    assert "هذا البوت خاص" in refusal and "9" in refusal


async def test_groups_not_on_the_list_are_ignored_and_listed_ones_served(api, tmp_path):
    settings = bot_settings(api, tmp_path, allowed_chats="-100")
    async with running_bot(settings):
        api.message(-200, "/help", chat_type="supergroup", user_id=31)
        api.message(-100, "/help", chat_type="supergroup", user_id=32)
        await help_answered(api, -100)
        api.message(33, "/help")  # private chats: allowed_users is empty, so everyone
        await help_answered(api, 33)
        api.message(-200, "/help", chat_type="supergroup", user_id=31)
        api.message(-100, "/help", chat_type="supergroup", user_id=32)
        await help_answered(api, -100, times=2)
    assert texts_to(api, -200) == []


async def test_everyone_is_served_when_both_lists_are_empty(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path)):
        api.message(51, "/help")
        api.message(-300, "/help", chat_type="group", user_id=52)
        await help_answered(api, 51)
        await help_answered(api, -300)
