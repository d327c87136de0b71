"""Messages that ask for a brief: pasted text, links, forwarded posts, files, /brief.

In private chats every message is a request. In groups the bot speaks only when
addressed: `/brief` (as a reply to the message to brief, or followed by a text or
link) or a message that mentions it.
"""

from __future__ import annotations

import re

from telegram import Message, MessageEntity, MessageOriginChannel, Update
from telegram.ext import CommandHandler, ContextTypes, MessageHandler, filters

from bot.core.brief import SourceInfo
from bot.pipeline import HTML_SUFFIXES, PDF_SUFFIXES, TEXT_SUFFIXES
from bot.telegram.briefing import BriefRequest, reply_with_brief
from bot.telegram.context import Reader, reader

MAX_LINKS = 5  # more links in one message are a digest, not a request: channels do that
_SURROGATE = re.compile("[\ud800-\udfff]")
_OTHER_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d)")  # 'javascript:…', not 'example.com:8080'
LINK_ENTITIES: list[str | None] = [MessageEntity.URL, MessageEntity.TEXT_LINK]  # as PTB's parse_entities types it


def requests_in(message: Message, min_words: int, strip: str = "") -> list[BriefRequest]:
    """A message with an article's worth of text is that article; otherwise its links are."""
    text = message.text or message.caption or ""
    text = (text.replace(strip, " ", 1) if strip else text).strip()
    links = _links(message)
    # A lone surrogate (valid JSON, no character) would fail every encoder downstream.
    text = _SURROGATE.sub("\ufffd", text)
    words_outside_links = text
    for link_text in links.values():
        words_outside_links = words_outside_links.replace(link_text, " ")
    if links and len(words_outside_links.split()) < min_words:
        return [BriefRequest(url=url) for url in links][:MAX_LINKS]
    return [BriefRequest(text=text, source=_forwarded_from(message))] if text else []


def _links(message: Message) -> dict[str, str]:
    """Each link once, in order: {url: the text it occupies in the message}."""
    found: dict[str, str] = {}
    entities = message.parse_entities(LINK_ENTITIES) or message.parse_caption_entities(LINK_ENTITIES)
    for entity, shown in entities.items():
        url = (entity.url or shown) if entity.type == MessageEntity.TEXT_LINK else shown
        if _OTHER_SCHEME.match(url) and not url.lower().startswith(("http://", "https://")):
            continue  # file:, javascript:, tg:, mailto: are not articles, and never become https://…
        if not url.lower().startswith(("http://", "https://")):
            url = "https://" + url  # Telegram marks bare "example.com/a" as a link too
        found.setdefault(url, shown)
    return found


def _forwarded_from(message: Message) -> SourceInfo | None:
    """A post forwarded from a channel is credited to the channel, with a link when public."""
    origin = message.forward_origin
    if not isinstance(origin, MessageOriginChannel):
        return None
    chat = origin.chat
    url = f"https://t.me/{chat.username}/{origin.message_id}" if chat.username else None
    return SourceInfo(site=chat.title, url=url)


def _message(update: Update) -> Message:
    """The message a handler here was called for: the filters it is registered with guarantee one."""
    found = update.effective_message
    assert found is not None, "registered for messages only"
    return found


async def brief_requests(me: Reader, message: Message, requests: list[BriefRequest]) -> None:
    if not requests:
        await message.reply_text(me.texts("Send me an article's text or a link to one."))
        return
    for request in requests:
        await reply_with_brief(me.services, message, request, me.choice, me.texts, me.user_id)


async def on_private_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every text in a private chat is a request for a brief."""
    me = await reader(update, context)
    message = _message(update)
    await brief_requests(me, message, requests_in(message, me.services.settings.min_words))


async def on_mention(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group, a message that mentions the bot is briefed (or the message it replies to)."""
    message = _message(update)
    mention = f"@{context.bot.username}"
    if mention.lower() not in (m.lower() for m in message.parse_entities([MessageEntity.MENTION]).values()):
        return  # someone else was mentioned
    me = await reader(update, context)
    requests = requests_in(message, me.services.settings.min_words, strip=mention)
    if not requests and message.reply_to_message:
        requests = requests_in(message.reply_to_message, me.services.settings.min_words)
    await brief_requests(me, message, requests)


async def on_brief_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/brief as a reply briefs the message replied to; /brief TEXT-OR-LINK briefs that."""
    message = _message(update)
    me = await reader(update, context)
    target = message.reply_to_message
    if target is not None:
        requests = requests_in(target, me.services.settings.min_words)
    else:
        command = (message.text or "").split(maxsplit=1)[0]
        requests = requests_in(message, me.services.settings.min_words, strip=command)
    if not requests:
        await message.reply_text(me.texts("Reply to a message with /brief, or write /brief and a link."))
        return
    await brief_requests(me, message, requests)


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A .txt, .html or .pdf file is handed to the Briefer as it is (of a page, only the article is
    briefed; of a PDF, its text layer). A PDF sent without the name is known by its type."""
    message = _message(update)
    me = await reader(update, context)
    document = message.document
    name = (document.file_name or "").lower()
    suffix = name[name.rfind("."):] if "." in name else ""
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES and document.mime_type != "application/pdf":
        await message.reply_text(me.texts("I can brief .txt, .html and .pdf files; this one is none of them."))
        return
    limit = me.services.settings.max_input_bytes
    if (document.file_size or 0) > limit:
        await message.reply_text(me.texts("This file is too large to be one article."))
        return
    telegram_file = await document.get_file()
    # An update may carry no file_size; getFile's is checked before a byte is downloaded.
    if telegram_file.file_size is None:
        await message.reply_text(me.texts("I cannot tell how large this file is, so I will not download it."))
        return
    if telegram_file.file_size > limit:
        await message.reply_text(me.texts("This file is too large to be one article."))
        return
    data = bytes(await telegram_file.download_as_bytearray())
    await brief_requests(me, message, [BriefRequest(document=data, filename=document.file_name)])


HANDLERS = [
    CommandHandler("brief", on_brief_command),
    MessageHandler(filters.ChatType.PRIVATE & filters.Document.ALL, on_document),
    MessageHandler(filters.ChatType.PRIVATE & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND, on_private_message),
    MessageHandler(filters.ChatType.GROUPS & filters.Entity(MessageEntity.MENTION), on_mention),
]
