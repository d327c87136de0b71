"""The real PTB Application against a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import threading
from html.parser import HTMLParser

from bot.core.render.telegram_html import utf16_length, visible_text
from bot.pipeline import Briefer
from tests.botharness import PrefixTranslator, bot_settings, running_bot
from tests.conftest import EXAMPLES
from tests.fakebotapi import FakeBotAPI

ARTICLE = (EXAMPLES / "desalination.en.txt").read_text()
ARABIC_ARTICLE = (EXAMPLES / "desalination.ar.txt").read_text()


def html_briefs(api: FakeBotAPI, chat_id: int) -> list[str]:
    return [c.params["text"] for c in api.sent(chat_id=chat_id)
            if c.params.get("parse_mode") == "HTML" and c.method in ("editMessageText", "sendMessage")
            and any(heading in c.params["text"] for heading in ("Key figures", "الأرقام الرئيسية"))]


def texts_to(api: FakeBotAPI, chat_id: int, method: str = "sendMessage") -> list[str]:
    return [c.params["text"] for c in api.sent(method, chat_id)]


def said_to(api: FakeBotAPI, chat_id: int) -> list[str]:
    """Everything the bot said in a chat, in new messages and edits (a quick brief or reason is a
    new message; a slow one comes in place of the status message)."""
    return texts_to(api, chat_id) + texts_to(api, chat_id, "editMessageText")


def brief_calls(api: FakeBotAPI, chat_id: int) -> list[tuple[int, dict]]:
    """(message id, parameters) of each brief in the chat, sent or edited in."""
    return [(int(c.params["message_id"]) if c.method == "editMessageText" else c.result["message_id"], c.params)
            for c in api.sent(chat_id=chat_id)
            if c.method in ("editMessageText", "sendMessage") and "Key figures" in c.params["text"]]


class _TagBalance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"</{tag}> closes nothing"


def assert_valid_telegram_html(markup: str) -> None:
    checker = _TagBalance()
    checker.feed(markup)
    assert checker.stack == []
    assert utf16_length(visible_text(markup)) <= 4096


async def test_start_says_what_the_bot_does(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path)):
        api.message(1, "/start")
        reply = await api.wait_for(lambda a: texts_to(a, 1))
    assert "briefs" in reply[0] and "/lang" in reply[0]


async def test_pasted_article_is_answered_with_a_brief(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path)):
        api.message(2, ARTICLE)
        briefs = await api.wait_for(lambda a: html_briefs(a, 2))
    assert not api.sent("sendChatAction")   # the send budget goes to the brief (issue 12)
    assert_valid_telegram_html(briefs[0])
    assert "120,000" in briefs[0] and "$310 million" in briefs[0]
    [reply] = api.sent("sendMessage", 2)    # the brief, or a status message that the brief replaced
    assert all(int(c.params["message_id"]) == reply.result["message_id"] for c in api.sent("editMessageText", 2))


async def test_briefs_show_no_link_preview_card_from_front_ends_or_workers(api, tmp_path):
    from bot.config import Settings
    from bot.telegram.worker import plain_bot

    async with running_bot(bot_settings(api, tmp_path)):
        api.message(3, ARTICLE)
        await api.wait_for(lambda a: html_briefs(a, 3))
    (reply,) = api.sent("sendMessage", 3)
    assert reply.params["link_preview_options"] == {"is_disabled": True}
    worker_bot = plain_bot(Settings(telegram_bot_token="1:x", queue_url="redis://127.0.0.1:9/0"))
    assert worker_bot.defaults is not None and worker_bot.defaults.link_preview_options.is_disabled


async def test_two_links_get_two_briefs(api, tmp_path, server):
    links = [server.url("/article"), server.url("/plain")]
    async with running_bot(bot_settings(api, tmp_path, server.port)):
        api.message(3, f"Two for you: {links[0]} and {links[1]}")
        briefs = await api.wait_for(lambda a: len(html_briefs(a, 3)) == 2 and html_briefs(a, 3))
    assert any(links[0] in b and "Gulf Harbour Times" in b for b in briefs)  # its canonical link is another site
    assert any(links[1] in b for b in briefs)
    for brief in briefs:
        assert_valid_telegram_html(brief)


async def test_a_failed_link_gets_a_short_reply(api, tmp_path, server):
    async with running_bot(bot_settings(api, tmp_path, server.port)):
        api.message(4, server.url("/missing"))
        reply = await api.wait_for(lambda a: [t for t in said_to(a, 4) if "Could not" in t])
    assert "404" in reply[0] and "Traceback" not in reply[0]


async def test_a_short_text_gets_a_clear_reply(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path)):
        api.message(5, "hello bot")
        reply = await api.wait_for(lambda a: [t for t in said_to(a, 5) if "too short" in t])
    assert "40 words" in reply[0]


def replied_to(api: FakeBotAPI, chat_id: int) -> list[int]:
    """The ids of the messages that the bot's messages in this chat answer."""
    return [c.params["reply_parameters"]["message_id"] for c in api.sent("sendMessage", chat_id)
            if "reply_parameters" in c.params]


async def test_group_messages_are_ignored_unless_the_bot_is_addressed(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path)):
        article = api.message(-100, ARTICLE, chat_type="supergroup", user_id=7)
        help_request = api.message(-100, "/help", chat_type="supergroup", user_id=7)
        await api.wait_for(lambda a: texts_to(a, -100))
        command = api.message(-100, "/brief", chat_type="supergroup", user_id=7, reply_to_message=article)
        briefs = await api.wait_for(lambda a: html_briefs(a, -100))
        mention = api.message(-100, f"@brief_test_bot {ARTICLE}", chat_type="supergroup", user_id=8)
        await api.wait_for(lambda a: len(html_briefs(a, -100)) == 2)
    # Stopped only now: a brief of the plain article, asked for first, would be here by now.
    assert len(html_briefs(api, -100)) == 2
    assert sorted(replied_to(api, -100)) == sorted([help_request["message_id"], command["message_id"],
                                                    mention["message_id"]])
    assert "120,000" in briefs[0]


async def test_a_429_is_retried_after_retry_after(api, tmp_path):
    api.fail_next("sendMessage", retry_after=1)
    async with running_bot(bot_settings(api, tmp_path)):
        api.message(6, "/help")
        await api.wait_for(lambda a: texts_to(a, 6))
    refused, delivered = api.sent("sendMessage:429")[0], api.sent("sendMessage", 6)[0]
    assert delivered.at - refused.at >= 1.0


async def test_a_slow_brief_does_not_hold_up_another_chat(api, tmp_path):
    gate = threading.Event()
    settings = bot_settings(api, tmp_path)
    briefer = Briefer(settings, translators=PrefixTranslator(gate))
    try:
        async with running_bot(settings, briefer):
            api.message(10, ARABIC_ARTICLE)
            await api.wait_for(lambda a: "Translating…" in said_to(a, 10), timeout=20)
            api.message(11, "/help")
            await api.wait_for(lambda a: texts_to(a, 11))
            assert not html_briefs(api, 10)  # still translating while /help was answered
            gate.set()
            brief = (await api.wait_for(lambda a: html_briefs(a, 10)))[0]
    finally:
        gate.set()
    assert "[en]" in brief


async def test_original_button_briefs_the_source_language(api, tmp_path):
    settings = bot_settings(api, tmp_path)
    async with running_bot(settings, Briefer(settings, translators=PrefixTranslator())):
        api.message(12, ARABIC_ARTICLE)
        await api.wait_for(lambda a: html_briefs(a, 12))
        message_id, buttons = brief_buttons(api, 12)
        press(api, 12, message_id, buttons["Original"], "cb1")
        await api.wait_for(lambda a: len(html_briefs(a, 12)) == 2)
    english, arabic = html_briefs(api, 12)
    assert "[en]" not in arabic and "١٢٠٬٠٠٠" in arabic and "محطة" in arabic
    # headings in the brief's language, from the catalogs (issue 11)
    assert "<b>الأرقام الرئيسية:</b>" in arabic and "Key figures" not in arabic
    assert "<b>Key figures:</b>" in english and "الأرقام الرئيسية" not in english


async def test_a_brief_left_untranslated_for_want_of_a_model_is_translated_once_it_is_installed(
        api, tmp_path, tiny_models):
    import shutil

    model = tmp_path / "models" / "en-ar"
    settings = bot_settings(api, tmp_path, translation_model=str(model), beam_size=1)
    async with running_bot(settings):
        api.message(22, "/lang ar")
        await api.wait_for(lambda a: texts_to(a, 22))
        api.message(22, ARTICLE)
        (untranslated,) = await api.wait_for(lambda a: html_briefs(a, 22))
    shutil.copytree(tiny_models["marian"], model)   # what `briefbot models download` does
    async with running_bot(settings):
        api.message(22, ARTICLE)
        briefs = await api.wait_for(lambda a: len(html_briefs(a, 22)) == 2 and html_briefs(a, 22))
    missing = "No English→Arabic translation model is installed"
    assert missing in untranslated and missing not in briefs[1]   # translated now, not served from the cache


async def test_settings_survive_a_restart(api, tmp_path):
    settings = bot_settings(api, tmp_path)
    async with running_bot(settings):
        api.message(20, "/lang ar")
        await api.wait_for(lambda a: texts_to(a, 20))
    async with running_bot(settings):
        api.message(20, "/settings")
        await api.wait_for(lambda a: len(texts_to(a, 20)) == 2)
    assert "العربية" in texts_to(api, 20)[1]


async def test_language_buttons_set_the_brief_language(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path)):
        api.message(21, "/lang")
        keyboard = (await api.wait_for(lambda a: a.sent("sendMessage", 21)))[0].params["reply_markup"]
        french = next(b for row in keyboard["inline_keyboard"] for b in row if b["callback_data"] == "lang:fr")
        api.push({"callback_query": {"id": "cb2", "chat_instance": "x", "data": french["callback_data"],
                                     "from": {"id": 21, "is_bot": False, "first_name": "R", "language_code": "en"},
                                     "message": {"message_id": 1, "date": 0, "chat": {"id": 21, "type": "private"},
                                                 "text": "?"}}})
        confirmation = await api.wait_for(lambda a: texts_to(a, 21, "editMessageText"))
    assert "French" in confirmation[0]


async def test_the_ui_speaks_arabic_to_arabic_users(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path)):
        api.message(22, "/help", language="ar")
        reply = await api.wait_for(lambda a: texts_to(a, 22))
    assert "موجز" in reply[0] or "ملخص" in reply[0]


async def test_documents_are_briefed_and_other_files_refused(api, tmp_path):
    api.files["txt1"] = ARTICLE.encode()
    async with running_bot(bot_settings(api, tmp_path)):
        for file_id, name in (("txt1", "story.txt"), ("doc1", "story.docx")):
            api.push({"message": {"message_id": 50, "date": 0, "chat": {"id": 23, "type": "private"},
                                  "from": {"id": 23, "is_bot": False, "first_name": "R"},
                                  "document": {"file_id": file_id, "file_unique_id": file_id, "file_name": name,
                                               "file_size": len(api.files.get(file_id, b"x"))}}})
        await api.wait_for(lambda a: html_briefs(a, 23) and texts_to(a, 23)[1:])
    assert any(".txt, .html and .pdf" in text for text in texts_to(api, 23))


async def test_inline_query_answers_with_the_brief(api, tmp_path, server):
    async with running_bot(bot_settings(api, tmp_path, server.port)):
        api.push({"inline_query": {"id": "iq1", "from": {"id": 24, "is_bot": False, "first_name": "R"},
                                   "query": server.url("/article"), "offset": ""}})
        answer = await api.wait_for(lambda a: a.sent("answerInlineQuery"))
    result = answer[0].params["results"][0]
    assert "Nova Marina" in result["title"] or "desalination" in result["title"].lower()
    assert_valid_telegram_html(result["input_message_content"]["message_text"])


async def test_a_failing_update_is_reported_and_the_bot_goes_on(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path)):
        # Refused for good (not a 429 or a 502, which are retried): the brief, sent as one
        # message (it is quick); the error handler's note gets through.
        api.refuse_next("sendMessage", "chat not found")
        api.message(25, ARTICLE)
        await api.wait_for(lambda a: [t for t in texts_to(a, 25) if "went wrong" in t])
        api.message(25, "/help")
        await api.wait_for(lambda a: [t for t in texts_to(a, 25) if "/lang" in t])


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_webhook_refuses_a_wrong_or_missing_secret(api, tmp_path):
    import aiohttp

    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    settings = bot_settings(api, tmp_path, webhook_url=url, webhook_port=port, webhook_secret="s3cret-value")
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 30, "type": "private"},
                                          "from": {"id": 30, "is_bot": False, "first_name": "R"},
                                          "text": "/help", "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}
    async with running_bot(settings):
        registered = await api.wait_for(lambda a: a.sent("setWebhook"))
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
                async with http.post(url, json=update, headers=headers) as response:
                    assert response.status == 403
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
            assert not api.sent("sendMessage", 30)
            async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-value"}) as response:
                assert response.status == 200
        await api.wait_for(lambda a: texts_to(a, 30))
    assert registered[0].params["url"] == url and registered[0].params["secret_token"] == "s3cret-value"


async def test_briefbot_run_serves_until_sigterm(api, tmp_path):
    import os
    import signal
    import sys

    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "4242:TEST-TOKEN", "BRIEFBOT_TELEGRAM_BASE_URL": api.base_url,
           "BRIEFBOT_DATA_DIR": str(tmp_path), "BRIEFBOT_CONFIG": ""}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await api.wait_for(lambda a: a.sent("deleteWebhook"), timeout=30)
        api.message(31, "/help")
        await api.wait_for(lambda a: texts_to(a, 31))
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert "TEST-TOKEN" not in stderr.decode()  # the token never reaches the logs
    assert (tmp_path / "briefbot.sqlite3").exists()


async def test_a_forwarded_channel_post_credits_the_channel(api, tmp_path):
    origin = {"type": "channel", "date": 0, "message_id": 77,
              "chat": {"id": -100555, "type": "channel", "title": "Coast Wire", "username": "coastwire"}}
    async with running_bot(bot_settings(api, tmp_path)):
        api.message(26, ARTICLE, forward_origin=origin)
        brief = (await api.wait_for(lambda a: html_briefs(a, 26)))[0]
    assert "Coast Wire" in brief and "https://t.me/coastwire/77" in brief


def press(api: FakeBotAPI, chat_id: int, message_id: int, data: str, query_id: str) -> None:
    """A tap on an inline button under the bot's message `message_id`."""
    api.push({"callback_query": {"id": query_id, "chat_instance": "x", "data": data,
                                 "from": {"id": chat_id, "is_bot": False, "first_name": "R"},
                                 "message": {"message_id": message_id, "date": 0,
                                             "chat": {"id": chat_id, "type": "private"}, "text": "brief"}}})


def brief_buttons(api: FakeBotAPI, chat_id: int) -> tuple[int, dict[str, str]]:
    """The message id of the chat's first brief, and its buttons' callback data by label."""
    message_id, params = brief_calls(api, chat_id)[0]
    buttons = params["reply_markup"]["inline_keyboard"][0]
    return message_id, {b["text"]: b["callback_data"] for b in buttons}


async def test_buttons_and_inline_mode_count_against_the_rate_limit(api, tmp_path, server):
    settings = bot_settings(api, tmp_path, server.port, user_briefs_per_minute=1)
    async with running_bot(settings, Briefer(settings, translators=PrefixTranslator())):
        api.message(40, ARABIC_ARTICLE)
        await api.wait_for(lambda a: html_briefs(a, 40))
        message_id, buttons = brief_buttons(api, 40)
        press(api, 40, message_id, buttons["Original"], "cb40")
        refusal = await api.wait_for(lambda a: [t for t in texts_to(a, 40) if "Please wait" in t])
        api.push({"inline_query": {"id": "iq40", "from": {"id": 40, "is_bot": False, "first_name": "R"},
                                   "query": server.url("/article"), "offset": ""}})
        answer = await api.wait_for(lambda a: a.sent("answerInlineQuery"))
    assert len(html_briefs(api, 40)) == 1 and "60 s" in refusal[0]
    assert answer[0].params["results"] == []


async def test_a_briefed_file_can_be_briefed_again_from_its_buttons(api, tmp_path):
    api.files["ar1"] = ARABIC_ARTICLE.encode()
    settings = bot_settings(api, tmp_path)
    async with running_bot(settings, Briefer(settings, translators=PrefixTranslator())):
        api.push({"message": {"message_id": 51, "date": 0, "chat": {"id": 41, "type": "private"},
                              "from": {"id": 41, "is_bot": False, "first_name": "R"},
                              "document": {"file_id": "ar1", "file_unique_id": "ar1", "file_name": "خبر.txt",
                                           "file_size": len(api.files["ar1"])}}})
        await api.wait_for(lambda a: html_briefs(a, 41))
        message_id, buttons = brief_buttons(api, 41)
        press(api, 41, message_id, buttons["Original"], "cb41")
        await api.wait_for(lambda a: len(html_briefs(a, 41)) == 2)
    english, arabic = html_briefs(api, 41)
    assert "[en]" in english and "[en]" not in arabic and "١٢٠٬٠٠٠" in arabic
